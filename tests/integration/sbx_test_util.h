/*
 * sbx_test_util.h - shared helpers of the sandbox's integration tests (header-only, static).
 *
 * A pool in a temp base folder, the static test program (sbx_testprog) put into a box as
 * /box/prog, and a one-call run with limits.
 */
#ifndef GAVEL_SBX_TEST_UTIL_H
#define GAVEL_SBX_TEST_UTIL_H

#include "gv.h"
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SBX_TEST_PROG_MAX (32 << 20)

static struct sbx_pool *t_pool;
static char *t_prog;
static size_t t_prog_len;
static char t_base[64];
/* Runs through t_run_in start the box's init ahead first (sbx_box_prestart), as servers do. */
static bool t_warm;

/* Group setup: a pool of n boxes; returns -1 (tests then skip) when not root. */
static int t_setup(unsigned n)
{
    if (geteuid() != 0)
        return 0;
    const char *build = getenv("GAVEL_BUILD_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/tests/sbx_testprog", build ? build : ".");
    t_prog = gv_read_file(path, SBX_TEST_PROG_MAX, &t_prog_len);
    if (t_prog == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    snprintf(t_base, sizeof t_base, "/tmp/gavel-sbx-test-XXXXXX");
    if (mkdtemp(t_base) == NULL)
        return -1;
    char err[256];
    struct sbx_config cfg = {.base_dir = t_base, .n_boxes = n};
    t_pool = sbx_pool_new(&cfg, err, sizeof err);
    if (t_pool == NULL) {
        fprintf(stderr, "sbx_pool_new: %s\n", err);
        return -1;
    }
    return 0;
}

static void t_teardown(void)
{
    sbx_pool_free(t_pool);
    t_pool = NULL;
    if (t_base[0])
        rmdir(t_base);
    free(t_prog);
}

/* Acquires a box and puts the test program in it as /box/prog. */
static struct sbx_box *t_box(void)
{
    struct sbx_box *box = sbx_box_acquire(t_pool);
    if (box != NULL && sbx_box_put(box, "prog", t_prog, t_prog_len, 0755) < 0) {
        sbx_box_release(box);
        return NULL;
    }
    return box;
}

/* Runs /box/prog with args (NULL-terminated) in box; returns sbx_run's value. */
static int t_run_in(struct sbx_box *box, struct sbx_spec *spec, struct sbx_result *r,
                    const char *const *args)
{
    const char *argv[16] = {"/box/prog"};
    for (int i = 0; args[i] != NULL && i < 14; i++)
        argv[i + 1] = args[i];
    spec->argv = argv;
    char err[256];
    if (t_warm && sbx_box_prestart(box, err, sizeof err) < 0)
        fprintf(stderr, "  sbx_box_prestart: %s\n", err);
    int rc = sbx_run(box, spec, r);
    char json[1024];
    sbx_result_to_json(r, json, sizeof json);
    fprintf(stderr, "  %s %s -> %s\n", args[0], args[1] ? args[1] : "", json);
    return rc;
}

/* One run in a fresh box with the given policy and limits. */
static int t_run(struct sbx_result *r, enum sbx_policy policy, struct sbx_limits lim,
                 const char *const *args)
{
    struct sbx_box *box = t_box();
    if (box == NULL)
        return -2;
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.policy = policy;
    spec.limits = lim;
    int rc = t_run_in(box, &spec, r, args);
    sbx_box_release(box);
    return rc;
}

#define T_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define T_NEED_ROOT()                                                                            \
    do {                                                                                         \
        if (t_pool == NULL)                                                                      \
            skip();                                                                              \
    } while (0)

#endif
