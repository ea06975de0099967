/*
 * sbx_result.c - names and JSON for sandbox results and policies.
 *
 * The status and policy names are tables indexed by the enums, so adding a status or a policy is
 * one line here; the JSON writer is the one place that produces DESIGN.md's result object.
 */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
    [SBX_OK] = "OK", [SBX_TLE] = "TLE", [SBX_MLE] = "MLE",
    [SBX_OLE] = "OLE", [SBX_RTE] = "RTE", [SBX_JE] = "JE",
};

static const char *const policy_names[] = {
    [SBX_POLICY_STRICT] = "strict",
    [SBX_POLICY_RUNTIME] = "runtime",
    [SBX_POLICY_COMPILER] = "compiler",
};

const char *sbx_status_name(enum sbx_status status)
{
    if ((unsigned)status >= sizeof status_names / sizeof status_names[0])
        return "JE";
    return status_names[status];
}

const char *sbx_policy_name(enum sbx_policy policy)
{
    if ((unsigned)policy >= sizeof policy_names / sizeof policy_names[0])
        return "?";
    return policy_names[policy];
}

int sbx_policy_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof policy_names / sizeof policy_names[0]; i++)
        if (strcmp(name, policy_names[i]) == 0)
            return (int)i;
    return -1;
}

/* Copies s into out as the inside of a JSON string: quotes, backslashes and control bytes are
 * escaped; bytes >= 0x80 pass through (messages are ours and ASCII; syscall names too). */
static void json_escape(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

int sbx_result_to_json(const struct sbx_result *r, char *buf, size_t size)
{
    char syscall[SBX_SYSCALL_NAME_MAX * 6 + 1], message[SBX_MESSAGE_MAX * 6 + 1];
    json_escape(r->syscall, syscall, sizeof syscall);
    json_escape(r->message, message, sizeof message);
    return snprintf(buf, size,
                    "{\"status\":\"%s\",\"exit_code\":%d,\"signal\":%d,\"cpu_ms\":%u,\"wall_ms\":%u,"
                    "\"memory_kib\":%llu,\"syscall\":\"%s\",\"message\":\"%s\"}",
                    sbx_status_name(r->status), r->exit_code, r->signal, r->cpu_ms, r->wall_ms,
                    (unsigned long long)r->memory_kib, syscall, message);
}

void sbx_spec_init(struct sbx_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->stdin_fd = spec->stdout_fd = spec->stderr_fd = -1;
    spec->cancel_fd = -1;
    spec->umask = -1;
    spec->cwd = "/box";
    spec->policy = SBX_POLICY_STRICT;
}
