# The browser app (frontend-gw/web): its submission model in Node (unit), and the whole app in real
# headless Chromium against a real Redis, gateway and worker (e2e; see docs/app.md).
find_program(GAVEL_NODE node)
if(GAVEL_NODE)
  gavel_script_test(test_web_model COMMAND ${GAVEL_NODE} --test-reporter=spec
    ${CMAKE_CURRENT_SOURCE_DIR}/e2e/model.test.mjs LABELS unit TIMEOUT 60)
endif()

# Needs Debian's chromium, a built gavel-gw and gavel-judge, redis-server and npm (for playwright-core).
gavel_script_test(e2e_app COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run.sh LABELS e2e TIMEOUT 900)
