# Foundation: the shared helpers, the test harness itself, and the libraries' first unit tests.
gavel_c_test(test_gv_buf SOURCES unit/test_gv_buf.c LABELS unit)
gavel_c_test(test_redis_fixture SOURCES integration/test_redis_fixture.c LABELS integration)
gavel_c_test(test_queue_keys SOURCES unit/test_queue_keys.c LIBS gavel_queue LABELS unit)
gavel_c_test(test_sbx_result SOURCES unit/test_sbx_result.c LIBS gavel_sandbox PkgConfig::CJSON LABELS unit)
gavel_script_test(test_gavel_script COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_gavel_script.sh
  LABELS integration TIMEOUT 900)
