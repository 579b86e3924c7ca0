/*
 * ts_store.c - ThreadSafeEventStorage: the event store behind a mutex.
 *
 * Why it exists: the SDK branch keeps the old synchronous, unlocked methods
 * for backward compatibility and adds *Async ones that run the same
 * operation inside the mutex ("Backward Compatibility: Maintains existing
 * API surface").  xt_ts_store_track() is addEvent: it starts add_async
 * without awaiting it and, if that fails, warns "Failed to add event with
 * cross-tab safety, falling back to sync:" and runs the unlocked add
 * ("Automatic Fallback: Falls back to regular storage if mutex operations
 * fail").  The fallback is exactly where the lost update can come back.
 *
 * Invariants and choices:
 *  - Whether to lock is decided once, in new: ON always, OFF never, AUTO
 *    when a storage probe (xt_env_length) succeeds, the C reading of the
 *    seed's shouldEnableCrossTabSafety "typeof localStorage !== undefined".
 *    When not locking, the *_async methods are the synchronous ones.
 *  - track() copies the event; the spawned task owns the copy and frees it.
 *    The ts store must outlive the tasks it spawned.
 *  - The task falls back on any failure of add_async (a lock error, or a
 *    storage error inside the lock: the SDK falls back on any rejection)
 *    except XT_ECANCELLED: a tab that is going away unwinds at once instead
 *    of trying again unlocked.
 *  - XT_OBS_EVENT_ADDED is emitted only after the path that stored the
 *    event returned XT_OK, i.e. after the unlock on the locked path.
 *  - An event no path could store (QuotaExceededError, storage disabled)
 *    is never lost silently: it is either dropped with a warning and
 *    XT_OBS_EVENT_DROPPED (the SDK as written) or, with keep_unstored,
 *    kept in memory in add order until the processor has sent it.  Kept
 *    events die with the page, like any add that had not returned.
 */
#include "xt/ts_store.h"

#include <assert.h>
#include <string.h>

struct xt_ts_store {
    xt_env *env;
    xt_event_store *store;
    xt_mutex *mutex;
    xt_cross_tab_safety safety;
    gboolean locking;
    gboolean keep_unstored;
    GPtrArray *unstored;  /* xt_event*, owned: refused by storage, not yet sent */
};

xt_ts_store *xt_ts_store_new(xt_env *env, xt_event_store *store, xt_mutex *mutex,
                             xt_cross_tab_safety safety)
{
    assert(env && store);
    /* OFF never uses the mutex, so only OFF may come without one. */
    assert(mutex || safety == XT_CROSS_TAB_OFF);
    xt_ts_store *ts = g_new0(xt_ts_store, 1);
    ts->env = env;
    ts->store = store;
    ts->mutex = mutex;
    ts->safety = safety;
    ts->unstored = g_ptr_array_new_with_free_func((GDestroyNotify)xt_event_free);
    switch (safety) {
    case XT_CROSS_TAB_ON:
        ts->locking = TRUE;
        break;
    case XT_CROSS_TAB_OFF:
        ts->locking = FALSE;
        break;
    case XT_CROSS_TAB_AUTO: {
        size_t length = 0;
        xt_env_step(env, "probe storage");
        ts->locking = xt_env_length(env, &length) == XT_OK;
        break;
    }
    }
    return ts;
}

void xt_ts_store_free(xt_ts_store *ts)
{
    if (!ts)
        return;
    xt_event_store_free(ts->store);
    xt_mutex_free(ts->mutex);
    g_ptr_array_unref(ts->unstored);
    g_free(ts);
}

gboolean xt_ts_store_locking(const xt_ts_store *ts)
{
    assert(ts);
    return ts->locking;
}

xt_mutex *xt_ts_store_mutex(xt_ts_store *ts)
{
    assert(ts);
    return ts->mutex;
}

xt_event_store *xt_ts_store_events(xt_ts_store *ts)
{
    assert(ts);
    return ts->store;
}

/* ---- synchronous (unlocked) ------------------------------------------- */

int xt_ts_store_add(xt_ts_store *ts, const xt_event *event)
{
    assert(ts);
    return xt_event_store_add(ts->store, event);
}

int xt_ts_store_get_all(xt_ts_store *ts, GPtrArray **events_out)
{
    assert(ts);
    return xt_event_store_get_all(ts->store, events_out);
}

int xt_ts_store_delete_by_ids(xt_ts_store *ts, const char *const *ids, size_t n_ids)
{
    assert(ts);
    return xt_event_store_delete_by_ids(ts->store, ids, n_ids);
}

/* ---- *_async: the same inside the lock -------------------------------- */

typedef struct ts_call {
    xt_ts_store *ts;
    const xt_event *event;
    GPtrArray **events_out;
    const char *const *ids;
    size_t n_ids;
} ts_call;

static int ts_call_add(void *arg)
{
    ts_call *call = arg;
    return xt_ts_store_add(call->ts, call->event);
}

static int ts_call_get_all(void *arg)
{
    ts_call *call = arg;
    return xt_ts_store_get_all(call->ts, call->events_out);
}

static int ts_call_delete(void *arg)
{
    ts_call *call = arg;
    return xt_ts_store_delete_by_ids(call->ts, call->ids, call->n_ids);
}

int xt_ts_store_add_async(xt_ts_store *ts, const xt_event *event)
{
    assert(ts);
    if (!ts->locking)
        return xt_ts_store_add(ts, event);
    ts_call call = { .ts = ts, .event = event };
    return xt_mutex_with_lock(ts->mutex, ts_call_add, &call);
}

int xt_ts_store_get_all_async(xt_ts_store *ts, GPtrArray **events_out)
{
    assert(ts && events_out);
    if (!ts->locking)
        return xt_ts_store_get_all(ts, events_out);
    *events_out = NULL; /* stays NULL when the lock is not had */
    ts_call call = { .ts = ts, .events_out = events_out };
    return xt_mutex_with_lock(ts->mutex, ts_call_get_all, &call);
}

int xt_ts_store_delete_by_ids_async(xt_ts_store *ts, const char *const *ids, size_t n_ids)
{
    assert(ts);
    if (!ts->locking)
        return xt_ts_store_delete_by_ids(ts, ids, n_ids);
    ts_call call = { .ts = ts, .ids = ids, .n_ids = n_ids };
    return xt_mutex_with_lock(ts->mutex, ts_call_delete, &call);
}

/* ---- track: addEvent -------------------------------------------------- */

typedef struct track_task {
    xt_ts_store *ts;
    xt_event *event;
} track_task;

/* No path could store the event: keep it or drop it, never silently. */
static void track_unstored(xt_ts_store *ts, xt_event *event, int rc)
{
    if (ts->keep_unstored) {
        xt_env_warn(ts->env, "Could not store event %s (%s): kept in memory for the next flush", event->id,
                    xt_strerror(rc));
        xt_env_observe(ts->env, XT_OBS_EVENT_KEPT, "add", event->id, rc);
        g_ptr_array_add(ts->unstored, event);
        return;
    }
    xt_env_warn(ts->env, "Failed to add event %s: %s", event->id, xt_strerror(rc));
    xt_env_observe(ts->env, XT_OBS_EVENT_DROPPED, "add", event->id, rc);
    xt_event_free(event);
}

void xt_ts_store_set_keep_unstored(xt_ts_store *ts, gboolean keep)
{
    assert(ts);
    ts->keep_unstored = keep;
}

guint xt_ts_store_unstored_count(const xt_ts_store *ts)
{
    assert(ts);
    return ts->unstored->len;
}

gboolean xt_ts_store_describe(const xt_ts_store *ts, xt_describe_fn fold, void *ctx)
{
    assert(ts && fold);
    guint n = ts->unstored->len;
    fold(ctx, &n, sizeof n);
    for (guint i = 0; i < n; i++) {
        const xt_event *event = g_ptr_array_index(ts->unstored, i);
        fold(ctx, event->id, strlen(event->id) + 1);
    }
    return xt_mutex_describe(ts->mutex, fold, ctx);
}

GPtrArray *xt_ts_store_take_unstored(xt_ts_store *ts)
{
    assert(ts);
    GPtrArray *taken = ts->unstored;
    ts->unstored = g_ptr_array_new_with_free_func((GDestroyNotify)xt_event_free);
    return taken;
}

void xt_ts_store_return_unstored(xt_ts_store *ts, GPtrArray *events)
{
    assert(ts && events);
    /* Kept before the ones refused meanwhile: add order is preserved. */
    g_ptr_array_extend_and_steal(events, ts->unstored);
    ts->unstored = events;
}

static void track_task_run(void *arg)
{
    track_task *task = arg;
    xt_ts_store *ts = task->ts;
    /* Without cross-tab safety there is no locked path to fall back from. */
    int rc = ts->locking ? xt_ts_store_add_async(ts, task->event)
                         : xt_ts_store_add(ts, task->event);
    if (ts->locking && rc != XT_OK && rc != XT_ECANCELLED) {
        xt_env_warn(ts->env, "Failed to add event with cross-tab safety, falling back to sync: %s",
                    xt_strerror(rc));
        xt_env_observe(ts->env, XT_OBS_FALLBACK, "add", task->event->id, rc);
        rc = xt_ts_store_add(ts, task->event);
    }
    if (rc == XT_OK) {
        xt_env_observe(ts->env, XT_OBS_EVENT_ADDED, "add", task->event->id, 0);
    } else if (rc != XT_ECANCELLED) {
        track_unstored(ts, task->event, rc);
        task->event = NULL; /* owned by track_unstored now */
    }
    xt_event_free(task->event);
    g_free(task);
}

int xt_ts_store_track(xt_ts_store *ts, const xt_event *event)
{
    assert(ts && event);
    track_task *task = g_new0(track_task, 1);
    task->ts = ts;
    task->event = xt_event_copy(event);
    int rc = xt_env_spawn(ts->env, track_task_run, task);
    if (rc != XT_OK) {
        /* fn was not run: the task is still ours. */
        xt_event_free(task->event);
        g_free(task);
    }
    return rc;
}
