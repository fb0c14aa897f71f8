# The Langflow target against FakeLangflow (an in-memory Langflow over loopback HTTP).
add_library(capconf_fake_langflow STATIC langflow/fake_langflow.cc)
target_include_directories(capconf_fake_langflow PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/langflow)
target_link_libraries(capconf_fake_langflow PUBLIC capconf_testutil_http capconf_json Boost::json)
capconf_apply_warnings(capconf_fake_langflow)
capconf_test(langflow_test
  SOURCES langflow/langflow_test.cc
  DEPS capconf_langflow capconf_fake_langflow capconf_outbound)
