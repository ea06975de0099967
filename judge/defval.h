/*
 * defval.h - the ICPC default output validator (library gavel_problem).
 *
 * A pure function over two byte buffers (the team's output and the judge's answer): token by token,
 * with the flags of problem.yaml's validator_flags (struct judge_dv_flags in problem.h). It never
 * copies either buffer and needs no memory beyond the message, so a huge output costs nothing more
 * than being read once.
 */
#ifndef GAVEL_JUDGE_DEFVAL_H
#define GAVEL_JUDGE_DEFVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "problem.h"

#define JUDGE_DV_TOKEN_SHOW 40 /* characters of a token quoted in a message */

/* Compares out against ans. Returns true when accepted; otherwise false and, when msg is not
 * NULL, a message like "line 2: expected \"5\", got \"6\"" (line of the team's output). */
bool judge_dv_check(const struct judge_dv_flags *flags, const char *out, size_t out_len,
                    const char *ans, size_t ans_len, char *msg, size_t msg_size);

/* Flags with every option off (exact tokens, no tolerance). */
void judge_dv_flags_default(struct judge_dv_flags *f);

#endif
