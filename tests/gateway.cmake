# Gateway (frontend-gw/): unit tests of the pure parts, and integration tests against a real
# gavel-gw and a private Redis (tests/integration/test_gw_client.h is their client and fixture).
gavel_c_test(test_ws_handshake SOURCES unit/test_ws_handshake.c LIBS gavel_ws LABELS unit)
gavel_c_test(test_ws_guard SOURCES unit/test_ws_guard.c LIBS gavel_ws LABELS unit)
gavel_c_test(test_gw_hub SOURCES unit/test_gw_hub.c LIBS gavel_ws LABELS unit)
gavel_c_test(test_gw_msg SOURCES unit/test_gw_msg.c LIBS gavel_ws LABELS unit)

add_library(gavel_gw_testclient STATIC integration/test_gw_client.c)
target_include_directories(gavel_gw_testclient PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/integration)
target_link_libraries(gavel_gw_testclient PUBLIC gavel_testlib gavel_common PkgConfig::CRYPTO)

gavel_c_test(test_gw_ws SOURCES integration/test_gw_ws.c
  LIBS gavel_gw_testclient gavel_queue LABELS integration TIMEOUT 180)
add_dependencies(test_gw_ws gavel-gw)

gavel_c_test(test_gw_http SOURCES integration/test_gw_http.c
  LIBS gavel_gw_testclient gavel_queue LABELS integration TIMEOUT 180)
add_dependencies(test_gw_http gavel-gw)

gavel_c_test(test_gw_fanout SOURCES integration/test_gw_fanout.c
  LIBS gavel_gw_testclient gavel_queue LABELS integration TIMEOUT 240)
add_dependencies(test_gw_fanout gavel-gw)
