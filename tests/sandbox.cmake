# The sandbox core (sandbox/sbx_pool.c, sbx_run.c, sbx_files.c, main.c): the library and the CLI
# end to end, with a small static test program run inside boxes.
add_executable(sbx_testprog integration/sandbox_progs/sbx_testprog.c)
# Static and uninstrumented: it runs inside boxes, where no sanitizer runtime can live.
target_compile_options(sbx_testprog PRIVATE -fno-sanitize=all)
target_link_options(sbx_testprog PRIVATE -fno-sanitize=all -static -pthread)

gavel_c_test(test_sandbox_run SOURCES integration/test_sandbox_run.c LIBS gavel_sandbox
  LABELS integration TIMEOUT 120)
add_dependencies(test_sandbox_run sbx_testprog)

gavel_c_test(test_sandbox_accuracy SOURCES integration/test_sandbox_accuracy.c LIBS gavel_sandbox
  LABELS integration TIMEOUT 60)
add_dependencies(test_sandbox_accuracy sbx_testprog)
set_tests_properties(test_sandbox_accuracy PROPERTIES RUN_SERIAL TRUE)

gavel_c_test(test_sandbox_cli SOURCES integration/test_sandbox_cli.c LIBS PkgConfig::CJSON
  LABELS integration TIMEOUT 120)
add_dependencies(test_sandbox_cli gavel-sandbox)

# Release builds link the front (gavel-sandbox) against musl; this (sanitized) build cannot, so
# the same sources are built here with musl-gcc as well, and the CLI test runs again through
# that front.
find_program(GAVEL_MUSL_GCC musl-gcc)
if(GAVEL_MUSL_GCC)
  set(front_musl ${CMAKE_BINARY_DIR}/sandbox/gavel-sandbox-musl)
  add_custom_command(OUTPUT ${front_musl}
    COMMAND ${GAVEL_MUSL_GCC} -std=c17 -O2 -Wall -Wextra -Werror -fno-strict-aliasing
      -D_GNU_SOURCE -DGAVEL_SANDBOX_FRONT -I${PROJECT_SOURCE_DIR}/sandbox
      -I${PROJECT_SOURCE_DIR}/common -I${CMAKE_BINARY_DIR}/generated -static -o ${front_musl}
      ${GAVEL_SANDBOX_FRONT_SOURCES}
    DEPENDS ${GAVEL_SANDBOX_FRONT_SOURCES} VERBATIM)
  add_custom_target(gavel-sandbox-musl ALL DEPENDS ${front_musl})
  add_dependencies(gavel-sandbox-musl gavel-sandbox-core)
  add_test(NAME test_sandbox_cli_musl COMMAND test_sandbox_cli)
  set_tests_properties(test_sandbox_cli_musl PROPERTIES LABELS integration TIMEOUT 120
    ENVIRONMENT "GAVEL_SOURCE_DIR=${PROJECT_SOURCE_DIR};GAVEL_BUILD_DIR=${PROJECT_BINARY_DIR};GAVEL_SANDBOX_CLI=${front_musl}"
    FIXTURES_REQUIRED sbx_cli RESOURCE_LOCK sbx_default_base)
endif()

# The status table (sandbox/sbx_status.c) on plain data.
gavel_c_test(test_sbx_status SOURCES unit/test_sbx_status.c LIBS gavel_sandbox LABELS unit)
target_include_directories(test_sbx_status PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)

# What the CLI keeps across commands (kept namespaces, cgroups, the seccomp cache) and that
# keeping it stays correct. Serial: it damages host-wide kept state on purpose and counts boxes.
gavel_c_test(test_sandbox_keep SOURCES integration/test_sandbox_keep.c LIBS PkgConfig::CJSON
  LABELS integration TIMEOUT 180 ENV GAVEL_SANDBOX_SERVER=0)
add_dependencies(test_sandbox_keep gavel-sandbox sbx_testprog)
set_tests_properties(test_sandbox_keep PROPERTIES RUN_SERIAL TRUE)

# CLI commands keep box state for speed (docs/sandbox.md): after every test that runs the CLI,
# `gavel-sandbox --cleanup` removes it, so nothing stays mounted after ctest.
add_test(NAME sandbox_cli_cleanup COMMAND gavel-sandbox --cleanup)
set_tests_properties(sandbox_cli_cleanup PROPERTIES FIXTURES_CLEANUP sbx_cli LABELS integration)
set_tests_properties(test_sandbox_cli test_sandbox_keep PROPERTIES FIXTURES_REQUIRED sbx_cli)
# Both use the default base folder, whose sandbox server the CLI test starts and stops; the keep
# test is about commands that make their own boxes.
set_tests_properties(test_sandbox_cli test_sandbox_keep PROPERTIES RESOURCE_LOCK sbx_default_base)
