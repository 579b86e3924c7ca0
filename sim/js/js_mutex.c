/*
 * js_mutex.c - [mutex] algorithm = js: a lock written in JavaScript, run
 * as the tab's mutex ([js] module names its adapter; docs/javascript.md).
 *
 * Why: users ship JavaScript, not C.  This runs their code, unmodified and
 * as published on npm, in the same world as the C tabs: same scheduler,
 * storage models, faults, explorers, tokens and invariants.
 *
 * How.  The adapter is `(tab) => ({ lock, unlock })`; each tab's instance
 * lives in a fresh realm of the tab's node process (js_host.c, host.js),
 * made when the tab builds its mutex (so per run and per execution, and
 * again after a reload).  lock() and unlock() here start a macrotask in
 * node (call the adapter's method) and then serve it on the calling task:
 * each request of the JavaScript is the matching xt_env call, made by this
 * task, so
 *  - getItem, setItem, removeItem, key(i), length are storage calls, each a
 *    scheduling point exactly as for a C tab;
 *  - Date.now, new Date(), performance.now read xt_env_now_ms;
 *  - Math.random is xt_env_random_u64 (the chooser's; 53 bits as [0, 1));
 *  - setTimeout / setInterval start a task (xt_env_spawn) that sleeps the
 *    delay (xt_env_sleep_ms: throttled in a background tab) and then runs
 *    the callback's macrotask the same way; clearTimeout makes it do
 *    nothing when it wakes.  So one tab's JavaScript runs one macrotask at
 *    a time, and its tasks interleave only at awaits, as on an event loop.
 * When the macrotask that called lock() ends with the promise still
 * pending, the calling task waits (an await) until a later macrotask of
 * the tab (a timer) settles it, and then goes on in the step that macrotask
 * ends (sim_world_handoff: the await's continuation is a microtask of
 * that macrotask, not a task of its own).
 *
 * Contract: lock() resolves true (acquired) or false (gave up: the caller
 * falls back, as for a C lock that timed out); unlock() resolves.  Another
 * resolution value of lock(), or an adapter that cannot be loaded, is an
 * input error (exit 2 naming the file, [js] module).  A rejection of lock()
 * is a failed lock (XT_ELOCKTIMEOUT) with the error in the log, and one of
 * unlock() a warning: the library threw, which is behaviour to report.
 *
 *  - navigator.locks.request starts a task that makes the request
 *    (xt_env_lock_request: the simulator's Web Locks manager, an await
 *    until granted) and then runs the callback's macrotask; when the
 *    callback's promise settles, the lock is released (xt_env_lock_release).
 *
 *  - the `storage` event of another tab's change is dispatched to the
 *    realm's listeners as a macrotask of its own (js_event_*).
 *
 * Not yet simulated (docs/javascript.md): shared Web Locks, the AbortError of a stolen
 * lock's request, fetch other than a POST, import() and top-level await.
 *
 * Invariants: at most one macrotask of a tab is being served (busy), by
 * the task that started it, which keeps the tab throughout (storage calls
 * keep it; a spawn hands it back at the child's first await); the mutex
 * outlives its timer tasks (refs); once the tab is gone every call
 * returns XT_ECANCELLED without a frame, except that a macrotask being
 * served is finished with "cancelled" replies (the JavaScript sees an
 * AbortError) so that node is idle again for the next realm.
 */
#include "sim/js/js_mutex.h"
#include "sim/js/js_host.h"
#include "sim/js/js_store.h"
#include "sim/js/js_tab.h"
#include "sim/programs/algorithms.h"
#include "sim/world/world.h"
#include "xt/mutex_algorithm.h"

#include <stdio.h>
#include <string.h>

#define JS_NAME "js"

typedef struct js_lockreq {
    js_mutex *jm;
    int64_t id;
    char *name;
    int flags;
} js_lockreq;

typedef struct js_timer {
    js_mutex *jm;
    sim_task *task; /* its task, asleep until the delay has passed */
    int64_t id, ms;
    gboolean cleared;
} js_timer;

void sim_js_unref(js_mutex *jm)
{
    if (--jm->refs > 0)
        return;
    sim_js_event_clear(jm);
    g_hash_table_destroy(jm->timers);
    g_hash_table_destroy(jm->handles);
    g_hash_table_destroy(jm->work_calls);
    g_string_free(jm->scratch, TRUE);
    g_free(jm);
}

/* The world's time in ms, as a field: it ends every frame that starts a
 * macrotask and begins every reply, so that node's Date.now() needs no
 * round trip.  Read without recording a clock access: node reports its
 * reads ('c'), which the step then records (xt_env_now_ms). */
const char *sim_js_now_text(js_mutex *jm, char *buf, size_t size)
{
    g_snprintf(buf, size, "%" G_GINT64_FORMAT, (gint64)(jm->tab->world->now_us / 1000));
    return buf;
}

static void reply(js_mutex *jm, const char *a, const char *b)
{
    char now[32];
    const char *fields[3] = {sim_js_now_text(jm, now, sizeof now), a, b};
    sim_js_chan_send(jm->chan, 'R', b ? 3 : 2, fields);
}

/* Start a macrotask: op with one argument, maybe a second (and the time). */
void sim_js_start(js_mutex *jm, char op, int64_t arg, const char *extra)
{
    char a[32], now[32];
    g_snprintf(a, sizeof a, "%" G_GINT64_FORMAT, (gint64)arg);
    const char *fields[3] = {a, extra ? extra : sim_js_now_text(jm, now, sizeof now), sim_js_now_text(jm, now, sizeof now)};
    sim_js_chan_send(jm->chan, op, extra ? 3 : 2, fields);
}

static void reply_rc(js_mutex *jm, int rc)
{
    char code[16];
    g_snprintf(code, sizeof code, "%d", rc);
    reply(jm, rc == XT_OK ? "ok" : code, NULL);
}

/* getItem / key(i): the value, null, or an error code. */
static void reply_value(js_mutex *jm, int rc)
{
    if (rc == XT_OK)
        reply(jm, "ok", jm->scratch->str);
    else if (rc == XT_ENOTFOUND)
        reply(jm, "null", NULL);
    else
        reply_rc(jm, rc);
}

/* Math.random: JS_RANDOM_BATCH draws of the tab's xt_env_random_u64, each
 * the top 53 bits as a double in [0, 1), printed so that node reads back
 * the same double.  Drawn ahead in a batch (one round trip, not one per
 * call): that changes which values of the tab's stream a call gets, never
 * what the chooser decides, since only the first draw of a tab's stream is
 * a choice and no JavaScript draw is announced as a timing outcome
 * (XT_OBS_RANDOM). */
#define JS_RANDOM_BATCH 16

static void reply_randoms(js_mutex *jm)
{
    char now[32], values[JS_RANDOM_BATCH][32];
    const char *fields[JS_RANDOM_BATCH + 1] = {sim_js_now_text(jm, now, sizeof now)};
    for (int i = 0; i < JS_RANDOM_BATCH; i++) {
        double r = (double)(xt_env_random_u64(jm->base.env) >> 11) * (1.0 / 9007199254740992.0);
        g_ascii_formatd(values[i], sizeof values[i], "%.17g", r);
        fields[i + 1] = values[i];
    }
    sim_js_chan_send(jm->chan, 'R', JS_RANDOM_BATCH + 1, fields);
}

/* tab.timing(n): one draw that decides one of n timings, announced as C
 * code announces it (XT_OBS_RANDOM), so that the chooser makes it a
 * choice exactly as for a C port of the same code. */
static void reply_timing(js_mutex *jm, int64_t n)
{
    char now[32], value[32];
    if (n > 1)
        xt_env_observe(jm->base.env, XT_OBS_RANDOM, "random delay", NULL, n);
    double r = (double)(xt_env_random_u64(jm->base.env) >> 11) * (1.0 / 9007199254740992.0);
    g_ascii_formatd(value, sizeof value, "%.17g", r);
    const char *fields[2] = {sim_js_now_text(jm, now, sizeof now), value};
    sim_js_chan_send(jm->chan, 'R', 2, fields);
}

static void timer_task(void *arg);

/* clearTimeout: the timer's wake-up leaves the queue at once, as a C
 * wait's deadline does when the wait ends, and the task no longer counts
 * as work under way; it stays asleep until the run unwinds it.  (A
 * wake-up already due and waiting for the tab stays, and does nothing.) */
static void timer_clear(js_mutex *jm, js_timer *t)
{
    sim_world *w = jm->tab->world;
    t->cleared = TRUE;
    ssize_t at = t->task ? sim_queue_find(&w->queue, t->task, SIM_QUEUE_ANY) : -1;
    if (at < 0)
        return;
    (void)sim_queue_remove_at(&w->queue, (size_t)at);
    if (t->task->counted) {
        t->task->counted = FALSE;
        w->spawned_live--;
    }
}

/* setTimeout or setInterval (a 't' note: id, delay, and the call whose
 * code set it, empty when none did).  The timer's task is work under way
 * as the code that set it is: node follows each call of lock(), unlock(),
 * add() or flush() through its awaits (host.js, "Whose code runs"), so a
 * timer set by code a storage event or another call's notify resumed
 * belongs to the call that code serves, not to the task whose macrotask
 * it ran in; a C port goes on in the task of that call and spawns from
 * there (env_sim.c).  Code of no call (a listener's own body) leaves the
 * spawn's rule: work when its setter is. */
static void timer_start(js_mutex *jm, const char *id, const char *ms, const char *call)
{
    js_timer *t = g_new0(js_timer, 1);
    t->jm = jm;
    t->id = g_ascii_strtoll(id, NULL, 10);
    t->ms = g_ascii_strtoll(ms, NULL, 10);
    jm->refs++;
    g_hash_table_insert(jm->timers, &t->id, t);
    if (xt_env_spawn(jm->base.env, timer_task, t) != XT_OK) {
        g_hash_table_remove(jm->timers, &t->id);
        jm->refs--;
        g_free(t);
        return;
    }
    if (!t->task || !call || !*call)
        return;
    sim_world *w = jm->tab->world;
    gint64 owner = g_ascii_strtoll(call, NULL, 10);
    gboolean work = g_hash_table_contains(jm->work_calls, GSIZE_TO_POINTER((gsize)owner));
    if (work != t->task->counted) {
        t->task->counted = work;
        w->spawned_live += work ? 1 : -1;
    }
}

/* navigator.locks.request's request, made on its own task: it awaits the
 * grant as a C task awaits xt_env_lock_request, then runs the callback's
 * macrotask (with null when ifAvailable found the lock taken). */
static void weblock_task(void *arg)
{
    js_lockreq *q = arg;
    js_mutex *jm = q->jm;
    uint64_t handle = 0;
    int rc = xt_env_lock_request(jm->base.env, q->name, q->flags, &handle);
    if ((rc == XT_OK || rc == XT_ELOCKTIMEOUT) && !sim_tab_gone(jm->tab)) {
        if (rc == XT_OK) {
            int64_t *key = g_new(int64_t, 1);
            uint64_t *value = g_new(uint64_t, 1);
            *key = q->id;
            *value = handle;
            g_hash_table_insert(jm->handles, key, value);
        }
        sim_js_start(jm, 'G', q->id, rc == XT_OK ? "1" : "0");
        sim_js_serve(jm);
    }
    g_free(q->name);
    g_free(q);
    sim_js_unref(jm);
}

static void weblock_start(js_mutex *jm, const char *id, const char *name, const char *flags)
{
    js_lockreq *q = g_new0(js_lockreq, 1);
    q->jm = jm;
    q->id = g_ascii_strtoll(id, NULL, 10);
    q->name = g_strdup(name);
    q->flags = (int)g_ascii_strtoll(flags, NULL, 10) & (XT_LOCK_IF_AVAILABLE | XT_LOCK_STEAL);
    jm->refs++;
    if (xt_env_spawn(jm->base.env, weblock_task, q) != XT_OK) {
        jm->refs--;
        g_free(q->name);
        g_free(q);
    }
}

/* The request's callback settled: its lock is released.  A lock stolen
 * meanwhile is reported (the page's request promise would have rejected
 * with AbortError; not simulated). */
static void weblock_release(js_mutex *jm, const char *id)
{
    int64_t key = g_ascii_strtoll(id, NULL, 10);
    uint64_t *handle = g_hash_table_lookup(jm->handles, &key);
    if (!handle)
        return;
    int rc = xt_env_lock_release(jm->base.env, *handle);
    g_hash_table_remove(jm->handles, &key);
    if (rc == XT_EABORTED)
        xt_env_warn(jm->base.env, "js: a Web Lock was stolen while its callback ran");
}

static void settled(js_mutex *jm, const char *call, const char *result)
{
    int64_t id = g_ascii_strtoll(call, NULL, 10);
    for (GList *l = jm->calls; l; l = l->next) {
        js_pending *p = l->data;
        if (p->id != id || p->result)
            continue;
        p->result = g_strdup(result);
        if (p->waiter) {
            /* The awaiting code goes on when this macrotask ends, in the
             * same step (a microtask of it, as in a browser; and as a C
             * lock returns to its caller in the step of its last call).
             * A tab going away unwinds it instead (tab_close, world_cancel),
             * so a macrotask finished with "cancelled" replies hands off
             * nothing. */
            if (!sim_tab_gone(jm->tab))
                sim_world_handoff(jm->tab->world, p->waiter);
            p->waiter = NULL;
        }
        return;
    }
    /* Not awaited any more: its task went away with the tab. */
}

/* A storage call served on another task while lock() or unlock() is
 * awaited belongs to that call (its awaits continue on timer tasks here,
 * where the async function in JavaScript is one): counted in the awaiting
 * task's record, so the statistics' acquire and release costs see it. */
static int counted(js_mutex *jm, int rc)
{
    if (rc == XT_ECANCELLED)
        return rc;
    for (GList *l = jm->calls; l; l = l->next) {
        js_pending *p = l->data;
        if (p->waiter && p->waiter != jm->tab->world->current) {
            p->waiter->record.storage_ops++; /* the oldest call awaited */
            break;
        }
    }
    return rc;
}

/* Serve the macrotask just started until node says it is done. */
void sim_js_serve(js_mutex *jm)
{
    xt_env *env = jm->base.env;
    g_assert(!jm->busy);
    jm->busy = TRUE;
    for (;;) {
        sim_js_frame f;
        sim_js_chan_read(jm->chan, &f, jm->tab->world->stop);
        char num[32];
        switch (f.op) {
        case 'g':
            reply_value(jm, counted(jm, xt_env_get(env, f.field[0], jm->scratch)));
            break;
        case 's':
            reply_rc(jm, counted(jm, xt_env_set(env, f.field[0], f.field[1])));
            break;
        case 'x':
            reply_rc(jm, counted(jm, xt_env_remove(env, f.field[0])));
            break;
        case 'k':
            reply_value(jm, counted(jm, xt_env_key(env, (size_t)g_ascii_strtoull(f.field[0], NULL, 10), jm->scratch)));
            break;
        case 'n': {
            size_t n = 0;
            int rc = counted(jm, xt_env_length(env, &n));
            g_snprintf(num, sizeof num, "%zu", rc == XT_OK ? n : 0);
            reply(jm, num, NULL);
            break;
        }
        case 'c':
            (void)xt_env_now_ms(env); /* a note: this step read the clock */
            break;
        case 'r':
            if (f.n >= 1 && f.field[0][0])
                reply_timing(jm, g_ascii_strtoll(f.field[0], NULL, 10));
            else
                reply_randoms(jm);
            break;
        case 't':
            if (!sim_tab_gone(jm->tab))
                timer_start(jm, f.field[0], f.field[1], f.n >= 3 ? f.field[2] : NULL);
            break;
        case 'q': {
            int64_t id = g_ascii_strtoll(f.field[0], NULL, 10);
            js_timer *t = g_hash_table_lookup(jm->timers, &id);
            if (t)
                timer_clear(jm, t);
            break;
        }
        case 'o':
            settled(jm, f.field[0], f.field[1]);
            break;
        case 'l':
            if (!sim_tab_gone(jm->tab))
                weblock_start(jm, f.field[0], f.field[1], f.field[2]);
            break;
        case 'f':
            weblock_release(jm, f.field[0]);
            break;
        case 'w':
            if (strcmp(f.field[0], "warn") == 0)
                xt_env_warn(env, "%s", f.field[1]);
            else
                xt_env_debug(env, "%s", f.field[1]);
            break;
        case 'a':
            sim_js_event_listening(jm, f.field[0][0] == '1');
            break;
        case 'p':
            if (!sim_tab_gone(jm->tab))
                sim_js_send_start(jm, f.field[0], f.field[1]);
            break;
        case 'D':
            jm->busy = FALSE;
            sim_js_event_settle(jm);
            return;
        case 'S': /* stopped while node ran it, or node went away: the world stops at its next step */
            jm->tab->world->input_broken = TRUE;
            jm->busy = FALSE;
            return;
        default: /* 'X', node's own fatal error, or a frame it should not send */
            if (f.op == 'X')
                sim_js_fail(jm->tab->world, jm->scenario_path, "%s", f.field[0]);
            else
                sim_js_fail(jm->tab->world, jm->scenario_path, "protocol: unexpected frame '%c' from node", f.op);
            sim_js_chan_kill(jm->chan);
            jm->busy = FALSE;
            return;
        }
    }
}

static void timer_task(void *arg)
{
    js_timer *t = arg;
    js_mutex *jm = t->jm;
    t->task = jm->tab->world->current;
    int rc = xt_env_sleep_ms(jm->base.env, t->ms);
    t->task = NULL;
    g_hash_table_remove(jm->timers, &t->id);
    if (rc == XT_OK && !t->cleared && !sim_tab_gone(jm->tab)) {
        sim_js_start(jm, 'T', t->id, NULL);
        sim_js_serve(jm);
    }
    g_free(t);
    sim_js_unref(jm);
}

/* Call the adapter's lock or unlock and await its promise: the settlement
 * text (caller frees), or NULL when the tab went away first. */
char *sim_js_call(js_mutex *jm, char op, const char *extra)
{
    sim_tab *tab = jm->tab;
    if (sim_tab_gone(tab))
        return NULL;
    js_pending p = {.id = ++jm->next_call};
    jm->calls = g_list_append(jm->calls, &p);
    if (sim_task_starts_work(tab->world, tab->world->current))
        g_hash_table_add(jm->work_calls, GSIZE_TO_POINTER((gsize)p.id));
    sim_js_start(jm, op, p.id, extra);
    sim_js_serve(jm);
    while (!p.result && !sim_tab_gone(tab)) {
        /* An await with nothing posted: the settlement posts it (and
         * clears p.waiter, so that it posts it once). */
        sim_task *me = tab->world->current;
        p.waiter = me;
        sim_task_yield(me, SIM_YIELD_AWAIT);
        me->view.fresh = TRUE;
        p.waiter = NULL;
    }
    jm->calls = g_list_remove(jm->calls, &p);
    if (sim_tab_gone(tab)) {
        g_free(p.result);
        return NULL;
    }
    return p.result;
}

static int js_lock(xt_mutex *mutex)
{
    js_mutex *jm = (js_mutex *)mutex;
    char *r = sim_js_call(jm, 'L', NULL);
    if (!r)
        return XT_ECANCELLED;
    int rc = strcmp(r, "1") == 0 ? 1 : XT_ELOCKTIMEOUT;
    if (r[0] == 'E')
        xt_env_warn(mutex->env, "js: lock() rejected: %s", r + 1);
    if (r[0] == '1' || r[0] == '0' || r[0] == 'E') {
        g_free(r);
        return rc;
    }
    sim_js_fail(jm->tab->world, jm->scenario_path,
                "lock() resolved %s; the adapter contract wants true (acquired) or false (gave up)",
                r[0] == 'u' ? "undefined" : r + 1);
    g_free(r);
    return XT_ECANCELLED; /* the run stops, unjudged, at its next step */
}

static void js_unlock(xt_mutex *mutex)
{
    js_mutex *jm = (js_mutex *)mutex;
    char *r = sim_js_call(jm, 'U', NULL);
    if (r && r[0] == 'E')
        xt_env_warn(mutex->env, "js: unlock() rejected: %s", r + 1);
    g_free(r);
}

static void js_free(xt_mutex *mutex)
{
    js_mutex *jm = (js_mutex *)mutex;
    if (jm->tab->storage_event_ctx == jm) {
        jm->tab->storage_event = NULL;
        jm->tab->storage_event_ctx = NULL;
    }
    sim_js_unref(jm);
}

static const xt_mutex_ops js_ops = {
    .name = JS_NAME,
    .exclusive = TRUE,
    .lock = js_lock,
    .unlock = js_unlock,
    .free = js_free,
};

char *sim_js_module_path(const sim_scenario *s)
{
    if (!s->js_module || !*s->js_module)
        return NULL;
    if (g_path_is_absolute(s->js_module))
        return g_strdup(s->js_module);
    char *dir = g_path_get_dirname(s->path);
    char *rel = g_build_filename(dir, s->js_module, NULL);
    g_free(dir);
    char *abs = g_canonicalize_filename(rel, NULL);
    g_free(rel);
    return abs;
}

/* The tab's mutex: a fresh realm in the tab's node process, with the
 * adapter's instance for this tab.  env is a simulated tab's (ctx). */
static xt_mutex *js_create(xt_env *env, const int64_t *values, const int64_t *fallback_values,
                           const xt_mutex_host *host)
{
    (void)values;
    (void)fallback_values;
    sim_tab *tab = env->ctx;
    const sim_scenario *s = tab->world->scenario;
    js_mutex *jm = g_new0(js_mutex, 1);
    jm->base.ops = &js_ops;
    jm->base.env = env;
    jm->tab = tab;
    jm->scenario_path = s->path;
    jm->refs = 1;
    jm->timers = g_hash_table_new(g_int64_hash, g_int64_equal);
    jm->handles = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    jm->work_calls = g_hash_table_new(g_direct_hash, g_direct_equal);
    jm->scratch = g_string_new(NULL);
    g_queue_init(&jm->inbox);
    tab->storage_event = &sim_js_storage_listener;
    tab->storage_event_ctx = jm;
    char *module = sim_js_module_path(s);
    if (!module) {
        sim_js_fail(tab->world, s->path, "missing; [mutex] algorithm = js needs the adapter module's path");
        module = g_strdup(""); /* the run stops at its next step */
    }
    jm->chan = sim_js_chan_get(tab->index, s->path);
    if (!sim_tab_gone(tab)) {
        char index[16], now[32];
        g_snprintf(index, sizeof index, "%d", host->index);
        const char *fields[6] = {module, host->client_id, index, xt_env_has_web_locks(env) ? "1" : "0",
                                 tab->world->program == &sim_program_js_store ? "1" : "0",
                                 sim_js_now_text(jm, now, sizeof now)};
        sim_js_chan_send(jm->chan, 'I', 6, fields);
        sim_js_serve(jm);
    }
    g_free(module);
    return &jm->base;
}

static const xt_setting js_settings[] = {{NULL, 0, NULL, 0, 0, NULL, NULL}};

/* The calls depend on the module: not declared (acquire_ops < 0). */
static void js_cost(const int64_t *values, xt_mutex_cost *out)
{
    (void)values;
    *out = (xt_mutex_cost){-1, -1, "those of the JavaScript module ([js] module): not declared", NULL};
}

const xt_mutex_algorithm sim_js_algorithm = {
    .name = JS_NAME,
    .summary = "a lock written in JavaScript: the adapter [js] module names, run in node as the tab's code "
               "(docs/javascript.md)",
    .settings = js_settings,
    .create = js_create,
    .cost = js_cost,
};
