# The sandbox's cgroup module (sandbox/sbx_cgroup.c): fake v1/v2 trees in a temp folder (unit), and
# the real hierarchies of this host (integration; skips when not root or without cgroups).
gavel_c_test(test_sbx_cgroup SOURCES unit/test_sbx_cgroup.c LIBS gavel_sandbox LABELS unit)
gavel_c_test(test_sbx_cgroup_real SOURCES integration/test_sbx_cgroup_real.c LIBS gavel_sandbox
  LABELS integration TIMEOUT 120)
