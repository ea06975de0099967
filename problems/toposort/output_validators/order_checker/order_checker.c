/*
 * order_checker.c - output validator of "Build Order" (toposort).
 *
 * Theory of operation: many orders are correct, so the team's output is checked, not compared.
 * Called the Kattis way, `order_checker input answer feedback_dir [flags]` with the team's
 * output on stdin. The input gives the graph; the answer file says only whether an order
 * exists (the judge's own order, or IMPOSSIBLE). The team's output is read token by token
 * (each token capped at MAX_TOKEN bytes) and must be either the word IMPOSSIBLE, exactly when
 * the answer says so, or exactly n distinct task numbers in which every rule a -> b has a
 * before b, and nothing after that. The flag `ignore_case` makes the word match in any case.
 * Exit 42 accepts, 43 rejects with the reason in feedback_dir/judgemessage.txt; anything
 * else (exit 1) is the validator's own failure, which a judge must report as a judge error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { EXIT_AC = 42, EXIT_WA = 43, EXIT_FAIL = 1 };
enum { MAX_TOKEN = 32, MAX_N = 100000, MAX_M = 1000000 };

static FILE *judgemessage;

/* Writes the reason to judgemessage.txt (and stderr) and exits with 43. */
static void wrong(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (judgemessage) {
        vfprintf(judgemessage, fmt, ap);
        fputc('\n', judgemessage);
        fclose(judgemessage);
    }
    va_end(ap);
    exit(EXIT_WA);
}

/* The validator's own failure: exit 1, never a verdict about the team. */
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("order_checker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_FAIL);
}

/* Reads one white-space separated token of at most MAX_TOKEN bytes; 0 at end of file,
 * -1 if the token is longer. */
static int read_token(FILE *f, char *tok)
{
    int c, len = 0;
    while ((c = getc(f)) != EOF && isspace(c))
        ;
    if (c == EOF)
        return 0;
    while (c != EOF && !isspace(c)) {
        if (len == MAX_TOKEN)
            return -1;
        tok[len++] = (char)c;
        c = getc(f);
    }
    tok[len] = '\0';
    return 1;
}

/* Parses a decimal task number in 1..n; returns 0 if the token is anything else. */
static long parse_task(const char *tok, long n)
{
    char *end;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (errno != 0 || *end != '\0' || end == tok || !isdigit((unsigned char)tok[0]))
        return 0;
    return (v >= 1 && v <= n) ? v : 0;
}

static FILE *open_or_fail(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        fail("open %s: %s", path, strerror(errno));
    return f;
}

static void open_feedback(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);
    int n = snprintf(path, sizeof path, "%s%sjudgemessage.txt", dir,
                     (len > 0 && dir[len - 1] == '/') ? "" : "/");
    if (n < 0 || (size_t)n >= sizeof path)
        fail("feedback path too long: %s", dir);
    judgemessage = open_or_fail(path, "w");
}

static int word_is_impossible(const char *tok, int ignore_case)
{
    return ignore_case ? strcasecmp(tok, "IMPOSSIBLE") == 0 : strcmp(tok, "IMPOSSIBLE") == 0;
}

/* Checks that nothing but white space follows in the team's output. */
static void expect_end(char *tok)
{
    int r = read_token(stdin, tok);
    if (r != 0)
        wrong("trailing output after the answer%s%s", r > 0 ? ": " : "", r > 0 ? tok : "");
}

int main(int argc, char **argv)
{
    char tok[MAX_TOKEN + 1];
    long n, m;
    int ignore_case = 0;

    if (argc < 4)
        fail("usage: %s input answer feedback_dir [ignore_case]", argv[0]);
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "ignore_case") == 0)
            ignore_case = 1;
        else
            fail("unknown flag %s", argv[i]);
    }
    open_feedback(argv[3]);

    FILE *in = open_or_fail(argv[1], "r");
    if (fscanf(in, "%ld %ld", &n, &m) != 2 || n < 1 || n > MAX_N || m < 0 || m > MAX_M)
        fail("%s: bad first line", argv[1]);
    long *from = calloc((size_t)m + 1, sizeof *from);
    long *to = calloc((size_t)m + 1, sizeof *to);
    long *pos = calloc((size_t)n + 1, sizeof *pos);
    if (!from || !to || !pos)
        fail("out of memory for n=%ld m=%ld", n, m);
    for (long i = 0; i < m; i++) {
        if (fscanf(in, "%ld %ld", &from[i], &to[i]) != 2 || from[i] < 1 || from[i] > n ||
            to[i] < 1 || to[i] > n)
            fail("%s: bad rule %ld", argv[1], i + 1);
    }
    fclose(in);

    FILE *ans = open_or_fail(argv[2], "r");
    if (read_token(ans, tok) != 1)
        fail("%s: empty answer file", argv[2]);
    int possible = !word_is_impossible(tok, 0);
    fclose(ans);

    int r = read_token(stdin, tok);
    if (r == 0)
        wrong("empty output");
    if (r < 0)
        wrong("token longer than %d bytes", MAX_TOKEN);
    if (!possible) {
        if (!word_is_impossible(tok, ignore_case))
            wrong("no order exists, but the output starts with %s", tok);
        expect_end(tok);
        fprintf(judgemessage, "correctly found that no order exists\n");
        fclose(judgemessage);
        return EXIT_AC;
    }
    if (word_is_impossible(tok, 1))
        wrong("claims IMPOSSIBLE, but an order exists");
    for (long i = 1; i <= n; i++) {
        if (i > 1) {
            r = read_token(stdin, tok);
            if (r == 0)
                wrong("only %ld of %ld tasks printed", i - 1, n);
            if (r < 0)
                wrong("token longer than %d bytes", MAX_TOKEN);
        }
        long v = parse_task(tok, n);
        if (v == 0)
            wrong("token %ld is not a task number in 1..%ld: %s", i, n, tok);
        if (pos[v] != 0)
            wrong("task %ld printed twice (positions %ld and %ld)", v, pos[v], i);
        pos[v] = i;
    }
    expect_end(tok);
    for (long i = 0; i < m; i++) {
        if (pos[from[i]] > pos[to[i]])
            wrong("rule %ld broken: %ld must run before %ld", i + 1, from[i], to[i]);
    }
    fprintf(judgemessage, "valid order of %ld tasks\n", n);
    fclose(judgemessage);
    free(from);
    free(to);
    free(pos);
    return EXIT_AC;
}
