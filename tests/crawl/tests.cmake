# The crawler against a fake site on loopback; its robots.txt parser and link extractor alone.
capconf_test(crawl_test
  SOURCES crawl/crawler_test.cc crawl/robots_test.cc crawl/links_test.cc
  DEPS capconf_crawl capconf_testutil_http capconf_outbound)
target_include_directories(crawl_test PRIVATE ${CMAKE_SOURCE_DIR}/src/crawl)
