/*
 * problem.c - the ICPC / Kattis problem package reader.
 *
 * Theory of operation: judge_problem_load() builds a struct judge_problem in four steps, each of
 * which can only fail with a message naming the file: (1) run data/generate when its stamp is stale
 * (docs/problems.md, "Generated test data"), under a lock so two loaders never generate at once;
 * (2) read problem.yaml through yaml_json.c and map the legacy and 2023-07 keys onto one model
 * (limits, validation, validator flags, type, time multiplier), then .timelimit; (3) render the
 * statement; (4) walk data/sample and data/secret: every *.in with its *.ans becomes a test, with
 * the testdata.yaml settings of its folder and the folders above it (inherited, the nearest wins).
 * Tests are sorted by path inside sample and inside secret, samples first. Answers are read into
 * memory here, once; inputs stay on disk. Nothing is changed after loading.
 */
#include "problem.h"

#include "defval.h"
#include "gv.h"
#include "yaml_json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GENERATE_TIMEOUT_MS 300000 /* data/generate gets this long */
#define TIMELIMIT_FILE_MAX  64

struct loader {
    struct judge_problem *p;
    char *err;
    size_t err_size;
};

static int fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->err, L->err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static char *path_join(const char *a, const char *b)
{
    char *s;
    return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*** Generated data ***/

static bool stamp_stale(const char *script, const char *stamp)
{
    struct stat s1, s2;
    if (stat(stamp, &s2) < 0) return true;
    if (stat(script, &s1) < 0) return false;
    return s1.st_mtim.tv_sec > s2.st_mtim.tv_sec ||
           (s1.st_mtim.tv_sec == s2.st_mtim.tv_sec && s1.st_mtim.tv_nsec > s2.st_mtim.tv_nsec);
}

/* Runs data/generate with cwd data/, waits at most GENERATE_TIMEOUT_MS. */
static int run_generator(struct loader *L, const char *data_dir)
{
    pid_t pid = fork();
    if (pid < 0) return fail(L, "data/generate: fork: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(data_dir) < 0 || dup2(2, 1) < 0) _exit(126);
        execl("./generate", "./generate", (char *)NULL);
        _exit(127);
    }
    int64_t deadline = gv_now_ms() + GENERATE_TIMEOUT_MS;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return fail(L, "data/generate: waitpid: %s", strerror(errno));
        if (gv_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return fail(L, "data/generate: took longer than %d s", GENERATE_TIMEOUT_MS / 1000);
        }
        usleep(20000);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail(L, "data/generate: failed (%s %d)", WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}

static int maybe_generate(struct loader *L, const char *dir)
{
    char *data = path_join(dir, "data");
    char *script = data ? path_join(data, "generate") : NULL;
    char *stamp = data ? path_join(data, ".generated") : NULL;
    char *lockp = data ? path_join(data, ".generate.lock") : NULL;
    int rc = 0, fd = -1;
    if (!lockp) {
        rc = fail(L, "out of memory");
        goto done;
    }
    if (access(script, X_OK) != 0 || !stamp_stale(script, stamp)) goto done;
    fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        rc = fail(L, "%s: %s", lockp, strerror(errno));
        goto done;
    }
    if (stamp_stale(script, stamp)) { /* another loader may have done it while we waited */
        gv_info("%s: running data/generate", dir);
        rc = run_generator(L, data);
        int sfd = rc == 0 ? open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if (rc == 0 && sfd < 0) rc = fail(L, "%s: %s", stamp, strerror(errno));
        if (sfd >= 0) close(sfd);
    }
done:
    if (fd >= 0) close(fd);
    free(data);
    free(script);
    free(stamp);
    free(lockp);
    return rc;
}

/*** problem.yaml ***/

/* Collects flags words from a string ("a b c") or a list into dst. */
static size_t read_flags(const cJSON *v, char **dst, size_t max)
{
    size_t n = 0;
    if (cJSON_IsString(v)) {
        char *copy = strdup(v->valuestring), *save = NULL;
        for (char *w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w && n < max;
             w = strtok_r(NULL, " \t\n", &save))
            dst[n++] = strdup(w);
        free(copy);
    } else if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) if (cJSON_IsString(it) && n < max) dst[n++] =
            strdup(it->valuestring);
    }
    return n;
}

static void free_flags(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

int judge_dv_flags_parse(struct judge_dv_flags *f, char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *w = words[i];
        if (!w) continue;
        if (strcmp(w, "case_sensitive") == 0) {
            f->case_sensitive = true;
        } else if (strcmp(w, "space_change_sensitive") == 0) {
            f->space_change_sensitive = true;
        } else if (strcmp(w, "float_tolerance") == 0 ||
                   strcmp(w, "float_absolute_tolerance") == 0 ||
                   strcmp(w, "float_relative_tolerance") == 0) {
            char *end;
            double v = i + 1 < n && words[i + 1] ? strtod(words[i + 1], &end) : -1;
            if (i + 1 >= n || !words[i + 1] || end == words[i + 1] || *end || !(v >= 0)) return -1;
            if (strcmp(w, "float_relative_tolerance") != 0) f->float_abs = v;
            if (strcmp(w, "float_absolute_tolerance") != 0) f->float_rel = v;
            i++;
        }
    }
    return 0;
}

static void read_name(struct judge_problem *p, const cJSON *y)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(y, "name");
    if (cJSON_IsObject(name))
        name = cJSON_GetObjectItemCaseSensitive(name, "en")
                   ? cJSON_GetObjectItemCaseSensitive(name, "en")
                   : name->child;
    gv_strlcpy(p->name, cJSON_IsString(name) ? name->valuestring : p->id, sizeof p->name);
}

/* type: "scoring" / ["scoring", "interactive"] (2023-07) */
static void read_type(struct judge_problem *p, const cJSON *y)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(y, "type");
    const cJSON *it, *list = cJSON_IsArray(t) ? t : NULL;
    if (cJSON_IsString(t)) {
        p->scoring = strstr(t->valuestring, "scoring") != NULL;
        if (strstr(t->valuestring, "interactive")) p->validation = JUDGE_VALIDATION_INTERACTIVE;
    }
    cJSON_ArrayForEach(it, list)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, "scoring") == 0) p->scoring = true;
        if (cJSON_IsString(it) && strcmp(it->valuestring, "interactive") == 0)
            p->validation = JUDGE_VALIDATION_INTERACTIVE;
    }
}

/* Legacy `validation: custom interactive`, or a 2023-07 style map {interactive: true}. */
static int read_validation(struct loader *L, const cJSON *y)
{
    struct judge_problem *p = L->p;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(y, "validation");
    int b;
    if (judge_yaml_bool(y, "interactive", &b) == 0 && b)
        p->validation = JUDGE_VALIDATION_INTERACTIVE;
    if (cJSON_IsObject(v)) {
        if (judge_yaml_bool(v, "interactive", &b) == 0 && b)
            p->validation = JUDGE_VALIDATION_INTERACTIVE;
        else if (p->validation == JUDGE_VALIDATION_DEFAULT)
            p->validation = JUDGE_VALIDATION_CUSTOM;
        return 0;
    }
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v)) return fail(L, "problem.yaml: validation: expected a string");
    const char *s = v->valuestring;
    if (strcmp(s, "default") == 0) return 0;
    if (strncmp(s, "custom", 6) != 0)
        return fail(L, "problem.yaml: validation: unknown value \"%s\"", s);
    p->validation =
        strstr(s, "interactive") ? JUDGE_VALIDATION_INTERACTIVE : JUDGE_VALIDATION_CUSTOM;
    return 0;
}

static int read_mib(struct loader *L, const cJSON *limits, const char *key, uint64_t *kib)
{
    double d;
    if (!cJSON_GetObjectItemCaseSensitive(limits, key)) return 0;
    if (judge_yaml_number(limits, key, &d) < 0 || !(d > 0) || d > 1024 * 1024)
        return fail(L, "problem.yaml: limits.%s: expected a positive number of MiB", key);
    *kib = (uint64_t)(d * 1024);
    return 0;
}

static int read_limits(struct loader *L, const cJSON *y)
{
    struct judge_problem *p = L->p;
    const cJSON *limits = cJSON_GetObjectItemCaseSensitive(y, "limits");
    if (!limits || cJSON_IsNull(limits)) return 0;
    if (!cJSON_IsObject(limits)) return fail(L, "problem.yaml: limits: expected a mapping");
    double d;
    if (cJSON_GetObjectItemCaseSensitive(limits, "time_limit")) {
        if (judge_yaml_number(limits, "time_limit", &d) < 0 || !(d > 0) || d > 3600)
            return fail(L, "problem.yaml: limits.time_limit: expected seconds (0 < t <= 3600)");
        p->time_limit_ms = (uint32_t)ceil(d * 1000);
    }
    if (judge_yaml_number(limits, "time_multiplier", &d) == 0 && d > 0) p->time_multiplier = d;
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(limits, "time_multipliers");
    if (judge_yaml_number(tm, "ac_to_time_limit", &d) == 0 && d > 0) p->time_multiplier = d;
    if (read_mib(L, limits, "memory", &p->memory_kib) < 0 ||
        read_mib(L, limits, "output", &p->output_kib) < 0)
        return -1;
    return 0;
}

static int read_problem_yaml(struct loader *L)
{
    struct judge_problem *p = L->p;
    char *path = path_join(p->dir, "problem.yaml");
    size_t len;
    char *text = path ? gv_read_file(path, JUDGE_YAML_MAX, &len) : NULL;
    free(path);
    if (!text) return fail(L, "problem.yaml: %s", strerror(errno));
    char yerr[JUDGE_ERR_MAX];
    cJSON *y = judge_yaml_parse("problem.yaml", text, len, yerr, sizeof yerr);
    free(text);
    if (!y) return fail(L, "%s", yerr);
    read_name(p, y);
    const char *ver = judge_yaml_string(y, "problem_format_version");
    p->legacy = !ver || strcmp(ver, "legacy") == 0 || strncmp(ver, "legacy", 6) == 0;
    p->time_multiplier = p->legacy ? 5 : 2;
    read_type(p, y);
    int rc = read_validation(L, y);
    if (rc == 0) rc = read_limits(L, y);
    if (rc == 0) {
        p->n_validator_flags = read_flags(cJSON_GetObjectItemCaseSensitive(y, "validator_flags"),
                                          p->validator_flags, JUDGE_FLAGS_MAX);
        if (judge_dv_flags_parse(&p->dv, p->validator_flags, p->n_validator_flags) < 0)
            rc = fail(L, "problem.yaml: validator_flags: a tolerance needs a number");
    }
    cJSON_Delete(y);
    return rc;
}

static int read_timelimit_file(struct loader *L)
{
    struct judge_problem *p = L->p;
    if (p->time_limit_ms) return 0;
    char *path = path_join(p->dir, ".timelimit");
    size_t len;
    char *text = path ? gv_read_file(path, TIMELIMIT_FILE_MAX, &len) : NULL;
    free(path);
    if (!text) return errno == ENOENT ? 0 : fail(L, ".timelimit: %s", strerror(errno));
    char *end;
    double d = strtod(text, &end);
    while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
        end++;
    bool bad = end == text || *end || !(d > 0) || d > 3600;
    free(text);
    if (bad) return fail(L, ".timelimit: expected a number of seconds");
    p->time_limit_ms = (uint32_t)ceil(d * 1000);
    p->time_limit_from_file = true;
    return 0;
}

/*** Statement ***/

static int read_statement(struct loader *L)
{
    static const char *const names[] = {
        "statement/problem.en.md",
        "problem_statement/problem.en.md",
        "statement/problem.md",
        "problem_statement/problem.md",
        "problem_statement/problem.en.tex",
        "problem_statement/problem.tex",
        "statement/problem.en.tex",
    };
    struct judge_problem *p = L->p;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *path = path_join(p->dir, names[i]);
        size_t len;
        char *text = path ? gv_read_file(path, JUDGE_STATEMENT_MAX, &len) : NULL;
        int e = errno;
        free(path);
        if (!text && e == ENOENT) continue;
        if (!text) return fail(L, "%s: %s", names[i], strerror(e));
        bool tex = strstr(names[i], ".tex") != NULL;
        p->statement_html =
            tex ? judge_statement_tex_to_html(text, len) : judge_statement_md_to_html(text, len);
        free(text);
        return p->statement_html ? 0 : fail(L, "%s: cannot render", names[i]);
    }
    return 0;
}

/*** Output validator ***/

static int pick_validator(struct loader *L)
{
    struct judge_problem *p = L->p;
    char *single = path_join(p->dir, "output_validator");
    if (single && is_dir(single)) {
        p->validator_dir = single;
        return 0;
    }
    free(single);
    char *dir = path_join(p->dir, "output_validators");
    struct dirent **list = NULL;
    int n = dir && is_dir(dir) ? scandir(dir, &list, NULL, alphasort) : 0;
    for (int i = 0; i < n; i++) {
        if (!p->validator_dir && list[i]->d_name[0] != '.')
            p->validator_dir = path_join(dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    free(dir);
    if (p->validation != JUDGE_VALIDATION_DEFAULT && !p->validator_dir)
        return fail(L, "output_validators/: validation is custom but there is no validator");
    if (p->validation == JUDGE_VALIDATION_DEFAULT && p->validator_dir)
        p->validation = JUDGE_VALIDATION_CUSTOM; /* 2023-07: a validator is used when present */
    return 0;
}

/*** Test data ***/

/* Settings of a folder, inherited by its sub-folders. */
struct group_cfg {
    char *flags[JUDGE_FLAGS_MAX];
    size_t n_flags;
    bool has_flags;
    double score;
    bool has_score;
};

static int read_testdata_yaml(struct loader *L, const char *dir, const char *rel,
                              struct group_cfg *cfg)
{
    char *path = path_join(dir, "testdata.yaml");
    size_t len;
    char *text = path ? gv_read_file(path, JUDGE_YAML_MAX, &len) : NULL;
    int e = errno;
    free(path);
    if (!text) return e == ENOENT ? 0 : fail(L, "data/%s/testdata.yaml: %s", rel, strerror(e));
    char name[JUDGE_NAME_MAX + 32], yerr[JUDGE_ERR_MAX];
    snprintf(name, sizeof name, "data/%s/testdata.yaml", rel);
    cJSON *y = judge_yaml_parse(name, text, len, yerr, sizeof yerr);
    free(text);
    if (!y) return fail(L, "%s", yerr);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(y, "output_validator_flags");
    if (!f) f = cJSON_GetObjectItemCaseSensitive(y, "output_validator_args");
    if (f) {
        free_flags(cfg->flags, cfg->n_flags);
        cfg->n_flags = read_flags(f, cfg->flags, JUDGE_FLAGS_MAX);
        cfg->has_flags = true;
    }
    double d;
    const cJSON *scoring = cJSON_GetObjectItemCaseSensitive(y, "scoring");
    if (judge_yaml_number(y, "accept_score", &d) == 0 ||
        judge_yaml_number(scoring, "score", &d) == 0) {
        cfg->score = d;
        cfg->has_score = true;
    }
    cJSON_Delete(y);
    return 0;
}

struct walk {
    struct loader *L;
    struct judge_test *tests;
    size_t n, cap;
};

static int add_test(struct walk *w, const char *dir, const char *rel, const char *base,
                    const struct group_cfg *cfg)
{
    struct loader *L = w->L;
    if (w->n >= JUDGE_TESTS_MAX) return fail(L, "data/: more than %d test cases", JUDGE_TESTS_MAX);
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        struct judge_test *t = realloc(w->tests, cap * sizeof *t);
        if (!t) return fail(L, "out of memory");
        w->tests = t;
        w->cap = cap;
    }
    struct judge_test *t = &w->tests[w->n];
    memset(t, 0, sizeof *t);
    t->score_group = -1;
    if (snprintf(t->name, sizeof t->name, "%s/%s", rel, base) >= (int)sizeof t->name)
        return fail(L, "data/%s: path too long", rel);
    gv_strlcpy(t->group, rel, sizeof t->group);
    t->sample = strncmp(rel, "sample", 6) == 0;
    if (asprintf(&t->in_path, "%s/%s.in", dir, base) < 0 ||
        asprintf(&t->ans_path, "%s/%s.ans", dir, base) < 0)
        return fail(L, "out of memory");
    w->n++; /* from here on the test is owned by the list and freed with it */
    if (!is_file(t->ans_path)) return fail(L, "data/%s.in: no matching .ans", t->name);
    t->answer = gv_read_file(t->ans_path, JUDGE_ANSWER_MAX, &t->answer_len);
    if (!t->answer) return fail(L, "data/%s.ans: %s", t->name, strerror(errno));
    const struct judge_problem *p = L->p;
    char *const *flags = cfg->has_flags ? cfg->flags : p->validator_flags;
    size_t nf = cfg->has_flags ? cfg->n_flags : p->n_validator_flags;
    for (size_t i = 0; i < nf; i++)
        t->validator_flags[t->n_validator_flags++] = strdup(flags[i]);
    t->dv = p->dv;
    if (cfg->has_flags &&
        judge_dv_flags_parse(&t->dv, t->validator_flags, t->n_validator_flags) < 0)
        return fail(L, "data/%s/testdata.yaml: a tolerance needs a number", rel);
    return 0;
}

static int walk_dir(struct walk *w, const char *dir, const char *rel, struct group_cfg cfg,
                    int depth);

static int walk_entry(struct walk *w, const char *dir, const char *rel, const char *name,
                      const struct group_cfg *cfg, int depth)
{
    char *path = path_join(dir, name);
    if (!path) return fail(w->L, "out of memory");
    int rc = 0;
    size_t nl = strlen(name);
    if (is_dir(path)) {
        char sub[JUDGE_NAME_MAX];
        snprintf(sub, sizeof sub, "%s/%s", rel, name);
        struct group_cfg copy = *cfg;
        for (size_t i = 0; i < copy.n_flags; i++)
            copy.flags[i] = strdup(cfg->flags[i]);
        rc = walk_dir(w, path, sub, copy, depth + 1);
    } else if (nl > 3 && strcmp(name + nl - 3, ".in") == 0 && is_file(path)) {
        char base[JUDGE_NAME_MAX];
        snprintf(base, sizeof base, "%.*s", (int)(nl - 3), name);
        rc = add_test(w, dir, rel, base, cfg);
    }
    free(path);
    return rc;
}

/* Walks dir (data/<rel>) depth-first in name order; takes ownership of cfg's flags. */
static int walk_dir(struct walk *w, const char *dir, const char *rel, struct group_cfg cfg,
                    int depth)
{
    int rc = 0;
    struct dirent **list = NULL;
    int n = -1;
    if (depth > JUDGE_GROUP_DEPTH_MAX) rc = fail(w->L, "data/%s: groups nested too deeply", rel);
    if (rc == 0) rc = read_testdata_yaml(w->L, dir, rel, &cfg);
    if (rc == 0 && (n = scandir(dir, &list, NULL, alphasort)) < 0)
        rc = fail(w->L, "data/%s: %s", rel, strerror(errno));
    for (int i = 0; i < n; i++) {
        if (rc == 0 && list[i]->d_name[0] != '.')
            rc = walk_entry(w, dir, rel, list[i]->d_name, &cfg, depth);
        free(list[i]);
    }
    free(list);
    free_flags(cfg.flags, cfg.n_flags);
    return rc;
}

static int cmp_tests(const void *a, const void *b)
{
    return strcmp(((const struct judge_test *)a)->name, ((const struct judge_test *)b)->name);
}

/* The scoring group of a secret test: its first folder below secret/, or secret itself. */
static int assign_group(struct loader *L, struct judge_test *t)
{
    struct judge_problem *p = L->p;
    char gname[JUDGE_NAME_MAX];
    const char *rest = t->name + strlen("secret/");
    const char *slash = strchr(rest, '/');
    if (slash)
        snprintf(gname, sizeof gname, "secret/%.*s", (int)(slash - rest), rest);
    else
        gv_strlcpy(gname, "secret", sizeof gname);
    for (size_t g = 0; g < p->n_groups; g++) {
        if (strcmp(p->groups[g].name, gname) == 0) {
            t->score_group = (int)g;
            return 0;
        }
    }
    struct judge_score_group *ng = realloc(p->groups, (p->n_groups + 1) * sizeof *ng);
    if (!ng) return fail(L, "out of memory");
    p->groups = ng;
    struct judge_score_group *grp = &ng[p->n_groups];
    memset(grp, 0, sizeof *grp);
    gv_strlcpy(grp->name, gname, sizeof grp->name);
    grp->score = 1;
    grp->per_test = true;
    char *gdir = path_join(p->dir, "data");
    char *full = gdir ? path_join(gdir, gname) : NULL;
    struct group_cfg cfg = {0};
    if (full && strcmp(gname, "secret") != 0) read_testdata_yaml(L, full, gname, &cfg);
    if (cfg.has_score) {
        grp->score = cfg.score;
        grp->per_test = false;
    }
    free_flags(cfg.flags, cfg.n_flags);
    free(full);
    free(gdir);
    t->score_group = (int)p->n_groups++;
    return 0;
}

static void compute_max_score(struct judge_problem *p)
{
    p->max_score = 0;
    for (size_t g = 0; g < p->n_groups; g++) {
        if (!p->groups[g].per_test) {
            p->max_score += p->groups[g].score;
            continue;
        }
        for (size_t i = 0; i < p->n_tests; i++)
            if (p->tests[i].score_group == (int)g) p->max_score += p->groups[g].score;
    }
}

static int read_tests(struct loader *L)
{
    struct judge_problem *p = L->p;
    static const char *const parts[] = {"sample", "secret"};
    struct walk w = {L, NULL, 0, 0};
    int rc = 0;
    char *data = path_join(p->dir, "data");
    struct group_cfg root = {0};
    if (data && is_dir(data)) rc = read_testdata_yaml(L, data, ".", &root);
    for (size_t i = 0; rc == 0 && data && i < 2; i++) {
        char *dir = path_join(data, parts[i]);
        size_t first = w.n;
        if (dir && is_dir(dir)) {
            struct group_cfg cfg = root;
            for (size_t k = 0; k < root.n_flags; k++)
                cfg.flags[k] = strdup(root.flags[k]);
            rc = walk_dir(&w, dir, parts[i], cfg, 1);
        }
        free(dir);
        if (rc == 0 && w.n > first) qsort(w.tests + first, w.n - first, sizeof *w.tests, cmp_tests);
        if (i == 0) p->n_samples = w.n;
    }
    free_flags(root.flags, root.n_flags);
    free(data);
    p->tests = w.tests;
    p->n_tests = w.n;
    if (rc == 0 && p->n_tests == p->n_samples) rc = fail(L, "data/secret: no test cases");
    for (size_t i = p->n_samples; rc == 0 && p->scoring && i < p->n_tests; i++)
        rc = assign_group(L, &p->tests[i]);
    if (rc == 0 && p->scoring) compute_max_score(p);
    return rc;
}

/*** Loading ***/

struct judge_problem *judge_problem_load(const char *dir, char *err, size_t err_size)
{
    struct judge_problem *p = calloc(1, sizeof *p);
    struct loader L = {p, err, err_size};
    char real[PATH_MAX];
    if (!p) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (!realpath(dir, real) || !is_dir(real)) {
        snprintf(err, err_size, "%s: not a problem package folder (%s)", dir,
                 strerror(errno ? errno : ENOTDIR));
        free(p);
        return NULL;
    }
    p->dir = strdup(real);
    const char *slash = strrchr(real, '/');
    gv_strlcpy(p->id, slash ? slash + 1 : real, sizeof p->id);
    p->memory_kib = (uint64_t)JUDGE_DEFAULT_MEMORY_MIB * 1024;
    p->output_kib = (uint64_t)JUDGE_DEFAULT_OUTPUT_MIB * 1024;
    judge_dv_flags_default(&p->dv);
    int rc = p->dir ? 0 : fail(&L, "out of memory");
    if (rc == 0) rc = maybe_generate(&L, p->dir);
    if (rc == 0) rc = read_problem_yaml(&L);
    if (rc == 0) rc = read_timelimit_file(&L);
    if (rc == 0) rc = read_statement(&L);
    if (rc == 0) rc = pick_validator(&L);
    if (rc == 0) rc = read_tests(&L);
    if (rc < 0) {
        judge_problem_free(p);
        return NULL;
    }
    return p;
}

void judge_problem_free(struct judge_problem *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_tests; i++) {
        struct judge_test *t = &p->tests[i];
        free(t->in_path);
        free(t->ans_path);
        free(t->answer);
        free_flags(t->validator_flags, t->n_validator_flags);
    }
    free(p->tests);
    free(p->groups);
    free_flags(p->validator_flags, p->n_validator_flags);
    free(p->validator_dir);
    free(p->statement_html);
    free(p->dir);
    free(p);
}

/*** Output ***/

static const char *validation_name(enum judge_validation v)
{
    static const char *const names[] = {"default", "custom", "custom interactive"};
    return names[v];
}

static void add_samples(cJSON *o, const struct judge_problem *p)
{
    cJSON *arr = cJSON_AddArrayToObject(o, "samples");
    for (size_t i = 0; i < p->n_samples; i++) {
        size_t len = 0;
        char *in = gv_read_file(p->tests[i].in_path, JUDGE_SAMPLE_SHOW_MAX, &len);
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", p->tests[i].name);
        cJSON_AddStringToObject(s, "input", in ? in : "(too large to show)");
        cJSON_AddStringToObject(s, "output",
                                p->tests[i].answer_len <= JUDGE_SAMPLE_SHOW_MAX
                                    ? p->tests[i].answer
                                    : "(too large to show)");
        free(in);
        cJSON_AddItemToArray(arr, s);
    }
}

cJSON *judge_problem_to_json(const struct judge_problem *p, bool full)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    if (p->time_limit_ms)
        cJSON_AddNumberToObject(lim, "time_ms", p->time_limit_ms);
    else
        cJSON_AddNullToObject(lim, "time_ms");
    cJSON_AddNumberToObject(lim, "memory_mib", (double)(p->memory_kib / 1024));
    cJSON_AddNumberToObject(lim, "output_mib", (double)(p->output_kib / 1024));
    cJSON_AddStringToObject(o, "type", p->scoring ? "scoring" : "pass-fail");
    cJSON_AddStringToObject(o, "validation", validation_name(p->validation));
    cJSON_AddNumberToObject(o, "tests", (double)p->n_tests);
    if (p->scoring) cJSON_AddNumberToObject(o, "max_score", p->max_score);
    if (full) {
        cJSON_AddStringToObject(o, "statement_html", p->statement_html ? p->statement_html : "");
        add_samples(o, p);
    }
    return o;
}

int judge_problem_write_timelimit(const char *dir, uint32_t ms, char *err, size_t err_size)
{
    char *path = path_join(dir, ".timelimit");
    char text[32];
    int n = snprintf(text, sizeof text, "%g\n", ms / 1000.0);
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    int rc = fd >= 0 ? gv_write_all(fd, text, (size_t)n) : -1;
    if (rc < 0) snprintf(err, err_size, "%s/.timelimit: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(path);
    return rc;
}
