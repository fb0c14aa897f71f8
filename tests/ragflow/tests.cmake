# The Ragflow target against FakeRagflow (a fake built from Ragflow's documented HTTP API) and a
# fake crawler; the fake is also used by end-to-end tests and benchmarks.
add_library(capconf_fake_ragflow STATIC ragflow/fake_ragflow.cc)
target_include_directories(capconf_fake_ragflow PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/ragflow)
target_link_libraries(capconf_fake_ragflow PUBLIC capconf_testutil_http capconf_json Boost::json)
capconf_apply_warnings(capconf_fake_ragflow)
capconf_test(ragflow_test
  SOURCES ragflow/ragflow_test.cc
  DEPS capconf_ragflow capconf_fake_ragflow capconf_outbound)
