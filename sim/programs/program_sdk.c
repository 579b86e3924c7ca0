/*
 * program_sdk.c - [workload] mode = events: the SDK and its application.
 *
 * A tab's main task is its first script: it builds the SDK instance (event
 * store, the scenario's mutex, thread-safe store, processor) with the
 * scenario's options, starts the flush loop as a separate task, and adds
 * events at intervals through the SDK's fire-and-forget addEvent.
 *
 * The flush is periodic (the processor's own loop, until the run ends) or,
 * with [flush] count, a bounded part of the workload: the application
 * flushes count times, each after the interval, then its flush task ends.
 * That task is then counted like an add (the world's workload is over only
 * when every add and flush has finished), and a reloaded tab goes on from
 * the flushes it had started (tab->flushes_done), as it does for adds.
 * Event
 * ids are "t<tab>-e<n>", so a timeline names the tab that made each event.
 * The SDK keeps its events as one JSON entity under events_key and sends
 * them as {"events": [...]} batches: the codec of core/src/event_store.c
 * reads both back for the checks.  It claims every invariant.
 */
#include "sim/programs/program.h"
#include "sim/world/world.h"
#include "xt/event_store.h"
#include "xt/processor.h"
#include "xt/ts_store.h"

#define SDK_USER_ID "user-1"
#define SDK_EVENTS_KEY "bucketeer_events_user-1" /* what xt_event_store_new derives for SDK_USER_ID */

typedef struct sdk_instance {
    xt_ts_store *ts;
    xt_processor *processor;
} sdk_instance;

static void flush_task(void *arg)
{
    sim_tab *tab = arg;
    sdk_instance *sdk = tab->program_state;
    const sim_scenario *s = tab->world->scenario;
    if (s->flush_count == 0) {
        xt_processor_run(sdk->processor);
        return;
    }
    /* Bounded: the processor loop's body, count times in all (reloads included). */
    while (tab->flushes_done < s->flush_count) {
        sim_tab_mark_frames(tab, "flush loop"); /* flushes_done is the tab's */
        if (xt_env_sleep_ms(&tab->env, s->flush_interval_ms) == XT_ECANCELLED)
            return;
        tab->flushes_done++;
        int rc = xt_processor_flush(sdk->processor);
        if (rc == XT_ECANCELLED)
            return;
        if (rc != XT_OK)
            xt_env_debug(&tab->env, "Flush failed, events kept for the next flush: %s", xt_strerror(rc));
    }
}

static void sdk_start(sim_tab *tab, sdk_instance *sdk)
{
    sim_world *w = tab->world;
    const sim_scenario *s = w->scenario;
    xt_event_store *store = xt_event_store_new(&tab->env, SDK_USER_ID, SDK_EVENTS_KEY);
    sdk->ts = xt_ts_store_new(&tab->env, store, sim_tab_mutex_new(tab), (xt_cross_tab_safety)s->cross_tab_safety);
    xt_ts_store_set_keep_unstored(sdk->ts, s->keep_unstored);
    if (!s->flush_enabled)
        return;
    xt_processor_options o;
    xt_processor_options_init(&o);
    o.flush_interval_ms = s->flush_interval_ms;
    o.batch_max = (size_t)s->batch_max;
    o.send_under_lock = s->send_under_lock;
    sdk->processor = xt_processor_new(&tab->env, sdk->ts, &o);
    /* A bounded flush is part of the workload, as an add is. */
    sim_task *flush = sim_world_spawn(w, tab, flush_task, tab, s->flush_count > 0);
    sim_world_post(w, flush, 0, TRUE);
}

static void sdk_main(sim_tab *tab)
{
    sim_world *w = tab->world;
    sdk_instance *sdk = g_new0(sdk_instance, 1);
    tab->program_state = sdk;
    sdk_start(tab, sdk);
    while (tab->work_done < w->scenario->events_per_tab) {
        sim_tab_mark_frames(tab, "add loop"); /* work_done is the tab's */
        if (xt_env_sleep_ms(&tab->env, sim_tab_interval_ms(tab)) == XT_ECANCELLED)
            return;
        char id[48];
        g_snprintf(id, sizeof id, "t%d-e%" G_GINT64_FORMAT, tab->index, ++tab->work_done);
        xt_event *event = xt_event_new(id, xt_env_now_ms(&tab->env), "goal");
        w->monitor->c.events_tracked++;
        int rc = xt_ts_store_track(sdk->ts, event);
        xt_event_free(event);
        if (rc == XT_ECANCELLED)
            return;
    }
}

static void sdk_instance_free(sim_tab *tab)
{
    sdk_instance *sdk = tab->program_state;
    if (!sdk)
        return;
    if (sdk->processor)
        xt_processor_free(sdk->processor);
    if (sdk->ts)
        xt_ts_store_free(sdk->ts);
    g_free(sdk);
    tab->program_state = NULL;
}

/* The objects the tab's tasks share: the thread-safe store (its unstored
 * events and its mutex) and the processor.  The event store holds only
 * its key; sdk_instance and the tasks' own frames are the tasks'. */
static gboolean sdk_heap_describe(const sim_tab *tab, xt_describe_fn fold, void *ctx)
{
    const sdk_instance *sdk = tab->program_state;
    if (!sdk || !sdk->ts)
        return TRUE; /* not built yet: nothing shared */
    if (sdk->processor)
        xt_processor_describe(sdk->processor, fold, ctx);
    return xt_ts_store_describe(sdk->ts, fold, ctx);
}

static GPtrArray *sdk_stored_ids(const char *value)
{
    GPtrArray *events = NULL;
    if (xt_event_entity_parse(value, &events) != XT_OK)
        return NULL;
    GPtrArray *ids = g_ptr_array_new_full(events->len, g_free);
    for (guint i = 0; i < events->len; i++)
        g_ptr_array_add(ids, g_strdup(((const xt_event *)events->pdata[i])->id));
    g_ptr_array_free(events, TRUE);
    return ids;
}

static GPtrArray *sdk_sent_ids(const char *body)
{
    GPtrArray *ids = NULL;
    return xt_event_batch_parse_ids(body, &ids) == XT_OK ? ids : NULL;
}

/* The events entity is shown as its list of ids: what a reader of a lost
 * update needs to see, in one short line. */
static char *sdk_value_summary(const char *value)
{
    return sim_program_ids_summary(sdk_stored_ids(value));
}

static const char *const sdk_keys[] = {"mutex.cross_tab_safety", "workload.events_per_tab", "flush.*", "server.*",
                                       "faults.server_fault_max", "faults.server_fault_pct", "faults.server_slow_ms",
                                       NULL};

const sim_program_ops sim_program_sdk = {
    .name = "events",
    .doc = "tabs add events and flush them (the SDK: event store, thread-safe store, mutex, flush loop)",
    .claims = SIM_INV_MUTUAL_EXCLUSION | SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE | SIM_INV_PROGRESS,
    .keys = sdk_keys,
    .main = sdk_main,
    .instance_free = sdk_instance_free,
    .heap_describe = sdk_heap_describe,
    .events_key = SDK_EVENTS_KEY,
    .stored_ids = sdk_stored_ids,
    .sent_ids = sdk_sent_ids,
    .value_summary = sdk_value_summary,
};
