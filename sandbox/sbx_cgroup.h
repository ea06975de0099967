/*
 * sbx_cgroup.h - control groups for boxes, behind a few functions (internal to sandbox/).
 *
 * The rest of the sandbox never knows which cgroup version is underneath. sbx_cg_detect() looks
 * at a root folder it is given (/sys/fs/cgroup normally; a fake tree in a temp folder in tests)
 * and picks, in order:
 *   - v2: a cgroup2 hierarchy at the root with the memory and pids controllers available;
 *   - v1: memory and pids hierarchies at root/memory, root/pids, and root/cpuacct (a v2
 *     "unified" hierarchy beside them, as on this machine, is used for what it offers: cpu.stat,
 *     which stands in for a missing cpuacct, cgroup.kill, CLONE_INTO_CGROUP);
 *   - none: the caller falls back to rlimits and says so (sbx_cg_describe tells why).
 * Groups are made below the calling process's own group in each hierarchy (never at the top, never
 * moving or re-binding controllers), under "gavel-sandbox/box-<id>", and removed when done. On v2
 * a process alone in its group moves itself into "<own group>/gavel-self" first, because a group
 * that enables memory and pids for children may not hold processes.
 */
#ifndef GAVEL_SBX_CGROUP_H
#define GAVEL_SBX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum sbx_cg_version { SBX_CG_NONE, SBX_CG_V1, SBX_CG_V2 };

struct sbx_cg_root; /* the detected hierarchy (or hierarchies, for v1) */
struct sbx_cg;      /* one box's group */

struct sbx_cg_stats {
    uint64_t cpu_us;          /* user + system of every process that ran in the group */
    uint64_t memory_peak_kib; /* peak since the last sbx_cg_reset (page cache included) */
    uint64_t oom_kills;       /* OOM kills since the last sbx_cg_reset */
    bool memory_limit_hit;    /* the group reached its limit since the last reset (v1 failcnt,
                               * v2 memory.events max): reclaim happened, not necessarily an OOM */
};

/* Detects the hierarchy under `root` (NULL = /sys/fs/cgroup). Never fails for lack of cgroups:
 * returns a root of version SBX_CG_NONE then. NULL only on a real error (with err filled). */
struct sbx_cg_root *sbx_cg_detect(const char *root, char *err, size_t err_size);
/* The same, with the text of /proc/self/cgroup given (NULL = read it): the own groups come from
 * it. Tests pass "0::/\n" (v2) or "4:memory:/\n..." (v1) to treat a fake tree's root as the own
 * group. A hierarchy folder that is not a cgroup file system is taken as such a fake tree of plain
 * files: writes then create files, and removal deletes the files before rmdir. */
struct sbx_cg_root *sbx_cg_detect_with(const char *root, const char *self_cgroup, char *err,
                                       size_t err_size);
/* SBX_CG_V1 also on a hybrid host (v1 controllers + a v2 unified tree beside them). */
enum sbx_cg_version sbx_cg_version(const struct sbx_cg_root *root);
/* "cgroup v2", "cgroup v1 (memory, pids, cpuacct) + v2 unified (cpu.stat, cgroup.kill)", ... */
const char *sbx_cg_describe(const struct sbx_cg_root *root);
/* Frees the root (after every box of it is destroyed); removes the shared gavel-sandbox folder
 * when no box of any process is left in it. */
void sbx_cg_root_free(struct sbx_cg_root *root);

/* Creates (or takes over, after a crash: what runs there is killed) the group of box `box_id`.
 * NULL with err on failure. The group keeps a few descriptors open (14 on a hybrid host, 7 on v2). */
struct sbx_cg *sbx_cg_create(struct sbx_cg_root *root, unsigned box_id, char *err, size_t err_size);
/* Limits for the next run; 0 = none. Call while the group is empty. Unchanged limits cost
 * nothing (no write). pids counts processes and threads. */
int sbx_cg_set_limits(struct sbx_cg *cg, uint64_t memory_kib, uint32_t pids);
/* Zeroes the counters (peak memory, CPU, OOM/failcnt) before a run, with the group empty. On v2
 * kernels before 6.12 (no memory.peak reset) this recreates the group, so take
 * sbx_cg_clone_fd() after it. */
int sbx_cg_reset(struct sbx_cg *cg);
/* Whether sbx_cg_reset works with a process in the group (v1; v2 with a resettable
 * memory.peak), instead of making the group anew. */
bool sbx_cg_resets_in_place(const struct sbx_cg *cg);
/* Gives back what the last run left charged, while the group is empty (v1's force_empty needs
 * that); the next sbx_cg_reset then skips it. 0 or -1 (sbx_cg_error). */
int sbx_cg_reclaim(struct sbx_cg *cg);
/* Moves pid (and its future children) into the group, in every hierarchy. */
int sbx_cg_attach(struct sbx_cg *cg, pid_t pid);
/* For a child made by clone3(CLONE_INTO_CGROUP) with sbx_cg_clone_fd(): moves it into the
 * hierarchies clone3 could not reach (the v1 ones on a hybrid host; none on v2). Saves the v2
 * migration, the dearest of the writes. */
int sbx_cg_attach_cloned(struct sbx_cg *cg, pid_t pid);
/* The group's kept cgroup.procs descriptors, one per hierarchy in use (at most max): a process
 * that has them (a child, before it closes what it inherited) joins the group by writing "0"
 * to each. Owned by cg. Returns how many. */
size_t sbx_cg_procs_fds(const struct sbx_cg *cg, int *fds, size_t max);
/* An O_DIRECTORY fd of the group in a v2 hierarchy (also the unified one of a hybrid host), for
 * clone3(CLONE_INTO_CGROUP); -1 if none. Owned by cg: do not close it. */
int sbx_cg_clone_fd(const struct sbx_cg *cg);
/* Reads the counters since the last reset; cheap enough to poll during a run (CPU limit). */
int sbx_cg_stats(struct sbx_cg *cg, struct sbx_cg_stats *out);
/* Kills every process in the group (cgroup.kill where the kernel has it, and SIGKILL over
 * cgroup.procs until the group is empty, for at most 2 s); returns 0 once the group is empty.
 * Zombies are not waited for: reaping the caller's own child stays the caller's job. */
int sbx_cg_kill_all(struct sbx_cg *cg);
/* Number of processes still in the group, or -1. */
int sbx_cg_count(struct sbx_cg *cg);
/* The same from one read of the pids controller's counter where there is one (tasks, zombies
 * not yet released included), else sbx_cg_count. */
int sbx_cg_tasks(struct sbx_cg *cg);
/* What the last failing call on cg failed at ("write <path>/memory.max: Device or resource busy");
 * "" when nothing failed. Every int function above returns -1 on failure and fills this. */
const char *sbx_cg_error(const struct sbx_cg *cg);
/* Kills what is left and closes the descriptors, but leaves the group's folders for the next
 * sbx_cg_create of the same box id (which takes them over): a CLI run skips the slow rmdir and
 * mkdir this way. Frees cg. */
void sbx_cg_release(struct sbx_cg *cg);
/* Removes the group of box_id if one was left (sbx_cg_release, a crash); the caller holds the
 * box id. 0 when there is none left, or -1 with err. */
int sbx_cg_remove_box(struct sbx_cg_root *root, unsigned box_id, char *err, size_t err_size);
/* Kills what is left, closes the descriptors and removes the group's folders; frees cg. */
void sbx_cg_destroy(struct sbx_cg *cg);

#endif
