# The Langflow target against FakeLangflow (an in-memory Langflow over loopback HTTP).
capconf_test(langflow_test
  SOURCES langflow/langflow_test.cc langflow/fake_langflow.cc
  DEPS capconf_langflow capconf_testutil_http capconf_outbound)
target_include_directories(langflow_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/langflow)
