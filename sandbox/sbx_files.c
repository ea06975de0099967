/*
 * sbx_files.c - the host side of files going into and out of a box, and cleaning it.
 *
 * Theory of operation. This is where judges were broken before (Judge0 CVE-2024-28185/28189: a
 * link left in the box made the host write or chown a host file), so every function here works
 * only through descriptors and never resolves a path that the box could have shaped:
 *   - the work folder is reached through the O_PATH descriptor the pool opened on its tmpfs
 *     (box->work_fd), never by its host path;
 *   - a name is a single component (no '/', not "." or ".."), opened with openat(work_fd, name,
 *     O_NOFOLLOW | O_NONBLOCK): a link fails with ELOOP, a FIFO cannot block us, and fstat on the
 *     descriptor decides whether it is a regular file (the check and the use are the same file);
 *   - writing into the box first unlinks whatever has the name, then creates with O_EXCL;
 *   - cleaning walks folders with openat(O_DIRECTORY | O_NOFOLLOW) and unlinkat, so a link is
 *     removed, never followed; the depth is capped (the work tmpfs caps the number of inodes).
 * Hard links to host files cannot exist: the work folder is its own tmpfs.
 * No box process runs while these are called (one box runs one thing at a time).
 *
 * A write descriptor held open while another thread clones a run's child would be inherited by
 * that child, and exec of the file in a third box then fails with ETXTBSY ("Text file busy").
 * Writers therefore hold sbx_write_lock shared from open to close; sbx_run holds it exclusively
 * for the clone() call only (writer-preferring, so runs are not starved by long copies).
 */
#include "sbx_internal.h"

#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

pthread_rwlock_t sbx_write_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

#define CLEAN_DEPTH_MAX 64
#define COPY_CHUNK      65536
#define IMPORT_FILE_MAX ((uint64_t)1 << 30)

static bool valid_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    return strchr(name, '/') == NULL && strlen(name) < NAME_MAX;
}

/* Opens an existing regular file under dirfd for reading, refusing links and other types. */
static int open_regular(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

/* Replaces whatever dirfd/name is with a new empty regular file; returns a write fd. */
static int create_fresh(int dirfd, const char *name, unsigned mode)
{
    if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
        return -1;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
    if (fd < 0)
        return -1;
    if (fchmod(fd, mode & 0777) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Copies src to dst, at most max bytes (EFBIG past that); adds the bytes to *total. */
static int copy_fd(int src, int dst, uint64_t max, uint64_t *total)
{
    char *buf = malloc(COPY_CHUNK);
    if (buf == NULL)
        return -1;
    int rc = 0;
    for (;;) {
        ssize_t n = read(src, buf, COPY_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        if (*total + (uint64_t)n > max) {
            errno = EFBIG;
            rc = -1;
            break;
        }
        if (gv_write_all(dst, buf, (size_t)n) < 0) {
            rc = -1;
            break;
        }
        *total += (uint64_t)n;
    }
    free(buf);
    return rc;
}

static int work_dir_fd(struct sbx_box *box)
{
    return openat(box->work_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int sbx_box_put(struct sbx_box *box, const char *name, const void *data, size_t len, unsigned mode)
{
    if (!valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    pthread_rwlock_rdlock(&sbx_write_lock);
    int fd = create_fresh(box->work_fd, name, mode);
    int rc = fd < 0 ? -1 : gv_write_all(fd, data, len);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    pthread_rwlock_unlock(&sbx_write_lock);
    errno = saved;
    return rc;
}

char *sbx_box_get(struct sbx_box *box, const char *name, size_t max, size_t *len_out)
{
    if (!valid_name(name)) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open_regular(box->work_fd, name);
    if (fd < 0)
        return NULL;
    char *data = gv_read_fd(fd, max, len_out);
    int saved = errno;
    close(fd);
    errno = saved;
    return data;
}

/* A directory stream over a duplicate of dirfd (the caller keeps dirfd); NULL with errno. */
static DIR *open_dir_stream(int dirfd)
{
    int fd = dup(dirfd);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return d;
}

/* Copies every regular file directly in folder src into folder dst. */
static int copy_folder(int src_dir, int dst_dir, uint64_t max_total, unsigned force_mode)
{
    DIR *d = open_dir_stream(src_dir);
    if (d == NULL)
        return -1;
    uint64_t total = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!valid_name(e->d_name))
            continue;
        struct stat st;
        if (fstatat(src_dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        int in = open_regular(src_dir, e->d_name);
        if (in < 0)
            continue; /* replaced by something else meanwhile: skipped, never followed */
        unsigned mode = force_mode ? force_mode : (st.st_mode & 0755);
        pthread_rwlock_rdlock(&sbx_write_lock);
        int out = create_fresh(dst_dir, e->d_name, mode);
        if (out < 0 || copy_fd(in, out, max_total, &total) < 0)
            rc = -1;
        int saved = errno;
        close(in);
        if (out >= 0)
            close(out);
        pthread_rwlock_unlock(&sbx_write_lock);
        errno = saved;
    }
    int saved = errno;
    closedir(d);
    errno = saved;
    return rc;
}

/* Copies between host_dir and the box's work folder, in the direction asked. */
static int copy_with_host(struct sbx_box *box, const char *host_dir, bool into_box,
                          uint64_t max_total)
{
    int host = open(host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0)
        return -1;
    int work = work_dir_fd(box);
    if (work < 0) {
        close(host);
        return -1;
    }
    int rc = into_box ? copy_folder(host, work, max_total, 0)
                      : copy_folder(work, host, max_total, 0);
    int saved = errno;
    close(host);
    close(work);
    errno = saved;
    return rc;
}

int sbx_box_import(struct sbx_box *box, const char *host_dir)
{
    return copy_with_host(box, host_dir, true, IMPORT_FILE_MAX);
}

int sbx_box_export(struct sbx_box *box, const char *host_dir, uint64_t max_total)
{
    /* Files written out get 0644 (0755 if executable by the box): never set-id bits. */
    return copy_with_host(box, host_dir, false, max_total);
}

/* Removes everything inside the folder dirfd, links as links, to at most `depth` levels. */
static int empty_folder(int dirfd, int depth)
{
    DIR *d = open_dir_stream(dirfd);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd, e->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            rc = -1;
            continue;
        }
        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || depth <= 0) {
            if (sub >= 0)
                close(sub);
            rc = -1;
            continue;
        }
        /* The box may have made it unreadable; we are root, but make sure of the mode. */
        fchmod(sub, 0700);
        if (empty_folder(sub, depth - 1) < 0)
            rc = -1;
        close(sub);
        if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int sbx_box_clean(struct sbx_box *box)
{
    int dir = work_dir_fd(box);
    if (dir < 0)
        return -1;
    int rc = empty_folder(dir, CLEAN_DEPTH_MAX);
    int saved = errno;
    close(dir);
    errno = saved;
    return rc;
}
