/*
 * model_snapshot.c - [storage] model = snapshot (Firefox): when the
 * checkpoints land, and what the explorer and the timeline learn of it
 * (the snapshots and checkpoints themselves are storage_snapshot.c).
 *
 * Firefox sends a task's checkpoint with an asynchronous IPC at the end of
 * the task; the parent applies checkpoints in the order it receives them,
 * and a snapshot (a synchronous IPC) sees those received before it.  So:
 *  - a tab's JavaScript task ends where world.c gives its tab up (an await
 *    or the end of a task, not a spawned child's first await: the spawner
 *    goes on in the same task); its writes leave then;
 *  - nobody can tell when a checkpoint lands until someone looks: at every
 *    snapshot and at the end of the run, the chooser picks, one at a time,
 *    which tab's oldest checkpoint lands next or that none more does
 *    (answer 0).  The tab taking the snapshot must land its own first (one
 *    channel, FIFO), others may interleave with them; so must a tab making
 *    a Web Locks request or release, which travels on the same channel
 *    (PBackground: dom/locks/LockManager.cpp builds PLockManager on it).
 *    A checkpoint sent after a release (the releasing task's own writes)
 *    may still land after the next holder's snapshot.  Timed runs: a
 *    checkpoint can land delivery_us_min after it left and has landed by
 *    delivery_us_max, and one that must have landed before another could
 *    goes first.  At the end of the run every checkpoint lands (the checks
 *    read the datastore), in a chosen order.
 *  - a crashed tab's open snapshot is dropped (its task never ends); the
 *    checkpoints it sent before still land (after a reload, before the new
 *    instance's first snapshot: its channel is taken to be the old one's).
 *    A task cut short by the end of the run sends its writes: it would
 *    have ended.
 * For the explorer (DPOR), the datastore and the outboxes are one object,
 * SIM_OBJ_STORE (sim/world/world.h), changed only here: a snapshot reads it, a
 * checkpoint landing reads and writes it, a checkpoint leaving writes it
 * (appends to different outboxes commute).  Calls on an open snapshot
 * touch nothing shared and record nothing, so steps of different tabs
 * that only work on their snapshots are independent.  For waits
 * (env_wait.c): a checkpoint leaving ends the waits for its keys, and a
 * wait is not stuck while other tabs' checkpoints are in flight (its next
 * snapshot lands at least one, as in the cached model).
 * The `storage` event: a landing fires it in the other tabs (the parent
 * notifies the other processes' observers when it applies the writes),
 * through env_wait.c; a wait reads SIM_OBJ_STORE for that.
 */
#include "sim/browser/storage_model.h"
#include "sim/browser/storage_snapshot.h"
#include "sim/world/env_model.h"

#include <assert.h>

static sim_snapshot *snap_of(const sim_world *w)
{
    return w->model_state;
}

typedef struct sent_ctx {
    sim_world *w;
    GString *keys; /* for the timeline, or NULL */
} sent_ctx;

typedef struct land_ctx {
    sim_world *w;
    const char *before; /* for the timeline: what made it land */
} land_ctx;

/* A checkpoint's write lands in the datastore. */
static void landed(void *ctx, int tab, const char *key, const char *value)
{
    land_ctx *c = ctx;
    sim_world *w = c->w;
    w->acc.r |= SIM_OBJ_STORE;
    w->acc.w |= SIM_OBJ_STORE;
    /* The parent tells the other processes: their storage events fire. */
    sim_env_storage_changed_by(w, &w->tabs[tab - 1], key);
    if (w->monitor->tracing) {
        char *shown = sim_env_value_summary(w, key, value);
        char *when = g_strdup_printf("%s, %s", value ? "landed" : "removed", c->before);
        sim_monitor_line(w->monitor, w->now_us, tab, 0, "publish", key, value, when, NULL, shown);
        g_free(when);
        g_free(shown);
    }
}

/* A checkpoint's write leaves its tab. */
static void sent(void *ctx, int tab, const char *key, const char *value)
{
    sent_ctx *c = ctx;
    (void)value;
    c->w->acc.w |= SIM_OBJ_STORE;
    if (!c->w->untimed)
        c->w->acc.r |= SIM_OBJ_CLOCK; /* stamped with the time it leaves */
    sim_env_storage_sent(c->w, &c->w->tabs[tab - 1], key);
    if (c->keys)
        g_string_append_printf(c->keys, " %s", key);
}

static gboolean snap_unseen(const sim_world *w, int tab)
{
    for (int u = 1; u <= w->n_tabs; u++)
        if (u != tab && sim_snapshot_in_flight(snap_of(w), u) > 0)
            return TRUE;
    return FALSE;
}

/* Timed: no other tab's oldest checkpoint is due before this one, which
 * lands at earliest_us or later, can land.  (The checkpoint due first
 * among those that must land is always first in line.) */
static gboolean first_in_line(const sim_world *w, int tab, int64_t earliest_us)
{
    for (int u = 1; u <= w->n_tabs; u++)
        if (u != tab && sim_snapshot_in_flight(snap_of(w), u) > 0 &&
            sim_snapshot_in_flight_time_us(snap_of(w), u) + w->scenario->delivery_us_max < earliest_us)
            return FALSE;
    return TRUE;
}

/* Land checkpoints, one choice each, until the chooser stops (answer 0)
 * or nothing may land.  tab: the tab whose message to the parent comes
 * next (its own must land); NULL: the end of the run (all must). */
static void land(sim_world *w, const sim_tab *tab, gboolean must_progress, const char *before)
{
    const sim_scenario *s = w->scenario;
    land_ctx lc = {w, before};
    for (gboolean first = TRUE;; first = FALSE) {
        int cand[SIM_TABS_MAX];
        uint32_t n = 0;
        gboolean must = FALSE;
        for (int u = 1; u <= w->n_tabs; u++) {
            if (sim_snapshot_in_flight(snap_of(w), u) == 0)
                continue;
            int64_t sent_us = sim_snapshot_in_flight_time_us(snap_of(w), u);
            /* The tab whose message (snapshot request, Web Locks call) is
             * next: its checkpoints precede it on its channel, so they land
             * now whatever the bounds. */
            gboolean own = tab && u == tab->index;
            if (!w->untimed)
                w->acc.r |= SIM_OBJ_CLOCK; /* what may land depends on the time */
            if (!tab || own || (!w->untimed && sent_us + s->delivery_us_max <= w->now_us))
                must = TRUE;
            else if (!w->untimed && sent_us + s->delivery_us_min > w->now_us)
                continue; /* too recent to have landed */
            if (!w->untimed && !first_in_line(w, u, own ? sent_us : sent_us + s->delivery_us_min))
                continue;
            cand[n++] = u;
        }
        if (n == 0) {
            assert(!must); /* the one due first among those that must is in line */
            return;
        }
        /* Stop (answer 0) unless some checkpoint must land or a stuck
         * waiting loop must see one. */
        gboolean may_stop = !must && !(first && must_progress);
        uint32_t pick = sim_choose(w->chooser, n + (may_stop ? 1 : 0));
        if (may_stop && pick == 0)
            return;
        sim_snapshot_apply(snap_of(w), cand[pick - (may_stop ? 1 : 0)], landed, &lc);
    }
}

static void snap_call_begin(sim_world *w, sim_tab *tab, sim_task *t)
{
    if (sim_snapshot_is_open(snap_of(w), tab->index))
        return;
    /* A snapshot depends on the datastore and on what is on its way. */
    w->acc.r |= SIM_OBJ_STORE;
    char before[32];
    g_snprintf(before, sizeof before, "before tab%d's snapshot", tab->index);
    land(w, tab, t->view.must_progress, before);
    t->view.must_progress = FALSE;
    land_ctx lc = {w, before};
    sim_snapshot_begin(snap_of(w), tab->index, landed, &lc);
    if (w->monitor->tracing && snap_unseen(w, tab->index)) {
        /* What this snapshot misses: the reader of a stale read needs it. */
        GString *missing = g_string_new("taken; not landed yet:");
        for (int u = 1; u <= w->n_tabs; u++) {
            size_t n = sim_snapshot_in_flight(snap_of(w), u);
            if (n > 0)
                g_string_append_printf(missing, " %zu checkpoint%s of tab%d", n, n == 1 ? "" : "s", u);
        }
        sim_monitor_line(w->monitor, w->now_us, tab->index, t->id, "snapshot", NULL, NULL, missing->str, NULL,
                         NULL);
        g_string_free(missing, TRUE);
    }
}

static void snap_channel(sim_world *w, sim_tab *tab, const char *what)
{
    if (sim_snapshot_in_flight(snap_of(w), tab->index) == 0)
        return;
    char *before = g_strdup_printf("before tab%d's %s", tab->index, what);
    land(w, tab, FALSE, before);
    g_free(before);
}

static void snap_task_end(sim_world *w, sim_tab *tab, int task_id)
{
    if (!sim_snapshot_is_open(snap_of(w), tab->index))
        return;
    if (tab->closed) {
        sim_snapshot_discard(snap_of(w), tab->index); /* crashed mid-task */
        return;
    }
    sent_ctx c = {w, w->monitor->tracing ? g_string_new(NULL) : NULL};
    size_t n = sim_snapshot_end(snap_of(w), tab->index, w->now_us, sent, &c);
    if (c.keys) {
        if (n > 0) {
            char *what = g_strdup_printf("%zu write%s:%s", n, n == 1 ? "" : "s", c.keys->str);
            sim_monitor_line(w->monitor, w->now_us, tab->index, task_id, "checkpoint", NULL, what, "sent", NULL,
                             what);
            g_free(what);
        }
        g_string_free(c.keys, TRUE);
    }
}

static void snap_settle(sim_world *w)
{
    /* world_cancel has ended every task; a snapshot still open would be a
     * task that never gave its tab up. */
    for (int i = 0; i < w->n_tabs; i++)
        if (sim_snapshot_is_open(snap_of(w), i + 1))
            snap_task_end(w, &w->tabs[i], 0);
    land(w, NULL, FALSE, "end of run");
}

static void *snap_create(sim_world *w)
{
    const sim_scenario *s = w->scenario;
    return sim_snapshot_new(w->storage, (int)s->tabs, s->quota_bytes, s->storage_unavailable);
}

static void snap_destroy(void *state)
{
    sim_snapshot_free(state);
}

/* Calls on an open snapshot touch nothing shared and record nothing. */
static int snap_get(sim_world *w, sim_tab *tab, const char *key, GString *value_out)
{
    return sim_snapshot_get(snap_of(w), tab->index, key, value_out);
}

static int snap_set(sim_world *w, sim_tab *tab, const char *key, const char *value)
{
    return sim_snapshot_set(snap_of(w), tab->index, key, value);
}

static int snap_remove(sim_world *w, sim_tab *tab, const char *key)
{
    return sim_snapshot_remove(snap_of(w), tab->index, key);
}

static int snap_length(sim_world *w, sim_tab *tab, size_t *length_out)
{
    return sim_snapshot_length(snap_of(w), tab->index, length_out);
}

static int snap_key(sim_world *w, sim_tab *tab, size_t index, GString *key_out)
{
    return sim_snapshot_key(snap_of(w), tab->index, index, key_out);
}

static uint64_t snap_digest(const sim_world *w, uint64_t h)
{
    return sim_snapshot_digest(snap_of(w), h);
}

const sim_storage_model_ops sim_model_snapshot = {
    .name = "snapshot",
    .doc = "Firefox's model: each task works on a snapshot taken at its first access and publishes its writes "
           "at its end",
    .create = snap_create,
    .destroy = snap_destroy,
    .quota_in_map = FALSE, /* checked in each snapshot; the datastore takes every checkpoint */
    .get = snap_get,
    .set = snap_set,
    .remove = snap_remove,
    .length = snap_length,
    .key = snap_key,
    .call_begin = snap_call_begin,
    .task_end = snap_task_end,
    .channel = snap_channel,
    .settle = snap_settle,
    .unseen = snap_unseen,
    .digest = snap_digest,
    .delivers = TRUE,
    .per_tab = TRUE,
};
