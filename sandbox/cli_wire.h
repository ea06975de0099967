/*
 * cli_wire.h - what a gavel-sandbox command and the sandbox server say to each other.
 *
 * One request per connection on a Unix stream socket: a fixed header (which carries the
 * program's stdin/stdout/stderr as SCM_RIGHTS), then `payload_len` bytes of NUL-terminated
 * strings, then one fixed reply. Both ends are the same executable (the socket's name is derived
 * from it, and the header carries the same build id), so the structs travel in host layout.
 * The server still trusts nothing it reads: every count and length is capped and every string
 * must end inside the payload (cli_wire_decode).
 */
#ifndef GAVEL_CLI_WIRE_H
#define GAVEL_CLI_WIRE_H

#include "sandbox.h"

#include <stddef.h>
#include <stdint.h>

#define CLI_WIRE_MAGIC       0x42535647u /* "GVSB" */
#define CLI_WIRE_VERSION     1u
#define CLI_WIRE_PAYLOAD_MAX (4u << 20) /* twice the kernel's usual ARG_MAX: any real command */
#define CLI_WIRE_ARGV_MAX    65536u     /* more arguments than that: run in the command itself */
#define CLI_WIRE_ENV_MAX     256u       /* the CLI's own cap on --env */
#define CLI_WIRE_BINDS_MAX   16u        /* the CLI's own cap on --dir */

enum cli_wire_op {
    CLI_OP_RUN = 1,  /* run the spec, reply with the result */
    CLI_OP_QUIT = 2, /* stop taking requests, finish the runs under way, exit */
};

/* header.flags */
enum {
    CLI_WIRE_STDIN = 1u << 0, /* a descriptor for fd 0 travels with the header */
    CLI_WIRE_STDOUT = 1u << 1,
    CLI_WIRE_STDERR = 1u << 2,
    CLI_WIRE_WORK_RW = 1u << 3,
    CLI_WIRE_CWD = 1u << 4, /* the payload has a cwd after the environment */
};

struct cli_wire_header {
    uint32_t magic, version, op, flags;
    uint64_t build_id;
    uint32_t payload_len;
    uint32_t policy;
    uint32_t n_argv, n_env, n_binds;
    uint32_t bind_writable; /* bit i: bind i is writable */
    uint32_t bind_inside;   /* bit i: bind i has an inside path after its host path */
    uint32_t umask;         /* the command's umask, for files the program makes in rw binds */
    struct sbx_limits limits;
};

enum cli_wire_code {
    CLI_REPLY_RAN = 0,     /* result and rc are the run's */
    CLI_REPLY_BUSY = 1,    /* every box is running: run it yourself */
    CLI_REPLY_REFUSED = 2, /* not for this server (message says why): run it yourself */
    CLI_REPLY_BAD = 3,     /* a malformed request (message says what) */
    CLI_REPLY_QUITTING = 4, /* the server is stopping: run it yourself */
};
/* Every request the server accepts gets exactly one reply, even while it stops (it removes its
 * socket, then answers what is still queued with QUITTING). So a connection that ends without a
 * reply means the server died (kill -9, a crash) during the run, which may have had effects:
 * the command reports JE instead of running the program again. */

struct cli_wire_reply {
    uint32_t magic, version;
    int32_t code; /* enum cli_wire_code */
    int32_t rc;   /* sbx_run's return value when code is CLI_REPLY_RAN */
    struct sbx_result result;
};

/*** Where a server listens ***/

/* A server is one per (executable, base folder): its socket and lock file are
 *   CLI_SERVER_DIR/cli-<base>-<exe>.sock and .lock
 * with <base> a hash of the base folder and <exe> a hash of the executable's identity (device,
 * inode, size, modification time), so a rebuilt or another build's gavel-sandbox never talks to
 * a server of different code. The folder is root's (0700). */
#define CLI_SERVER_DIR  "/run/gavel/sandbox"
#define CLI_SERVER_PATH_MAX 108 /* sun_path */

struct cli_server_addr {
    uint64_t base_hash, exe_hash;
    uint64_t build_id; /* both together: what the header carries */
    char sock_path[CLI_SERVER_PATH_MAX];
    char lock_path[CLI_SERVER_PATH_MAX];
};

/* Fills addr for base_dir (NULL: the default) and this executable (or the one cli_server_exe
 * named). 0, or -1 with errno. */
int cli_server_addr(const char *base_dir, struct cli_server_addr *addr);
/* The executable whose servers this process talks to, when not itself: a front names the core
 * it hands over to (cli_front.c). path must stay valid. */
void cli_server_exe(const char *path);
/* The lock-file prefix shared by every executable's server for base_dir ("cli-<base>-"). */
void cli_server_lock_prefix(const char *base_dir, char *buf, size_t size);

/* A decoded request: spec points into payload and the arrays here. */
struct cli_wire_request {
    struct cli_wire_header header;
    char *payload; /* owned */
    const char **argv; /* owned array, NULL-terminated */
    const char **envp; /* owned array, NULL-terminated */
    struct sbx_bind binds[CLI_WIRE_BINDS_MAX];
    struct sbx_spec spec; /* fds -1: the caller puts the received ones in */
};

/* Builds the header and payload for spec (op CLI_OP_RUN). Returns 0, or -1 with errno E2BIG
 * when it does not fit the caps (the command then runs the program itself). *payload is
 * malloc'd. */
int cli_wire_encode(const struct sbx_spec *spec, uint64_t build_id, struct cli_wire_header *h,
                    char **payload);

/* Checks a received header against the caps (not the payload yet). 0, or -1 with why. */
int cli_wire_check_header(const struct cli_wire_header *h, uint64_t build_id, char *why,
                          size_t why_size);

/* Decodes payload (len bytes, taken over: freed by cli_wire_request_free even on failure) for a
 * checked header into req. 0, or -1 with why. */
int cli_wire_decode(const struct cli_wire_header *h, char *payload, size_t len,
                    struct cli_wire_request *req, char *why, size_t why_size);
void cli_wire_request_free(struct cli_wire_request *req);

/* How many descriptors a header says travel with it (0..3). */
unsigned cli_wire_n_fds(const struct cli_wire_header *h);

/* Checks a received reply: magic, version, code in range, the result's strings terminated.
 * 0 or -1. */
int cli_wire_check_reply(struct cli_wire_reply *reply);

#endif
