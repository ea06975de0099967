# Scale-out (owned by scaleout): the gavel-submit client and the multi-host run with fault
# injection. Both start real redis-server, gavel-gw and gavel-judge processes and need root.
gavel_c_test(test_submit_view SOURCES unit/test_submit_view.c LIBS gavel_submit_view LABELS unit)

gavel_script_test(test_submit COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_submit.sh
  LABELS integration TIMEOUT 300)
set_tests_properties(test_submit PROPERTIES SKIP_RETURN_CODE 77)

# One machine as nine hosts (network namespaces): 1 Redis, 2 gateways, 3 then 4 workers; kill -9 a
# worker, restart a gateway, add a worker in the middle. MULTIHOST_COUNT submissions (default 300).
gavel_script_test(test_multihost COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_multihost.sh
  LABELS integration TIMEOUT 900)
set_tests_properties(test_multihost PROPERTIES SKIP_RETURN_CODE 77)
