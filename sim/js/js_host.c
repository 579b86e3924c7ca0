/*
 * js_host.c - the node processes of JavaScript tabs; see sim/js/js_host.h.
 *
 * Why processes, one per tab slot: a tab's JavaScript blocks in a
 * synchronous call (getItem) until the C scheduler has performed it, and
 * meanwhile another tab's JavaScript must be able to run, so each tab needs
 * a JavaScript thread of its own.  A process per tab gives that with two
 * plain pipes (node's stdin and stdout) and no shared state; a worker
 * thread per tab inside one process would cost the same pipe round trip
 * per call.  node's stderr is tabsim's, so a crash of node is visible.
 *
 * Invariants: a channel is used by one thread only (the processes are
 * per thread, GPrivate); frames are read and written whole (loops over
 * partial reads and writes, EINTR retried); a process that goes away
 * (EOF, EPIPE) or breaks the adapter contract fails its scenario, which
 * the check reports as bad input (sim_js_fail): the run it was part of
 * cannot be judged; a stop (a signal, the time budget) while node runs
 * the tab's code kills it and the run ends unjudged.  Either way the
 * channel is dead, and its slot gets a new process at its next use.
 * Nothing here decides anything: node only answers what it is asked.
 */
#define _GNU_SOURCE /* sched_getcpu, pthread_setaffinity_np */
#include "sim/js/js_host.h"
#include "sim/output.h"
#include "sim/world/world.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#define JS_NODE_MIN_MAJOR 18

struct sim_js_chan {
    GPid pid;
    int to_fd, from_fd;
    GString *out; /* frames queued for node */
    GByteArray *in; /* the frame being read */
    guint8 *buf;    /* bytes read from node, not yet taken: buf[at..end) */
    size_t at, end;
    char *version;
    const char *scenario_path; /* the scenario of its last use (sim_js_chan_get) */
    gboolean dead; /* killed or gone (a stop, a failure): every frame is 'S'; replaced at its next use */
};

typedef struct js_host {
    sim_js_chan *chans[SIM_TABS_MAX + 1]; /* by tab index */
    gboolean pinned; /* the thread and its node processes share one CPU */
} js_host;

static void chan_free(sim_js_chan *ch)
{
    if (ch->to_fd >= 0)
        close(ch->to_fd); /* EOF: host.js exits */
    if (ch->from_fd >= 0)
        close(ch->from_fd);
    if (ch->pid > 0) {
        waitpid(ch->pid, NULL, 0);
        g_spawn_close_pid(ch->pid);
    }
    g_string_free(ch->out, TRUE);
    g_byte_array_free(ch->in, TRUE);
    g_free(ch->buf);
    g_free(ch->version);
    g_free(ch);
}

static void js_host_free(gpointer data)
{
    js_host *h = data;
    for (int i = 0; i <= SIM_TABS_MAX; i++)
        if (h->chans[i])
            chan_free(h->chans[i]);
    g_free(h);
}

static GPrivate host_key = G_PRIVATE_INIT(js_host_free);

/* Failures by scenario path, the first of each (sim_js_fail); any thread. */
static GMutex errors_lock;
static GHashTable *errors;

static void error_keep(const char *scenario_path, const char *message)
{
    g_mutex_lock(&errors_lock);
    if (!errors)
        errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!g_hash_table_contains(errors, scenario_path))
        g_hash_table_insert(errors, g_strdup(scenario_path), g_strdup(message));
    g_mutex_unlock(&errors_lock);
}

char *sim_js_error_take(const char *scenario_path)
{
    char *key = NULL, *message = NULL;
    g_mutex_lock(&errors_lock);
    if (errors)
        g_hash_table_steal_extended(errors, scenario_path, (gpointer *)&key, (gpointer *)&message);
    g_mutex_unlock(&errors_lock);
    g_free(key);
    return message;
}

void sim_js_fail(sim_world *w, const char *scenario_path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *text = g_strdup_printf("%s: [js] module: %s", scenario_path, msg);
    error_keep(scenario_path, text);
    g_free(text);
    g_free(msg);
    if (w)
        w->input_broken = TRUE;
}

#define CHAN_BUF (64 * 1024)
/* How often a wait for node looks at the stop word, in milliseconds. */
#define CHAN_STOP_POLL_MS 200

/* Wait until node has written something, or the stop word is set (a
 * signal, the time budget): a tab's code that never returns (a loop in
 * lock()) must not hold the check past its budget.  FALSE: stopped; node
 * is then killed, for its realm is in the middle of a macrotask. */
static gboolean chan_wait(sim_js_chan *ch, const volatile int *stop)
{
    struct pollfd pfd = {.fd = ch->from_fd, .events = POLLIN};
    for (;;) {
        int r = poll(&pfd, 1, CHAN_STOP_POLL_MS);
        if (r > 0)
            return TRUE;
        if (r < 0 && errno != EINTR)
            return TRUE; /* the read says what is wrong */
        if (sim_stop_read(stop) != SIM_STOP_NONE) {
            sim_js_chan_kill(ch);
            return FALSE;
        }
    }
}

/* n bytes of node's output, through the channel's buffer: one read()
 * takes whatever node has written (several frames, often), not one per
 * header and one per payload. */
static gboolean chan_take(sim_js_chan *ch, void *out, size_t n, const volatile int *stop)
{
    guint8 *p = out;
    while (n > 0) {
        if (ch->at == ch->end) {
            ch->at = ch->end = 0;
            if (stop && !chan_wait(ch, stop))
                return FALSE;
            ssize_t r = read(ch->from_fd, ch->buf, CHAN_BUF);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return FALSE;
            ch->end = (size_t)r;
        }
        size_t k = MIN(n, ch->end - ch->at);
        memcpy(p, ch->buf + ch->at, k);
        ch->at += k;
        p += k;
        n -= k;
    }
    return TRUE;
}

void sim_js_chan_kill(sim_js_chan *ch)
{
    if (ch->pid > 0 && !ch->dead)
        kill(ch->pid, SIGKILL);
    ch->dead = TRUE;
}

/* The process went away or broke the protocol: its scenario fails (the
 * first failure kept counts: an 'X' frame's message comes before the exit
 * that follows it). */
static void chan_lost(sim_js_chan *ch, const char *what)
{
    if (ch->scenario_path)
        sim_js_fail(NULL, ch->scenario_path,
                    "the node process of a JavaScript tab (TABSIM_NODE, or node on PATH) %s; see its message above",
                    what);
    sim_js_chan_kill(ch);
}

void sim_js_chan_send(sim_js_chan *ch, char op, int n, const char *const *fields)
{
    size_t start = ch->out->len;
    g_string_append_c(ch->out, op);
    g_string_append_len(ch->out, "\0\0\0\0", 4);
    for (int i = 0; i < n; i++) {
        g_string_append(ch->out, fields[i]);
        g_string_append_c(ch->out, '\0');
    }
    guint32 len = GUINT32_TO_LE((guint32)(ch->out->len - start - 5));
    memcpy(ch->out->str + start + 1, &len, 4);
}

void sim_js_chan_flush(sim_js_chan *ch)
{
    if (ch->dead)
        g_string_truncate(ch->out, 0); /* nobody to send it to: the run is stopped */
    if (ch->out->len == 0)
        return;
    if (!sim_output_write_fd(ch->to_fd, ch->out->str, ch->out->len))
        chan_lost(ch, "stopped reading");
    g_string_truncate(ch->out, 0);
}

void sim_js_chan_read(sim_js_chan *ch, sim_js_frame *f, const volatile int *stop)
{
    sim_js_chan_flush(ch);
    guint8 head[5];
    gboolean ok = !ch->dead && chan_take(ch, head, sizeof head, stop);
    guint32 len = 0;
    if (ok) {
        memcpy(&len, head + 1, 4);
        len = GUINT32_FROM_LE(len);
        g_byte_array_set_size(ch->in, len + 1);
        ok = len == 0 || chan_take(ch, ch->in->data, len, stop);
    }
    if (!ok) {
        if (!ch->dead)
            chan_lost(ch, "exited");
        f->op = 'S';
        f->n = 0;
        for (int i = 0; i < SIM_JS_FIELDS_MAX; i++)
            f->field[i] = "";
        return;
    }
    ch->in->data[len] = '\0';
    f->op = (char)head[0];
    f->n = 0;
    for (guint32 at = 0; at < len && f->n < SIM_JS_FIELDS_MAX;) {
        const char *s = (const char *)ch->in->data + at;
        f->field[f->n++] = s;
        at += (guint32)strlen(s) + 1;
    }
    for (int i = f->n; i < SIM_JS_FIELDS_MAX; i++)
        f->field[i] = "";
}

const char *sim_js_chan_node_version(const sim_js_chan *ch)
{
    return ch->version;
}

/* In the child, before node starts: a process group of its own, so that a
 * Ctrl-C or a timeout's signal to tabsim's group stops tabsim (which then
 * reports, exit 3) and not the tab under it; node still ends with tabsim,
 * at the end of its stdin, or killed when the thread that started it is
 * gone (tabsim killed: a node busy in a loop reads no end of stdin). */
static void chan_child_setup(gpointer data)
{
    (void)data;
    setpgid(0, 0);
#ifdef __linux__
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* The node binary: $TABSIM_NODE, else node on PATH. */
static char *node_path(void)
{
    const char *env = g_getenv("TABSIM_NODE");
    if (env && *env)
        return g_strdup(env);
    return g_find_program_in_path("node");
}

/* A new process for scenario_path's tabs; on failure (no node, node too
 * old) a dead channel, the failure kept for the scenario (sim_js_fail). */
static sim_js_chan *chan_start(const char *scenario_path)
{
    sim_js_chan *ch = g_new0(sim_js_chan, 1);
    ch->to_fd = ch->from_fd = -1;
    ch->scenario_path = scenario_path;
    ch->out = g_string_new(NULL);
    ch->in = g_byte_array_new();
    ch->buf = g_malloc(CHAN_BUF);
    char *node = node_path();
    if (!node) {
        sim_js_fail(NULL, scenario_path, "node was not found on PATH (set TABSIM_NODE to its path); JavaScript tabs "
                                         "need node %d or newer (.ci/setup installs it)",
                    JS_NODE_MIN_MAJOR);
        ch->dead = TRUE;
        return ch;
    }
    /* A node that dies must not kill tabsim: a write then fails (EPIPE). */
    signal(SIGPIPE, SIG_IGN);
    /* vm.SourceTextModule (ES module adapters) is behind a flag in node
     * 18 to 22; host.js drops the warning it prints. */
    char *argv[] = {node, "--experimental-vm-modules", "-e", (char *)sim_js_host_source, NULL};
    GError *err = NULL;
    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, chan_child_setup, NULL, &ch->pid, &ch->to_fd,
                                  &ch->from_fd, NULL, &err)) {
        sim_js_fail(NULL, scenario_path, "cannot start %s (TABSIM_NODE, or node on PATH): %s", node, err->message);
        g_error_free(err);
        g_free(node);
        ch->dead = TRUE;
        return ch;
    }
    sim_js_frame f;
    sim_js_chan_read(ch, &f, NULL);
    if (f.op == 'H') {
        ch->version = g_strdup(f.field[0]);
    } else if (f.op == 'X') {
        sim_js_fail(NULL, scenario_path, "%s", f.field[0]);
        sim_js_chan_kill(ch);
    } else if (f.op != 'S') { /* 'S': gone, its failure kept already */
        chan_lost(ch, "did not greet");
    }
    g_free(node);
    return ch;
}

/* A thread and the node processes of its JavaScript tabs take turns, one
 * running while the others wait for its frame: a second CPU only adds a
 * wake-up of another CPU to every handoff, which on a virtual machine costs
 * more than the work (bench/bench_js.sh here: 9,000 storage operations per
 * second across two CPUs, 14,000 on one).  So before it starts its first
 * node process the thread binds itself to the CPU it runs on, and the
 * processes it starts inherit that.  TABSIM_JS_CPU=any leaves the
 * scheduler free. */
static void host_pin(js_host *h)
{
    if (h->pinned)
        return;
    h->pinned = TRUE;
    const char *env = g_getenv("TABSIM_JS_CPU");
    if (env && strcmp(env, "any") == 0)
        return;
    int cpu = sched_getcpu();
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* a refusal only costs speed */
}

sim_js_chan *sim_js_chan_get(int index, const char *scenario_path)
{
    g_assert(index >= 1 && index <= SIM_TABS_MAX);
    js_host *h = g_private_get(&host_key);
    if (!h) {
        h = g_new0(js_host, 1);
        g_private_set(&host_key, h);
    }
    if (h->chans[index] && h->chans[index]->dead) {
        chan_free(h->chans[index]);
        h->chans[index] = NULL;
    }
    if (!h->chans[index]) {
        host_pin(h);
        h->chans[index] = chan_start(scenario_path);
    }
    h->chans[index]->scenario_path = scenario_path;
    return h->chans[index];
}
