# The gavel-sandbox server (sandbox/cli_server.c, cli_client.c) and the wire format between a
# command and it (sandbox/cli_wire.c).
gavel_c_test(test_cli_wire SOURCES unit/test_cli_wire.c LIBS gavel_sandbox_cli LABELS unit)
target_include_directories(test_cli_wire PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)

# A private server (--base-dir in a temp folder, 2 boxes) driven through the CLI and a raw
# socket: served runs match in-process ones, umask, cancel on a killed command, busy fallback,
# hostile clients, no descriptor leak, a killed server, --cleanup stopping it. Needs root.
gavel_c_test(test_sandbox_server SOURCES integration/test_sandbox_server.c
  LIBS gavel_sandbox_cli PkgConfig::CJSON LABELS integration TIMEOUT 180)
target_include_directories(test_sandbox_server PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)
add_dependencies(test_sandbox_server gavel-sandbox sbx_testprog)
set_tests_properties(test_sandbox_server PROPERTIES FIXTURES_REQUIRED sbx_cli)
