/*
 * test_judge_lang.c - the language table: judge/languages.json itself, lookups, placeholders,
 * Java's main class, versions, and broken tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lang.h"
#include "problem.h"

static struct judge_langs *load_real(void)
{
    const char *src = getenv("GAVEL_SOURCE_DIR");
    assert_non_null(src);
    char path[512], err[JUDGE_ERR_MAX] = "";
    snprintf(path, sizeof path, "%s/judge/languages.json", src);
    struct judge_langs *l = judge_langs_load(path, err, sizeof err);
    if (!l) fail_msg("%s", err);
    return l;
}

static void test_six_languages(void **state)
{
    (void)state;
    struct judge_langs *l = load_real();
    static const char *const ids[] = {"c", "cpp", "python3", "java", "javascript", "rust"};
    for (size_t i = 0; i < 6; i++) {
        const struct judge_lang *g = judge_lang_by_id(l, ids[i]);
        if (!g) fail_msg("language %s missing", ids[i]);
        assert_non_null(g->run[0]);
        assert_non_null(g->source_name);
        /* toolchains from Debian under /usr, never a rustup one under /root */
        char *const *cmd = g->compile[0] ? g->compile : g->run;
        assert_int_equal(strncmp(cmd[0], "/usr/", 5), 0);
        assert_true(g->compile_limits.cpu_ms > 0 && g->compile_limits.memory_kib > 0);
    }
    assert_null(judge_lang_by_id(l, "cobol"));
    judge_langs_free(l);
}

static void test_by_file(void **state)
{
    (void)state;
    struct judge_langs *l = load_real();
    static const struct {
        const char *file, *id;
    } map[] = {
        {"a.c", "c"},          {"dir/x.cpp", "cpp"}, {"y.cc", "cpp"},
        {"sol.py", "python3"}, {"Foo.java", "java"}, {"m.js", "javascript"},
        {"r.rs", "rust"},      {"noext", NULL},      {"weird.txt", NULL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const struct judge_lang *g = judge_lang_by_file(l, map[i].file);
        if (!map[i].id)
            assert_null(g);
        else if (!g || strcmp(g->id, map[i].id) != 0)
            fail_msg("%s: expected %s", map[i].file, map[i].id);
    }
    judge_langs_free(l);
}

static void test_expand(void **state)
{
    (void)state;
    char *tmpl[] = {"/usr/bin/x",        "-o",          "main",          "{files}",
                    "-Xmx{memory_mib}m", "{mainclass}", "/box/{source}", NULL};
    const char *files[] = {"Main.java", "Util.java"};
    char **argv = judge_lang_expand(tmpl, files, 2, 256 * 1024);
    assert_non_null(argv);
    static const char *const want[] = {"/usr/bin/x", "-o",       "main", "Main.java",
                                       "Util.java",  "-Xmx256m", "Main", "/box/Main.java"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[8]);
    judge_argv_free(argv);
}

static void test_java_main_class(void **state)
{
    (void)state;
    static const struct {
        const char *src, *cls;
    } cases[] = {
        {"public class Sum { public static void main(String[] a) {} }", "Sum"},
        {"import java.util.*;\nclass Helper { int f() { return 1; } }\n"
         "public class Solution {\n  public static void main(String[] args) { }\n}\n",
         "Solution"},
        {"// class Fake { static void main() }\n/* class Other */\n"
         "class Real { public static void main(String[] x) { String s = \"class Nope\"; } }",
         "Real"},
        {"final public class A { static class Inner {} public static void main(String[] a) {} }",
         "A"},
        {"class Outer { static class Solver { void main2() {} }\n"
         "  public static void main(String[] a) { new Solver(); } }",
         "Outer"},
        {"public class OnlyPublic { }", "OnlyPublic"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(
            judge_lang_java_main_class(cases[i].src, strlen(cases[i].src), out, sizeof out), 0);
        if (strcmp(out, cases[i].cls) != 0)
            fail_msg("case %zu: got %s, want %s", i, out, cases[i].cls);
    }
    assert_int_equal(judge_lang_java_main_class("int x;", 6, out, sizeof out), -1);
    struct judge_langs *l = load_real();
    const struct judge_lang *java = judge_lang_by_id(l, "java");
    const char *src = cases[1].src;
    assert_int_equal(judge_lang_file_name(java, src, strlen(src), out, sizeof out), 0);
    assert_string_equal(out, "Solution.java");
    assert_int_equal(judge_lang_file_name(judge_lang_by_id(l, "cpp"), "", 0, out, sizeof out), 0);
    assert_string_equal(out, "main.cpp");
    judge_langs_free(l);
}

static void test_versions(void **state)
{
    (void)state;
    struct judge_langs *l = load_real();
    const struct judge_lang *c = judge_lang_by_id(l, "c");
    const char *v = judge_lang_version(c);
    assert_non_null(strstr(v, "gcc"));
    assert_ptr_equal(judge_lang_version(c), v); /* cached */
    char why[128];
    assert_true(judge_lang_available(c, why, sizeof why));
    cJSON *j = judge_langs_to_json(l);
    assert_int_equal(cJSON_GetArraySize(j), (int)l->n);
    cJSON_Delete(j);
    judge_langs_free(l);
}

static void test_broken_tables(void **state)
{
    (void)state;
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"[1, 2]", "\"languages\" list"},
        {"{\"languages\": [{\"name\": \"no id\"}]}", "\"id\""},
        {"{\"languages\": [{\"id\": \"x\", \"source_name\": \"a.x\", \"run\": \"notalist\"}]}",
         "\"run\""},
        {"{\"languages\": [{\"id\": \"x\", \"source_name\": \"a.x\"}]}", "missing \"run\""},
        {"{\"languages\": [{\"id\": \"x\", \"run\": [\"/bin/true\"]}]}", "source_name"},
        {"not json", "\"languages\" list"},
    };
    char path[] = "/tmp/gv-judge-lang-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].json, f);
        fclose(f);
        char err[JUDGE_ERR_MAX] = "";
        struct judge_langs *l = judge_langs_load(path, err, sizeof err);
        if (l) fail_msg("case %zu loaded", i);
        if (!strstr(err, cases[i].expect) || !strstr(err, path))
            fail_msg("case %zu: error \"%s\" lacks \"%s\" or the file name", i, err,
                     cases[i].expect);
    }
    unlink(path);
    char err[JUDGE_ERR_MAX];
    assert_null(judge_langs_load("/nonexistent.json", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_six_languages), cmocka_unit_test(test_by_file),
        cmocka_unit_test(test_expand),        cmocka_unit_test(test_java_main_class),
        cmocka_unit_test(test_versions),      cmocka_unit_test(test_broken_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
