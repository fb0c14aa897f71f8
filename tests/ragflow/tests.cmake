# The Ragflow target against FakeRagflow (a fake built from Ragflow's documented HTTP API) and a
# fake crawler; the fake is also used by end-to-end tests and benchmarks.
capconf_test(ragflow_test
  SOURCES ragflow/ragflow_test.cc ragflow/fake_ragflow.cc
  DEPS capconf_ragflow capconf_testutil_http capconf_outbound)
target_include_directories(ragflow_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/ragflow)
