/*
 * processor.c - the flush loop: send stored events, delete the sent ones.
 *
 * Why it exists: sending is the second half of the seed's story ("All
 * events delivered exactly once").  Every flush_interval_ms the processor
 * reads the stored events, sends them in one batch and deletes, by id, only
 * the events of that batch.  A send that fails (XT_ESERVER) or whose outcome
 * is unknown (XT_ETIMEOUT) keeps the events for the next flush, so events
 * are at least once, never silently dropped; duplicates are possible and
 * are for the simulator to count.
 *
 * Two shapes:
 *  - send_under_lock (default): read, send and delete all inside one
 *    with_lock.  If the lock cannot be had the processor warns "Failed to
 *    flush events with cross-tab safety, falling back to sync: <error>",
 *    reports XT_OBS_FALLBACK "flush" and does the same unlocked.  The
 *    fallback happens only when the lock failed (fn never ran), never after
 *    a failed send, which would send twice.
 *  - !send_under_lock (the SDK branch's sendEvents): get_all_async (falling
 *    back to get_all), the send outside the lock, then delete_by_ids_async
 *    (falling back to delete_by_ids), each fallback with a warning and an
 *    XT_OBS_FALLBACK ("get_all", "delete").
 * When the ts store is not locking, everything is the unlocked methods and
 * nothing warns.
 *
 * XT_OBS_SENT is emitted as soon as transport_send returns, before the
 * delete (value = its result, detail = the body).
 *
 * XT_ECANCELLED from any call ends the flush at once (no fallback) and ends
 * run(); every path frees what it allocated.
 */
#include "xt/processor.h"

#include <assert.h>

#define PROCESSOR_FLUSH_INTERVAL_MS_DEFAULT 10000

struct xt_processor {
    xt_env *env;
    xt_ts_store *ts;
    xt_processor_options options;
    gboolean stopped;
};

void xt_processor_options_init(xt_processor_options *options)
{
    assert(options);
    options->flush_interval_ms = PROCESSOR_FLUSH_INTERVAL_MS_DEFAULT;
    options->batch_max = 0;
    options->send_under_lock = TRUE;
}

void xt_processor_describe(const xt_processor *processor, xt_describe_fn fold, void *ctx)
{
    assert(processor && fold);
    guint8 stopped = processor->stopped ? 1 : 0;
    fold(ctx, &stopped, sizeof stopped);
}

xt_processor *xt_processor_new(xt_env *env, xt_ts_store *ts, const xt_processor_options *options)
{
    assert(env && ts);
    xt_processor *processor = g_new0(xt_processor, 1);
    processor->env = env;
    processor->ts = ts;
    if (options)
        processor->options = *options;
    else
        xt_processor_options_init(&processor->options);
    assert(processor->options.flush_interval_ms >= 0);
    return processor;
}

void xt_processor_free(xt_processor *processor)
{
    g_free(processor);
}

void xt_processor_stop(xt_processor *processor)
{
    assert(processor);
    processor->stopped = TRUE;
}

/* The batch: the first batch_max events (all when 0), as a borrowed view
 * (no free func) of events, and their ids (borrowed). */
static GPtrArray *batch_take(const xt_processor *processor, GPtrArray *events,
                             GPtrArray **ids_out)
{
    guint n = events->len;
    if (processor->options.batch_max > 0 && processor->options.batch_max < n)
        n = (guint)processor->options.batch_max;
    GPtrArray *batch = g_ptr_array_sized_new(n);
    GPtrArray *ids = g_ptr_array_sized_new(n);
    for (guint i = 0; i < n; i++) {
        xt_event *event = g_ptr_array_index(events, i);
        g_ptr_array_add(batch, event);
        g_ptr_array_add(ids, event->id);
    }
    *ids_out = ids;
    return batch;
}

/* Sends the batch taken from events; on success deletes it, locked or not
 * (delete_async: use delete_by_ids_async with fall-back). */
static int send_and_delete(xt_processor *processor, GPtrArray *events, gboolean delete_async)
{
    xt_env *env = processor->env;
    GPtrArray *ids = NULL;
    GPtrArray *batch = batch_take(processor, events, &ids);
    char *body = xt_event_batch_serialize(batch);
    int rc = xt_env_send(env, body);
    xt_env_observe(env, XT_OBS_SENT, "send", body, rc);
    xt_env_debug(env, "Sent %u event(s): %s", batch->len, xt_strerror(rc));
    if (rc == XT_OK) {
        const char *const *id_list = (const char *const *)ids->pdata;
        if (delete_async) {
            rc = xt_ts_store_delete_by_ids_async(processor->ts, id_list, ids->len);
            if (rc != XT_OK && rc != XT_ECANCELLED) {
                xt_env_warn(env, "Failed to delete events with cross-tab safety, falling back to sync: %s",
                            xt_strerror(rc));
                xt_env_observe(env, XT_OBS_FALLBACK, "delete", NULL, rc);
                rc = xt_ts_store_delete_by_ids(processor->ts, id_list, ids->len);
            }
        } else {
            rc = xt_ts_store_delete_by_ids(processor->ts, id_list, ids->len);
        }
    }
    g_free(body);
    g_ptr_array_unref(batch);
    g_ptr_array_unref(ids);
    return rc;
}

/* Read, send, delete; all unlocked calls (the caller may hold the lock). */
static int flush_unlocked(xt_processor *processor)
{
    GPtrArray *events = NULL;
    int rc = xt_ts_store_get_all(processor->ts, &events);
    if (rc != XT_OK)
        return rc;
    if (events->len > 0)
        rc = send_and_delete(processor, events, FALSE);
    g_ptr_array_unref(events);
    return rc;
}

typedef struct flush_call {
    xt_processor *processor;
    gboolean ran; /* fn ran, so the lock was had: never fall back */
} flush_call;

static int flush_call_run(void *arg)
{
    flush_call *call = arg;
    call->ran = TRUE;
    return flush_unlocked(call->processor);
}

static int flush_under_lock(xt_processor *processor)
{
    flush_call call = { .processor = processor, .ran = FALSE };
    int rc = xt_mutex_with_lock(xt_ts_store_mutex(processor->ts), flush_call_run, &call);
    if (call.ran || rc == XT_ECANCELLED)
        return rc;
    xt_env_warn(processor->env, "Failed to flush events with cross-tab safety, falling back to sync: %s",
                xt_strerror(rc));
    xt_env_observe(processor->env, XT_OBS_FALLBACK, "flush", NULL, rc);
    return flush_unlocked(processor);
}

/* The SDK branch's sendEvents: locked read, unlocked send, locked delete. */
static int flush_send_outside(xt_processor *processor)
{
    xt_env *env = processor->env;
    GPtrArray *events = NULL;
    int rc = xt_ts_store_get_all_async(processor->ts, &events);
    if (rc != XT_OK) {
        if (events)
            g_ptr_array_unref(events);
        events = NULL;
        if (rc == XT_ECANCELLED)
            return rc;
        xt_env_warn(env, "Failed to get events with cross-tab safety, falling back to sync: %s",
                    xt_strerror(rc));
        xt_env_observe(env, XT_OBS_FALLBACK, "get_all", NULL, rc);
        rc = xt_ts_store_get_all(processor->ts, &events);
        if (rc != XT_OK)
            return rc;
    }
    if (events->len > 0)
        rc = send_and_delete(processor, events, TRUE);
    g_ptr_array_unref(events);
    return rc;
}

/* Events storage refused (keep_unstored) live only in this tab's memory:
 * no other tab can see them, so they are sent without the lock. */
static int flush_unstored(xt_processor *processor)
{
    if (xt_ts_store_unstored_count(processor->ts) == 0)
        return XT_OK; /* the usual case: nothing to take, nothing allocated */
    GPtrArray *events = xt_ts_store_take_unstored(processor->ts);
    char *body = xt_event_batch_serialize(events);
    int rc = xt_env_send(processor->env, body);
    xt_env_observe(processor->env, XT_OBS_SENT, "send kept", body, rc);
    g_free(body);
    if (rc == XT_OK)
        g_ptr_array_unref(events);
    else
        xt_ts_store_return_unstored(processor->ts, events);
    return rc;
}

int xt_processor_flush(xt_processor *processor)
{
    assert(processor);
    int rc = flush_unstored(processor);
    if (rc != XT_OK)
        return rc;
    if (!xt_ts_store_locking(processor->ts))
        return flush_unlocked(processor);
    if (processor->options.send_under_lock)
        return flush_under_lock(processor);
    return flush_send_outside(processor);
}

int xt_processor_run(xt_processor *processor)
{
    assert(processor);
    /* Bounded by stop() and by cancellation: a cancelled tab's sleep (or any
     * env call in the flush) returns XT_ECANCELLED and ends the loop. */
    while (!processor->stopped) {
        int rc = xt_env_sleep_ms(processor->env, processor->options.flush_interval_ms);
        if (rc == XT_ECANCELLED)
            return rc;
        if (processor->stopped)
            break;
        rc = xt_processor_flush(processor);
        if (rc == XT_ECANCELLED)
            return rc;
        if (rc != XT_OK)
            xt_env_debug(processor->env, "Flush failed, events kept for the next flush: %s",
                         xt_strerror(rc));
    }
    return XT_OK;
}
