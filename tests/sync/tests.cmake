# The sync pipeline: the job state machine, and the workers against SQLite and PostgreSQL with an
# in-process target (8 workers x 10,000 jobs on PostgreSQL: each runs exactly once).
capconf_test(sync_test
  SOURCES sync/retry_test.cc sync/worker_test.cc
  DEPS capconf_sync capconf_store capconf_testutil_postgres)
target_include_directories(sync_test PRIVATE ${CMAKE_SOURCE_DIR}/src/store)
