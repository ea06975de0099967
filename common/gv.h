/*
 * gv.h - the small helpers every Gavel program shares.
 *
 * Logging (one line per event, to stderr, with a UTC timestamp and the program's name), a growable
 * byte buffer that refuses to grow past a cap its owner names, monotonic and wall clocks in
 * milliseconds, and bounded whole-file reads. Nothing here knows about judging, Redis or HTTP.
 */
#ifndef GV_H
#define GV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "gv_version.h"

/*** Logging ***/

enum gv_log_level { GV_LOG_DEBUG, GV_LOG_INFO, GV_LOG_WARN, GV_LOG_ERROR };

/* Names the program in every log line ("gavel-judge") and sets the lowest level printed. */
void gv_log_init(const char *program, enum gv_log_level min_level);
/* Prints one line: "2026-11-25T21:00:00.123Z gavel-judge[pid] LEVEL message". */
void gv_log(enum gv_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define gv_debug(...) gv_log(GV_LOG_DEBUG, __VA_ARGS__)
#define gv_info(...)  gv_log(GV_LOG_INFO, __VA_ARGS__)
#define gv_warn(...)  gv_log(GV_LOG_WARN, __VA_ARGS__)
#define gv_error(...) gv_log(GV_LOG_ERROR, __VA_ARGS__)

/*** Bounded buffers ***/

/* A growable byte buffer; `cap` is the most it will ever hold (0 means SIZE_MAX / 2). The data is
 * always NUL-terminated one past `len`, so text can be used as a C string. */
struct gv_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
};

void gv_buf_init(struct gv_buf *b, size_t cap);
void gv_buf_free(struct gv_buf *b);
void gv_buf_reset(struct gv_buf *b);
/* Appends; returns 0, or -1 with errno EMSGSIZE when the cap would be passed (nothing appended),
 * or ENOMEM. */
int gv_buf_append(struct gv_buf *b, const void *data, size_t len);
int gv_buf_printf(struct gv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the data out (caller frees); the buffer is left empty. */
char *gv_buf_steal(struct gv_buf *b);

/*** Clocks ***/

/* Milliseconds of CLOCK_MONOTONIC, and microseconds. */
int64_t gv_now_ms(void);
int64_t gv_now_us(void);
/* Milliseconds since the Unix epoch (CLOCK_REALTIME), for timestamps people read. */
int64_t gv_wall_ms(void);
/* Fills *ts with the CLOCK_REALTIME time `ms` milliseconds from now (0 when ms < 0), normalized:
 * the absolute deadline pthread_cond_timedwait wants. */
void gv_wall_deadline(struct timespec *ts, int64_t ms);

/*** Files ***/

/* Reads a whole file of at most `max` bytes into a NUL-terminated heap string. Returns NULL with
 * errno set (EFBIG when longer than `max`); *len_out gets the length when not NULL. */
char *gv_read_file(const char *path, size_t max, size_t *len_out);
/* The same for an open descriptor, read from where it stands to its end; fd stays open. */
char *gv_read_fd(int fd, size_t max, size_t *len_out);
/* Reads until len bytes or end of file, retrying on EINTR: the count read (less than len at end
 * of file), or -1 with errno. */
ssize_t gv_read_full(int fd, void *buf, size_t len);
/* Writes all of len bytes to fd, retrying on EINTR and short writes; 0 or -1 with errno. */
int gv_write_all(int fd, const void *data, size_t len);
/* The same on a socket, without SIGPIPE when the peer has gone (send with MSG_NOSIGNAL). */
int gv_send_all(int sock, const void *data, size_t len);
/* Sends all of len (>= 1) bytes on a Unix socket with n descriptors (at most GV_SEND_FDS_MAX)
 * attached to the first byte (SCM_RIGHTS), without SIGPIPE. 0 or -1 with errno. */
#define GV_SEND_FDS_MAX 32
int gv_send_fds(int sock, const void *data, size_t len, const int *fds, size_t n);
/* Copies at most dst_size - 1 bytes and always terminates; returns strlen(src) (truncated when
 * that is >= dst_size). */
size_t gv_strlcpy(char *dst, const char *src, size_t dst_size);

/*** Hashing ***/

/* FNV-1a, 64 bits: folds len bytes into h. Start with GV_FNV1A_OFFSET. For fingerprints and
 * checksums of local files, never against an adversary choosing inputs to collide. */
#define GV_FNV1A_OFFSET 0xcbf29ce484222325ULL
uint64_t gv_fnv1a(uint64_t h, const void *data, size_t len);

#endif
