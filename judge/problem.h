/*
 * problem.h - reading ICPC / Kattis problem packages (library gavel_problem).
 *
 * judge_problem_load() reads one package folder (DESIGN.md, "Problem packages"; docs/problems.md)
 * into an immutable struct judge_problem: problem.yaml (legacy and 2023-07 keys in their common
 * subset), .timelimit, the statement rendered to HTML, and the test cases of data/sample and
 * data/secret (nested groups, testdata.yaml) in judging order. Answer files are read into memory
 * once, at load; input files stay on disk and are handed to the sandbox as file descriptors.
 * A loaded problem is never changed afterwards, so any number of threads may judge against it.
 *
 * A broken package is never a crash: the loader returns NULL and an error naming the file and what
 * is wrong ("data/secret/02.in: no matching .ans", "problem.yaml:4: mapping values are not
 * allowed").
 *
 * This library has no sandbox dependency: the gateway links it for GET /api/problems.
 */
#ifndef GAVEL_JUDGE_PROBLEM_H
#define GAVEL_JUDGE_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define JUDGE_ERR_MAX         512          /* size of an error message buffer the callers pass */
#define JUDGE_NAME_MAX        256          /* problem name, group path, test name */
#define JUDGE_TESTS_MAX       4096         /* test cases per package */
#define JUDGE_GROUP_DEPTH_MAX 8            /* nesting of test groups below data/ */
#define JUDGE_YAML_MAX        (1u << 20)   /* problem.yaml, testdata.yaml */
#define JUDGE_STATEMENT_MAX   (1u << 20)   /* statement source */
#define JUDGE_ANSWER_MAX      (256u << 20) /* one .ans file kept in memory */
#define JUDGE_SAMPLE_SHOW_MAX (64u << 10)  /* sample text given to the web app */
#define JUDGE_FLAGS_MAX       16           /* validator flags */

/* Options of the ICPC default output validator (validator_flags). */
struct judge_dv_flags {
    bool case_sensitive;
    bool space_change_sensitive;
    double float_abs; /* absolute tolerance; < 0: not given */
    double float_rel; /* relative tolerance; < 0: not given */
};

enum judge_validation {
    JUDGE_VALIDATION_DEFAULT,
    JUDGE_VALIDATION_CUSTOM,
    JUDGE_VALIDATION_INTERACTIVE, /* custom interactive */
};

/* One test case. Paths are absolute. */
struct judge_test {
    char name[JUDGE_NAME_MAX];  /* "sample/1", "secret/group1/05" (no extension) */
    char group[JUDGE_NAME_MAX]; /* "sample", "secret", "secret/group1" */
    char *in_path;
    char *ans_path;
    char *answer; /* the .ans contents, NUL-terminated */
    size_t answer_len;
    bool sample;
    int score_group;                        /* index into problem->groups for scoring, -1: none */
    char *validator_flags[JUDGE_FLAGS_MAX]; /* flags for this test's group (custom validators) */
    size_t n_validator_flags;
    struct judge_dv_flags dv; /* default validator flags with the group's flags applied */
};

/* A group that carries a score (scoring problems): data/secret/<name>. */
struct judge_score_group {
    char name[JUDGE_NAME_MAX];
    double score;  /* points for passing every test of the group */
    bool per_test; /* no score given: each accepted test is worth `score` (1) */
};

struct judge_problem {
    char *dir;               /* absolute package folder */
    char id[JUDGE_NAME_MAX]; /* folder's base name */
    char name[JUDGE_NAME_MAX];
    bool legacy;               /* problem_format_version absent or "legacy" */
    bool scoring;              /* type: scoring */
    uint32_t time_limit_ms;    /* 0: none known yet (no time_limit, no .timelimit) */
    bool time_limit_from_file; /* came from .timelimit */
    double time_multiplier;    /* for deriving a limit: 5 legacy, 2 for 2023-07, or given */
    uint64_t memory_kib;
    uint64_t output_kib;
    enum judge_validation validation;
    char *validator_flags[JUDGE_FLAGS_MAX]; /* problem-wide flags (custom validators) */
    size_t n_validator_flags;
    struct judge_dv_flags dv; /* problem-wide default validator flags */
    char *validator_dir;      /* output_validators/<v> (file or folder), NULL: none */
    char *statement_html;     /* NULL when the package has no statement */
    struct judge_test *tests; /* samples first, then secret, lexicographic */
    size_t n_tests;
    size_t n_samples;
    struct judge_score_group *groups;
    size_t n_groups;
    double max_score;
};

/* Defaults when problem.yaml says nothing (the spec's values). */
#define JUDGE_DEFAULT_MEMORY_MIB 2048
#define JUDGE_DEFAULT_OUTPUT_MIB 8

/* Loads the package in dir. If it has an executable data/generate whose data/.generated stamp is
 * missing or older than the script, runs it first (cwd data/, outside any sandbox: trusted code of
 * the problem setter) and touches the stamp. Returns NULL and an error in err on failure. */
struct judge_problem *judge_problem_load(const char *dir, char *err, size_t err_size);
void judge_problem_free(struct judge_problem *p);

/* The problem as the HTTP API shows it: id, name, limits (time_ms, memory_mib, output_mib), type,
 * validation; with `full` also statement_html and samples [{input, output}] (each capped at
 * JUDGE_SAMPLE_SHOW_MAX). Caller frees with cJSON_Delete. */
cJSON *judge_problem_to_json(const struct judge_problem *p, bool full);

/* Writes ms as seconds into dir/.timelimit (what `verify` does for a package without a limit). */
int judge_problem_write_timelimit(const char *dir, uint32_t ms, char *err, size_t err_size);

/* Parses validator flags words (case_sensitive, space_change_sensitive, float_tolerance E,
 * float_absolute_tolerance E, float_relative_tolerance E) into f, starting from f's values.
 * Unknown words are ignored (they belong to custom validators). Returns 0, -1 on a bad number. */
int judge_dv_flags_parse(struct judge_dv_flags *f, char *const *words, size_t n);

/* Renders a Markdown statement to HTML (libcmark, safe mode: raw HTML dropped). Math between
 * $...$ or $$...$$ is left untouched for KaTeX in the browser: it is emitted HTML-escaped inside
 * <span class="math inline">\(...\)</span> or <div class="math display">\[...\]</div>. */
char *judge_statement_md_to_html(const char *md, size_t len);
/* A LaTeX statement (problem.en.tex) as simple HTML: paragraphs, \section headings, emphasis,
 * math kept for KaTeX as above. */
char *judge_statement_tex_to_html(const char *tex, size_t len);

#endif
