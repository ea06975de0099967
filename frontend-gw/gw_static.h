/*
 * gw_static.h - the browser app's built files, served from --web DIR.
 */
#ifndef GAVEL_GW_STATIC_H
#define GAVEL_GW_STATIC_H

#include <stddef.h>

#define GW_STATIC_PATH_MAX 1024 /* longest URL path served */

/* The decision for one URL path: which file, with which headers. */
struct gw_static_file {
    char rel[GW_STATIC_PATH_MAX]; /* path below the web folder, no leading '/' */
    const char *content_type;
    const char *cache_control;
};

/* Maps a decoded URL path ("/", "/assets/app-1a2b.js") to a file below the web folder. Refuses
 * (-1) anything with "..", ".", empty segments past the first, backslashes, NUL or control bytes,
 * or a hidden file; "/" and paths without an extension map to index.html (the app routes itself).
 * Pure: does not touch the file system. */
int gw_static_resolve(const char *path, struct gw_static_file *out);

/* The Content-Type for a file name, by extension ("application/octet-stream" when unknown). */
const char *gw_static_content_type(const char *name);

#endif
