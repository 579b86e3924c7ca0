/*
 * output.c - writing an output file; see sim/output.h.
 *
 * Invariant: a path that names a regular file or nothing is written by a
 * rename (g_file_set_contents), so a reader sees the old file or the new
 * one; a path that names anything else is never removed or replaced.
 */
#include "sim/output.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean sim_output_write_fd(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return FALSE;
        p += r;
        n -= (size_t)r;
    }
    return TRUE;
}

/* Writes into the existing non-regular file at path (a device, a FIFO),
 * in place, or appends to what a descriptor link names; own_fd >= 0: this
 * process's descriptor, written after what stdio holds for it (/dev/stdout
 * redirected to a file: the report follows what was printed there). */
static gboolean write_in_place(const char *path, const char *data, size_t len, int own_fd, GError **error)
{
    if (own_fd >= 0)
        fflush(own_fd == 1 ? stdout : own_fd == 2 ? stderr : NULL);
    int fd = own_fd >= 0 ? own_fd : open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    gboolean ok = fd >= 0 && sim_output_write_fd(fd, data, len);
    int err = errno;
    if (fd >= 0 && own_fd < 0 && close(fd) != 0 && ok) {
        ok = FALSE;
        err = errno;
    }
    if (!ok)
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: cannot write it: %s", path,
                    g_strerror(err));
    return ok;
}

/* Where an output to path goes.  In place (TRUE): path names an existing
 * file that is not a regular one, or a symbolic link on the way names a
 * process's file descriptor (/dev/stdout is /proc/self/fd/1); *own_fd is
 * the descriptor when it is this process's, else -1.  Else (FALSE) a file
 * written by rename: *target is where a symbolic link at path leads,
 * followed to its end (a dangling one gives the path it would create), or
 * NULL when path is no link. */
static gboolean output_in_place(const char *path, char **target, int *own_fd)
{
    char *at = g_strdup(path);
    gboolean fd_link = FALSE;
    *own_fd = -1;
    for (int hops = 0; hops < 40 && g_file_test(at, G_FILE_TEST_IS_SYMLINK); hops++) {
        char *to = g_file_read_link(at, NULL);
        if (!to)
            break;
        const char *n = g_str_has_prefix(to, "/proc/self/fd/") ? to + 14 : g_str_has_prefix(to, "/dev/fd/") ? to + 8 : NULL;
        fd_link = fd_link || n || g_str_has_prefix(to, "/proc/");
        if (n && g_ascii_isdigit(*n))
            *own_fd = (int)g_ascii_strtoll(n, NULL, 10);
        if (!g_path_is_absolute(to)) {
            char *dir = g_path_get_dirname(at);
            char *joined = g_build_filename(dir, to, NULL);
            g_free(dir);
            g_free(to);
            to = joined;
        }
        g_free(at);
        at = to;
    }
    GStatBuf st;
    if (fd_link || (g_stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        g_free(at);
        *target = NULL;
        return TRUE;
    }
    if (strcmp(at, path) == 0) {
        g_free(at);
        at = NULL;
    }
    *target = at;
    return FALSE;
}

gboolean sim_output_write(const char *path, const char *data, gssize len, GError **error)
{
    size_t n = len < 0 ? strlen(data) : (size_t)len;
    char *target;
    int own_fd;
    if (output_in_place(path, &target, &own_fd))
        return write_in_place(path, data, n, own_fd, error);
    gboolean ok = g_file_set_contents(target ? target : path, data, (gssize)n, error);
    g_free(target);
    return ok;
}

char *sim_output_unwritable(const char *path)
{
    if (!*path)
        return g_strdup("an empty name; allowed: a file name");
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        return g_strdup("it is a directory; allowed: a file name");
    char *target;
    int own_fd;
    if (output_in_place(path, &target, &own_fd))
        return g_access(path, W_OK) == 0 ? NULL : g_strdup("it is not writable; allowed: a file you can write to");
    char *dir = g_path_get_dirname(target ? target : path), *why = NULL;
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        why = g_strdup_printf("its folder %s does not exist; allowed: a file in an existing folder", dir);
    else if (g_access(dir, W_OK) != 0)
        why = g_strdup_printf("its folder %s is not writable; allowed: a file in a folder you can write to", dir);
    g_free(dir);
    g_free(target);
    return why;
}
