/*
 * cmd.h - the gavel-judge verbs besides serve (cmd_check.c, cmd_verify.c) and what they share.
 */
#ifndef GAVEL_JUDGE_CMD_H
#define GAVEL_JUDGE_CMD_H

#include "judge.h"

#define CMD_JOBS_MAX 16 /* parallel judging threads of verify */

/* Common options: --cache DIR, --sandbox-dir DIR, --languages FILE, --jobs N (also through
 * GAVEL_CACHE_DIR / GAVEL_SANDBOX_DIR / GAVEL_LANGUAGES). */
struct cmd_opts {
    const char *cache_dir;
    const char *sandbox_dir;
    const char *languages;
    unsigned jobs;
    bool json;
    const char *language; /* check --language */
};

/* Parses one common option at argv[*i] (advancing *i past its value); 1 when it was one, 0 when
 * not, -1 on a missing value. */
int cmd_parse_common(int argc, char **argv, int *i, struct cmd_opts *o);

/* Makes an engine with n_boxes boxes from the options; NULL after printing why. */
struct judge_engine *cmd_engine(const struct cmd_opts *o, unsigned n_boxes,
                                struct judge_langs **langs_out);

/* Reads a source of at most JUDGE_SOURCE_MAX bytes; NULL with errno. */
char *cmd_read_source(const char *path, size_t *len);

/* `gavel-judge check` and `gavel-judge verify`; argv[0] is the verb. Return the exit status. */
int cmd_check_main(int argc, char **argv);
int cmd_verify_main(int argc, char **argv);

#endif
