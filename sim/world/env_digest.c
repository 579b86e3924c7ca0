/*
 * env_digest.c - the running hashes that stand for the tasks' local
 * state in a state digest (sim/world/world_digest.h), and the check of
 * state marks.
 *
 * A tab's memory (its tasks' stacks and the program's instance) is a
 * deterministic function of what the environment returned to its tasks,
 * in order: code under test has no other input.  So, with digesting on,
 * each tab's env methods are wrapped here, and every result (a value
 * read, an error code, a clock reading, a random draw, a granted lock) is
 * folded, tagged with the task's ord, into the tab's running hash.  What
 * the task passed in (its outputs) is not folded: it is a function of
 * what came before.
 *
 * Scopes: between a task's XT_OBS_LOCK_REQUEST and the lock's end
 * (XT_OBS_LOCK_ACQUIRED or _FAILED), its results go to its own hash
 * instead (sim_task.dig), started from its tab's hash then: lock() reads
 * the tab's heap it was given but leaves nothing in it that another task
 * reads before lock() returns (the mutex contract, xt/mutex.h), so the
 * order of its reads against its tab-mates' is not state.  At the end the
 * scope's hash is folded into the tab's.
 *
 * Marks (xt_env_mark): inside a scope a mark restarts the task's hash
 * from (its tab's hash at the scope's start, label, live values); outside
 * one, when the task is its tab's only live task, it restarts the tab's
 * hash from (tab, label, live).  Elsewhere it is folded like a result.
 *
 * Shared objects: when the program can describe what its instance's
 * objects hold that the tab's tasks share (sim_program_ops.heap_describe:
 * the SDK's thread-safe store, processor and mutex), each task also keeps
 * its own running hash (sim_task.own): its spawner's at its spawn (whose
 * frames made its argument), then each result it gets and each mark it
 * makes, as above; a mark restarts it where it restarts the tab's hash,
 * and sim_tab_mark_frames restarts it at a program's loop head even
 * beside other tasks.  The tab is then digested as the description and
 * its live tasks' own hashes (world_digest.c): a finished task leaves
 * nothing, and tab-mates' reads are not ordered against each other.
 * What that assumes: a task's frames are a function of its own hash,
 * that is, it carries no value read from a shared object across an
 * await except through a mark's live values (serial_lock's ticket is
 * one), and the description covers what the objects hold.  The check:
 * every output of such a task (its end included) is also recorded under
 * (its own hash, the description now); two different outputs from one
 * key set mark_conflict to SIM_MARK_SHARED, and the search is not
 * complete.  When the description cannot be had (heap_describe says
 * FALSE), the tab's running hash stands for it.
 *
 * The check of marks (outputs recorded under the hashes they were made
 * from, and waits that return) is in env_mark_check.c.
 */
#include <string.h>

#include "sim/world/arena.h"
#include "sim/world/env_digest.h"
#include "sim/world/env_parts.h"

/* ---- folding ---- */

static void heap_fold(void *ctx, const void *bytes, size_t len)
{
    sim_digest_bytes(ctx, bytes, len);
}

gboolean sim_tab_heap_digest(const sim_tab *tab, sim_digest *out)
{
    const sim_program_ops *p = tab->world->program;
    if (!p->heap_describe)
        return FALSE; /* most programs: nothing to start (a world digest asks for every tab) */
    sim_digest_init(out, UINT64_C(0x68656170)); /* "heap" */
    return p->heap_describe(tab, heap_fold, out);
}

/* A value of a result: into where t's results go, and its own hash. */
static void fold_u64(sim_tab *tab, sim_task *t, uint64_t v)
{
    sim_digest_u64(sim_env_results_of(t), v);
    if (sim_env_keeps_own(tab))
        sim_digest_u64(&t->own, v);
}

static void fold_data(sim_tab *tab, sim_task *t, const void *data, size_t len)
{
    sim_digest_bytes(sim_env_results_of(t), data, len);
    if (sim_env_keeps_own(tab))
        sim_digest_bytes(&t->own, data, len);
}

static void fold_begin(sim_tab *tab, sim_task *t, uint64_t op)
{
    t->outputs = 0;
    if (!t->scoped && tab->mark_task && tab->mark_task != t) {
        tab->mark_task->mark = NULL; /* another task's reads join the tab's hash */
        tab->mark_task = NULL;
    }
    sim_env_result_start(t, sim_env_results_of(t), op);
    if (sim_env_keeps_own(tab))
        sim_digest_u64(&t->own, op);
}

static void fold_rc(sim_tab *tab, uint64_t op, int64_t rc)
{
    sim_task *t = sim_env_current_task(tab);
    if (!t)
        return;
    fold_begin(tab, t, op);
    fold_u64(tab, t, (uint64_t)rc);
}

static void fold_text(sim_tab *tab, uint64_t op, int rc, const GString *text)
{
    sim_task *t = sim_env_current_task(tab);
    if (!t)
        return;
    fold_begin(tab, t, op);
    fold_u64(tab, t, (uint64_t)(int64_t)rc);
    if (rc == XT_OK)
        fold_data(tab, t, text->str, text->len);
}

/* ---- the wrapped methods (ctx = sim_tab) ---- */

static int d_get(void *ctx, const char *key, GString *out)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_GET, key, NULL, 0);
    int rc = tab->inner->storage_get(ctx, key, out);
    fold_text(tab, OP_GET, rc, out);
    return rc;
}

static int d_set(void *ctx, const char *key, const char *value)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_SET, key, value, 0);
    int rc = tab->inner->storage_set(ctx, key, value);
    fold_rc(tab, OP_SET, rc);
    return rc;
}

static int d_remove(void *ctx, const char *key)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_REMOVE, key, NULL, 0);
    int rc = tab->inner->storage_remove(ctx, key);
    fold_rc(tab, OP_REMOVE, rc);
    return rc;
}

static int d_length(void *ctx, size_t *length_out)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_LENGTH, NULL, NULL, 0);
    int rc = tab->inner->storage_length(ctx, length_out);
    fold_rc(tab, OP_LENGTH, rc == XT_OK ? (int64_t)*length_out : rc - 1000000);
    return rc;
}

static int d_key(void *ctx, size_t index, GString *key_out)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_KEY, NULL, NULL, (int64_t)index);
    int rc = tab->inner->storage_key(ctx, index, key_out);
    fold_text(tab, OP_KEY, rc, key_out);
    return rc;
}

static int64_t d_now(void *ctx)
{
    sim_tab *tab = ctx;
    int64_t now = tab->inner->clock_now_ms(ctx);
    fold_rc(tab, OP_NOW, now);
    return now;
}

static int64_t d_wait_ended(void *ctx)
{
    sim_tab *tab = ctx;
    int64_t at = tab->inner->wait_ended_ms(ctx);
    fold_rc(tab, OP_WAIT_ENDED, at);
    return at;
}

/* A sleep (from now, or from the end of the task's last wait): its
 * length is an output, its result a result. */
static int d_sleep_by(sim_tab *tab, int64_t ms, int (*sleep)(void *ctx, int64_t ms))
{
    sim_env_check_output(tab, OP_SLEEP, NULL, NULL, ms);
    int rc = sleep(tab, ms);
    fold_rc(tab, OP_SLEEP, rc);
    return rc;
}

static int d_sleep_after_wait(void *ctx, int64_t ms)
{
    sim_tab *tab = ctx;
    return d_sleep_by(tab, ms, tab->inner->sleep_after_wait_ms);
}

static int d_sleep(void *ctx, int64_t ms)
{
    sim_tab *tab = ctx;
    return d_sleep_by(tab, ms, tab->inner->sleep_ms);
}

static uint64_t d_random(void *ctx)
{
    sim_tab *tab = ctx;
    uint64_t r = tab->inner->random_u64(ctx);
    fold_rc(tab, OP_RANDOM, (int64_t)r);
    return r;
}

static int d_send(void *ctx, const char *body)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_SEND, NULL, body, 0);
    int rc = tab->inner->transport_send(ctx, body);
    fold_rc(tab, OP_SEND, rc);
    return rc;
}

static int d_spawn(void *ctx, xt_task_fn fn, void *arg)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_SPAWN, NULL, NULL, 0);
    int rc = tab->inner->task_spawn(ctx, fn, arg);
    fold_rc(tab, OP_SPAWN, rc);
    return rc;
}

static void d_log(void *ctx, xt_log_level level, const char *message)
{
    ((sim_tab *)ctx)->inner->log(ctx, level, message);
}

/* Is t its tab's only live task? */
static gboolean sole_live(const sim_tab *tab, const sim_task *t)
{
    for (const GList *l = tab->world->live.head; l; l = l->next) {
        const sim_task *u = l->data;
        if (u != t && u->tab == tab)
            return FALSE;
    }
    return TRUE;
}

/* Lock requests open and close a task's scope (see the file comment). */
static void d_observe(void *ctx, const xt_obs *o)
{
    sim_tab *tab = ctx;
    sim_task *t = sim_env_current_task(tab);
    if (t && o->kind == XT_OBS_LOCK_REQUEST && t->scoped++ == 0) {
        sim_digest_u64(&tab->dig, (uint64_t)t->ord);
        sim_digest_u64(&tab->dig, OP_LOCK);
        t->scope_base = tab->dig;
        t->dig = tab->dig;
        t->own_base = t->own;
        if (tab->mark_task == t)
            tab->mark_task = NULL;
        t->mark = NULL;
    }
    if (t && (o->kind == XT_OBS_LOCK_ACQUIRED || o->kind == XT_OBS_LOCK_FAILED) && t->scoped > 0 &&
        --t->scoped == 0) {
        sim_digest_u64(&tab->dig, (uint64_t)t->ord);
        sim_digest_u64(&tab->dig, t->dig.lo);
        sim_digest_u64(&tab->dig, t->dig.hi);
        /* A mark in force goes on being checked while its task is its
         * tab's only one (its results now join the tab's hash). */
        if (t->mark && sole_live(tab, t))
            tab->mark_task = t;
        else
            t->mark = NULL;
    }
    if (t && o->kind == XT_OBS_STEP)
        sim_env_check_output(tab, OP_MARK, o->label, NULL, 0); /* its next label */
    tab->inner->observe(ctx, o);
}

static int d_lock_request(void *ctx, const char *name, int flags, uint64_t *handle_out)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_LOCK, name, NULL, flags);
    int rc = tab->inner->lock_request(ctx, name, flags, handle_out);
    fold_rc(tab, OP_LOCK, rc); /* not the handle: code only passes it back */
    return rc;
}

static int d_lock_release(void *ctx, uint64_t handle)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_RELEASE, NULL, NULL, 0);
    int rc = tab->inner->lock_release(ctx, handle);
    fold_rc(tab, OP_RELEASE, rc);
    return rc;
}

/* The wait rule of marked tasks (env_mark_check.c, "The rule of waits"): every key waited
 * for was read since the task's last mark. */
static void check_wait_keys(sim_tab *tab, const char *const *keys, size_t n_keys)
{
    sim_world *w = tab->world;
    sim_task *t = sim_env_current_task(tab);
    if (!t || !t->last_mark || w->mark_conflict || sim_tab_gone(tab))
        return;
    gboolean read = keys != NULL;
    for (size_t i = 0; read && i < n_keys; i++)
        read = (t->wait.read_bits >> (sim_env_text_hash(keys[i]) % SIM_OBJ_KEYS) & 1) != 0;
    if (!read) {
        w->mark_conflict = t->last_mark;
        w->mark_conflict_wait = TRUE;
    }
}

static int d_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    sim_tab *tab = ctx;
    check_wait_keys(tab, keys, n_keys);
    sim_task *t = sim_env_current_task(tab);
    if (t)
        t->back.single = keys && n_keys == 1 && timeout_ms < 0;
    sim_env_check_output(tab, OP_WAIT, n_keys > 0 ? keys[0] : NULL, NULL, timeout_ms);
    int rc = tab->inner->wait(ctx, keys, n_keys, timeout_ms);
    fold_rc(tab, OP_WAIT, rc);
    return rc;
}

static void d_notify(void *ctx)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_NOTIFY, NULL, NULL, 0);
    tab->inner->storage_notify(ctx);
}

static int d_tab_wait(void *ctx)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_TAB_WAIT, NULL, NULL, 0);
    int rc = tab->inner->tab_wait(ctx);
    fold_rc(tab, OP_TAB_WAIT, rc);
    return rc;
}

static void d_tab_wake(void *ctx)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_TAB_WAKE, NULL, NULL, 0);
    tab->inner->tab_wake(ctx);
}

static gboolean d_passed(void *ctx, int64_t at_ms)
{
    sim_tab *tab = ctx;
    sim_env_check_output(tab, OP_PASSED, NULL, NULL, at_ms);
    gboolean passed = tab->inner->clock_passed(ctx, at_ms);
    fold_rc(tab, OP_PASSED, passed);
    return passed;
}

/* t's own hash from its place in its tab alone (a mark that describes
 * all its frames). */
static void own_restart(sim_task *t)
{
    sim_digest_init(&t->own, (sim_tab_digest_seed(t->tab) << 32) | (uint64_t)t->ord);
}

/* A mark's label and live values, after its restart. */
static void own_mark(sim_task *t, const char *label, size_t label_len, const void *live, size_t len)
{
    sim_digest_u64(&t->own, OP_MARK);
    sim_digest_bytes(&t->own, label, label_len);
    sim_digest_bytes(&t->own, live, len);
}

static void d_mark(void *ctx, const char *label, const void *live, size_t len)
{
    sim_tab *tab = ctx;
    sim_task *t = sim_env_current_task(tab);
    if (!t || sim_tab_gone(tab))
        return;
    t->last_mark = label;
    t->wait.read_bits = 0;
    size_t label_len = strlen(label);
    if (t->scoped) {
        t->dig = t->scope_base;
        t->own = t->own_base;
    } else if (sole_live(tab, t)) {
        sim_digest_init(&tab->dig, sim_tab_digest_seed(tab));
        own_restart(t);
        tab->mark_task = t;
    } else {
        fold_begin(tab, t, OP_MARK); /* not the tab's only task: a plain result */
        fold_data(tab, t, label, label_len);
        fold_data(tab, t, live, len);
        return;
    }
    sim_digest_u64(sim_env_results_of(t), OP_MARK);
    sim_digest_bytes(sim_env_results_of(t), label, label_len);
    sim_digest_bytes(sim_env_results_of(t), live, len);
    if (sim_env_keeps_own(tab))
        own_mark(t, label, label_len, live, len);
    t->mark = label;
    t->outputs = 0;
}

void sim_tab_mark_frames(sim_tab *tab, const char *label)
{
    sim_task *t = sim_env_current_task(tab);
    if (!tab->world->digesting || !t || sim_tab_gone(tab))
        return;
    d_mark(tab, label, NULL, 0);
    if (sim_env_keeps_own(tab) && !t->scoped) { /* beside other tasks too: d_mark only folded it then */
        own_restart(t);
        own_mark(t, label, strlen(label), NULL, 0);
        t->outputs = 0;
    }
}

#define DIGEST_METHODS_COMMON                                                                                    \
    .storage_get = d_get, .storage_set = d_set, .storage_remove = d_remove, .storage_length = d_length,        \
    .storage_key = d_key, .clock_now_ms = d_now, .sleep_ms = d_sleep, .random_u64 = d_random,                  \
    .transport_send = d_send, .task_spawn = d_spawn, .log = d_log, .observe = d_observe, .wait = d_wait,       \
    .storage_notify = d_notify, .tab_wait = d_tab_wait, .tab_wake = d_tab_wake, .clock_passed = d_passed,      \
    .mark = d_mark, .wait_ended_ms = d_wait_ended, .sleep_after_wait_ms = d_sleep_after_wait

static const xt_env_methods digest_methods_no_locks = {DIGEST_METHODS_COMMON};
static const xt_env_methods digest_methods = {DIGEST_METHODS_COMMON, .lock_request = d_lock_request,
                                              .lock_release = d_lock_release};

/* A value drawn for the running task (a latency, a server fault, a clock
 * jump, a random outcome): what the simulator keeps of it while the task
 * awaits (a send's fault lives on the send's stack until the answer) is
 * in the task's hash this way.  Drawn between tasks, it acts on the
 * world at once (a tab fault), which the digest covers. */
static void digest_drawn(void *ctx, uint32_t answer)
{
    sim_world *w = ctx;
    sim_task *t = w->current;
    if (!t)
        return;
    fold_begin(t->tab, t, OP_DRAWN);
    fold_u64(t->tab, t, answer);
}

void sim_world_digest_enable(sim_world *w, sim_digest_map *marks_seen, guint8 assume)
{
    w->digesting = TRUE;
    w->digest_assume = assume;
    w->chooser->drawn = digest_drawn;
    w->chooser->drawn_ctx = w;
    w->marks_seen = marks_seen;
    for (int i = 0; i < w->n_tabs; i++) {
        sim_tab *tab = &w->tabs[i];
        tab->inner = tab->env.m;
        g_assert(tab->inner->storage_get && tab->inner->wait && tab->inner->observe && tab->inner->tab_wait &&
                 tab->inner->clock_passed && !tab->inner->mark);
        tab->env.m = tab->inner->lock_request ? &digest_methods : &digest_methods_no_locks;
        sim_digest_init(&tab->dig, sim_tab_digest_seed(tab)); /* as sim_world_new, with the assumptions */
    }
}
