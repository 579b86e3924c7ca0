/*
 * js_store.c - [workload] mode = js-events: an event store written in
 * JavaScript as the tabs' program, and the transport its flush uses
 * (tab.send(body), fetch) to the simulated server (docs/javascript.md).
 *
 * Why: the question users ask of their SDK is whether an event a page
 * tracked can be lost or sent twice when several tabs share its storage.
 * The C SDK's program (program_sdk.c) answers it for the C port; this
 * answers it for the JavaScript as shipped.
 *
 * How.  The adapter ([js] module) returns { add(event), flush() } (lock
 * and unlock may be absent).  A tab's main task builds the realm (the
 * js mutex, js_mutex.c, told it is a store), starts the flush task and
 * tracks events_per_tab events at the workload's intervals, each through
 * a fire-and-forget add task, as the C SDK's addEvent: the add task calls
 * add({id, timestamp, payload}) with ids "t<tab>-e<n>", and when its
 * promise resolves the event counts as added (XT_OBS_EVENT_ADDED: it must
 * then reach the server or stay in [js] events_key); a rejection is the
 * store dropping it (XT_OBS_EVENT_DROPPED, with the error in the log).
 * The flush task calls flush() every [flush] interval_ms (or count times).
 * tab.send(body) and fetch(url, {body}) post body to the simulated server
 * (server.c, with its faults) on a task of their own, as the C
 * processor's xt_env_send; the checks read the event ids of a body, and
 * of the stored value at the end, as {"events": [{"id": ...}, ...]}
 * (other members ignored).
 *
 * Invariants: the realm's code runs only in macrotasks served by
 * sim_js_serve, one at a time; a send's answer is a macrotask of its own
 * ('S'), started once the server has answered and the tab is free.
 */
#include "sim/js/js_store.h"
#include "sim/js/js_tab.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct js_add {
    js_mutex *jm;
    char *id;
    int64_t timestamp;
} js_add;

typedef struct js_send {
    js_mutex *jm;
    int64_t id;
    char *body;
} js_send;

/* ---- tab.send(body) and fetch: the simulated server ---- */

static void send_task(void *arg)
{
    js_send *q = arg;
    js_mutex *jm = q->jm;
    int rc = xt_env_send(jm->base.env, q->body);
    if (rc != XT_ECANCELLED && !sim_tab_gone(jm->tab)) {
        char code[16];
        g_snprintf(code, sizeof code, "%d", rc);
        sim_js_start(jm, 'S', q->id, rc == XT_OK ? "ok" : code);
        sim_js_serve(jm);
    }
    g_free(q->body);
    g_free(q);
    sim_js_unref(jm);
}

void sim_js_send_start(js_mutex *jm, const char *id, const char *body)
{
    js_send *q = g_new0(js_send, 1);
    q->jm = jm;
    q->id = g_ascii_strtoll(id, NULL, 10);
    q->body = g_strdup(body);
    jm->refs++;
    if (xt_env_spawn(jm->base.env, send_task, q) != XT_OK) {
        jm->refs--;
        g_free(q->body);
        g_free(q);
    }
}

/* ---- the program ---- */

static void add_task(void *arg)
{
    js_add *a = arg;
    js_mutex *jm = a->jm;
    char *event = g_strdup_printf("{\"id\":\"%s\",\"timestamp\":%" G_GINT64_FORMAT ",\"payload\":\"goal\"}", a->id,
                                  a->timestamp);
    char *r = sim_js_call(jm, 'A', event);
    if (r && r[0] == 'E') {
        xt_env_warn(jm->base.env, "js: add(%s) rejected: %s", a->id, r + 1);
        xt_env_observe(jm->base.env, XT_OBS_EVENT_DROPPED, "add", a->id, XT_EPARSE);
    } else if (r) {
        xt_env_observe(jm->base.env, XT_OBS_EVENT_ADDED, "add", a->id, 0);
    }
    g_free(r);
    g_free(event);
    g_free(a->id);
    g_free(a);
    sim_js_unref(jm);
}

static void flush_once(js_mutex *jm)
{
    char *r = sim_js_call(jm, 'F', NULL);
    if (r && r[0] == 'E')
        xt_env_debug(jm->base.env, "js: flush() rejected: %s", r + 1);
    g_free(r);
}

static void flush_task(void *arg)
{
    sim_tab *tab = arg;
    js_mutex *jm = tab->program_state;
    const sim_scenario *s = tab->world->scenario;
    jm->refs++;
    while (s->flush_count == 0 || tab->flushes_done < s->flush_count) {
        if (xt_env_sleep_ms(&tab->env, s->flush_interval_ms) == XT_ECANCELLED || sim_tab_gone(tab))
            break;
        tab->flushes_done++;
        flush_once(jm);
    }
    sim_js_unref(jm);
}

static void store_main(sim_tab *tab)
{
    sim_world *w = tab->world;
    const sim_scenario *s = w->scenario;
    js_mutex *jm = (js_mutex *)sim_tab_mutex_new(tab); /* algorithm js: the scenario's rules say so */
    tab->program_state = jm;
    if (sim_tab_gone(tab))
        return;
    if (s->flush_enabled) {
        /* A bounded flush is part of the workload, as an add is. */
        sim_task *flush = sim_world_spawn(w, tab, flush_task, tab, s->flush_count > 0);
        sim_world_post(w, flush, 0, TRUE);
    }
    while (tab->work_done < s->events_per_tab) {
        if (xt_env_sleep_ms(&tab->env, sim_tab_interval_ms(tab)) == XT_ECANCELLED)
            return;
        js_add *a = g_new0(js_add, 1);
        a->jm = jm;
        a->id = g_strdup_printf("t%d-e%" G_GINT64_FORMAT, tab->index, ++tab->work_done);
        a->timestamp = xt_env_now_ms(&tab->env);
        w->monitor->c.events_tracked++;
        jm->refs++;
        if (xt_env_spawn(&tab->env, add_task, a) != XT_OK) {
            jm->refs--;
            g_free(a->id);
            g_free(a);
            return;
        }
    }
}

static void store_instance_free(sim_tab *tab)
{
    js_mutex *jm = tab->program_state;
    if (jm)
        xt_mutex_free(&jm->base);
    tab->program_state = NULL;
}

/* The ids of {"events": [{"id": "..."}, ...]}: NULL when value is not that. */
static GPtrArray *store_ids(const char *value)
{
    JsonParser *parser = json_parser_new();
    GPtrArray *ids = NULL;
    if (json_parser_load_from_data(parser, value, -1, NULL)) {
        JsonNode *root = json_parser_get_root(parser);
        JsonNode *list = root && JSON_NODE_HOLDS_OBJECT(root)
                             ? json_object_get_member(json_node_get_object(root), "events")
                             : NULL;
        if (list && JSON_NODE_HOLDS_ARRAY(list)) {
            JsonArray *array = json_node_get_array(list);
            ids = g_ptr_array_new_with_free_func(g_free);
            for (guint i = 0; i < json_array_get_length(array); i++) {
                JsonNode *e = json_array_get_element(array, i);
                JsonNode *id = JSON_NODE_HOLDS_OBJECT(e) ? json_object_get_member(json_node_get_object(e), "id") : NULL;
                if (id && JSON_NODE_HOLDS_VALUE(id) && json_node_get_value_type(id) == G_TYPE_STRING)
                    g_ptr_array_add(ids, g_strdup(json_node_get_string(id)));
            }
        }
    }
    g_object_unref(parser);
    return ids;
}

static char *store_value_summary(const char *value)
{
    return sim_program_ids_summary(store_ids(value));
}

static const char *store_events_key(const sim_scenario *s)
{
    return s->js_events_key;
}

static const char *const store_keys[] = {"workload.events_per_tab", "flush.enabled", "flush.interval_ms", "flush.count", "server.*", "faults.server_fault_max",
                                         "faults.server_fault_pct", "faults.server_slow_ms", "js.events_key", NULL};

const sim_program_ops sim_program_js_store = {
    .name = "js-events",
    .doc = "tabs add events to an event store written in JavaScript and flush it ([js] module's add and flush; "
           "docs/javascript.md)",
    .claims = SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE,
    .keys = store_keys,
    .main = store_main,
    .instance_free = store_instance_free,
    .events_key_of = store_events_key,
    .stored_ids = store_ids,
    .sent_ids = store_ids,
    .value_summary = store_value_summary,
};
