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
