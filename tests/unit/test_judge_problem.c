/*
 * test_judge_problem.c - the package reader, on good and broken packages made in a temp folder.
 *
 * Each test writes a small package (problem.yaml, statement, data/...) under a fresh mkdtemp
 * folder, loads it with judge_problem_load() and checks what was read, or that a broken package
 * gives an error naming the file and the problem (and never crashes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "problem.h"

static char root[256];

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gv-judge-problem-XXXXXX");
    if (!mkdtemp(root)) return -1;
    strcat(root, "/pkg");
    return mkdir(root, 0755);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    char *slash = strrchr(root, '/');
    *slash = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void minimal_data(void)
{
    put("data/sample/1.in", "1 2\n");
    put("data/sample/1.ans", "3\n");
    put("data/secret/a.in", "5 5\n");
    put("data/secret/a.ans", "10\n");
}

static void test_legacy_package(void **state)
{
    (void)state;
    put("problem.yaml",
        "name: Sum Things\nlimits:\n  memory: 256\n  output: 2\n"
        "validation: default\nvalidator_flags: float_tolerance 1e-6 case_sensitive\n");
    put(".timelimit", "2.5\n");
    put("statement/problem.en.md", "# Title\n\nCompute $a_i * b_i$ for *all* i.\n\n$$x^2$$\n"
                                   "\n`$not math$`\n<script>alert(1)</script>\n");
    minimal_data();
    put("data/sample/2.in", "2 2\n");
    put("data/sample/2.ans", "4\n");
    put("data/secret/g2/b.in", "1\n");
    put("data/secret/g2/b.ans", "1\n");
    put("data/secret/g1/z.in", "1\n");
    put("data/secret/g1/z.ans", "1\n");
    put("data/secret/g1/testdata.yaml", "output_validator_flags: space_change_sensitive\n");
    char err[JUDGE_ERR_MAX] = "";
    struct judge_problem *p = judge_problem_load(root, err, sizeof err);
    if (!p) fail_msg("load: %s", err);
    assert_string_equal(p->id, "pkg");
    assert_string_equal(p->name, "Sum Things");
    assert_true(p->legacy);
    assert_false(p->scoring);
    assert_int_equal(p->time_limit_ms, 2500);
    assert_true(p->time_limit_from_file);
    assert_true(p->time_multiplier == 5);
    assert_int_equal(p->memory_kib, 256 * 1024);
    assert_int_equal(p->output_kib, 2 * 1024);
    assert_int_equal(p->validation, JUDGE_VALIDATION_DEFAULT);
    assert_true(p->dv.case_sensitive);
    assert_true(p->dv.float_abs == 1e-6 && p->dv.float_rel == 1e-6);
    /* samples first, then secret sorted by path */
    assert_int_equal(p->n_tests, 5);
    assert_int_equal(p->n_samples, 2);
    static const char *const order[] = {"sample/1", "sample/2", "secret/a", "secret/g1/z",
                                        "secret/g2/b"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(p->tests[i].name, order[i]);
    assert_string_equal(p->tests[3].group, "secret/g1");
    assert_true(p->tests[0].sample);
    assert_false(p->tests[2].sample);
    assert_string_equal(p->tests[2].answer, "10\n");
    /* g1's testdata.yaml replaces the problem's flags for its tests */
    assert_true(p->tests[3].dv.space_change_sensitive);
    assert_int_equal(p->tests[3].n_validator_flags, 1);
    assert_false(p->tests[4].dv.space_change_sensitive);
    assert_int_equal(p->tests[4].n_validator_flags, 3);
    /* statement: math kept for KaTeX, markdown rendered, raw HTML dropped */
    const char *h = p->statement_html;
    assert_non_null(h);
    assert_non_null(strstr(h, "<h1>Title</h1>"));
    assert_non_null(strstr(h, "\\(a_i * b_i\\)"));
    assert_non_null(strstr(h, "<em>all</em>"));
    assert_non_null(strstr(h, "\\[x^2\\]"));
    assert_non_null(strstr(h, "<code>$not math$</code>"));
    assert_null(strstr(h, "<script>"));
    cJSON *j = judge_problem_to_json(p, true);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"time_ms\":2500"));
    assert_non_null(strstr(text, "\"memory_mib\":256"));
    assert_non_null(strstr(text, "\"input\":\"1 2\\n\""));
    assert_non_null(strstr(text, "\"output\":\"3\\n\""));
    free(text);
    cJSON_Delete(j);
    judge_problem_free(p);
}

static void test_2023_scoring_package(void **state)
{
    (void)state;
    put("problem.yaml",
        "problem_format_version: 2023-07-draft\ntype: scoring\nname:\n  en: Groups\n"
        "limits:\n  time_limit: 1.5\n  time_multipliers:\n    ac_to_time_limit: 3\n");
    put("problem_statement/problem.en.tex",
        "\\begin{problem}{Groups}\n\\section*{Input}\nRead $n$ and \\emph{stop}.\n\n"
        "Two < three.\n\\end{problem}\n");
    minimal_data();
    put("data/secret/g1/testdata.yaml", "scoring:\n  score: 30\n");
    put("data/secret/g1/1.in", "1\n");
    put("data/secret/g1/1.ans", "1\n");
    put("data/secret/g1/2.in", "1\n");
    put("data/secret/g1/2.ans", "1\n");
    put("data/secret/g2/testdata.yaml", "accept_score: 70\n");
    put("data/secret/g2/1.in", "1\n");
    put("data/secret/g2/1.ans", "1\n");
    char err[JUDGE_ERR_MAX] = "";
    struct judge_problem *p = judge_problem_load(root, err, sizeof err);
    if (!p) fail_msg("load: %s", err);
    assert_false(p->legacy);
    assert_true(p->scoring);
    assert_string_equal(p->name, "Groups");
    assert_int_equal(p->time_limit_ms, 1500);
    assert_false(p->time_limit_from_file);
    assert_true(p->time_multiplier == 3);
    assert_int_equal(p->n_groups, 3); /* secret (a), secret/g1, secret/g2 */
    assert_true(p->max_score == 1 + 30 + 70);
    assert_int_equal(p->tests[1].score_group, 0);
    assert_int_equal(p->tests[2].score_group, 1);
    assert_string_equal(p->groups[1].name, "secret/g1");
    assert_false(p->groups[1].per_test);
    assert_non_null(strstr(p->statement_html, "<h2>Input</h2>"));
    assert_non_null(strstr(p->statement_html, "\\(n\\)"));
    assert_non_null(strstr(p->statement_html, "<em>stop</em>"));
    assert_non_null(strstr(p->statement_html, "Two &lt; three."));
    judge_problem_free(p);
}

static void test_interactive_and_custom(void **state)
{
    (void)state;
    put("problem.yaml", "name: Guess\nvalidation: custom interactive\n");
    minimal_data();
    put("output_validators/interactor/interactor.c", "int main(void){return 42;}\n");
    char err[JUDGE_ERR_MAX] = "";
    struct judge_problem *p = judge_problem_load(root, err, sizeof err);
    if (!p) fail_msg("load: %s", err);
    assert_int_equal(p->validation, JUDGE_VALIDATION_INTERACTIVE);
    assert_non_null(strstr(p->validator_dir, "output_validators/interactor"));
    assert_int_equal(p->time_limit_ms, 0); /* no limit anywhere: verify derives one */
    judge_problem_free(p);
}

/* Broken packages: each gives an error naming the file and what is wrong. */
struct broken {
    const char *file, *text; /* written on top of a good package */
    const char *remove;      /* or removed from it */
    const char *expect;      /* substring of the error */
};

static const struct broken broken_cases[] = {
    {"problem.yaml", "name: [unclosed\nlimits: 3\n", NULL, "problem.yaml:"},
    {"problem.yaml", "name: x\n  bad: indent\n", NULL, "problem.yaml:2:"},
    {"problem.yaml", "limits:\n  time_limit: fast\n", NULL, "limits.time_limit"},
    {"problem.yaml", "limits:\n  memory: -5\n", NULL, "limits.memory"},
    {"problem.yaml", "validation: psychic\n", NULL, "validation"},
    {"problem.yaml", "validation: custom\n", NULL, "output_validators"},
    {"problem.yaml", "validator_flags: float_tolerance\n", NULL, "validator_flags"},
    {"problem.yaml", "- a list\n", NULL, "problem.yaml:1"},
    {"problem.yaml", "a: &x 1\nb: *x\n", NULL, "aliases"},
    {".timelimit", "soon\n", NULL, ".timelimit"},
    {"data/secret/b.in", "1\n", NULL, "data/secret/b.in: no matching .ans"},
    {"data/secret/testdata.yaml", "x: [\n", NULL, "data/secret/testdata.yaml:"},
    {NULL, NULL, "data/secret/a.in", "data/secret: no test cases"},
    {NULL, NULL, "problem.yaml", "problem.yaml: No such file"},
};

static void test_broken_packages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof broken_cases / sizeof broken_cases[0]; i++) {
        const struct broken *b = &broken_cases[i];
        put("problem.yaml", "name: Fine\n");
        minimal_data();
        unlink(strcat(strcpy((char[512]){0}, root), "/.timelimit"));
        char path[512];
        snprintf(path, sizeof path, "%s/data/secret/b.in", root);
        unlink(path);
        snprintf(path, sizeof path, "%s/data/secret/testdata.yaml", root);
        unlink(path);
        if (b->file) put(b->file, b->text);
        if (b->remove) {
            snprintf(path, sizeof path, "%s/%s", root, b->remove);
            assert_int_equal(unlink(path), 0);
        }
        char err[JUDGE_ERR_MAX] = "";
        struct judge_problem *p = judge_problem_load(root, err, sizeof err);
        if (p) fail_msg("case %zu: loaded, expected an error with \"%s\"", i, b->expect);
        if (!strstr(err, b->expect))
            fail_msg("case %zu: error \"%s\" does not contain \"%s\"", i, err, b->expect);
    }
}

/* Random YAML-ish bytes in problem.yaml and testdata.yaml: loads or fails with a message, never
 * crashes (this test runs under ASan and UBSan). */
static void test_garbage_yaml(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]:-&*!|>'\"#%@`,? \n\t abc0123456789.eE+";
    unsigned seed = 12345;
    minimal_data();
    for (int round = 0; round < 300; round++) {
        char text[256];
        size_t len = (size_t)(rand_r(&seed) % (sizeof text - 1));
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        text[len] = '\0';
        put(round % 2 ? "problem.yaml" : "data/secret/testdata.yaml", text);
        if (round % 2 == 0) put("problem.yaml", "name: ok\n");
        char err[JUDGE_ERR_MAX] = "";
        struct judge_problem *p = judge_problem_load(root, err, sizeof err);
        if (!p && !err[0]) fail_msg("round %d: no package and no error", round);
        judge_problem_free(p);
    }
}

static void test_not_a_folder(void **state)
{
    (void)state;
    char err[JUDGE_ERR_MAX] = "";
    assert_null(judge_problem_load("/nonexistent/problem", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/problem"));
}

/* data/generate runs once (stamp), its files become tests; a newer script runs again. */
static void test_generator(void **state)
{
    (void)state;
    put("problem.yaml", "name: Big\n");
    minimal_data();
    put("data/generate",
        "#!/bin/sh\nset -e\necho run >> ../runs.txt\n"
        "printf '1 1\\n' > secret/large-01.in\nprintf '2\\n' > secret/large-01.ans\n");
    char path[512];
    snprintf(path, sizeof path, "%s/data/generate", root);
    assert_int_equal(chmod(path, 0755), 0);
    char err[JUDGE_ERR_MAX] = "";
    for (int round = 0; round < 2; round++) {
        struct judge_problem *p = judge_problem_load(root, err, sizeof err);
        if (!p) fail_msg("load: %s", err);
        assert_int_equal(p->n_tests, 3);
        assert_string_equal(p->tests[2].name, "secret/large-01");
        judge_problem_free(p);
    }
    snprintf(path, sizeof path, "%s/runs.txt", root);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[64] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_int_equal(n, 4); /* "run\n" once */
    /* a failing generator is a load error naming it */
    put("data/generate", "#!/bin/sh\nexit 3\n");
    snprintf(path, sizeof path, "%s/data/generate", root);
    chmod(path, 0755);
    sleep(1);
    put("data/generate", "#!/bin/sh\nexit 3\n"); /* newer than the stamp */
    assert_null(judge_problem_load(root, err, sizeof err));
    assert_non_null(strstr(err, "data/generate"));
}

static void test_write_timelimit(void **state)
{
    (void)state;
    put("problem.yaml", "name: T\n");
    minimal_data();
    char err[JUDGE_ERR_MAX] = "";
    assert_int_equal(judge_problem_write_timelimit(root, 3000, err, sizeof err), 0);
    struct judge_problem *p = judge_problem_load(root, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->time_limit_ms, 3000);
    judge_problem_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_legacy_package, setup, teardown),
        cmocka_unit_test_setup_teardown(test_2023_scoring_package, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interactive_and_custom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_yaml, setup, teardown),
        cmocka_unit_test(test_not_a_folder),
        cmocka_unit_test_setup_teardown(test_generator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_timelimit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
