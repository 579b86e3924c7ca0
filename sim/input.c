/*
 * input.c - reading an input file whole, refusing what is not a regular
 * file or is too large, and printing input text safely; see sim/input.h.
 *
 * The file is opened with O_NONBLOCK, so opening a FIFO without a writer
 * returns at once, and fstat on the open descriptor decides (no window
 * between a stat and the open in which the path could change).  The size
 * is checked before reading and again while reading, so a file that grows
 * meanwhile is still read to at most max_bytes + 1 bytes.
 */
#include "sim/input.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/error.h"

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a plain file";
}

/* size 0: unknown, the file grew past max_bytes while it was read. */
static gboolean too_large(const char *path, const char *what, gsize max_bytes, guint64 size, GError **error)
{
    char *size_text = size ? g_strdup_printf("%" G_GUINT64_FORMAT " bytes", size)
                           : g_strdup_printf("more than %" G_GSIZE_FORMAT " bytes", max_bytes);
    g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: %s is too large for a %s; allowed: at most %" G_GSIZE_FORMAT
                " bytes", path, size_text, what, max_bytes);
    g_free(size_text);
    return FALSE;
}

/* Reads fd to its end, at most max_bytes; FALSE with *over set when longer. */
static gboolean read_all(int fd, gsize max_bytes, GString *buf, gboolean *over, int *err)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = errno;
            return FALSE;
        }
        if (n == 0)
            return TRUE;
        if (buf->len + (gsize)n > max_bytes) {
            *over = TRUE;
            return FALSE;
        }
        g_string_append_len(buf, chunk, n);
    }
}

gboolean sim_input_read(const char *path, const char *what, const char *allowed, gsize max_bytes, char **data,
                        gsize *len, GError **error)
{
    *data = NULL;
    *len = 0;
    int fd;
    do
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: cannot read the %s: Failed to open file “%s”: %s", path,
                    what, path, g_strerror(e));
        return FALSE;
    }
    struct stat st;
    gboolean ok = TRUE;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: cannot read the %s: %s", path, what, g_strerror(e));
        ok = FALSE;
    } else if (!S_ISREG(st.st_mode)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: not a regular file (%s); allowed: %s", path,
                    file_kind(st.st_mode), allowed);
        ok = FALSE;
    } else if ((guint64)st.st_size > max_bytes) {
        ok = too_large(path, what, max_bytes, (guint64)st.st_size, error);
    }
    GString *buf = g_string_new(NULL);
    gboolean over = FALSE;
    int err = 0;
    if (ok && !read_all(fd, max_bytes, buf, &over, &err)) {
        if (over)
            too_large(path, what, max_bytes, 0, error);
        else
            g_set_error(error, SIM_ERROR, SIM_ERROR_FILE, "%s: cannot read the %s: %s", path, what, g_strerror(err));
        ok = FALSE;
    }
    close(fd);
    if (!ok) {
        g_string_free(buf, TRUE);
        return FALSE;
    }
    *len = buf->len;
    *data = g_string_free(buf, FALSE);
    return TRUE;
}

/* Appends the escape of one character (or invalid byte) at p; returns its
 * length in bytes, or 0 when it needs none. */
static gsize escape_one(GString *out, const char *p, gboolean keep_newlines)
{
    guchar b = (guchar)*p;
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        g_string_append_printf(out, "\\x%02x", b);
        return 1;
    }
    if (c == '\n' && keep_newlines)
        return 0;
    if (c == '\n' || c == '\r' || c == '\t') {
        g_string_append_c(out, '\\');
        g_string_append_c(out, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        g_string_append_printf(out, "\\x%02x", (guint)c);
        return 1;
    }
    if (c >= 0x80 && c <= 0x9f) {
        g_string_append_printf(out, "\\u%04x", (guint)c);
        return 2;
    }
    /* Line and paragraph separators (some viewers break lines there) and
     * the two noncharacters XML 1.0 forbids (a report that quotes them
     * would not parse). */
    if (c == 0x2028 || c == 0x2029 || c == 0xfffe || c == 0xffff) {
        g_string_append_printf(out, "\\u%04x", (guint)c);
        return 3;
    }
    return 0;
}

char *sim_input_escape(const char *text, gboolean keep_newlines)
{
    if (!text)
        return g_strdup("");
    GString *out = g_string_sized_new(strlen(text));
    for (const char *p = text; *p;) {
        gsize n = escape_one(out, p, keep_newlines);
        if (n == 0) {
            const char *next = g_utf8_next_char(p);
            g_string_append_len(out, p, next - p);
            p = next;
        } else
            p += n;
    }
    return g_string_free(out, FALSE);
}

char *sim_input_shell_quote(const char *text)
{
    char *escaped = sim_input_escape(text, FALSE);
    gboolean plain = strcmp(escaped, text) == 0;
    g_free(escaped);
    if (plain)
        return g_shell_quote(text);
    /* $'...': every byte that is not plain printable ASCII as \xHH, so the
     * shell rebuilds exactly the bytes of text. */
    GString *out = g_string_new("$'");
    for (const guchar *p = (const guchar *)text; *p; p++) {
        if (*p == '\'' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            g_string_append_printf(out, "\\x%02x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '\'');
    return g_string_free(out, FALSE);
}

size_t sim_input_cut(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--; /* text[cut] continues a character: cut before it */
    return cut;
}
