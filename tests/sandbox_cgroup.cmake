# The sandbox's cgroup module (sandbox/sbx_cgroup.c): fake v1/v2 trees in a temp folder (unit), and
# the real hierarchies of this host (integration; skips when not root or without cgroups).
gavel_c_test(test_sbx_cgroup SOURCES unit/test_sbx_cgroup.c LIBS gavel_sandbox LABELS unit)
