/*
 * cli_wire.c - encoding and checking the messages between gavel-sandbox and its server.
 *
 * Theory of operation. A run request is a struct sbx_spec flattened: the fixed-size parts (limits,
 * policy, flags, counts, which binds are writable) go into the header, the strings into one
 * payload in a fixed order - argv, the environment, the cwd (when CLI_WIRE_CWD), then each bind's
 * host path and, when its bit in bind_inside is set, its inside path - each ending in a NUL.
 * Decoding walks the payload once with memchr, never past its end, and must use up exactly
 * payload_len bytes; counts are capped before any allocation, so a hostile or corrupt request
 * costs at most CLI_WIRE_PAYLOAD_MAX bytes and gets a one-line reason back.
 */
#include "cli_wire.h"

#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*** Addresses ***/

static uint64_t base_hash(const char *base_dir)
{
    const char *base = base_dir != NULL ? base_dir : SBX_BASE_DIR_DEFAULT;
    return gv_fnv1a(GV_FNV1A_OFFSET, base, strlen(base) + 1);
}

void cli_server_lock_prefix(const char *base_dir, char *buf, size_t size)
{
    snprintf(buf, size, "cli-%016llx-", (unsigned long long)base_hash(base_dir));
}

/* The executable whose identity names the server: this one, or the core a front hands over to. */
static const char *server_exe = "/proc/self/exe";

void cli_server_exe(const char *path)
{
    server_exe = path;
}

int cli_server_addr(const char *base_dir, struct cli_server_addr *addr)
{
    struct stat st;
    if (stat(server_exe, &st) < 0)
        return -1;
    uint64_t id[6] = {CLI_WIRE_VERSION, st.st_dev, st.st_ino, (uint64_t)st.st_size,
                      (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
    addr->base_hash = base_hash(base_dir);
    addr->exe_hash = gv_fnv1a(GV_FNV1A_OFFSET, id, sizeof id);
    addr->build_id = addr->exe_hash ^ addr->base_hash;
    char prefix[64];
    cli_server_lock_prefix(base_dir, prefix, sizeof prefix);
    snprintf(addr->sock_path, sizeof addr->sock_path, "%s/%s%016llx.sock", CLI_SERVER_DIR, prefix,
             (unsigned long long)addr->exe_hash);
    snprintf(addr->lock_path, sizeof addr->lock_path, "%s/%s%016llx.lock", CLI_SERVER_DIR, prefix,
             (unsigned long long)addr->exe_hash);
    return 0;
}

/*** Encoding ***/

struct cursor {
    char *buf;
    size_t len;
};

static void put_str(struct cursor *c, const char *s)
{
    size_t n = strlen(s) + 1;
    if (c->buf != NULL)
        memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static size_t count_strings(const char *const *v)
{
    size_t n = 0;
    while (v != NULL && v[n] != NULL)
        n++;
    return n;
}

/* Writes the payload into c (or only measures it when c->buf is NULL). */
static void put_payload(struct cursor *c, const struct sbx_spec *spec, const struct cli_wire_header *h)
{
    for (uint32_t i = 0; i < h->n_argv; i++)
        put_str(c, spec->argv[i]);
    for (uint32_t i = 0; i < h->n_env; i++)
        put_str(c, spec->envp[i]);
    if (h->flags & CLI_WIRE_CWD)
        put_str(c, spec->cwd);
    for (uint32_t i = 0; i < h->n_binds; i++) {
        put_str(c, spec->binds[i].host);
        if (spec->binds[i].inside != NULL)
            put_str(c, spec->binds[i].inside);
    }
}

int cli_wire_encode(const struct sbx_spec *spec, uint64_t build_id, struct cli_wire_header *h,
                    char **payload)
{
    memset(h, 0, sizeof *h);
    size_t n_argv = count_strings(spec->argv), n_env = count_strings(spec->envp);
    if (n_argv == 0 || n_argv > CLI_WIRE_ARGV_MAX || n_env > CLI_WIRE_ENV_MAX ||
        spec->n_binds > CLI_WIRE_BINDS_MAX) {
        errno = E2BIG;
        return -1;
    }
    h->magic = CLI_WIRE_MAGIC;
    h->version = CLI_WIRE_VERSION;
    h->op = CLI_OP_RUN;
    h->build_id = build_id;
    h->policy = (uint32_t)spec->policy;
    h->n_argv = (uint32_t)n_argv;
    h->n_env = (uint32_t)n_env;
    h->n_binds = (uint32_t)spec->n_binds;
    h->limits = spec->limits;
    h->flags = (spec->stdin_fd >= 0 ? CLI_WIRE_STDIN : 0) |
               (spec->stdout_fd >= 0 ? CLI_WIRE_STDOUT : 0) |
               (spec->stderr_fd >= 0 ? CLI_WIRE_STDERR : 0) |
               (spec->work_writable ? CLI_WIRE_WORK_RW : 0) | (spec->cwd != NULL ? CLI_WIRE_CWD : 0);
    for (uint32_t i = 0; i < h->n_binds; i++) {
        h->bind_writable |= spec->binds[i].writable ? 1u << i : 0;
        h->bind_inside |= spec->binds[i].inside != NULL ? 1u << i : 0;
    }
    struct cursor c = {NULL, 0};
    put_payload(&c, spec, h);
    if (c.len > CLI_WIRE_PAYLOAD_MAX) {
        errno = E2BIG;
        return -1;
    }
    c.buf = malloc(c.len);
    if (c.buf == NULL)
        return -1;
    h->payload_len = (uint32_t)c.len;
    c.len = 0;
    put_payload(&c, spec, h);
    *payload = c.buf;
    return 0;
}

/*** Decoding ***/

static int fail(char *why, size_t size, const char *what)
{
    snprintf(why, size, "%s", what);
    return -1;
}

int cli_wire_check_header(const struct cli_wire_header *h, uint64_t build_id, char *why,
                          size_t why_size)
{
    if (h->magic != CLI_WIRE_MAGIC || h->version != CLI_WIRE_VERSION)
        return fail(why, why_size, "not a gavel-sandbox request of this version");
    if (h->op == CLI_OP_QUIT) /* any build's --cleanup may stop any server of its base folder */
        return h->payload_len == 0 ? 0 : fail(why, why_size, "quit with a payload");
    if (h->build_id != build_id)
        return fail(why, why_size, "sent by another gavel-sandbox executable");
    if (h->op != CLI_OP_RUN)
        return fail(why, why_size, "unknown operation");
    if (h->payload_len > CLI_WIRE_PAYLOAD_MAX)
        return fail(why, why_size, "payload too large");
    if (h->n_argv == 0 || h->n_argv > CLI_WIRE_ARGV_MAX || h->n_env > CLI_WIRE_ENV_MAX ||
        h->n_binds > CLI_WIRE_BINDS_MAX)
        return fail(why, why_size, "argument, environment or bind count out of range");
    if (h->flags & ~(uint32_t)(CLI_WIRE_STDIN | CLI_WIRE_STDOUT | CLI_WIRE_STDERR |
                               CLI_WIRE_WORK_RW | CLI_WIRE_CWD))
        return fail(why, why_size, "unknown flags");
    uint32_t bind_bits = (1u << h->n_binds) - 1; /* n_binds <= 16 */
    if ((h->bind_writable | h->bind_inside) & ~bind_bits)
        return fail(why, why_size, "bind flags for binds that are not there");
    if (h->policy > SBX_POLICY_COMPILER)
        return fail(why, why_size, "unknown policy");
    if (h->umask > 0777)
        return fail(why, why_size, "bad umask");
    return 0;
}

/* The next NUL-terminated string of the payload, or NULL when it would run past the end. */
static const char *take_str(const char *payload, size_t len, size_t *pos)
{
    if (*pos >= len)
        return NULL;
    const char *s = payload + *pos;
    const char *end = memchr(s, '\0', len - *pos);
    if (end == NULL)
        return NULL;
    *pos += (size_t)(end - s) + 1;
    return s;
}

static int take_binds(const struct cli_wire_header *h, struct cli_wire_request *req, size_t len,
                      size_t *pos, char *why, size_t why_size)
{
    for (uint32_t i = 0; i < h->n_binds; i++) {
        struct sbx_bind *b = &req->binds[i];
        b->host = take_str(req->payload, len, pos);
        if (b->host == NULL)
            return fail(why, why_size, "payload ends inside a bind");
        if (h->bind_inside & (1u << i)) {
            b->inside = take_str(req->payload, len, pos);
            if (b->inside == NULL)
                return fail(why, why_size, "payload ends inside a bind");
        }
        b->writable = (h->bind_writable & (1u << i)) != 0;
        if (b->host[0] != '/' || (b->inside != NULL && b->inside[0] != '/'))
            return fail(why, why_size, "bind paths must be absolute");
    }
    return 0;
}

static int take_list(const char **list, uint32_t n, const char *payload, size_t len, size_t *pos)
{
    for (uint32_t i = 0; i < n; i++) {
        list[i] = take_str(payload, len, pos);
        if (list[i] == NULL)
            return -1;
    }
    list[n] = NULL;
    return 0;
}

int cli_wire_decode(const struct cli_wire_header *h, char *payload, size_t len,
                    struct cli_wire_request *req, char *why, size_t why_size)
{
    memset(req, 0, sizeof *req);
    req->header = *h;
    req->payload = payload;
    if (len != h->payload_len)
        return fail(why, why_size, "payload length differs from the header's");
    req->argv = calloc((size_t)h->n_argv + 1, sizeof *req->argv);
    req->envp = calloc((size_t)h->n_env + 1, sizeof *req->envp);
    if (req->argv == NULL || req->envp == NULL)
        return fail(why, why_size, "out of memory");
    size_t pos = 0;
    if (take_list(req->argv, h->n_argv, payload, len, &pos) < 0)
        return fail(why, why_size, "payload ends inside the arguments");
    if (req->argv[0][0] == '\0')
        return fail(why, why_size, "empty program name");
    if (take_list(req->envp, h->n_env, payload, len, &pos) < 0)
        return fail(why, why_size, "payload ends inside the environment");
    for (uint32_t i = 0; i < h->n_env; i++)
        if (strchr(req->envp[i], '=') == NULL)
            return fail(why, why_size, "environment entry without '='");
    struct sbx_spec *spec = &req->spec;
    sbx_spec_init(spec);
    if (h->flags & CLI_WIRE_CWD) {
        spec->cwd = take_str(payload, len, &pos);
        if (spec->cwd == NULL)
            return fail(why, why_size, "payload ends inside the cwd");
    }
    if (take_binds(h, req, len, &pos, why, why_size) < 0)
        return -1;
    if (pos != len)
        return fail(why, why_size, "bytes left over after the last string");
    spec->argv = req->argv;
    spec->envp = req->envp;
    spec->work_writable = (h->flags & CLI_WIRE_WORK_RW) != 0;
    spec->binds = req->binds;
    spec->n_binds = h->n_binds;
    spec->policy = (enum sbx_policy)h->policy;
    spec->limits = h->limits;
    return 0;
}

void cli_wire_request_free(struct cli_wire_request *req)
{
    free(req->payload);
    free(req->argv);
    free(req->envp);
    memset(req, 0, sizeof *req);
}

unsigned cli_wire_n_fds(const struct cli_wire_header *h)
{
    return !!(h->flags & CLI_WIRE_STDIN) + !!(h->flags & CLI_WIRE_STDOUT) +
           !!(h->flags & CLI_WIRE_STDERR);
}

int cli_wire_check_reply(struct cli_wire_reply *reply)
{
    if (reply->magic != CLI_WIRE_MAGIC || reply->version != CLI_WIRE_VERSION ||
        reply->code < CLI_REPLY_RAN || reply->code > CLI_REPLY_QUITTING)
        return -1;
    struct sbx_result *r = &reply->result;
    if ((unsigned)r->status > SBX_JE)
        return -1;
    if (memchr(r->syscall, '\0', sizeof r->syscall) == NULL ||
        memchr(r->message, '\0', sizeof r->message) == NULL)
        return -1;
    return 0;
}
