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

