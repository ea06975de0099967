/*
 * gw_static.c - mapping URL paths to the web app's files, safely.
 *
 * Theory of operation. The URL path is already percent-decoded by the caller. We walk it segment
 * by segment and refuse anything that could leave the folder or name a hidden file: "." and ".."
 * segments, backslashes, control bytes, segments starting with '.'. What is left is a relative
 * path the caller opens with openat() below the web folder's descriptor with O_NOFOLLOW|
 * O_RESOLVE_BENEATH-like checks (it also rejects symlinks on the last component). Content types
 * come from a table of extensions. Cache policy: names under assets/ and fonts/ carry a content hash (esbuild)
 * and are immutable for a year; everything else (index.html) is revalidated every time.
 */
#include "gw_static.h"

#include <string.h>
#include <strings.h>

#include "gv.h"

static const struct {
    const char *ext, *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
};

const char *gw_static_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int segment_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.')
        return 0; /* empty, ".", "..", hidden */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\' || s[i] == ':')
            return 0;
    return 1;
}

int gw_static_resolve(const char *path, struct gw_static_file *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/' || len >= GW_STATIC_PATH_MAX)
        return -1;
    const char *p = path + 1;
    if (*p == '\0') {
        gv_strlcpy(out->rel, "index.html", sizeof out->rel);
    } else {
        while (*p) {
            const char *slash = strchr(p, '/');
            size_t n = slash ? (size_t)(slash - p) : strlen(p);
            if (!segment_ok(p, n))
                return -1;
            p += n + (slash ? 1 : 0);
            if (slash && *p == '\0')
                return -1; /* trailing slash: no directory listings */
        }
        gv_strlcpy(out->rel, path + 1, sizeof out->rel);
        const char *last = strrchr(out->rel, '/');
        if (!strchr(last ? last : out->rel, '.'))
            gv_strlcpy(out->rel, "index.html", sizeof out->rel); /* an app route */
    }
    out->content_type = gw_static_content_type(out->rel);
    out->cache_control = strncmp(out->rel, "assets/", 7) == 0 || strncmp(out->rel, "fonts/", 6) == 0
                             ? "public, max-age=31536000, immutable"
                             : "no-cache";
    return 0;
}
