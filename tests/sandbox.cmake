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
