/*
 * gv_log.c - one-line log records on stderr.
 *
 * Every record is built in a stack buffer and written with a single write(2), so lines from the
 * threads of one process, or from several processes sharing a log file, never interleave. Records
 * longer than GV_LOG_LINE_MAX are cut and marked with "...".
 */
#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GV_LOG_LINE_MAX 2048

static const char *log_program = "gavel";
static enum gv_log_level log_min_level = GV_LOG_INFO;

static const char *const level_names[] = {
    [GV_LOG_DEBUG] = "DEBUG",
    [GV_LOG_INFO] = "INFO",
    [GV_LOG_WARN] = "WARN",
    [GV_LOG_ERROR] = "ERROR",
};

void gv_log_init(const char *program, enum gv_log_level min_level)
{
    log_program = program;
    log_min_level = min_level;
}

void gv_log(enum gv_log_level level, const char *fmt, ...)
{
    if (level < log_min_level)
        return;
    int saved_errno = errno;
    char line[GV_LOG_LINE_MAX];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, log_program, (int)getpid(), level_names[level]);
    if (n < 0)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m > 0 ? (size_t)m : 0);
    if (len >= sizeof line - 1) {
        len = sizeof line - 2;
        memcpy(line + len - 3, "...", 3);
    }
    line[len++] = '\n';
    (void)gv_write_all(STDERR_FILENO, line, len);
    errno = saved_errno;
}
