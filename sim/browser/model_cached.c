/*
 * model_cached.c - [storage] model = cached: Chromium's multi-process
 * localStorage (the per-tab caches are storage_cached.c; what they stand
 * for and what they leave out is said there and in docs/browser-model.md).
 *
 * A tab's calls work on its own cache; its writes reach the browser's map
 * (world->storage) at once and the other tabs' caches later, in order.
 * Remote writes arrive as tasks, so only before the first storage call of
 * a task (call_begin with t->view.fresh), never in the middle of one; how
 * many of the writes on their way arrive then is one choice.  Timed runs:
 * those made delivery_us_max ago or earlier must have arrived, those made
 * less than delivery_us_min ago cannot have.  A wait (env_wait.c) that received
 * nothing would only repeat itself, so when the world says it must
 * progress (t->view.must_progress), at least one arrives.
 *
 * Footprint: a call reads or writes its key's object as in the
 * linearizable model; every set or remove writes the key set; an arrival
 * decision reads every key on its way (received or not), since how many
 * may arrive depends on all of them.
 */
#include <assert.h>

#include "sim/browser/storage_cached.h"
#include "sim/browser/storage_model.h"
#include "sim/world/env_model.h"

static sim_cached *cached_of(const sim_world *w)
{
    return w->model_state;
}

static void *cached_create(sim_world *w)
{
    const sim_scenario *s = w->scenario;
    return sim_cached_new(w->storage, (int)s->tabs, s->quota_bytes, s->storage_unavailable);
}

static void cached_destroy(void *state)
{
    sim_cached_free(state);
}

typedef struct arrival_ctx {
    sim_world *w;
    sim_task *t;
} arrival_ctx;

static void arrival_seen(void *ctx, int tab, int from_tab, const char *key, const char *value, gboolean applied)
{
    arrival_ctx *a = ctx;
    if (a->w->monitor->tracing) {
        char *result = g_strdup_printf("from tab%d: %s", from_tab,
                                       from_tab == tab ? "own write acknowledged"
                                       : applied       ? (value ? "applied" : "applied (removed)")
                                                       : "ignored, own write pending");
        sim_monitor_line(a->w->monitor, a->w->now_us, tab, a->t->id, "arrive", key, value, result, NULL, NULL);
        g_free(result);
    }
}

static void cached_call_begin(sim_world *w, sim_tab *tab, sim_task *t)
{
    if (!t->view.fresh)
        return;
    sim_cached *c = cached_of(w);
    size_t n = sim_cached_pending(c, tab->index);
    if (n == 0) {
        t->view.must_progress = FALSE;
        return;
    }
    if (sim_world_tracks_access(w))
        for (size_t i = 0; i < n; i++)
            sim_env_access_key(w, sim_cached_pending_key(c, tab->index, i), FALSE);
    size_t lo = 0, hi = n;
    if (!w->untimed) {
        const sim_scenario *s = w->scenario;
        hi = 0;
        while (hi < n && sim_cached_pending_time_us(c, tab->index, hi) + s->delivery_us_min <= w->now_us)
            hi++;
        while (lo < hi && sim_cached_pending_time_us(c, tab->index, lo) + s->delivery_us_max <= w->now_us)
            lo++;
    }
    if (t->view.must_progress && lo == 0 && hi > 0)
        lo = 1;
    t->view.must_progress = FALSE;
    size_t span = hi - lo;
    assert(span < UINT32_MAX);
    /* Every count is its own branch, also for an exhaustive chooser. */
    size_t k = lo + (span > 0 ? sim_choose(w->chooser, (uint32_t)span + 1) : 0);
    arrival_ctx a = {w, t};
    sim_cached_deliver(c, tab->index, k, arrival_seen, &a);
}

static int cached_get(sim_world *w, sim_tab *tab, const char *key, GString *value_out)
{
    int rc = sim_cached_get(cached_of(w), tab->index, key, value_out);
    sim_env_access_key(w, key, FALSE);
    return rc;
}

static int cached_set(sim_world *w, sim_tab *tab, const char *key, const char *value)
{
    int rc = sim_cached_set(cached_of(w), tab->index, w->now_us, key, value);
    sim_env_wrote(w, key, rc);
    if (sim_world_tracks_access(w))
        sim_env_keyset_changed(w);
    return rc;
}

static int cached_remove(sim_world *w, sim_tab *tab, const char *key)
{
    int rc = sim_cached_remove(cached_of(w), tab->index, w->now_us, key);
    sim_env_wrote(w, key, rc);
    if (sim_world_tracks_access(w))
        sim_env_keyset_changed(w);
    return rc;
}

static int cached_length(sim_world *w, sim_tab *tab, size_t *length_out)
{
    w->acc.r |= SIM_OBJ_KEYSET;
    return sim_cached_length(cached_of(w), tab->index, length_out);
}

static int cached_key(sim_world *w, sim_tab *tab, size_t index, GString *key_out)
{
    w->acc.r |= SIM_OBJ_KEYSET;
    return sim_cached_key(cached_of(w), tab->index, index, key_out);
}

static gboolean cached_unseen(const sim_world *w, int tab)
{
    return sim_cached_pending(cached_of(w), tab) > 0;
}

static gboolean cached_unseen_event(const sim_world *w, int tab, const char **key, const char **value)
{
    return sim_cached_pending_remote(cached_of(w), tab, key, value);
}

static uint64_t cached_digest(const sim_world *w, uint64_t h)
{
    return sim_cached_digest(cached_of(w), h);
}

const sim_storage_model_ops sim_model_cached = {
    .name = "cached",
    .doc = "Chromium's multi-process model: a cache per tab that other tabs' writes reach later, in order",
    .create = cached_create,
    .destroy = cached_destroy,
    .quota_in_map = TRUE,
    .get = cached_get,
    .set = cached_set,
    .remove = cached_remove,
    .length = cached_length,
    .key = cached_key,
    .call_begin = cached_call_begin,
    .unseen = cached_unseen,
    .unseen_event = cached_unseen_event,
    .digest = cached_digest,
    .delivers = TRUE,
    .per_tab = TRUE,
};
