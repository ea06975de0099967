/*
 * lang.c - the language table.
 *
 * Theory of operation: judge/languages.json is parsed once with cJSON into fixed-size entries
 * (struct judge_lang); everything about a language lives in the data, so the engine only expands
 * placeholders in the argv templates and hands them to the sandbox. Versions are asked of the
 * toolchain itself, once, on the host (the binaries are Debian's, under /usr): the first line of
 * `version` is cached behind a mutex, since engines and gateways ask from several threads.
 * Java needs its main file named after the public class: judge_lang_java_main_class() scans the
 * source (skipping comments, strings and character literals) for the class that declares main.
 */
#include "lang.h"

#include "gv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef GAVEL_LANGUAGES_DEFAULT
#define GAVEL_LANGUAGES_DEFAULT "/usr/share/gavel/languages.json"
#endif

/*** Loading ***/

static int copy_argv(const cJSON *arr, char **dst, size_t max, size_t *n_out)
{
    size_t n = 0;
    const cJSON *it;
    if (arr && !cJSON_IsArray(arr)) return -1;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || n >= max) return -1;
        dst[n] = strdup(it->valuestring);
        if (!dst[n]) return -1;
        n++;
    }
    dst[n] = NULL;
    if (n_out) *n_out = n;
    return 0;
}

static char *dup_string(const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v)) return strdup(v->valuestring);
    return dflt ? strdup(dflt) : NULL;
}

static uint64_t get_uint(const cJSON *obj, const char *key, uint64_t dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (uint64_t)v->valuedouble : dflt;
}

static void read_compile_limits(const cJSON *o, struct judge_lang_limits *l)
{
    l->cpu_ms = (uint32_t)get_uint(o, "cpu_ms", 30000);
    l->wall_ms = (uint32_t)get_uint(o, "wall_ms", 2 * l->cpu_ms);
    l->memory_kib = get_uint(o, "memory_mib", 1024) * 1024;
    l->output_kib = get_uint(o, "output_mib", 64) * 1024;
    l->processes = (uint32_t)get_uint(o, "processes", 16);
}

static int read_lang(const cJSON *o, struct judge_lang *l, char *why, size_t why_size)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
    if (!id || !*id || strlen(id) >= sizeof l->id) {
        snprintf(why, why_size, "missing or bad \"id\"");
        return -1;
    }
    gv_strlcpy(l->id, id, sizeof l->id);
    l->name = dup_string(o, "name", id);
    l->source_name = dup_string(o, "source_name", NULL);
    l->compile_policy = dup_string(o, "compile_policy", "compiler");
    l->run_policy = dup_string(o, "run_policy", "strict");
    if (!l->name || !l->source_name || !l->compile_policy || !l->run_policy) {
        snprintf(why, why_size, "%s: missing \"source_name\"", id);
        return -1;
    }
    static const char *const lists[] = {"extensions", "compile", "run", "version", "env"};
    char **dst[] = {l->extensions, l->compile, l->run, l->version_cmd, l->env};
    size_t max[] = {JUDGE_LANG_EXT_MAX - 1, JUDGE_LANG_ARGV_MAX, JUDGE_LANG_ARGV_MAX,
                    JUDGE_LANG_ARGV_MAX, JUDGE_LANG_ARGV_MAX};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        size_t n = 0;
        if (copy_argv(cJSON_GetObjectItemCaseSensitive(o, lists[i]), dst[i], max[i], &n) < 0) {
            snprintf(why, why_size, "%s: \"%s\" must be a list of at most %zu strings", id,
                     lists[i], max[i]);
            return -1;
        }
        if (i == 0) l->n_extensions = n;
    }
    if (!l->run[0]) {
        snprintf(why, why_size, "%s: missing \"run\"", id);
        return -1;
    }
    l->run_processes = (uint32_t)get_uint(o, "run_processes", 0);
    l->main_class = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "main_class"));
    read_compile_limits(cJSON_GetObjectItemCaseSensitive(o, "compile_limits"), &l->compile_limits);
    return 0;
}

struct judge_langs *judge_langs_load(const char *path, char *err, size_t err_size)
{
    size_t len;
    char *text = gv_read_file(path, JUDGE_LANG_TABLE_MAX, &len);
    if (!text) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "languages");
    if (!cJSON_IsArray(arr)) {
        snprintf(err, err_size, "%s: not a JSON object with a \"languages\" list", path);
        cJSON_Delete(root);
        return NULL;
    }
    struct judge_langs *l = calloc(1, sizeof *l);
    const cJSON *it;
    char why[256] = "out of memory";
    cJSON_ArrayForEach(it, arr)
    {
        if (!l || l->n >= JUDGE_LANG_MAX || read_lang(it, &l->langs[l->n++], why, sizeof why)) {
            if (l && l->n >= JUDGE_LANG_MAX)
                snprintf(why, sizeof why, "more than %d languages", JUDGE_LANG_MAX);
            snprintf(err, err_size, "%s: %s", path, why);
            judge_langs_free(l);
            cJSON_Delete(root);
            return NULL;
        }
    }
    cJSON_Delete(root);
    return l;
}

struct judge_langs *judge_langs_load_default(char *err, size_t err_size)
{
    const char *path = getenv("GAVEL_LANGUAGES");
    return judge_langs_load(path && *path ? path : GAVEL_LANGUAGES_DEFAULT, err, err_size);
}

static void free_list(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
}

void judge_langs_free(struct judge_langs *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        struct judge_lang *g = &l->langs[i];
        free(g->name);
        free(g->source_name);
        free(g->compile_policy);
        free(g->run_policy);
        free_list(g->extensions);
        free_list(g->compile);
        free_list(g->run);
        free_list(g->version_cmd);
        free_list(g->env);
    }
    free(l);
}

/*** Lookups ***/

const struct judge_lang *judge_lang_by_id(const struct judge_langs *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n; i++)
        if (strcmp(l->langs[i].id, id) == 0) return &l->langs[i];
    return NULL;
}

const struct judge_lang *judge_lang_by_file(const struct judge_langs *l, const char *file_name)
{
    const char *dot = file_name ? strrchr(file_name, '.') : NULL;
    if (!dot) return NULL;
    for (size_t i = 0; l && i < l->n; i++)
        for (size_t e = 0; e < l->langs[i].n_extensions; e++)
            if (strcmp(l->langs[i].extensions[e], dot + 1) == 0) return &l->langs[i];
    return NULL;
}

bool judge_lang_available(const struct judge_lang *lang, char *why, size_t why_size)
{
    char *const *cmd = lang->compile[0] ? lang->compile : lang->run;
    if (access(cmd[0], X_OK) == 0) return true;
    snprintf(why, why_size, "%s: %s not installed", lang->id, cmd[0]);
    return false;
}

/*** Versions ***/

#define VERSION_CACHE_MAX 64

static pthread_mutex_t version_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char key[512];
    char version[JUDGE_LANG_VERSION_MAX];
} version_cache[VERSION_CACHE_MAX];
static size_t version_n;

/* Runs argv on the host with stdout+stderr into a pipe; first line into out. */
static int run_version(char *const *argv, char *out, size_t size)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    char buf[1024];
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0) n += (size_t)r;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (n == 0 || !buf[0]) return -1;
    gv_strlcpy(out, buf, size);
    return 0;
}

const char *judge_lang_version(const struct judge_lang *lang)
{
    if (!lang->version_cmd[0]) return "unknown";
    char key[512];
    snprintf(key, sizeof key, "%s", lang->version_cmd[0]);
    for (size_t i = 1; lang->version_cmd[i]; i++)
        snprintf(key + strlen(key), sizeof key - strlen(key), " %s", lang->version_cmd[i]);
    pthread_mutex_lock(&version_lock);
    for (size_t i = 0; i < version_n; i++) {
        if (strcmp(version_cache[i].key, key) == 0) {
            pthread_mutex_unlock(&version_lock);
            return version_cache[i].version;
        }
    }
    const char *res = "unknown";
    if (version_n < VERSION_CACHE_MAX) {
        size_t i = version_n;
        if (run_version(lang->version_cmd, version_cache[i].version, JUDGE_LANG_VERSION_MAX) < 0)
            gv_strlcpy(version_cache[i].version, "unknown", JUDGE_LANG_VERSION_MAX);
        gv_strlcpy(version_cache[i].key, key, sizeof version_cache[i].key);
        version_n++;
        res = version_cache[i].version;
    }
    pthread_mutex_unlock(&version_lock);
    return res;
}

/*** Java's main class ***/

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Skips a comment, string or char literal starting at i; returns the index after it (i if none). */
static size_t skip_noise(const char *s, size_t i, size_t n)
{
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
        while (i < n && s[i] != '\n')
            i++;
        return i;
    }
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
        i += 2;
        while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'))
            i++;
        return i + 2 < n ? i + 2 : n;
    }
    if (s[i] == '"' || s[i] == '\'') {
        char q = s[i++];
        while (i < n && s[i] != q) {
            if (s[i] == '\\') i++;
            i++;
        }
        return i < n ? i + 1 : n;
    }
    return i;
}

static bool word_at(const char *s, size_t i, size_t n, const char *w)
{
    size_t l = strlen(w);
    return i + l <= n && memcmp(s + i, w, l) == 0 && (i == 0 || !ident_char(s[i - 1])) &&
           (i + l == n || !ident_char(s[i + l]));
}

#define JAVA_NEST_MAX 32 /* nesting of classes followed */

struct java_scan {
    char names[JAVA_NEST_MAX][JUDGE_LANG_ID_MAX * 4]; /* classes open at each level */
    int class_depth[JAVA_NEST_MAX];                   /* brace depth inside each */
    int n;                                            /* classes open */
    char pending[JUDGE_LANG_ID_MAX * 4];              /* declared, its '{' not seen yet */
    int depth;                                        /* braces open */
    char first_public[JUDGE_LANG_ID_MAX * 4];
};

/* Reads the name after "class"/"record"/... at i; returns the index after it. */
static size_t java_decl(struct java_scan *j, const char *s, size_t i, size_t n, bool is_public)
{
    i += strcspn(s + i, " \t\r\n");
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    size_t k = 0;
    while (i < n && ident_char(s[i]) && k + 1 < sizeof j->pending)
        j->pending[k++] = s[i++];
    j->pending[k] = '\0';
    if (is_public && !j->first_public[0]) memcpy(j->first_public, j->pending, sizeof j->pending);
    return i;
}

static void java_brace(struct java_scan *j, char c)
{
    if (c == '{') {
        j->depth++;
        if (j->pending[0] && j->n < JAVA_NEST_MAX) {
            memcpy(j->names[j->n], j->pending, sizeof j->pending);
            j->class_depth[j->n++] = j->depth;
        }
        j->pending[0] = '\0';
    } else {
        if (j->n > 0 && j->class_depth[j->n - 1] == j->depth) j->n--;
        j->depth--;
    }
}

int judge_lang_java_main_class(const char *s, size_t n, char *out, size_t out_size)
{
    struct java_scan *j = calloc(1, sizeof *j);
    bool saw_public = false;
    int rc = -1;
    for (size_t i = 0; j && i < n;) {
        size_t k = skip_noise(s, i, n);
        if (k != i) {
            i = k;
            continue;
        }
        if (word_at(s, i, n, "public")) saw_public = true;
        if (word_at(s, i, n, "class") || word_at(s, i, n, "record") ||
            word_at(s, i, n, "interface") || word_at(s, i, n, "enum")) {
            i = java_decl(j, s, i, n, saw_public);
            saw_public = false;
            continue;
        }
        if (s[i] == '{' || s[i] == '}') java_brace(j, s[i]);
        if (s[i] == ';' || s[i] == '{' || s[i] == '}') saw_public = false;
        if (word_at(s, i, n, "main") && j->n > 0) {
            size_t m = i + 4;
            while (m < n && isspace((unsigned char)s[m]))
                m++;
            if (m < n && s[m] == '(') {
                gv_strlcpy(out, j->names[j->n - 1], out_size);
                rc = 0;
                break;
            }
        }
        i++;
    }
    if (rc < 0 && j && j->first_public[0]) {
        gv_strlcpy(out, j->first_public, out_size);
        rc = 0;
    }
    free(j);
    return rc;
}

int judge_lang_file_name(const struct judge_lang *lang, const char *source, size_t len, char *out,
                         size_t out_size)
{
    if (!lang->main_class) {
        gv_strlcpy(out, lang->source_name, out_size);
        return 0;
    }
    char cls[128];
    if (judge_lang_java_main_class(source, len, cls, sizeof cls) < 0) {
        gv_strlcpy(out, lang->source_name, out_size);
        return 0;
    }
    const char *dot = strrchr(lang->source_name, '.');
    snprintf(out, out_size, "%s%s", cls, dot ? dot : "");
    return 0;
}

/*** Placeholders ***/

static char *expand_word(const char *w, const char *source, const char *mainclass, uint64_t mem)
{
    struct gv_buf b;
    gv_buf_init(&b, 4096);
    for (const char *p = w; *p;) {
        static const char *const names[] = {"{source}", "{mainclass}", "{memory_mib}"};
        char memtxt[32];
        snprintf(memtxt, sizeof memtxt, "%llu", (unsigned long long)(mem / 1024));
        const char *vals[] = {source, mainclass, memtxt};
        size_t i;
        for (i = 0; i < 3; i++)
            if (strncmp(p, names[i], strlen(names[i])) == 0) break;
        int rc = i < 3 ? gv_buf_append(&b, vals[i], strlen(vals[i])) : gv_buf_append(&b, p, 1);
        if (rc < 0) {
            gv_buf_free(&b);
            return NULL;
        }
        p += i < 3 ? strlen(names[i]) : 1;
    }
    if (!b.data && gv_buf_append(&b, "", 0) < 0) return NULL;
    return gv_buf_steal(&b);
}

char **judge_lang_expand(char *const *tmpl, const char *const *files, size_t n_files,
                         uint64_t memory_kib)
{
    size_t cap = 0;
    for (size_t i = 0; tmpl[i]; i++)
        cap += strcmp(tmpl[i], "{files}") == 0 ? n_files : 1;
    if (cap > JUDGE_LANG_ARGV_MAX + 64 || n_files == 0) return NULL;
    char **argv = calloc(cap + 1, sizeof *argv);
    if (!argv) return NULL;
    char mainclass[256];
    gv_strlcpy(mainclass, files[0], sizeof mainclass);
    char *dot = strrchr(mainclass, '.');
    if (dot) *dot = '\0';
    size_t k = 0;
    for (size_t i = 0; tmpl[i]; i++) {
        if (strcmp(tmpl[i], "{files}") == 0) {
            for (size_t f = 0; f < n_files; f++)
                if (!(argv[k++] = strdup(files[f]))) goto fail;
            continue;
        }
        if (!(argv[k++] = expand_word(tmpl[i], files[0], mainclass, memory_kib))) goto fail;
    }
    return argv;
fail:
    judge_argv_free(argv);
    return NULL;
}

void judge_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

cJSON *judge_langs_to_json(const struct judge_langs *l)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < l->n; i++) {
        const struct judge_lang *g = &l->langs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", g->id);
        cJSON_AddStringToObject(o, "name", g->name);
        cJSON_AddStringToObject(o, "version", judge_lang_version(g));
        cJSON *ext = cJSON_AddArrayToObject(o, "extensions");
        for (size_t e = 0; e < g->n_extensions; e++)
            cJSON_AddItemToArray(ext, cJSON_CreateString(g->extensions[e]));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}
