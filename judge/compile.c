/*
 * compile.c - compiling submissions and custom validators, with a cache.
 *
 * Theory of operation: a program's cache key is the SHA-256 of (kind, language id, compiler
 * version, every file's name and bytes). Its entry is a folder cache_dir/<kind>/<key> holding
 * whatever the compile left in the box's work folder (sources, binary, class files) plus a status
 * file (JUDGE_COMPILE_META: "AC" or "CE" on the first line, the compiler's messages after it). A
 * hit skips the compiler; a miss compiles in a box with the language's compiler policy and
 * compile limits, exports the work folder into a fresh temporary folder next to the entry and
 * renames it into place, so concurrent compiles of the same source (threads or processes) are
 * harmless: the first rename wins and the others throw theirs away. Only real compile errors
 * (the compiler exited non-zero) are cached as CE; a compiler that ran out of time or memory is CE
 * for this submission but compiled again next time, and anything of ours is JE, never cached.
 */
#include "engine_internal.h"

#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define VALIDATOR_FILE_MAX (1u << 20) /* one validator source */

void judge_sha256_hex(const void *const *parts, const size_t *lens, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        uint64_t l = lens[i];
        EVP_DigestUpdate(ctx, &l, sizeof l);
        EVP_DigestUpdate(ctx, parts[i], lens[i]);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void cache_key(const char *kind, const struct judge_lang *lang,
                      const struct judge_file *files, size_t n, char out[65])
{
    const void *parts[3 + 2 * JUDGE_FILES_MAX];
    size_t lens[3 + 2 * JUDGE_FILES_MAX], k = 0;
    const char *version = judge_lang_version(lang);
    parts[k] = kind, lens[k++] = strlen(kind);
    parts[k] = lang->id, lens[k++] = strlen(lang->id);
    parts[k] = version, lens[k++] = strlen(version);
    for (size_t i = 0; i < n && i < JUDGE_FILES_MAX; i++) {
        parts[k] = files[i].name, lens[k++] = strlen(files[i].name);
        parts[k] = files[i].data, lens[k++] = files[i].len;
    }
    judge_sha256_hex(parts, lens, k, out);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads a cache entry's status; 0 when present. */
static int read_meta(const char *dir, struct judge_compiled *c)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, JUDGE_COMPILE_META);
    size_t len;
    char *text = gv_read_file(path, JUDGE_COMPILE_OUTPUT_MAX + 16, &len);
    if (!text) return -1;
    char *nl = strchr(text, '\n');
    c->verdict = strncmp(text, "AC", 2) == 0 ? JUDGE_AC : JUDGE_CE;
    c->output = strdup(nl ? nl + 1 : "");
    if (c->verdict == JUDGE_CE) c->message = strdup("compilation failed");
    c->cached = true;
    free(text);
    return 0;
}

static int write_meta(const char *dir, enum judge_verdict v, const char *output)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, JUDGE_COMPILE_META);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    const char *head = v == JUDGE_AC ? "AC\n" : "CE\n";
    int rc = gv_write_all(fd, head, 3);
    if (rc == 0) rc = gv_write_all(fd, output, strlen(output));
    close(fd);
    return rc;
}

/* Publishes a finished compile: tmp folder renamed to dir (or dropped when another won). */
static int publish(const char *tmp, const char *dir, enum judge_verdict v, const char *output,
                   char *err, size_t err_size)
{
    if (write_meta(tmp, v, output) < 0) {
        snprintf(err, err_size, "write %s/%s: %s", tmp, JUDGE_COMPILE_META, strerror(errno));
        rm_rf(tmp);
        return -1;
    }
    if (rename(tmp, dir) < 0) {
        int e = errno;
        rm_rf(tmp);
        if (e != EEXIST && e != ENOTEMPTY) {
            snprintf(err, err_size, "rename %s: %s", dir, strerror(e));
            return -1;
        }
    }
    return 0;
}

/* Reads the capped compiler messages from fd. */
static char *read_messages(int fd)
{
    struct gv_buf b;
    gv_buf_init(&b, JUDGE_COMPILE_OUTPUT_MAX);
    char chunk[4096];
    ssize_t n;
    if (lseek(fd, 0, SEEK_SET) < 0) return strdup("");
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        size_t room = JUDGE_COMPILE_OUTPUT_MAX - b.len;
        if ((size_t)n > room) {
            gv_buf_append(&b, chunk, room);
            static const char cut[] = "\n... (compiler output cut)\n";
            if (b.len + sizeof cut - 1 <= JUDGE_COMPILE_OUTPUT_MAX)
                gv_buf_append(&b, cut, sizeof cut - 1);
            break;
        }
        gv_buf_append(&b, chunk, (size_t)n);
    }
    if (!b.data) return strdup("");
    return gv_buf_steal(&b);
}

static int open_scratch(struct judge_engine *e)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tmp/msgXXXXXX", e->cache_dir);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}

/* The compile command's {files}: files of the language's extensions, main first. */
static size_t source_names(const struct judge_program *prog, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < prog->n_files; i++) {
        const char *dot = strrchr(prog->files[i], '.');
        for (size_t k = 0; dot && k < prog->lang->n_extensions; k++) {
            if (strcmp(dot + 1, prog->lang->extensions[k]) == 0) {
                names[n++] = prog->files[i];
                break;
            }
        }
    }
    return n;
}

/* Maps the compiler's sandbox result onto the compile's verdict. */
static void compile_verdict(const struct judge_lang *lang, const struct sbx_result *r,
                            struct judge_compiled *c)
{
    const struct judge_lang_limits *l = &lang->compile_limits;
    char msg[512];
    c->verdict = JUDGE_CE;
    switch (r->status) {
    case SBX_OK:
        c->verdict = JUDGE_AC;
        return;
    case SBX_TLE:
        snprintf(msg, sizeof msg, "the compiler ran longer than %u s and was stopped",
                 l->cpu_ms / 1000);
        break;
    case SBX_MLE:
        snprintf(msg, sizeof msg, "the compiler used more than %llu MiB and was stopped",
                 (unsigned long long)(l->memory_kib / 1024));
        break;
    case SBX_OLE:
        snprintf(msg, sizeof msg, "the compiler wrote more than %llu MiB and was stopped",
                 (unsigned long long)(l->output_kib / 1024));
        break;
    case SBX_RTE:
        if (r->syscall[0] || r->exit_code == 127) {
            c->verdict = JUDGE_JE;
            snprintf(msg, sizeof msg, "compiler failed in the sandbox: %s", r->message);
        } else if (r->signal) {
            snprintf(msg, sizeof msg, "the compiler was killed by signal %d", r->signal);
        } else {
            snprintf(msg, sizeof msg, "compilation failed (exit code %d)", r->exit_code);
        }
        break;
    default:
        c->verdict = JUDGE_JE;
        snprintf(msg, sizeof msg, "sandbox: %s", r->message);
        break;
    }
    c->message = strdup(msg);
}

static int run_compiler(struct judge_engine *e, struct sbx_box *box, struct judge_program *prog,
                        struct judge_compiled *c, bool *cacheable)
{
    const struct judge_lang *lang = prog->lang;
    const char *names[JUDGE_FILES_MAX];
    size_t n = source_names(prog, names);
    char **argv = n ? judge_lang_expand(lang->compile, names, n, 0) : NULL;
    int fd = open_scratch(e);
    if (!argv || fd < 0) {
        c->verdict = argv ? JUDGE_JE : JUDGE_CE;
        c->message =
            strdup(argv ? "cannot make a scratch file" : "no source file for the language");
        judge_argv_free(argv);
        if (fd >= 0) close(fd);
        return 0;
    }
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.argv = (const char *const *)argv;
    spec.envp = (const char *const *)lang->env;
    spec.stdout_fd = fd;
    spec.stderr_fd = fd;
    spec.work_writable = true;
    spec.policy = (enum sbx_policy)sbx_policy_from_name(lang->compile_policy);
    spec.limits.cpu_ms = lang->compile_limits.cpu_ms;
    spec.limits.wall_ms = lang->compile_limits.wall_ms;
    spec.limits.memory_kib = lang->compile_limits.memory_kib;
    spec.limits.output_kib = lang->compile_limits.output_kib;
    spec.limits.processes = lang->compile_limits.processes;
    spec.limits.open_files = JUDGE_OPEN_FILES;
    struct sbx_result r;
    memset(&r, 0, sizeof r);
    sbx_run(box, &spec, &r);
    judge_argv_free(argv);
    c->output = read_messages(fd);
    close(fd);
    compile_verdict(lang, &r, c);
    *cacheable = r.status == SBX_OK || (r.status == SBX_RTE && c->verdict == JUDGE_CE && !r.signal);
    return 0;
}

static void set_je(struct judge_compiled *c, const char *fmt, const char *arg)
{
    char msg[PATH_MAX + 128];
    snprintf(msg, sizeof msg, fmt, arg, strerror(errno));
    c->verdict = JUDGE_JE;
    free(c->message);
    c->message = strdup(msg);
}

static int put_files(struct sbx_box *box, const struct judge_file *files, size_t n,
                     struct judge_compiled *c)
{
    if (sbx_box_clean(box) < 0) {
        set_je(c, "clean box%s: %s", "");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (sbx_box_put(box, files[i].name, files[i].data, files[i].len, 0644) < 0) {
            set_je(c, "put %s in the box: %s", files[i].name);
            return -1;
        }
    }
    return 0;
}

int judge_compile(struct judge_engine *e, struct sbx_box *box, const char *kind,
                  struct judge_program *prog, const struct judge_file *files, size_t n,
                  struct judge_compiled *c)
{
    memset(c, 0, sizeof *c);
    char key[65];
    cache_key(kind, prog->lang, files, n, key);
    snprintf(prog->dir, sizeof prog->dir, "%s/%s/%s", e->cache_dir, kind, key);
    if (read_meta(prog->dir, c) == 0) return 0;
    if (put_files(box, files, n, c) < 0) return 0;
    bool cacheable = true;
    if (prog->lang->compile[0])
        run_compiler(e, box, prog, c, &cacheable);
    else
        c->verdict = JUDGE_AC;
    if (!c->output) c->output = strdup("");
    if (c->verdict == JUDGE_JE || !cacheable) return 0;
    char tmp[PATH_MAX + 16], err[PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", prog->dir);
    if (!mkdtemp(tmp)) {
        set_je(c, "mkdtemp %s: %s", tmp);
        return 0;
    }
    if (c->verdict == JUDGE_AC && sbx_box_export(box, tmp, JUDGE_EXPORT_MAX) < 0) {
        set_je(c, "export the compiled program to %s: %s", tmp);
        rm_rf(tmp);
        return 0;
    }
    if (publish(tmp, prog->dir, c->verdict, c->output, err, sizeof err) < 0) {
        c->verdict = JUDGE_JE;
        free(c->message);
        c->message = strdup(err);
    }
    return 0;
}

void judge_compiled_free(struct judge_compiled *c)
{
    free(c->output);
    free(c->message);
    c->output = c->message = NULL;
}

/*** Validators ***/

struct vfiles {
    struct judge_file files[JUDGE_FILES_MAX];
    char *names[JUDGE_FILES_MAX];
    size_t n;
};

static void vfiles_free(struct vfiles *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free((char *)v->files[i].data);
        free(v->names[i]);
    }
}

static int vfiles_add(struct vfiles *v, const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (v->n >= JUDGE_FILES_MAX || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) return 0;
    size_t len;
    char *data = gv_read_file(path, VALIDATOR_FILE_MAX, &len);
    if (!data) return -1;
    v->names[v->n] = strdup(name);
    v->files[v->n] = (struct judge_file){v->names[v->n], data, len};
    v->n++;
    return 0;
}

static int vfiles_read(struct vfiles *v, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) return -1;
    if (S_ISREG(st.st_mode)) {
        char dir[PATH_MAX];
        gv_strlcpy(dir, path, sizeof dir);
        char *slash = strrchr(dir, '/');
        *slash = '\0';
        return vfiles_add(v, dir, slash + 1);
    }
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0) return -1;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && list[i]->d_name[0] != '.') rc = vfiles_add(v, path, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return rc;
}

int judge_compile_validator(struct judge_engine *e, struct sbx_box *box,
                            const struct judge_problem *p, struct judge_program *prog,
                            struct judge_compiled *c)
{
    struct vfiles v = {0};
    memset(c, 0, sizeof *c);
    memset(prog, 0, sizeof *prog);
    if (vfiles_read(&v, p->validator_dir) < 0) {
        set_je(c, "read the output validator %s: %s", p->validator_dir);
        vfiles_free(&v);
        return 0;
    }
    for (size_t i = 0; i < v.n && !prog->lang; i++)
        prog->lang = judge_lang_by_file(e->langs, v.files[i].name);
    if (!prog->lang) {
        c->verdict = JUDGE_JE;
        c->message = strdup("output validator: no source file in a known language");
        vfiles_free(&v);
        return 0;
    }
    int main_i = judge_choose_main(prog->lang, v.files, v.n);
    prog->n_files = 0;
    gv_strlcpy(prog->files[prog->n_files++], v.files[main_i].name, JUDGE_NAME_MAX);
    for (size_t i = 0; i < v.n; i++)
        if ((int)i != main_i)
            gv_strlcpy(prog->files[prog->n_files++], v.files[i].name, JUDGE_NAME_MAX);
    judge_compile(e, box, "val", prog, v.files, v.n, c);
    vfiles_free(&v);
    if (c->verdict == JUDGE_CE) {
        c->verdict = JUDGE_JE; /* a validator that does not compile is the package's bug */
        char *m;
        if (asprintf(&m, "output validator does not compile:\n%s", c->output) >= 0) {
            free(c->message);
            c->message = m;
        }
    }
    return 0;
}
