/*
 * engine_internal.h - what engine.c, compile.c, runner.c and result.c share; not public.
 */
#ifndef GAVEL_JUDGE_ENGINE_INTERNAL_H
#define GAVEL_JUDGE_ENGINE_INTERNAL_H

#include "judge.h"
#include "sandbox.h"

#include <limits.h>
#include <pthread.h>

#define JUDGE_CACHE_DEFAULT     "/var/cache/gavel/judge"
#define JUDGE_CACHE_DIR_MAX     2048           /* longest cache folder path */
#define JUDGE_EXPORT_MAX        (256ull << 20) /* compiled files kept per submission */
#define JUDGE_BOX_WAIT_MS       300000         /* longest wait for a free box */
#define JUDGE_DEFAULT_TL_MS     5000           /* problems without any time limit (yet) */
#define JUDGE_VALIDATOR_CPU_MS  30000          /* custom validators' limits */
#define JUDGE_VALIDATOR_MEM_KIB (2048ull << 10)
#define JUDGE_VALIDATOR_OUT_KIB (16ull << 10)
/* RLIMIT_NOFILE of every run: compilers and JVMs open many files (class path, headers), more
 * than the sandbox's default of 64. */
#define JUDGE_OPEN_FILES   512
#define JUDGE_COMPILE_META ".gavel-compile" /* cache entry's status file */

struct judge_engine {
    struct sbx_pool *pool;
    bool own_pool;
    struct judge_langs *own_langs;
    const struct judge_langs *langs;
    char cache_dir[JUDGE_CACHE_DIR_MAX];
};

/* A program ready to run: its language, the cache folder holding its files, its main file. */
struct judge_program {
    const struct judge_lang *lang;
    char dir[PATH_MAX];
    char files[JUDGE_FILES_MAX][JUDGE_NAME_MAX]; /* [0] is the main file */
    size_t n_files;
};

/* What one compile produced. */
struct judge_compiled {
    enum judge_verdict verdict; /* AC (ready), CE, JE */
    char *output;               /* compiler messages, capped */
    char *message;              /* for CE/JE: what happened */
    bool cached;
};

/* Takes n free boxes at once (all or none, so slots never deadlock each holding one), waiting up
 * to JUDGE_BOX_WAIT_MS; 0, or -1 on timeout. */
int judge_box_take(struct judge_engine *e, struct sbx_box **boxes, size_t n);

/* Compiles files (already named) into the cache; fills prog->dir and c. Returns 0; c->verdict
 * says whether it worked. kind is "sub" or "val" (separate cache namespaces). */
int judge_compile(struct judge_engine *e, struct sbx_box *box, const char *kind,
                  struct judge_program *prog, const struct judge_file *files, size_t n,
                  struct judge_compiled *c);
void judge_compiled_free(struct judge_compiled *c);

/* Compiles the problem's custom validator (cached per problem and content). */
int judge_compile_validator(struct judge_engine *e, struct sbx_box *box,
                            const struct judge_problem *p, struct judge_program *prog,
                            struct judge_compiled *c);

/* Loads a compiled program into a box (clean + import). */
int judge_program_load(struct sbx_box *box, const struct judge_program *prog, char *err,
                       size_t err_size);

/* Per-run settings of one submission. */
struct judge_run_ctx {
    struct judge_engine *e;
    const struct judge_problem *p;
    const struct judge_program *sub;
    const struct judge_program *val; /* NULL for default validation */
    struct sbx_box *box, *vbox;      /* vbox: for validators */
    uint32_t time_limit_ms;
    char tmp_dir[PATH_MAX]; /* host scratch folder of this submission */
};

/* Runs test t and fills r (verdict, times, message). Returns 0; failures of ours are JE. */
int judge_run_test(struct judge_run_ctx *ctx, const struct judge_test *t,
                   struct judge_test_result *r);

/* Index of the main file among files: Java's file named after the class declaring main; else
 * main.<ext> or __main__.py; else the first file of the language. */
int judge_choose_main(const struct judge_lang *lang, const struct judge_file *files, size_t n);

/* Hex SHA-256 over the parts (each with its length, so boundaries count). */
void judge_sha256_hex(const void *const *parts, const size_t *lens, size_t n, char out[65]);

#endif
