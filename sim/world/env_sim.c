/*
 * env_sim.c - the simulated environment that core/ runs against.
 *
 * Implements xt_env_methods for a tab of the world (ctx = sim_tab).  Every
 * storage call is a scheduling point: the calling task posts its wake-up
 * after a latency the chooser draws from [storage] latency_us_* and yields
 * keeping its tab; the call itself is performed atomically when it wakes
 * (linearizable model).  sleep and send are awaits: the task gives the tab
 * up.  transport_send is the simulated server (server.c), observe feeds
 * the checks (env_observe.c), wait and storage_notify are env_wait.c's,
 * clock_passed env_clock.c's.
 *
 * Web Locks (lock_request, lock_release) go to the world's manager
 * (weblocks.c).  A request is an await: it is queued or granted atomically
 * in the step that makes it, and the task gives the tab up until it is
 * granted (at once: woken now; queued: woken by the grant).  A request and
 * a release read and write the lock name's object bit, hashed as storage
 * keys are, so the explorer sees two requests of one name as dependent;
 * the step a granted task resumes with reads it too.  Tabs whose scenario
 * says web_locks_available = false get a method table without them.
 *
 * A wait (wait, storage_notify) is env_wait.c's: it ends when a key it
 * waits for changes, when a task of its own tab notifies, or at its
 * deadline.  Untimed, a comparison of the clock against a deadline may
 * find it passed, the clock jumping there (env_clock.c).
 *
 * More quiet steps (sim_world.quiet_more: the stateful safety search,
 * where reads that lead back to a wait are collapsed, with no [run]
 * steps_max set).  Two more things leave a step quiet (world.h
 * sim_world_step_quiet), for a task that is its tab's only one:
 *  - the read of the debug flag (XT_DEBUG_KEY) at a tab's start, under
 *    SIM_DIGEST_FLAG_UNWRITTEN: with no step writing that key, the read
 *    commutes with every step and tells the checks nothing; a write or
 *    removal of it breaks the assumption and the search starts over
 *    without it (explore_state_passes.c);
 *  - a sleep of 0 ms from now, in a step still quiet: the task goes on at
 *    once, which is the order in which the scheduler picks its wake-up
 *    first (a step that touches nothing; quiet steps' argument).
 * Without them a tab's start was two states of its own before its first
 * write (unstarted, and about to write), where the Promela model of the
 * same algorithm has one (bench/spin/lamport.pml).  Each place where a
 * plain run would have ended the step (the sleep, or the first call made
 * at once after the flag's read) is counted in step_splits: the search
 * logs it as a step of that tab of its own, so that a counterexample is
 * made again as a plain run (explore_state_plain.c).  Not with a step
 * bound: the merged step counts as one, so a search that merges reaches
 * further in a plain run's steps (every plain run within the bound is
 * still covered: the part merged touches nothing), and the states a cut
 * run ends in would differ from a plain search's.
 *
 * Once the world is cancelling, or the tab has crashed (sim_tab_gone),
 * every method returns XT_ECANCELLED at once and changes nothing: that is
 * how core/ code is unwound at the end of a run and when a tab is closed.
 */
#include <assert.h>
#include <string.h>

#include "sim/input.h"
#include "sim/world/env_wait.h"
#include "sim/world/env_model.h"
#include "sim/world/env_parts.h"
#include "sim/world/world.h"

const char *sim_result_text(int rc)
{
    switch (rc) {
    case XT_OK:
        return "ok";
    case XT_ENOTFOUND:
        return "null";
    case XT_EQUOTA:
        return "QuotaExceededError";
    case XT_EUNAVAILABLE:
        return "unavailable";
    case XT_ESERVER:
        return "server error";
    case XT_ETIMEOUT:
        return "timeout";
    default:
        return xt_strerror(rc);
    }
}

/* Wait for this storage call's turn; NULL when the run is being cancelled. */
static sim_task *storage_turn(sim_tab *tab)
{
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return NULL;
    sim_task *t = w->current;
    assert(t && t->tab == tab);
    if (t->view.fresh) /* its first call since an await: the task's start */
        sim_env_wait_mark(w, t);
    const sim_scenario *s = w->scenario;
    /* Untimed: the scheduler alone decides when the call happens, except
     * that a step that has touched nothing yet performs it at once (the
     * rule of quiet steps, world.h sim_world_step_quiet). */
    gboolean at_once = w->untimed && s->quiet_steps && sim_world_step_quiet(w);
    if (at_once && w->step_flag_read) {
        w->step_splits++; /* a plain run ends the step before this call ("More quiet steps") */
        w->step_flag_read = FALSE;
    }
    if (!w->untimed) {
        int64_t latency = sim_choose_range(w->chooser, s->storage_latency_us_min, s->storage_latency_us_max);
        sim_world_post(w, t, latency, FALSE);
        sim_task_yield(t, SIM_YIELD_STORAGE);
    } else if (!at_once) {
        sim_world_post(w, t, 0, FALSE);
        sim_task_yield(t, SIM_YIELD_STORAGE);
    }
    w->step_touched = TRUE; /* the call happens in this step: no longer quiet */
    if (sim_tab_gone(tab))
        return NULL;
    w->monitor->c.storage_ops++;
    t->record.storage_ops++;
    w->storage_changes = sim_storage_changes(w->storage); /* for sim_env_storage_changed */
    /* What the model delivers before the call: cached arrivals at a task's
     * first call, a snapshot at its first call (sim/browser/model_*.c). */
    if (w->model->call_begin)
        w->model->call_begin(w, tab, t);
    t->view.fresh = FALSE;
    return t;
}

uint32_t sim_env_text_hash(const char *text)
{
    uint32_t h = 2166136261u;
    for (const char *c = text; *c; c++)
        h = (h ^ (guint8)*c) * 16777619u;
    return h;
}

/* Record what this step touched, when an explorer is listening. */
void sim_env_access_key(sim_world *w, const char *key, gboolean write)
{
    if (write && (w->digest_assume & SIM_DIGEST_FLAG_UNWRITTEN) && strcmp(key, XT_DEBUG_KEY) == 0)
        sim_world_digest_break(w, SIM_DIGEST_FLAG_UNWRITTEN); /* "More quiet steps" */
    w->step_touched = TRUE; /* whether or not its bit is wanted (sim_world_step_quiet) */
    if (!sim_world_tracks_access(w))
        return;
    uint64_t bit = UINT64_C(1) << (sim_env_text_hash(key) % SIM_OBJ_KEYS);
    if (write)
        w->acc.w |= bit;
    else
        w->acc.r |= bit;
}

void sim_env_keyset_changed(sim_world *w)
{
    w->acc.w |= SIM_OBJ_KEYSET;
}

void sim_env_wrote(sim_world *w, const char *key, int rc)
{
    sim_env_access_key(w, key, TRUE);
    /* Keys and values may name tabs, which a digest under symmetry does
     * not rename (world_digest.c, "Symmetry"). */
    sim_world_digest_break(w, SIM_DIGEST_SYMMETRIC);
    if (rc == XT_OK)
        sim_env_storage_changed(w, key);
}

/* The program's events key: the checks and the timeline read its values. */
static gboolean is_events_key(const sim_world *w, const char *key)
{
    return key && w->events_key && strcmp(key, w->events_key) == 0;
}

static void storage_line(sim_tab *tab, sim_task *t, const char *op, const char *key, const char *value, int rc)
{
    sim_monitor *m = tab->world->monitor;
    if (m->tracing) {
        char *summary = m->counting ? NULL : sim_env_value_summary(tab->world, key, value);
        sim_monitor_line(m, tab->world->now_us, tab->index, t->id, op, key, value, sim_result_text(rc), t->label,
                         summary);
        g_free(summary);
    }
    t->label = NULL;
}

/* May t's step, quiet so far, go on past a place where a plain run ends
 * it ("More quiet steps")? */
static gboolean quiet_more_here(const sim_world *w, const sim_task *t)
{
    return t && w->quiet_more && !w->eager && sim_world_step_quiet(w) && sim_env_task_alone(w, t);
}

/* Does the running task's read of key leave its step quiet? */
static gboolean flag_read_quiet(const sim_world *w, const sim_task *t, const char *key)
{
    return (w->digest_assume & SIM_DIGEST_FLAG_UNWRITTEN) && w->quiet_more && strcmp(key, XT_DEBUG_KEY) == 0 &&
           quiet_more_here(w, t);
}

static int env_storage_get(void *ctx, const char *key, GString *value_out)
{
    sim_tab *tab = ctx;
    sim_task *self = tab->world->current;
    if (self)
        self->pending_read = key; /* what it is stopped before (env_eager.c) */
    gboolean flag_quiet = flag_read_quiet(tab->world, self, key);
    sim_access acc = tab->world->acc;
    sim_task *t = storage_turn(tab);
    if (self)
        self->pending_read = NULL;
    if (!t)
        return XT_ECANCELLED;
    sim_world *w = tab->world;
    int rc = w->model->get(w, tab, key, value_out);
    if (rc == XT_OK)
        w->monitor->c.storage_bytes += value_out->len;
    sim_env_wait_read(w, t, key);
    storage_line(tab, t, "get", key, rc == XT_OK ? value_out->str : NULL, rc);
    if (flag_quiet) { /* touched nothing another step touches: still quiet */
        w->acc = acc;
        w->step_touched = FALSE;
        w->step_flag_read = TRUE;
    }
    return rc;
}

static int env_storage_set(void *ctx, const char *key, const char *value)
{
    sim_tab *tab = ctx;
    sim_task *t = storage_turn(tab);
    if (!t)
        return XT_ECANCELLED;
    sim_world *w = tab->world;
    int rc = w->model->set(w, tab, key, value);
    w->monitor->c.storage_bytes += strlen(value);
    if (rc == XT_EQUOTA)
        w->monitor->c.quota_errors++; /* the reduction assumes none (explore_dfs.c) */
    storage_line(tab, t, "set", key, value, rc);
    if (rc == XT_OK && w->monitor->tracing && is_events_key(w, key)) {
        GPtrArray *ids = w->program->stored_ids(value);
        if (ids) {
            sim_monitor_events_written(w->monitor, ids);
            g_ptr_array_free(ids, TRUE);
        }
    }
    return rc;
}

static int env_storage_remove(void *ctx, const char *key)
{
    sim_tab *tab = ctx;
    sim_task *t = storage_turn(tab);
    if (!t)
        return XT_ECANCELLED;
    sim_world *w = tab->world;
    int rc = w->model->remove(w, tab, key);
    storage_line(tab, t, "remove", key, NULL, rc);
    return rc;
}

static int env_storage_length(void *ctx, size_t *length_out)
{
    sim_tab *tab = ctx;
    sim_task *t = storage_turn(tab);
    if (!t)
        return XT_ECANCELLED;
    int rc = tab->world->model->length(tab->world, tab, length_out);
    storage_line(tab, t, "length", NULL, NULL, rc);
    return rc;
}

static int env_storage_key(void *ctx, size_t index, GString *key_out)
{
    sim_tab *tab = ctx;
    sim_task *t = storage_turn(tab);
    if (!t)
        return XT_ECANCELLED;
    int rc = tab->world->model->key(tab->world, tab, index, key_out);
    storage_line(tab, t, "key", NULL, rc == XT_OK ? key_out->str : NULL, rc);
    return rc;
}

static int64_t env_now_ms(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    sim_world_clock_read(w);
    return w->now_us / 1000;
}

/* A setTimeout of ms set at from_us (now, or a listener's instant before
 * now): the task resumes then, or at once if that has passed. */
static int env_sleep_from(sim_tab *tab, int64_t from_us, int64_t ms)
{
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    /* Background timer throttling (Chrome; docs/browser-model.md): a hidden tab's
     * setTimeout fires no sooner than about a second, whatever it asked. */
    const sim_scenario *s = w->scenario;
    if (tab->index > s->tabs - s->background_tabs && ms < s->background_timer_ms_min)
        ms = s->background_timer_ms_min;
    int64_t delay_us = from_us + (ms > 0 ? ms : 0) * 1000 - w->now_us;
    if (ms <= 0 && from_us == w->now_us && quiet_more_here(w, t)) {
        w->step_splits++; /* a plain run ends the step here ("More quiet steps") */
        w->step_flag_read = FALSE;
        t->view.fresh = TRUE; /* as after an await */
        return XT_OK;
    }
    /* Any other sleep of 0 ms from now, where more steps are quiet: its
     * wake-up runs its quiet prefix at the end of this step (env_eager.c). */
    t->sleep_eager = ms <= 0 && from_us == w->now_us && w->quiet_more && !w->eager && sim_env_task_alone(w, t);
    sim_world_post(w, t, delay_us > 0 ? delay_us : 0, TRUE);
    sim_task_yield(t, SIM_YIELD_AWAIT);
    t->sleep_eager = FALSE;
    t->view.fresh = TRUE;
    return sim_tab_gone(tab) ? XT_ECANCELLED : XT_OK;
}

static int env_sleep_ms(void *ctx, int64_t ms)
{
    sim_tab *tab = ctx;
    return env_sleep_from(tab, tab->world->now_us, ms);
}

/* The instant the running task's last wait ended (sim_task_wait.ended_us). */
static int64_t wait_ended_us(const sim_world *w)
{
    const sim_task *t = w->current;
    return t && t->wait.ended_us >= 0 ? t->wait.ended_us : w->now_us;
}

static int64_t env_wait_ended_ms(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    sim_world_clock_read(w);
    sim_world_digest_break(w, SIM_DIGEST_WAIT_END_UNREAD);
    return wait_ended_us(w) / 1000;
}

static int env_sleep_after_wait_ms(void *ctx, int64_t ms)
{
    sim_tab *tab = ctx;
    sim_world_digest_break(tab->world, SIM_DIGEST_WAIT_END_UNREAD); /* a deadline from when its wait ended */
    return env_sleep_from(tab, wait_ended_us(tab->world), ms);
}

/* A Math.random draw as 64 bits (core/ uses the top 53) whose value r gives
 * floor(r * n) = k: the middle of outcome k's interval, so that rounding
 * cannot move it to a neighbour. */
static uint64_t random_for_outcome(int64_t k, int64_t n)
{
    const unsigned __int128 one = (unsigned __int128)1 << 53;
    uint64_t x = (uint64_t)(((unsigned __int128)(2 * k + 1) * one) / (unsigned __int128)(2 * n));
    return x << 11;
}

/* Math.random: every value comes from the chooser (the one source of
 * nondeterminism), and only where it matters is it a branch:
 *  - a draw the code announced (XT_OBS_RANDOM, n outcomes that decide
 *    timing: browser-tabs-lock's 0-24 ms delay) is one choice of its
 *    outcome, sim_choose_range(0, n - 1): uniform in random runs (and in
 *    PCT), the two ends 0 and n - 1 in exhaustive search, the shortest
 *    delay when shrinking (answer 0);
 *  - any other draw is an identity (an iat, an id): code compares it only
 *    for equality, so any values that differ between tabs and draws are
 *    representative, and branching on them would multiply the search by
 *    the alphabet per character for no new behaviour.  They come from the
 *    tab's stream, splitmix64 from a seed: in random runs one choice of
 *    2^32 - 1 at the tab's first such draw (so they vary by seed), none in
 *    exhaustive search; answer 0 (and exhaustive search) gives the seed
 *    of the tab's index, so the tabs' streams differ. */
static uint64_t env_random_u64(void *ctx)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    int64_t n = tab->random_outcomes;
    if (n > 1) {
        tab->random_outcomes = 0;
        return random_for_outcome(sim_choose_range(w->chooser, 0, n - 1), n);
    }
    if (!tab->rng_seeded) {
        tab->rng_seeded = TRUE;
        uint32_t seed = w->chooser->discrete ? 0 : sim_choose(w->chooser, UINT32_MAX);
        tab->rng = sim_seed_mix((uint64_t)tab->index + ((uint64_t)seed << 32));
    }
    tab->rng = sim_seed_mix(tab->rng);
    return tab->rng;
}

static int env_spawn(void *ctx, xt_task_fn fn, void *arg)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *parent = w->current;
    /* Work under way is what the workload started: a task spawned by a
     * tab's main task or by such work counts, one spawned by a page's
     * periodic or listening task does not (the refresh of a lock the
     * periodic flush took). */
    sim_task *child = sim_world_spawn(w, tab, fn, arg, sim_task_starts_work(w, parent));
    child->sync_parent = parent;
    parent->sync_child = child;
    sim_task_yield(parent, SIM_YIELD_SPAWN);
    parent->view.fresh = TRUE;
    return XT_OK; /* the child owns arg from here on, cancelled or not */
}

static void env_log(void *ctx, xt_log_level level, const char *message)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (level == XT_LOG_WARN && !sim_tab_gone(tab))
        sim_monitor_warning(w->monitor, tab->index, message);
    if (w->monitor->tracing && !sim_tab_gone(tab)) {
        /* A message is read whole where a stored value is cut short. */
        size_t len = strlen(message), cut = sim_input_cut(message, len, 190);
        char *shown = len <= 200 ? g_strdup_printf("\"%s\"", message)
                                 : g_strdup_printf("\"%.*s...\" (%zu bytes)", (int)cut, message, len);
        sim_monitor_line(w->monitor, w->now_us, tab->index, w->current ? w->current->id : 0,
                         level == XT_LOG_WARN ? "warn" : "debug", NULL, message, NULL, NULL, shown);
        g_free(shown);
    }
}

static void access_lock(sim_world *w, const char *name)
{
    sim_env_access_key(w, name, FALSE);
    sim_env_access_key(w, name, TRUE);
}

static int env_lock_request(void *ctx, const char *name, int flags, uint64_t *handle_out)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    assert(t && t->tab == tab);
    access_lock(w, name);
    if (w->model->channel)
        w->model->channel(w, tab, "lock request"); /* one channel to the parent */
    int stolen_tab = 0;
    int rc = sim_weblocks_request(w->weblocks, name, flags, tab->index, t, handle_out, &stolen_tab);
    if (w->monitor->tracing) {
        char result[48];
        if (rc == SIM_WEBLOCKS_QUEUED)
            g_snprintf(result, sizeof result, "queued behind tab%d", sim_weblocks_holder(w->weblocks, name));
        else if (rc == XT_ELOCKTIMEOUT)
            g_snprintf(result, sizeof result, "not available (ifAvailable)");
        else if (stolen_tab)
            g_snprintf(result, sizeof result, "granted, stolen from tab%d", stolen_tab);
        else
            g_snprintf(result, sizeof result, "granted");
        const char *how = flags & XT_LOCK_STEAL ? "steal" : flags & XT_LOCK_IF_AVAILABLE ? "ifAvailable" : "wait";
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "locks.request", name, how, result, t->label,
                         NULL);
    }
    t->label = NULL;
    if (rc == SIM_WEBLOCKS_QUEUED)
        t->weblock.queued = TRUE;
    else
        sim_world_post(w, t, 0, TRUE);
    sim_task_yield(t, SIM_YIELD_AWAIT);
    t->view.fresh = TRUE;
    if (sim_tab_gone(tab)) {
        if (t->weblock.queued) {
            sim_weblocks_withdraw(w->weblocks, t);
            t->weblock.queued = FALSE;
        }
        return XT_ECANCELLED;
    }
    sim_env_access_key(w, name, FALSE); /* the grant it resumes with */
    if (rc == SIM_WEBLOCKS_QUEUED) {
        if (w->monitor->tracing)
            sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "locks.granted", name, NULL, "granted",
                             NULL, NULL);
        return XT_OK;
    }
    return rc;
}

static int env_lock_release(void *ctx, uint64_t handle)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    if (sim_tab_gone(tab))
        return XT_ECANCELLED;
    sim_task *t = w->current;
    assert(t && t->tab == tab);
    const char *name = sim_weblocks_name_of(w->weblocks, handle);
    if (name)
        access_lock(w, name);
    if (w->model->channel)
        w->model->channel(w, tab, "lock release");
    int rc = sim_weblocks_release(w->weblocks, handle);
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "locks.release", NULL, NULL,
                         rc == XT_OK ? "released" : sim_result_text(rc), t->label, NULL);
    t->label = NULL;
    return rc;
}

/* Every method but Web Locks: a browser without navigator.locks gets
 * these alone ([web-locks] available = false). */
#define SIM_ENV_METHODS_COMMON                                                                                      \
    .storage_get = env_storage_get, .storage_set = env_storage_set, .storage_remove = env_storage_remove,          \
    .storage_length = env_storage_length, .storage_key = env_storage_key, .clock_now_ms = env_now_ms,             \
    .sleep_ms = env_sleep_ms, .random_u64 = env_random_u64, .transport_send = sim_env_send,                       \
    .task_spawn = env_spawn, .log = env_log, .observe = sim_env_observe, .wait = sim_env_wait,                     \
    .storage_notify = sim_env_storage_notify, .clock_passed = sim_env_clock_passed, .tab_wait = sim_env_tab_wait, \
    .tab_wake = sim_env_tab_wake, .wait_ended_ms = env_wait_ended_ms, .sleep_after_wait_ms = env_sleep_after_wait_ms

static const xt_env_methods sim_env_methods_no_locks = {SIM_ENV_METHODS_COMMON};

static const xt_env_methods sim_env_methods = {
    SIM_ENV_METHODS_COMMON,
    .lock_request = env_lock_request,
    .lock_release = env_lock_release,
};

char *sim_env_value_summary(const sim_world *w, const char *key, const char *value)
{
    return value && is_events_key(w, key) && w->program->value_summary ? w->program->value_summary(value) : NULL;
}

void sim_tab_env_init(sim_tab *tab)
{
    tab->env.m = sim_scenario_web_locks_available(tab->world->scenario) ? &sim_env_methods : &sim_env_methods_no_locks;
    tab->env.ctx = tab;
    tab->env.debug = FALSE;
}
