# tests/security/: the sandbox against hostile programs (label security).

# Real compilers (compiler policy), the programs they build (strict: C, C++, Rust, static and
# dynamic, threads) and runtimes (runtime policy: python3, java, node) under the filters alone.
# The seccomp module is compiled in directly: this test does not need the rest of the sandbox.
set(gavel_security_seccomp_sources
  ${PROJECT_SOURCE_DIR}/sandbox/sbx_seccomp.c ${PROJECT_SOURCE_DIR}/sandbox/policy_deny.c
  ${PROJECT_SOURCE_DIR}/sandbox/policy_strict.c ${PROJECT_SOURCE_DIR}/sandbox/policy_runtime.c
  ${PROJECT_SOURCE_DIR}/sandbox/policy_compiler.c)
gavel_c_test(test_seccomp_programs
  SOURCES security/test_seccomp_programs.c ${gavel_security_seccomp_sources}
  LIBS PkgConfig::SECCOMP LABELS security TIMEOUT 300)
target_include_directories(test_seccomp_programs PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)

# The hostile-program suite: every attack of issue 3 against the real sandbox (library and CLI),
# with host checks after each. Needs root, like the sandbox itself.
gavel_c_test(test_security_suite SOURCES security/test_security_suite.c LIBS gavel_sandbox
  LABELS security TIMEOUT 300)
# It runs the gavel-sandbox CLI too: the CLI state cleanup (tests/sandbox.cmake) runs after it.
set_tests_properties(test_security_suite PROPERTIES FIXTURES_REQUIRED sbx_cli)
