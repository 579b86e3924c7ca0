/*
 * oom.c - out of memory: a message, exit 3 and valid reports, never a crash.
 *
 * Where tabsim can see memory coming, it bounds it: a run that keeps a
 * history stops at SIM_HISTORY_STEPS_MAX steps (sim/world/stop.h), and a
 * worker thread that cannot be started leaves its work to the others
 * (cmd_check.c).  What remains (a scenario whose stored events grow to
 * gigabytes, `ulimit -v` below what --jobs threads need) used to end in
 * GLib's "failed to allocate N bytes" error and an abort: exit 133 and no
 * report.  Allocation fails only under a memory limit (ulimit -v or -d);
 * without one, Linux overcommits and its OOM killer decides.
 *
 * The end is now always the same: one line on stderr, the --json and
 * --junit reports of a check replaced by small valid reports that say the
 * check ran out of memory (they name no scenario, and `tabsim merge`
 * refuses them, exit 2, rather than take them for a shard with nothing
 * to say), and exit 3 ("no verdict": memory is a budget too).  It is
 * reached two ways:
 *  - GLib's fatal "failed to allocate" message (g_malloc of a large block,
 *    or a coroutine stack, coro.c), caught by the log writer main()
 *    installs; every other message goes to GLib's default writer;
 *  - in glibc builds without a sanitizer, malloc and its siblings are
 *    wrapped here: sim/world/arena.c interposes them and calls these
 *    outside an arena (cli_oom_install hands them over).  A failure
 *    gives up a reserve of address space held back under a memory limit
 *    (OOM_RESERVE_BYTES) and retries once; a small block that still cannot
 *    be had ends here, because GLib 2.74 cannot survive it: GSlice aborts
 *    past the log, GLib's threads abort, and g_logv formats the fatal
 *    message with malloc, recursing until the stack overflows.  A large
 *    block that cannot be had is returned as NULL, for g_try_malloc's
 *    callers and for g_malloc's message, which the reserve pays for.  The
 *    extra call costs about 3 % of a check's time.
 * Either way the code runs on any thread with the heap exhausted, so it
 * allocates nothing (report paths are copied into static storage when
 * check starts) and uses only write(), rename(), munmap() and _exit(); a
 * second thread failing meanwhile waits for the first one's _exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "sim/world/arena.h"

#ifndef TABSIM_VERSION
#define TABSIM_VERSION "0.0.0"
#endif

#define OOM_PATH_MAX 4096
#define OOM_MESSAGE_MAX 256
/* Address space held back under a memory limit, given up at the first
 * failure so that the reports and messages can still be written. */
#define OOM_RESERVE_BYTES (8 * 1024 * 1024)
/* Smaller blocks that cannot be had end the process (see above). */
#define OOM_SMALL_BYTES (1024 * 1024)

typedef struct oom_report {
    char path[OOM_PATH_MAX];
    char tmp[OOM_PATH_MAX + 16];
    gboolean xml; /* JUnit, else JSON */
} oom_report;

static oom_report oom_reports[2];
static int oom_n_reports;
static void *oom_reserve;
static gint oom_entered; /* a thread is ending the process: the others wait */

static void out(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

/* The message, escaped for JSON or XML into buf (ASCII only: it is ours
 * or GLib's, but is treated as untrusted all the same). */
static void escape(char *buf, size_t size, const char *text, gboolean xml)
{
    size_t n = 0;
    for (; *text && n + 8 < size; text++) {
        unsigned char c = (unsigned char)*text;
        const char *rep = NULL;
        if (xml)
            rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : NULL;
        else
            rep = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
        if (rep) {
            memcpy(buf + n, rep, strlen(rep));
            n += strlen(rep);
        } else {
            buf[n++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
        }
    }
    buf[n] = '\0';
}

static void report_write(const oom_report *r, const char *reason)
{
    char escaped[OOM_MESSAGE_MAX * 6 + 16];
    escape(escaped, sizeof escaped, reason, r->xml);
    int fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return;
    if (r->xml) {
        out(fd, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<testsuites name=\"tabsim\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                "  <testsuite name=\"tabsim check\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                "    <testcase classname=\"tabsim.check\" name=\"out-of-memory\">\n"
                "      <error type=\"out-of-memory\" message=\"");
        out(fd, escaped);
        out(fd, "\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n");
    } else {
        out(fd, "{\n  \"tool\" : \"tabsim\",\n  \"version\" : \"" TABSIM_VERSION "\",\n  \"schema\" : 1,\n"
                "  \"command\" : \"check\",\n  \"exit_code\" : 3,\n  \"error\" : \"");
        out(fd, escaped);
        out(fd, "\",\n  \"summary\" : {\n    \"scenarios\" : 0,\n    \"expected\" : 0,\n    \"unexpected\" : 0,\n"
                "    \"incomplete\" : 0,\n    \"bad_input\" : 0,\n    \"runs\" : 0\n  },\n  \"scenarios\" : [\n  ]\n}\n");
    }
    close(fd);
    rename(r->tmp, r->path);
}

/* Gives up the reserve (once); TRUE when there was one to give. */
static gboolean oom_reserve_release(void)
{
    void *reserve = g_atomic_pointer_exchange(&oom_reserve, NULL);
    if (!reserve)
        return FALSE;
    munmap(reserve, OOM_RESERVE_BYTES);
    return TRUE;
}

/* The end: what failed ("failed to allocate ..."), the reports, exit 3. */
static G_NORETURN void oom_exit(const char *what)
{
    if (!g_atomic_int_compare_and_exchange(&oom_entered, 0, 1))
        for (;;)
            pause(); /* another thread is saying it: its _exit ends this one */
    oom_reserve_release();
    char reason[OOM_MESSAGE_MAX];
    g_strlcpy(reason, "out of memory: ", sizeof reason);
    g_strlcat(reason, what, sizeof reason);
    out(2, "tabsim: ");
    out(2, reason);
    out(2, oom_n_reports > 0 ? "; stopped without a verdict (exit 3); the reports say only that\n"
                             : "; stopped without a verdict (exit 3)\n");
    for (int i = 0; i < oom_n_reports; i++)
        report_write(&oom_reports[i], reason);
    _exit(CLI_EXIT_INCOMPLETE);
}

static GLogWriterOutput oom_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
    const char *message = NULL;
    for (gsize i = 0; i < n_fields; i++)
        if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
            message = fields[i].value;
    const char *what = (level & G_LOG_LEVEL_ERROR) && message ? strstr(message, "failed to allocate") : NULL;
    if (!what)
        return g_log_writer_default(level, fields, n_fields, data);
    oom_exit(what);
}

/* The sanitizers bring their own malloc: leave it alone under them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OOM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define OOM_SANITIZED 1
#endif
#endif

#if defined(__GLIBC__) && !defined(OOM_SANITIZED)
#define OOM_WRAP_MALLOC 1

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

/* "failed to allocate N bytes", formatted without allocating. */
static G_NORETURN void oom_small(size_t size)
{
    char digits[24], what[64];
    int n = 0;
    do
        digits[n++] = (char)('0' + size % 10);
    while ((size /= 10) > 0 && n < (int)sizeof digits);
    g_strlcpy(what, "failed to allocate ", sizeof what);
    size_t at = strlen(what);
    while (n > 0)
        what[at++] = digits[--n];
    what[at] = '\0';
    g_strlcat(what, " bytes", sizeof what);
    oom_exit(what);
}

/* After a failure: TRUE to try again (the reserve was given up); a small
 * block that cannot be had even so ends the process. */
static gboolean oom_retry(size_t size, gboolean failed_again)
{
    if (!failed_again && oom_reserve_release())
        return TRUE;
    if (size < OOM_SMALL_BYTES)
        oom_small(size);
    return FALSE;
}

static void *oom_malloc(size_t size)
{
    void *p = __libc_malloc(size);
    if (G_UNLIKELY(!p && size > 0) && oom_retry(size, FALSE) && !(p = __libc_malloc(size)))
        oom_retry(size, TRUE);
    return p;
}

static void *oom_calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    if (G_UNLIKELY(!p && n > 0 && size > 0) && size <= SIZE_MAX / n && oom_retry(n * size, FALSE) &&
        !(p = __libc_calloc(n, size)))
        oom_retry(n * size, TRUE);
    return p;
}

static void *oom_realloc(void *old, size_t size)
{
    void *p = __libc_realloc(old, size);
    if (G_UNLIKELY(!p && size > 0) && oom_retry(size, FALSE) && !(p = __libc_realloc(old, size)))
        oom_retry(size, TRUE);
    return p;
}

static void *oom_memalign(size_t alignment, size_t size)
{
    void *p = __libc_memalign(alignment, size);
    if (G_UNLIKELY(!p && size > 0 && errno == ENOMEM) && oom_retry(size, FALSE) &&
        !(p = __libc_memalign(alignment, size)))
        oom_retry(size, TRUE);
    return p;
}

#endif

void cli_oom_install(void)
{
    g_log_set_writer_func(oom_writer, NULL, NULL);
#ifdef OOM_WRAP_MALLOC
    sim_arena_set_outside(&(sim_alloc_fns){oom_malloc, oom_calloc, oom_realloc, oom_memalign});
#endif
    struct rlimit as, data;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur == RLIM_INFINITY && getrlimit(RLIMIT_DATA, &data) == 0 &&
        data.rlim_cur == RLIM_INFINITY)
        return;
    /* Under a limit: glibc gives each thread an arena that reserves 64 MiB
     * of address space; two shared arenas fit --jobs in far less. */
    mallopt(M_ARENA_MAX, 2);
#ifdef OOM_WRAP_MALLOC
    void *reserve = mmap(NULL, OOM_RESERVE_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserve != MAP_FAILED)
        g_atomic_pointer_set(&oom_reserve, reserve);
#endif
}

void cli_oom_reports(const char *json, const char *junit)
{
    const char *paths[2] = {json, junit};
    oom_n_reports = 0;
    for (int i = 0; i < 2; i++) {
        if (!paths[i] || strlen(paths[i]) >= OOM_PATH_MAX)
            continue;
        oom_report *r = &oom_reports[oom_n_reports];
        g_strlcpy(r->path, paths[i], sizeof r->path);
        g_snprintf(r->tmp, sizeof r->tmp, "%s.oom-tmp", paths[i]);
        r->xml = i == 1;
        oom_n_reports++;
    }
}
