/*
 * runner.c - running one test case and deciding its verdict.
 *
 * Theory of operation: the submission's compiled files are already in its box (judge_program_load,
 * once per submission: runs never write the work folder and /tmp is fresh per run, so nothing
 * carries over between tests). A test runs the submission with the package's limits, its input
 * file opened on the host and given as stdin (the kernel's page cache serves repeated reads; no
 * copy into the box), stdout into a host scratch file. The sandbox status maps straight onto the
 * verdict (TLE/MLE/OLE/RTE; sandbox failure = JE); an OK run is then checked:
 *   - default validation: judge_dv_check() over the mmap'ed output and the answer in memory;
 *   - custom: the validator runs in the second box with the test's folder bound read-only at
 *     /data, argv `validator /data/x.in /data/x.ans /box/ [flags]`, the team output as stdin;
 *     exit 42 AC, 43 WA, anything else JE; judgemessage.txt is kept as the test's message.
 *   - interactive: validator and submission start together in their two boxes, two threads, two
 *     pipes between them. Each side's pipe ends are closed here as soon as its sbx_run returns
 *     (its processes are all dead then), so the other side sees EOF or EPIPE instead of hanging.
 *     The verdict follows the spec: a validator that rejected before the submission ended wins
 *     (WA, whatever the submission died of afterwards); else a submission that failed a limit or
 *     crashed gets that verdict; else the validator's 42/43 decides. "Before" is the order in
 *     which the two sbx_run() calls returned, and that order is causal, not a race: each side's
 *     end time is taken before its pipe ends are closed here, and until then the other side can
 *     neither read EOF nor get EPIPE (this process still holds those ends). So a side that only
 *     ended because the other one died always ends later. Only two independent exits within the
 *     same instant (a validator printing its last line and rejecting while the submission exits on
 *     its own) can come out either way, and both readings are right then.
 *
 * After a run in the submission's or the validator's box, that box's next init is started
 * (sbx_box_prestart) while the output is checked, which takes its start off the next run.
 *
 * A run that reached its memory limit is MLE even when the CPU or wall limit struck first: under
 * a cgroup memory cap the kernel's reclaim retries burn time before the OOM kill, so on a loaded
 * host a memory hog could otherwise look like TLE.
 */
#include "engine_internal.h"

#include "defval.h"
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEEDBACK_DIR           "/box/"
#define DATA_INSIDE            "/data"
#define VAL_ARGV_MAX           (JUDGE_LANG_ARGV_MAX + 8 + JUDGE_FLAGS_MAX)
#define INTERACT_EXTRA_WALL_MS 2000
#define MLE_MARGIN_KIB         1024 /* peak this close to the memory limit counts as reaching it */

int judge_program_load(struct sbx_box *box, const struct judge_program *prog, char *err,
                       size_t err_size)
{
    if (sbx_box_clean(box) < 0 || sbx_box_import(box, prog->dir) < 0) {
        snprintf(err, err_size, "load %s into box %u: %s", prog->dir, sbx_box_id(box),
                 strerror(errno));
        return -1;
    }
    return 0;
}

/* After a run, while its output is checked: the box's next init starts (sbx_box_prestart). A
 * failure only costs the next run that start. */
static void prestart(struct sbx_box *box)
{
    char err[256];
    if (sbx_box_prestart(box, err, sizeof err) < 0)
        gv_warn("judge: box %u: start its next init: %s", sbx_box_id(box), err);
}

static void set_msg(struct judge_test_result *r, const char *fmt, const char *a, const char *b)
{
    char msg[JUDGE_MESSAGE_MAX];
    if (snprintf(msg, sizeof msg, fmt, a, b) < 0) msg[0] = '\0';
    free(r->message);
    r->message = strdup(msg);
}

static enum judge_verdict from_sandbox(enum sbx_status s)
{
    static const enum judge_verdict map[] = {
        [SBX_OK] = JUDGE_AC,   [SBX_TLE] = JUDGE_TLE, [SBX_MLE] = JUDGE_MLE,
        [SBX_OLE] = JUDGE_OLE, [SBX_RTE] = JUDGE_RTE, [SBX_JE] = JUDGE_JE,
    };
    return (unsigned)s < sizeof map / sizeof map[0] ? map[s] : JUDGE_JE;
}

/* The submission's spec for a test (argv owned by the caller). */
static char **sub_spec(const struct judge_run_ctx *ctx, struct sbx_spec *spec)
{
    const struct judge_program *prog = ctx->sub;
    const char *names[JUDGE_FILES_MAX];
    for (size_t i = 0; i < prog->n_files; i++)
        names[i] = prog->files[i];
    char **argv = judge_lang_expand(prog->lang->run, names, prog->n_files, ctx->p->memory_kib);
    sbx_spec_init(spec);
    spec->argv = (const char *const *)argv;
    spec->envp = (const char *const *)prog->lang->env;
    spec->policy = (enum sbx_policy)sbx_policy_from_name(prog->lang->run_policy);
    spec->limits.cpu_ms = ctx->time_limit_ms;
    spec->limits.memory_kib = ctx->p->memory_kib;
    spec->limits.output_kib = ctx->p->output_kib;
    spec->limits.processes = prog->lang->run_processes;
    spec->limits.open_files = JUDGE_OPEN_FILES;
    return argv;
}

static int open_scratch(const struct judge_run_ctx *ctx, const char *name)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", ctx->tmp_dir, name);
    return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/*** Validators ***/

struct val_run {
    char **argv;
    char *words[VAL_ARGV_MAX + 1];
    char in[PATH_MAX], ans[PATH_MAX];
    struct sbx_bind bind;
    char data_dir[PATH_MAX];
};

/* Builds the validator's argv and spec: run template + input answer feedback_dir flags. */
static int val_spec(const struct judge_run_ctx *ctx, const struct judge_test *t, struct val_run *v,
                    struct sbx_spec *spec)
{
    const struct judge_program *prog = ctx->val;
    const char *names[JUDGE_FILES_MAX];
    for (size_t i = 0; i < prog->n_files; i++)
        names[i] = prog->files[i];
    v->argv = judge_lang_expand(prog->lang->run, names, prog->n_files, JUDGE_VALIDATOR_MEM_KIB);
    if (!v->argv) return -1;
    gv_strlcpy(v->data_dir, t->in_path, sizeof v->data_dir);
    char *slash = strrchr(v->data_dir, '/');
    *slash = '\0';
    snprintf(v->in, sizeof v->in, DATA_INSIDE "/%s", strrchr(t->in_path, '/') + 1);
    snprintf(v->ans, sizeof v->ans, DATA_INSIDE "/%s", strrchr(t->ans_path, '/') + 1);
    size_t n = 0;
    for (size_t i = 0; v->argv[i] && n < VAL_ARGV_MAX - 3 - JUDGE_FLAGS_MAX; i++)
        v->words[n++] = v->argv[i];
    v->words[n++] = v->in;
    v->words[n++] = v->ans;
    v->words[n++] = (char *)FEEDBACK_DIR;
    for (size_t i = 0; i < t->n_validator_flags; i++)
        v->words[n++] = t->validator_flags[i];
    v->words[n] = NULL;
    v->bind = (struct sbx_bind){v->data_dir, DATA_INSIDE, false};
    sbx_spec_init(spec);
    spec->argv = (const char *const *)v->words;
    spec->envp = (const char *const *)prog->lang->env;
    spec->work_writable = true;
    spec->binds = &v->bind;
    spec->n_binds = 1;
    spec->policy = (enum sbx_policy)sbx_policy_from_name(prog->lang->run_policy);
    spec->limits.cpu_ms = JUDGE_VALIDATOR_CPU_MS;
    spec->limits.memory_kib = JUDGE_VALIDATOR_MEM_KIB;
    spec->limits.output_kib = JUDGE_VALIDATOR_OUT_KIB;
    spec->limits.processes = prog->lang->run_processes;
    spec->limits.open_files = JUDGE_OPEN_FILES;
    return 0;
}

/* Reads feedback (judgemessage.txt) from the validator's box into r->message (appended). */
static void keep_feedback(struct sbx_box *vbox, struct judge_test_result *r)
{
    size_t len = 0;
    char *fb = sbx_box_get(vbox, "judgemessage.txt", JUDGE_MESSAGE_MAX - 1, &len);
    if (!fb) return;
    free(r->message);
    r->message = fb;
}

/* Validator result -> AC / WA / JE. */
static enum judge_verdict val_verdict(const struct sbx_result *vr, struct judge_test_result *r)
{
    if (vr->status == SBX_RTE && !vr->signal && vr->exit_code == 42) return JUDGE_AC;
    if (vr->status == SBX_RTE && !vr->signal && vr->exit_code == 43) return JUDGE_WA;
    char detail[64];
    snprintf(detail, sizeof detail, "exit %d, signal %d", vr->exit_code, vr->signal);
    set_msg(r, "output validator failed (%s, %s)", sbx_status_name(vr->status), detail);
    if (vr->message[0])
        set_msg(r, "output validator failed: %s (%s)", vr->message, sbx_status_name(vr->status));
    return JUDGE_JE;
}

static int reload_validator(struct judge_run_ctx *ctx, struct judge_test_result *r)
{
    char err[PATH_MAX + 64];
    if (judge_program_load(ctx->vbox, ctx->val, err, sizeof err) < 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "%s%s", err, "");
        return -1;
    }
    return 0;
}

static void check_custom(struct judge_run_ctx *ctx, const struct judge_test *t, int out_fd,
                         struct judge_test_result *r)
{
    struct val_run v;
    struct sbx_spec spec;
    memset(&v, 0, sizeof v);
    if (reload_validator(ctx, r) < 0) return;
    if (val_spec(ctx, t, &v, &spec) < 0 || lseek(out_fd, 0, SEEK_SET) < 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "output validator: cannot prepare its run%s%s", "", "");
        judge_argv_free(v.argv);
        return;
    }
    spec.stdin_fd = out_fd;
    struct sbx_result vr;
    memset(&vr, 0, sizeof vr);
    sbx_run(ctx->vbox, &spec, &vr);
    prestart(ctx->vbox);
    judge_argv_free(v.argv);
    keep_feedback(ctx->vbox, r);
    r->verdict = val_verdict(&vr, r);
}

static void check_default(const struct judge_test *t, int out_fd, struct judge_test_result *r)
{
    struct stat st;
    if (fstat(out_fd, &st) < 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "stat output: %s%s", strerror(errno), "");
        return;
    }
    size_t len = (size_t)st.st_size;
    const char *out = "";
    void *map = NULL;
    if (len > 0) {
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, out_fd, 0);
        if (map == MAP_FAILED) {
            r->verdict = JUDGE_JE;
            set_msg(r, "mmap output: %s%s", strerror(errno), "");
            return;
        }
        out = map;
    }
    char msg[JUDGE_MESSAGE_MAX];
    bool ok = judge_dv_check(&t->dv, out, len, t->answer, t->answer_len, msg, sizeof msg);
    if (map) munmap(map, len);
    r->verdict = ok ? JUDGE_AC : JUDGE_WA;
    if (!ok) set_msg(r, "%s%s", msg, "");
}

/*** Plain runs ***/

/* TLE of a run whose peak memory reached the limit: really MLE (see the top of the file). */
static enum judge_verdict run_verdict(const struct sbx_result *sr, uint64_t memory_limit_kib)
{
    if (sr->status == SBX_TLE && memory_limit_kib &&
        sr->memory_kib + MLE_MARGIN_KIB >= memory_limit_kib)
        return JUDGE_MLE;
    return from_sandbox(sr->status);
}

static void fill_times(struct judge_test_result *r, const struct sbx_result *sr)
{
    r->time_ms = sr->cpu_ms;
    r->wall_ms = sr->wall_ms;
    r->memory_kib = sr->memory_kib;
}

static void run_plain(struct judge_run_ctx *ctx, const struct judge_test *t,
                      struct judge_test_result *r)
{
    struct sbx_spec spec;
    char **argv = sub_spec(ctx, &spec);
    int in_fd = open(t->in_path, O_RDONLY | O_CLOEXEC);
    int out_fd = open_scratch(ctx, "out");
    if (!argv || in_fd < 0 || out_fd < 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "prepare the run of %s: %s", t->name, strerror(errno));
        goto done;
    }
    spec.stdin_fd = in_fd;
    spec.stdout_fd = out_fd;
    struct sbx_result sr;
    memset(&sr, 0, sizeof sr);
    sbx_run(ctx->box, &spec, &sr);
    prestart(ctx->box);
    fill_times(r, &sr);
    r->verdict = run_verdict(&sr, ctx->p->memory_kib);
    if (sr.status != SBX_OK) {
        if (sr.message[0]) set_msg(r, "%s%s", sr.message, "");
        goto done;
    }
    if (ctx->val)
        check_custom(ctx, t, out_fd, r);
    else
        check_default(t, out_fd, r);
done:
    judge_argv_free(argv);
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
}

/*** Interactive runs ***/

struct side {
    struct sbx_box *box;
    struct sbx_spec spec;
    struct sbx_result res;
    int close_after[2]; /* our copies of the pipe ends this side uses */
    int64_t ended_us;
};

static void *side_main(void *arg)
{
    struct side *s = arg;
    memset(&s->res, 0, sizeof s->res);
    sbx_run(s->box, &s->spec, &s->res);
    s->ended_us = gv_now_us();
    close(s->close_after[0]);
    close(s->close_after[1]);
    return NULL;
}

static enum judge_verdict interactive_verdict(const struct side *sub, const struct side *val,
                                              uint64_t memory_limit_kib,
                                              struct judge_test_result *r)
{
    enum judge_verdict vv = val_verdict(&val->res, r);
    if (vv == JUDGE_JE || sub->res.status == SBX_JE) {
        if (sub->res.status == SBX_JE) set_msg(r, "sandbox: %s%s", sub->res.message, "");
        return JUDGE_JE;
    }
    if (vv == JUDGE_WA && val->ended_us <= sub->ended_us) return JUDGE_WA;
    if (sub->res.status != SBX_OK) return run_verdict(&sub->res, memory_limit_kib);
    return vv;
}

static void run_interactive(struct judge_run_ctx *ctx, const struct judge_test *t,
                            struct judge_test_result *r)
{
    int to_sub[2] = {-1, -1}, to_val[2] = {-1, -1};
    struct side sub = {0}, val = {0};
    struct val_run v;
    memset(&v, 0, sizeof v);
    char **argv = sub_spec(ctx, &sub.spec);
    if (reload_validator(ctx, r) < 0) goto done;
    if (!argv || val_spec(ctx, t, &v, &val.spec) < 0 || pipe2(to_sub, O_CLOEXEC) < 0 ||
        pipe2(to_val, O_CLOEXEC) < 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "prepare the interactive run of %s: %s", t->name, strerror(errno));
        goto done;
    }
    sub.box = ctx->box;
    sub.spec.stdin_fd = to_sub[0];
    sub.spec.stdout_fd = to_val[1];
    sub.close_after[0] = to_sub[0];
    sub.close_after[1] = to_val[1];
    val.box = ctx->vbox;
    val.spec.stdin_fd = to_val[0];
    val.spec.stdout_fd = to_sub[1];
    val.spec.limits.cpu_ms = JUDGE_VALIDATOR_CPU_MS;
    val.spec.limits.wall_ms = 3 * ctx->time_limit_ms + 1000 + INTERACT_EXTRA_WALL_MS;
    val.close_after[0] = to_val[0];
    val.close_after[1] = to_sub[1];
    pthread_t th;
    if (pthread_create(&th, NULL, side_main, &val) != 0) {
        r->verdict = JUDGE_JE;
        set_msg(r, "start the interactor thread%s%s", "", "");
        goto done;
    }
    to_sub[0] = to_sub[1] = to_val[0] = to_val[1] = -1; /* the sides close them now */
    side_main(&sub);
    pthread_join(th, NULL);
    fill_times(r, &sub.res);
    keep_feedback(ctx->vbox, r);
    r->verdict = interactive_verdict(&sub, &val, ctx->p->memory_kib, r);
    if (r->verdict != JUDGE_AC && r->verdict != JUDGE_WA && sub.res.message[0] && !r->message)
        set_msg(r, "%s%s", sub.res.message, "");
done:
    for (int i = 0; i < 2; i++) {
        if (to_sub[i] >= 0) close(to_sub[i]);
        if (to_val[i] >= 0) close(to_val[i]);
    }
    judge_argv_free(argv);
    judge_argv_free(v.argv);
}

int judge_run_test(struct judge_run_ctx *ctx, const struct judge_test *t,
                   struct judge_test_result *r)
{
    r->verdict = JUDGE_JE;
    if (ctx->p->validation == JUDGE_VALIDATION_INTERACTIVE)
        run_interactive(ctx, t, r);
    else
        run_plain(ctx, t, r);
    return 0;
}
