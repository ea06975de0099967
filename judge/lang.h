/*
 * lang.h - the language table (library gavel_problem), read from judge/languages.json.
 *
 * Adding a language is a data change: each entry of languages.json names its id, display name,
 * file extensions, default source file name, compile and run argv (with placeholders), sandbox
 * policies, environment, the limits for compiling and the command that prints the compiler's
 * version. The format is documented in docs/problems.md ("Languages").
 *
 * Placeholders in compile/run argv, expanded per submission by judge_lang_expand():
 *   {source}     the main source file name ("main.c", "Foo.java")
 *   {files}      every source file of the submission (expands to several words)
 *   {mainclass}  {source} without its extension (Java's main class)
 *   {memory_mib} the run's memory limit in MiB (the JVM's -Xmx)
 */
#ifndef GAVEL_JUDGE_LANG_H
#define GAVEL_JUDGE_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define JUDGE_LANG_MAX         32 /* languages in one table */
#define JUDGE_LANG_ARGV_MAX    48 /* words in a compile or run command */
#define JUDGE_LANG_EXT_MAX     8  /* extensions per language */
#define JUDGE_LANG_ID_MAX      32
#define JUDGE_LANG_TABLE_MAX   (256u << 10) /* languages.json size */
#define JUDGE_LANG_VERSION_MAX 128

struct judge_lang_limits {
    uint32_t cpu_ms;
    uint32_t wall_ms;
    uint64_t memory_kib;
    uint64_t output_kib;
    uint32_t processes;
};

struct judge_lang {
    char id[JUDGE_LANG_ID_MAX];
    char *name;
    char *source_name;                    /* default main file name for web submissions */
    char *extensions[JUDGE_LANG_EXT_MAX]; /* without the dot */
    size_t n_extensions;
    char *compile[JUDGE_LANG_ARGV_MAX + 1]; /* NULL-terminated; compile[0] == NULL: no compile */
    char *run[JUDGE_LANG_ARGV_MAX + 1];     /* NULL-terminated */
    char *version_cmd[JUDGE_LANG_ARGV_MAX + 1];
    char *env[JUDGE_LANG_ARGV_MAX + 1]; /* NAME=value, both for compile and run */
    char *compile_policy;               /* "compiler" */
    char *run_policy;                   /* "strict" | "runtime" */
    uint32_t run_processes;             /* processes + threads when running; 0: sandbox default */
    struct judge_lang_limits compile_limits;
    bool main_class; /* Java: main file named after its public class */
};

struct judge_langs {
    struct judge_lang langs[JUDGE_LANG_MAX];
    size_t n;
};

/* Loads a languages.json; NULL and err on failure (names the file and the entry). */
struct judge_langs *judge_langs_load(const char *path, char *err, size_t err_size);
/* Loads from $GAVEL_LANGUAGES, else the languages.json installed next to the sources
 * (GAVEL_LANGUAGES_DEFAULT, set at build time). */
struct judge_langs *judge_langs_load_default(char *err, size_t err_size);
void judge_langs_free(struct judge_langs *l);

/* The language with this id, or NULL. */
const struct judge_lang *judge_lang_by_id(const struct judge_langs *l, const char *id);
/* The language a file name's extension maps to, or NULL. */
const struct judge_lang *judge_lang_by_file(const struct judge_langs *l, const char *file_name);

/* The compiler's (or interpreter's) version: first line of version_cmd's output, run once on the
 * host and cached (thread-safe). "unknown" when the command fails. */
const char *judge_lang_version(const struct judge_lang *lang);
/* True when the language's compiler/interpreter binary exists; else fills why. */
bool judge_lang_available(const struct judge_lang *lang, char *why, size_t why_size);

/* For web submissions: the file name a source gets. Java: "<Class>.java" where Class is the
 * public class declaring main (see judge_lang_java_main_class), other languages source_name. */
int judge_lang_file_name(const struct judge_lang *lang, const char *source, size_t len, char *out,
                         size_t out_size);
/* Finds the class that declares main in Java source text: the innermost class whose braces
 * enclose the first "main(" outside comments, strings and character literals; without one, the
 * first public class. Writes it to out; -1 when there is none. */
int judge_lang_java_main_class(const char *source, size_t len, char *out, size_t out_size);

/* Expands a command template. files are the submission's file names (the first is the main file).
 * Returns a NULL-terminated heap argv (free with judge_argv_free) or NULL when too long. */
char **judge_lang_expand(char *const *tmpl, const char *const *files, size_t n_files,
                         uint64_t memory_kib);
void judge_argv_free(char **argv);

/* [{id, name, version, extensions}] for GET /api/languages. */
cJSON *judge_langs_to_json(const struct judge_langs *l);

#endif
