/*
 * sbx_keep.h - a box's namespaces kept across processes (internal to sandbox/).
 *
 * A pool made with keep_boxes (the gavel-sandbox CLI) leaves each box's finished mount namespace
 * (its root) and empty network namespace behind when it is freed, bind-mounted on files under
 * SBX_KEEP_DIR/box-<id>/ the way `ip netns` keeps network namespaces, with a stamp that says
 * what they were built from. The next pool that claims the same box id (under the host-wide
 * box-id lock, so never two processes at once) takes them over when the stamp matches and the
 * files are the right kind of namespace, and builds them afresh otherwise.
 *
 * Host-visible mounts this leaves (findmnt | grep gavel): SBX_KEEP_DIR itself (a private bind
 * mount of itself, so the namespace files never propagate to other mount namespaces; binding a
 * mount namespace onto a shared mount would fail), and per kept box its "mnt" and "net" files.
 * sbx_cleanup() (gavel-sandbox --cleanup) removes them all.
 *
 * All functions run in the pool's helper thread (sbx_pool.c): its own fs_struct, in the host's
 * mount namespace on entry and on return.
 */
#ifndef GAVEL_SBX_KEEP_H
#define GAVEL_SBX_KEEP_H

#include "sbx_internal.h"

#define SBX_KEEP_DIR "/run/gavel/sandbox/ns"

/* Takes over the kept namespaces of box (mnt_fd, netns_fd, work_fd, root_rw_fd) when they are
 * there and valid for this pool; returns 0. -1 when there is nothing usable (anything stale is
 * removed then); err says why, for SBX_TIMING=1. host_mnt_fd: the host's mount namespace. */
int sbx_keep_load(struct sbx_pool *pool, struct sbx_box *box, int host_mnt_fd, char *err,
                  size_t size);
/* Leaves box's namespaces behind for the next pool (binds and stamp). 0, or -1 with err: the box
 * still works, it is only not kept. */
int sbx_keep_save(struct sbx_pool *pool, struct sbx_box *box, char *err, size_t size);
/* Whether anything is kept for box id (one access(2)). */
bool sbx_keep_present(unsigned id);
/* Removes what is kept for box id (the caller holds the id). 0 or -1 with errno. */
int sbx_keep_remove(unsigned id);
/* Unmounts SBX_KEEP_DIR itself when no box is kept in it any more. */
void sbx_keep_finish(void);

#endif
