/*
 * statement.c - problem statements to HTML.
 *
 * Theory of operation: Markdown goes through libcmark in safe mode (raw HTML dropped, dangerous
 * links removed). TeX math must survive untouched for KaTeX in the browser, but Markdown would
 * read `a_i * b_i` as emphasis, so math is cut out first: every $...$ and $$...$$ outside code is
 * replaced by a placeholder word (GVMATHn), the rest is rendered, and each placeholder is then
 * replaced by the HTML-escaped math wrapped in a span (inline, \( \)) or div (display, \[ \]).
 * LaTeX statements (problem.en.tex) get a much smaller treatment: the document body is split into
 * paragraphs at blank lines, \section-like commands become headings, \emph/\textbf become em and
 * strong, and math is kept the same way; anything else is shown as text.
 */
#include "problem.h"

#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#define MATH_MAX 4096 /* math fragments per statement */

struct math {
    const char *s; /* the TeX between the delimiters */
    size_t len;
    bool display;
};

struct maths {
    struct math items[MATH_MAX];
    size_t n;
};

static int append_escaped(struct gv_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            break;
        }
        int rc = rep ? gv_buf_append(b, rep, strlen(rep)) : gv_buf_append(b, s + i, 1);
        if (rc < 0) return -1;
    }
    return 0;
}

static int append_math(struct gv_buf *b, const struct math *m)
{
    int rc = gv_buf_printf(b, m->display ? "<div class=\"math display\">\\["
                                         : "<span class=\"math inline\">\\(");
    rc |= append_escaped(b, m->s, m->len);
    rc |= gv_buf_printf(b, m->display ? "\\]</div>" : "\\)</span>");
    return rc;
}

/* Length of a code span or fence starting at i (backticks), so math inside code is left alone. */
static size_t code_span(const char *s, size_t i, size_t n)
{
    size_t ticks = 0;
    while (i + ticks < n && s[i + ticks] == '`')
        ticks++;
    for (size_t j = i + ticks; j + ticks <= n; j++) {
        size_t k = 0;
        while (k < ticks && s[j + k] == '`')
            k++;
        if (k == ticks) return j + ticks - i;
    }
    return ticks;
}

/* Finds the closing delimiter of math opened at i; returns its index or 0. */
static size_t math_end(const char *s, size_t i, size_t n, bool display)
{
    for (size_t j = i; j < n; j++) {
        if (s[j] == '\\') {
            j++;
            continue;
        }
        if (!display && s[j] == '\n' && j + 1 < n && s[j + 1] == '\n')
            return 0; /* inline math does not cross a paragraph */
        if (s[j] == '$' && (!display || (j + 1 < n && s[j + 1] == '$'))) return j;
    }
    return 0;
}

/* Copies md into b with math replaced by placeholders recorded in m. */
static int cut_math(const char *md, size_t n, struct gv_buf *b, struct maths *m)
{
    for (size_t i = 0; i < n;) {
        if (md[i] == '`') {
            size_t l = code_span(md, i, n);
            if (gv_buf_append(b, md + i, l) < 0) return -1;
            i += l;
            continue;
        }
        if (md[i] == '\\' && i + 1 < n && md[i + 1] == '$') {
            if (gv_buf_append(b, md + i, 2) < 0) return -1;
            i += 2;
            continue;
        }
        bool display = md[i] == '$' && i + 1 < n && md[i + 1] == '$';
        size_t open = display ? 2 : 1;
        size_t end = md[i] == '$' && m->n < MATH_MAX ? math_end(md, i + open, n, display) : 0;
        if (!end) {
            if (gv_buf_append(b, md + i, 1) < 0) return -1;
            i++;
            continue;
        }
        m->items[m->n] = (struct math){md + i + open, end - i - open, display};
        if (gv_buf_printf(b, "GVMATH%zuX", m->n++) < 0) return -1;
        i = end + open;
    }
    return 0;
}

/* Replaces the placeholders in html by the math. */
static char *put_math(const char *html, const struct maths *m)
{
    struct gv_buf b;
    gv_buf_init(&b, 0);
    for (const char *p = html; *p;) {
        size_t idx;
        int used = 0;
        if (strncmp(p, "GVMATH", 6) == 0 && sscanf(p + 6, "%zuX%n", &idx, &used) == 1 && used > 0 &&
            p[6 + used - 1] == 'X' && idx < m->n) {
            if (append_math(&b, &m->items[idx]) < 0) goto fail;
            p += 6 + used;
            continue;
        }
        if (gv_buf_append(&b, p, 1) < 0) goto fail;
        p++;
    }
    if (!b.data && gv_buf_append(&b, "", 0) < 0) goto fail;
    return gv_buf_steal(&b);
fail:
    gv_buf_free(&b);
    return NULL;
}

char *judge_statement_md_to_html(const char *md, size_t len)
{
    struct maths *m = calloc(1, sizeof *m);
    struct gv_buf b;
    gv_buf_init(&b, 0);
    char *out = NULL;
    if (!m || cut_math(md, len, &b, m) < 0 || gv_buf_append(&b, "", 0) < 0) goto done;
    char *html = cmark_markdown_to_html(b.data, b.len, CMARK_OPT_SAFE | CMARK_OPT_SMART);
    if (html) {
        out = put_math(html, m);
        free(html);
    }
done:
    gv_buf_free(&b);
    free(m);
    return out;
}

/*** LaTeX ***/

struct tex_cmd {
    const char *name;
    const char *open, *close;
};

static const struct tex_cmd tex_cmds[] = {
    {"\\section*{", "<h2>", "</h2>"},    {"\\section{", "<h2>", "</h2>"},
    {"\\subsection*{", "<h3>", "</h3>"}, {"\\subsection{", "<h3>", "</h3>"},
    {"\\problemname{", "<h1>", "</h1>"}, {"\\emph{", "<em>", "</em>"},
    {"\\textit{", "<em>", "</em>"},      {"\\textbf{", "<strong>", "</strong>"},
    {"\\texttt{", "<code>", "</code>"},
};

/* Emits a {...} argument (no nesting of commands inside, braces balanced). */
static size_t tex_arg(struct gv_buf *b, const char *s, size_t i, size_t n)
{
    int depth = 1;
    size_t j = i;
    while (j < n && depth > 0) {
        if (s[j] == '{') depth++;
        if (s[j] == '}') depth--;
        j++;
    }
    append_escaped(b, s + i, j - i - (depth == 0));
    return j;
}

static size_t tex_step(struct gv_buf *b, const char *s, size_t i, size_t n, bool *in_par)
{
    if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\n') {
        if (*in_par) gv_buf_printf(b, "</p>\n");
        *in_par = false;
        return i + 2;
    }
    for (size_t c = 0; c < sizeof tex_cmds / sizeof tex_cmds[0]; c++) {
        size_t l = strlen(tex_cmds[c].name);
        if (strncmp(s + i, tex_cmds[c].name, l) == 0 && i + l <= n) {
            bool block = tex_cmds[c].open[1] == 'h';
            if (block && *in_par) gv_buf_printf(b, "</p>\n");
            if (block)
                *in_par = false;
            else if (!*in_par && (*in_par = true))
                gv_buf_printf(b, "<p>");
            gv_buf_printf(b, "%s", tex_cmds[c].open);
            size_t j = tex_arg(b, s, i + l, n);
            gv_buf_printf(b, "%s", tex_cmds[c].close);
            return j;
        }
    }
    if (!*in_par && s[i] != '\n') {
        gv_buf_printf(b, "<p>");
        *in_par = true;
    }
    bool display = s[i] == '$' && i + 1 < n && s[i + 1] == '$';
    size_t open = display ? 2 : 1;
    size_t end = s[i] == '$' ? math_end(s, i + open, n, display) : 0;
    if (end) {
        struct math m = {s + i + open, end - i - open, display};
        append_math(b, &m);
        return end + open;
    }
    append_escaped(b, s + i, 1);
    return i + 1;
}

char *judge_statement_tex_to_html(const char *tex, size_t len)
{
    const char *begin = strstr(tex, "\\begin{problem}");
    const char *body = tex;
    size_t n = len;
    if (begin) {
        const char *nl = strchr(begin, '\n');
        body = nl ? nl + 1 : tex + len;
        const char *end = strstr(body, "\\end{problem}");
        n = end ? (size_t)(end - body) : len - (size_t)(body - tex);
    }
    struct gv_buf b;
    gv_buf_init(&b, 0);
    bool in_par = false;
    for (size_t i = 0; i < n;)
        i = tex_step(&b, body, i, n, &in_par);
    if (in_par) gv_buf_printf(&b, "</p>\n");
    if (gv_buf_append(&b, "", 0) < 0) {
        gv_buf_free(&b);
        return NULL;
    }
    return gv_buf_steal(&b);
}
