# sandbox/ seccomp policies: compiled, checked row by row on paper (a BPF interpreter) and for real
# in forked children (notifications, kill fallback, x32 and int 0x80, allowed calls).
# The module's sources are compiled in directly, so this test does not wait on the rest of the
# sandbox library.
set(gavel_seccomp_sources
  ${PROJECT_SOURCE_DIR}/sandbox/sbx_seccomp.c ${PROJECT_SOURCE_DIR}/sandbox/policy_deny.c
  ${PROJECT_SOURCE_DIR}/sandbox/policy_strict.c ${PROJECT_SOURCE_DIR}/sandbox/policy_runtime.c
  ${PROJECT_SOURCE_DIR}/sandbox/policy_compiler.c)
gavel_c_test(test_sbx_seccomp SOURCES unit/test_sbx_seccomp.c ${gavel_seccomp_sources}
  LIBS gavel_common PkgConfig::SECCOMP LABELS unit security TIMEOUT 60)
target_include_directories(test_sbx_seccomp PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)

# Real compilers (compiler policy), the programs they build (strict: C, C++, Rust, static and
# dynamic, threads) and runtimes (runtime policy: python3, java, node) under the filters alone.
gavel_c_test(test_seccomp_programs SOURCES security/test_seccomp_programs.c ${gavel_seccomp_sources}
  LIBS PkgConfig::SECCOMP LABELS security TIMEOUT 300)
target_include_directories(test_seccomp_programs PRIVATE ${PROJECT_SOURCE_DIR}/sandbox)

# The hostile-program suite: every attack of issue 3 against the real sandbox (library and CLI),
# with host checks after each. Needs root, like the sandbox itself.
gavel_c_test(test_security_suite SOURCES security/test_security_suite.c LIBS gavel_sandbox
  LABELS security TIMEOUT 300)
