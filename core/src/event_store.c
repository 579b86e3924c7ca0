/*
 * event_store.c - the SDK's EventStorageImpl, ported as written.
 *
 * One storage key per user holds the whole entity
 *     {"userId": "...", "events": [{"id": "...", "timestamp": N, "payload": "..."}]}
 * and every write is a read-modify-write of that one value: a storage get,
 * a change in memory, a storage set.  Nothing makes the pair atomic, so a
 * write by another tab between the get and the set is lost.  That is the
 * root cause the seed document describes, and it is kept here on purpose:
 * the mutexes above this file are what must prevent it.
 *
 * Invariants and choices:
 *  - An absent key is an empty entity (XT_ENOTFOUND is not an error here).
 *  - A malformed entity is warned about and read as empty, as the SDK's
 *    getInternal does; add() then overwrites it with a valid entity.
 *  - delete_by_ids() skips the set when no stored event matches, so a
 *    delete of already-deleted ids writes nothing (and leaves a malformed
 *    entity as it was).
 *  - Storage errors are returned unchanged.  A failed set leaves the old
 *    value (the backend guarantees it), so a failed add or delete has no
 *    side effect.
 *  - Before each storage call an XT_OBS_STEP names it ("read events",
 *    "save events", "delete events") so that timelines read like the seed's
 *    sequence diagram.
 */
#include "xt/event_store.h"

#include <assert.h>
#include <string.h>

#include <json-glib/json-glib.h>

struct xt_event_store {
    xt_env *env;
    char *user_id;
    char *key;
};

xt_event *xt_event_new(const char *id, int64_t timestamp_ms, const char *payload)
{
    assert(id);
    xt_event *event = g_new0(xt_event, 1);
    event->id = g_strdup(id);
    event->timestamp_ms = timestamp_ms;
    event->payload = g_strdup(payload ? payload : "");
    return event;
}

xt_event *xt_event_copy(const xt_event *event)
{
    assert(event);
    return xt_event_new(event->id, event->timestamp_ms, event->payload);
}

void xt_event_free(xt_event *event)
{
    if (!event)
        return;
    g_free(event->id);
    g_free(event->payload);
    g_free(event);
}

static GPtrArray *event_array_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)xt_event_free);
}

/* ---- codec ------------------------------------------------------------ */

static void builder_add_events(JsonBuilder *builder, const GPtrArray *events)
{
    json_builder_set_member_name(builder, "events");
    json_builder_begin_array(builder);
    for (guint i = 0; events && i < events->len; i++) {
        const xt_event *event = g_ptr_array_index((GPtrArray *)events, i);
        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "id");
        json_builder_add_string_value(builder, event->id);
        json_builder_set_member_name(builder, "timestamp");
        json_builder_add_int_value(builder, event->timestamp_ms);
        json_builder_set_member_name(builder, "payload");
        json_builder_add_string_value(builder, event->payload);
        json_builder_end_object(builder);
    }
    json_builder_end_array(builder);
}

static char *builder_to_string(JsonBuilder *builder)
{
    JsonNode *root = json_builder_get_root(builder);
    JsonGenerator *generator = json_generator_new();
    json_generator_set_root(generator, root);
    char *text = json_generator_to_data(generator, NULL);
    g_object_unref(generator);
    json_node_unref(root);
    return text;
}

char *xt_event_entity_serialize(const char *user_id, const GPtrArray *events)
{
    assert(user_id);
    JsonBuilder *builder = json_builder_new();
    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "userId");
    json_builder_add_string_value(builder, user_id);
    builder_add_events(builder, events);
    json_builder_end_object(builder);
    char *text = builder_to_string(builder);
    g_object_unref(builder);
    return text;
}

char *xt_event_batch_serialize(const GPtrArray *events)
{
    JsonBuilder *builder = json_builder_new();
    json_builder_begin_object(builder);
    builder_add_events(builder, events);
    json_builder_end_object(builder);
    char *text = builder_to_string(builder);
    g_object_unref(builder);
    return text;
}

static gboolean node_is_string(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_STRING;
}

static gboolean node_is_int(JsonNode *node)
{
    return node && JSON_NODE_HOLDS_VALUE(node) &&
           json_node_get_value_type(node) == G_TYPE_INT64;
}

/* Parses one event object strictly: only what this library writes. */
static xt_event *event_from_node(JsonNode *node)
{
    if (!node || !JSON_NODE_HOLDS_OBJECT(node))
        return NULL;
    JsonObject *object = json_node_get_object(node);
    JsonNode *id = json_object_get_member(object, "id");
    JsonNode *timestamp = json_object_get_member(object, "timestamp");
    JsonNode *payload = json_object_get_member(object, "payload");
    if (!node_is_string(id) || !node_is_int(timestamp) || !node_is_string(payload))
        return NULL;
    return xt_event_new(json_node_get_string(id), json_node_get_int(timestamp),
                        json_node_get_string(payload));
}

/* Parses {"events": [...]} (other members ignored) into a new array. */
static int events_parse(const char *json, GPtrArray **events_out)
{
    assert(json && events_out);
    *events_out = NULL;
    JsonParser *parser = json_parser_new();
    int rc = XT_EPARSE;
    GPtrArray *events = NULL;
    if (!json_parser_load_from_data(parser, json, -1, NULL))
        goto out;
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        goto out;
    JsonNode *list = json_object_get_member(json_node_get_object(root), "events");
    if (!list || !JSON_NODE_HOLDS_ARRAY(list))
        goto out;
    JsonArray *array = json_node_get_array(list);
    guint n = json_array_get_length(array);
    events = event_array_new();
    for (guint i = 0; i < n; i++) {
        xt_event *event = event_from_node(json_array_get_element(array, i));
        if (!event)
            goto out;
        g_ptr_array_add(events, event);
    }
    *events_out = events;
    events = NULL;
    rc = XT_OK;
out:
    if (events)
        g_ptr_array_unref(events);
    g_object_unref(parser);
    return rc;
}

int xt_event_entity_parse(const char *json, GPtrArray **events_out)
{
    return events_parse(json, events_out);
}

int xt_event_batch_parse_ids(const char *body, GPtrArray **ids_out)
{
    assert(ids_out);
    *ids_out = NULL;
    GPtrArray *events = NULL;
    int rc = events_parse(body, &events);
    if (rc != XT_OK)
        return rc;
    GPtrArray *ids = g_ptr_array_new_full(events->len, g_free);
    for (guint i = 0; i < events->len; i++) {
        const xt_event *event = g_ptr_array_index(events, i);
        g_ptr_array_add(ids, g_strdup(event->id));
    }
    g_ptr_array_unref(events);
    *ids_out = ids;
    return XT_OK;
}

/* ---- store ------------------------------------------------------------ */

xt_event_store *xt_event_store_new(xt_env *env, const char *user_id, const char *key)
{
    assert(env && user_id && key);
    xt_event_store *store = g_new0(xt_event_store, 1);
    store->env = env;
    store->user_id = g_strdup(user_id);
    store->key = g_strdup(key);
    return store;
}

void xt_event_store_free(xt_event_store *store)
{
    if (!store)
        return;
    g_free(store->user_id);
    g_free(store->key);
    g_free(store);
}

const char *xt_event_store_key(const xt_event_store *store)
{
    assert(store);
    return store->key;
}

/* The SDK's getInternal: one storage get.  Absent or malformed => empty
 * array and XT_OK; other storage errors are returned with *events_out NULL. */
static int store_read(xt_event_store *store, GPtrArray **events_out)
{
    *events_out = NULL;
    GString *value = g_string_new(NULL);
    xt_env_step(store->env, "read events");
    int rc = xt_env_get(store->env, store->key, value);
    if (rc == XT_ENOTFOUND) {
        *events_out = event_array_new();
        rc = XT_OK;
    } else if (rc == XT_OK) {
        if (xt_event_entity_parse(value->str, events_out) != XT_OK) {
            xt_env_warn(store->env,
                        "Failed to parse stored events under key %s, treating them as empty",
                        store->key);
            *events_out = event_array_new();
        }
    }
    g_string_free(value, TRUE);
    return rc;
}

static int store_write(xt_event_store *store, const char *step, const GPtrArray *events)
{
    char *text = xt_event_entity_serialize(store->user_id, events);
    xt_env_step(store->env, step);
    int rc = xt_env_set(store->env, store->key, text);
    g_free(text);
    return rc;
}

int xt_event_store_add(xt_event_store *store, const xt_event *event)
{
    assert(store && event);
    GPtrArray *events = NULL;
    int rc = store_read(store, &events);
    if (rc != XT_OK)
        return rc;
    g_ptr_array_add(events, xt_event_copy(event));
    rc = store_write(store, "save events", events);
    g_ptr_array_unref(events);
    return rc;
}

int xt_event_store_get_all(xt_event_store *store, GPtrArray **events_out)
{
    assert(store && events_out);
    return store_read(store, events_out);
}

static gboolean ids_contain(const char *const *ids, size_t n_ids, const char *id)
{
    for (size_t i = 0; i < n_ids; i++)
        if (strcmp(ids[i], id) == 0)
            return TRUE;
    return FALSE;
}

int xt_event_store_delete_by_ids(xt_event_store *store, const char *const *ids, size_t n_ids)
{
    assert(store && (ids || n_ids == 0));
    GPtrArray *events = NULL;
    int rc = store_read(store, &events);
    if (rc != XT_OK)
        return rc;
    guint before = events->len;
    /* Walk backwards so removal does not skip the next element. */
    for (guint i = events->len; i > 0; i--) {
        const xt_event *event = g_ptr_array_index(events, i - 1);
        if (ids_contain(ids, n_ids, event->id))
            g_ptr_array_remove_index(events, i - 1);
    }
    if (events->len != before)
        rc = store_write(store, "delete events", events);
    g_ptr_array_unref(events);
    return rc;
}
