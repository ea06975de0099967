# Fuzz targets (libFuzzer, clang only, GAVEL_FUZZ=ON). Each runs for a bounded time in the test
# run (label fuzz), starting from its seed corpus; new inputs go to a scratch copy in the build
# folder so the source tree is never written.
set(GAVEL_FUZZ_SECONDS 20 CACHE STRING "Seconds each fuzz target runs under ctest")

if(GAVEL_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  # The gateway's pre- and post-upgrade input: handshake, client messages, frame guard. The
  # sources are compiled into the target so libFuzzer's coverage reaches them.
  add_executable(fuzz_ws fuzz/fuzz_ws.c
    ${PROJECT_SOURCE_DIR}/frontend-gw/ws_handshake.c
    ${PROJECT_SOURCE_DIR}/frontend-gw/ws_guard.c
    ${PROJECT_SOURCE_DIR}/frontend-gw/gw_msg.c)
  target_include_directories(fuzz_ws PRIVATE ${PROJECT_SOURCE_DIR}/frontend-gw)
  target_compile_options(fuzz_ws PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_ws PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_ws PRIVATE gavel_queue gavel_common PkgConfig::CRYPTO
    PkgConfig::CJSON)
  add_test(NAME fuzz_ws COMMAND sh -c
    "rm -rf fuzz_ws_corpus && cp -r ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus_ws fuzz_ws_corpus && exec $<TARGET_FILE:fuzz_ws> -max_total_time=${GAVEL_FUZZ_SECONDS} -max_len=9000 -rss_limit_mb=1024 fuzz_ws_corpus"
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(fuzz_ws PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
