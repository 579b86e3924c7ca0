/*
 * sim/output.h - writing an output file (a report, a CSV, a diagram, a
 * chart's data) whole, without harming what the path names.
 *
 * g_file_set_contents writes a temporary file and renames it over the
 * path: a reader never sees half a report, but the rename replaces
 * whatever was there.  Run as root, `--junit /dev/null` turned the
 * machine's /dev/null into a regular file; a symbolic link to the report
 * a dashboard reads was replaced by a file of its own; a FIFO a CI step
 * reads from was removed.  sim_output_write keeps the atomic rename for
 * regular files (and new ones), writes through a symbolic link to the
 * file it names, and writes into a device, FIFO or socket in place; a
 * link to a file descriptor (/dev/stdout) is written to as the
 * descriptor, appended to what was printed there.
 */
#ifndef SIM_OUTPUT_H
#define SIM_OUTPUT_H

#include <glib.h>

/* Writes len bytes of data (len -1: a NUL-terminated text) to path as
 * above.  FALSE with error set (g_file_set_contents' errors, or
 * G_FILE_ERROR "PATH: cannot write it: ...") when it cannot. */
gboolean sim_output_write(const char *path, const char *data, gssize len, GError **error);

/* Writes all n bytes of buf to fd, over partial writes and EINTR.  FALSE
 * (errno set) when a write fails; a pipe's reader gone is EPIPE. */
gboolean sim_output_write_fd(int fd, const void *buf, size_t n);

/* Why path cannot be an output (empty, a directory, a file or folder not
 * writable, a folder not there), as "...; allowed: ...", or NULL.  The
 * commands ask before any work (sim/cli/options.c). */
char *sim_output_unwritable(const char *path);

#endif
