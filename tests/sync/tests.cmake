# The sync pipeline: the job state machine, and the workers against SQLite and PostgreSQL with an
# in-process target (8 workers x 10,000 jobs on PostgreSQL: each runs exactly once).
capconf_test(sync_test
  SOURCES sync/retry_test.cc sync/worker_test.cc
  DEPS capconf_sync capconf_store capconf_testutil_postgres)
target_include_directories(sync_test PRIVATE ${CMAKE_SOURCE_DIR}/src/store)

# End to end: a real `capconf serve` (SQLite and PostgreSQL) syncing to the fakes of Langflow and
# Ragflow in the test process: provisioning, saves, outages, kill -9 mid-sync, dead-letter replay.
add_executable(api_sync_test sync/sync_e2e_test.cc api/browser.cc api/server_process.cc
                             http/test_client.cc)
target_include_directories(api_sync_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/api
                                                 ${CMAKE_CURRENT_SOURCE_DIR}/http)
target_link_libraries(api_sync_test PRIVATE capconf_fake_langflow capconf_fake_ragflow
                      capconf_langflow capconf_http capconf_json capconf_testutil_postgres
                      GTest::gtest GTest::gtest_main)
target_compile_definitions(api_sync_test PRIVATE CAPCONF_BINARY="$<TARGET_FILE:capconf>")
add_dependencies(api_sync_test capconf)
capconf_apply_warnings(api_sync_test)
gtest_discover_tests(api_sync_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS api TIMEOUT 300)
