/*
 * guess_interactor.c - interactor of "Guess the Number" (guess).
 *
 * Theory of operation: the judge starts this program as `guess_interactor input answer
 * feedback_dir` with its stdin connected to the submission's stdout and its stdout to the
 * submission's stdin. The input file holds the secret x. Each round reads one guess (a token
 * of at most MAX_TOKEN bytes), answers lower/higher/correct and flushes. After `correct` the
 * submission must stop writing: the interactor reads until end of file and accepts (42) only
 * if nothing more came. A missing, malformed, out-of-range or 31st guess is rejected (43),
 * with the reason in feedback_dir/judgemessage.txt. SIGPIPE is ignored, so a submission that
 * dies early makes a write fail (a rejection) instead of killing the interactor; its own
 * failures (unreadable input file) exit 1, which a judge must report as a judge error.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_AC = 42, EXIT_WA = 43, EXIT_FAIL = 1 };
enum { MAX_TOKEN = 20, MAX_GUESSES = 30 };
static const long MAX_X = 1000000000L;

static FILE *judgemessage;

/* Records the verdict's reason in judgemessage.txt and exits with code. */
static void finish(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(judgemessage, fmt, ap);
    fputc('\n', judgemessage);
    va_end(ap);
    fclose(judgemessage);
    exit(code);
}

static void fail(const char *what, const char *path)
{
    fprintf(stderr, "guess_interactor: %s %s: %s\n", what, path, strerror(errno));
    exit(EXIT_FAIL);
}

/* One white-space separated token of at most MAX_TOKEN bytes: 1, 0 at end of file, -1 if
 * longer. */
static int read_token(char *tok)
{
    int c, len = 0;
    while ((c = getchar()) != EOF && isspace(c))
        ;
    if (c == EOF)
        return 0;
    while (c != EOF && !isspace(c)) {
        if (len == MAX_TOKEN)
            return -1;
        tok[len++] = (char)c;
        c = getchar();
    }
    tok[len] = '\0';
    return 1;
}

/* A guess in [1, MAX_X], or 0 if the token is not one. */
static long parse_guess(const char *tok)
{
    char *end;
    if (!isdigit((unsigned char)tok[0]))
        return 0;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > MAX_X)
        return 0;
    return v;
}

static void reply(const char *word, int round)
{
    if (printf("%s\n", word) < 0 || fflush(stdout) != 0)
        finish(EXIT_WA, "guess %d: the submission stopped reading (%s)", round, strerror(errno));
}

int main(int argc, char **argv)
{
    char tok[MAX_TOKEN + 1], path[4096];
    long x;

    if (argc < 4) {
        fprintf(stderr, "usage: %s input answer feedback_dir\n", argv[0]);
        return EXIT_FAIL;
    }
    signal(SIGPIPE, SIG_IGN);
    size_t dlen = strlen(argv[3]);
    int n = snprintf(path, sizeof path, "%s%sjudgemessage.txt", argv[3],
                     (dlen > 0 && argv[3][dlen - 1] == '/') ? "" : "/");
    if (n < 0 || (size_t)n >= sizeof path)
        return EXIT_FAIL;
    if (!(judgemessage = fopen(path, "w")))
        fail("open", path);
    FILE *in = fopen(argv[1], "r");
    if (!in)
        fail("open", argv[1]);
    if (fscanf(in, "%ld", &x) != 1 || x < 1 || x > MAX_X) {
        fprintf(stderr, "guess_interactor: %s: no secret in [1, %ld]\n", argv[1], MAX_X);
        return EXIT_FAIL;
    }
    fclose(in);

    for (int round = 1;; round++) {
        int r = read_token(tok);
        if (r == 0)
            finish(EXIT_WA, "guess %d: end of output before finding %ld", round, x);
        if (r < 0)
            finish(EXIT_WA, "guess %d: token longer than %d bytes", round, MAX_TOKEN);
        long g = parse_guess(tok);
        if (g == 0)
            finish(EXIT_WA, "guess %d: not a number in [1, %ld]: %s", round, MAX_X, tok);
        if (round > MAX_GUESSES)
            finish(EXIT_WA, "more than %d guesses (secret %ld)", MAX_GUESSES, x);
        if (g == x) {
            reply("correct", round);
            r = read_token(tok);
            if (r != 0)
                finish(EXIT_WA, "output after the correct guess: %s", r > 0 ? tok : "(long)");
            finish(EXIT_AC, "found %ld in %d guesses", x, round);
        }
        reply(g > x ? "lower" : "higher", round);
    }
}
