/*
 * sbx_bpfcache.h - compiled seccomp programs kept on disk across processes (internal to sandbox/).
 *
 * libseccomp needs milliseconds to turn a policy into BPF; a gavel-sandbox command would pay that
 * on every run. The cache keeps the finished programs in a root-only folder, one file per policy
 * and fingerprint (sbx_seccomp_key): <dir>/<policy>-<key>.bpf, mode 0600. A file is trusted only
 * when the folder and the file belong to us and nobody else may write them, its size matches
 * its header, its key matches, and its checksum is right; otherwise it is compiled again and
 * replaced (written to an O_EXCL temporary file, then renamed over: readers never see half a
 * file). Any failure of the cache itself falls back to compiling: the cache can cost a run
 * nothing but time.
 */
#ifndef GAVEL_SBX_BPFCACHE_H
#define GAVEL_SBX_BPFCACHE_H

#include "sbx_seccomp.h"

#include <stdbool.h>
#include <stddef.h>

/* The host-wide folder of cached programs. */
#define SBX_BPF_CACHE_DIR "/run/gavel/sandbox/bpf"

/* What a lookup did, for SBX_TIMING=1 and the tests. */
enum sbx_bpfcache_how { SBX_BPF_HIT, SBX_BPF_MISS, SBX_BPF_REBUILT, SBX_BPF_UNCACHED };

/* The filter of policy: from dir (NULL = SBX_BPF_CACHE_DIR) when a valid file is there, else
 * compiled and stored. *how tells which, path (path_size bytes) the file's name ("" if none).
 * NULL with err only when compiling fails. */
struct sbx_filter *sbx_bpfcache_get(const char *dir, enum sbx_policy policy,
                                    enum sbx_bpfcache_how *how, char *path, size_t path_size,
                                    char *err, size_t err_size);
/* "hit", "miss" (no file), "rebuilt" (a file was there but not valid), "uncached". */
const char *sbx_bpfcache_how_name(enum sbx_bpfcache_how how);
/* Removes every cache file in dir (NULL = SBX_BPF_CACHE_DIR) and the folder; 0 or -1 with errno. */
int sbx_bpfcache_clear(const char *dir);

#endif
