/*
 * defval.c - the ICPC default output validator.
 *
 * Theory of operation: two cursors walk the team's output and the judge's answer. In the default
 * mode white space (space, tab, newline, CR, VT, FF) only separates tokens, so both cursors skip it
 * and then compare the next token of each. With space_change_sensitive the white space between
 * tokens must be the same bytes in both, trailing white space included. Tokens compare as text
 * (case-insensitively unless case_sensitive), except when a float tolerance is given and the
 * answer's token is a number: then the team's token must be a number too and is accepted when
 * |out - ans| <= absolute tolerance or |out - ans| <= relative tolerance * |ans|. Numbers are
 * decimal
 * ([+-]digits[.digits][e[+-]digits]) or inf / infinity / nan; equal infinities and two NaNs are
 * equal, nothing else is equal to them. Everything works on the buffers in place.
 */
#include "defval.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cursor {
    const char *p, *end;
    size_t line;
};

struct token {
    const char *s;
    size_t len;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void skip_space(struct cursor *c)
{
    while (c->p < c->end && is_space(*c->p)) {
        if (*c->p == '\n') c->line++;
        c->p++;
    }
}

static struct token next_token(struct cursor *c)
{
    struct token t = {c->p, 0};
    while (c->p < c->end && !is_space(*c->p))
        c->p++;
    t.len = (size_t)(c->p - t.s);
    return t;
}

static size_t skip_digits(const char *s, size_t i, size_t n)
{
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    return i;
}

/* True when t is a decimal number (or inf/infinity/nan); its value in *v. */
static bool parse_number(struct token t, double *v)
{
    static const char *const words[] = {"inf", "infinity", "nan"};
    char buf[64];
    size_t i = 0, n = t.len;
    if (n == 0 || n >= sizeof buf) return false;
    if (t.s[i] == '+' || t.s[i] == '-') i++;
    bool word = false;
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (n - i == strlen(words[w]) && strncasecmp(t.s + i, words[w], n - i) == 0) word = true;
    if (!word) {
        size_t d0 = i;
        i = skip_digits(t.s, i, n);
        size_t int_digits = i - d0, frac_digits = 0;
        if (i < n && t.s[i] == '.') {
            size_t f0 = ++i;
            i = skip_digits(t.s, i, n);
            frac_digits = i - f0;
        }
        if (int_digits + frac_digits == 0) return false;
        if (i < n && (t.s[i] == 'e' || t.s[i] == 'E')) {
            i++;
            if (i < n && (t.s[i] == '+' || t.s[i] == '-')) i++;
            size_t e0 = i;
            i = skip_digits(t.s, i, n);
            if (i == e0) return false;
        }
        if (i != n) return false;
    }
    memcpy(buf, t.s, n);
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    return true;
}

static bool numbers_equal(const struct judge_dv_flags *f, double out, double ans)
{
    if (isnan(ans) || isnan(out)) return isnan(ans) && isnan(out);
    if (isinf(ans) || isinf(out)) return out == ans;
    double diff = fabs(out - ans);
    if (f->float_abs >= 0 && diff <= f->float_abs) return true;
    if (f->float_rel >= 0 && diff <= f->float_rel * fabs(ans)) return true;
    return false;
}

static bool tokens_equal(const struct judge_dv_flags *f, struct token out, struct token ans)
{
    double a, o;
    if ((f->float_abs >= 0 || f->float_rel >= 0) && parse_number(ans, &a))
        return parse_number(out, &o) && numbers_equal(f, o, a);
    if (out.len != ans.len) return false;
    if (f->case_sensitive) return memcmp(out.s, ans.s, out.len) == 0;
    for (size_t i = 0; i < out.len; i++)
        if (tolower((unsigned char)out.s[i]) != tolower((unsigned char)ans.s[i])) return false;
    return true;
}

/* Quotes a token for a message: at most JUDGE_DV_TOKEN_SHOW printable characters. */
static void quote(struct token t, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < t.len && i < JUDGE_DV_TOKEN_SHOW && n + 2 < size; i++) {
        unsigned char c = (unsigned char)t.s[i];
        buf[n++] = isprint(c) ? (char)c : '?';
    }
    if (t.len > JUDGE_DV_TOKEN_SHOW && n + 4 < size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
}

static bool fail(char *msg, size_t size, size_t line, const char *what, struct token ans,
                 struct token out)
{
    if (!msg || size == 0) return false;
    char a[JUDGE_DV_TOKEN_SHOW + 8], o[JUDGE_DV_TOKEN_SHOW + 8];
    quote(ans, a, sizeof a);
    quote(out, o, sizeof o);
    snprintf(msg, size, "line %zu: %s: expected \"%s\", got \"%s\"", line, what, a, o);
    return false;
}

/* space_change_sensitive: the white space runs before the next tokens must be equal. */
static bool same_space(struct cursor *o, struct cursor *a)
{
    const char *o0 = o->p, *a0 = a->p;
    skip_space(o);
    skip_space(a);
    size_t on = (size_t)(o->p - o0), an = (size_t)(a->p - a0);
    return on == an && memcmp(o0, a0, on) == 0;
}

bool judge_dv_check(const struct judge_dv_flags *flags, const char *out, size_t out_len,
                    const char *ans, size_t ans_len, char *msg, size_t msg_size)
{
    struct cursor o = {out, out + out_len, 1}, a = {ans, ans + ans_len, 1};
    struct token none = {"", 0};
    if (msg && msg_size) msg[0] = '\0';
    for (;;) {
        size_t line = o.line;
        if (flags->space_change_sensitive) {
            if (!same_space(&o, &a)) {
                struct token at = {a.p, 0}, ot = {o.p, 0};
                return fail(msg, msg_size, line, "white space differs", at, ot);
            }
        } else {
            skip_space(&o);
            skip_space(&a);
        }
        if (a.p == a.end && o.p == o.end) return true;
        if (a.p == a.end)
            return fail(msg, msg_size, o.line, "more output than expected", none, next_token(&o));
        if (o.p == o.end)
            return fail(msg, msg_size, o.line, "output ended early", next_token(&a), none);
        line = o.line;
        struct token ot = next_token(&o), at = next_token(&a);
        if (!tokens_equal(flags, ot, at)) return fail(msg, msg_size, line, "wrong answer", at, ot);
    }
}

void judge_dv_flags_default(struct judge_dv_flags *f)
{
    f->case_sensitive = false;
    f->space_change_sensitive = false;
    f->float_abs = -1;
    f->float_rel = -1;
}
