/*
 * xt/event_store.h - the SDK's EventStorageImpl: one JSON entity per user.
 *
 * Storage holds, under one key per user, the entity
 *     {"userId": "...", "events": [{"id": "...", "timestamp": N, "payload": "..."}]}
 * serialized with json-glib.  add, get_all and delete_by_ids are each the
 * seed's non-atomic read-modify-write: one storage get, then (for writes) one
 * storage set.  Between the two, another tab may write: that is the root
 * cause the seed document describes (docs/design-under-test.md), kept here
 * on purpose.
 */
#ifndef XT_EVENT_STORE_H
#define XT_EVENT_STORE_H

#include "xt/env.h"

typedef struct xt_event {
    char *id;
    int64_t timestamp_ms;
    char *payload;
} xt_event;

xt_event *xt_event_new(const char *id, int64_t timestamp_ms, const char *payload);
xt_event *xt_event_copy(const xt_event *event);
void xt_event_free(xt_event *event);

typedef struct xt_event_store xt_event_store;

/* key: the storage key of this user's entity. */
xt_event_store *xt_event_store_new(xt_env *env, const char *user_id, const char *key);
void xt_event_store_free(xt_event_store *store);
const char *xt_event_store_key(const xt_event_store *store);

/* Read-modify-write: get the entity, append, set.  Errors of get (other than
 * XT_ENOTFOUND, which is an empty entity) or set are returned. */
int xt_event_store_add(xt_event_store *store, const xt_event *event);
/* *events_out: a new GPtrArray of xt_event* (free func set). On a malformed
 * entity, warns and returns an empty array, as the SDK's getInternal does. */
int xt_event_store_get_all(xt_event_store *store, GPtrArray **events_out);
/* Read-modify-write removing every event whose id is in ids. */
int xt_event_store_delete_by_ids(xt_event_store *store, const char *const *ids, size_t n_ids);

/* The codec, shared with tools that inspect storage. */
char *xt_event_entity_serialize(const char *user_id, const GPtrArray *events);
/* XT_OK or XT_EPARSE; on XT_OK *events_out is a new array (free func set). */
int xt_event_entity_parse(const char *json, GPtrArray **events_out);
/* The body transport_send carries: {"events": [...]} */
char *xt_event_batch_serialize(const GPtrArray *events);
/* Parse a batch body back into event ids (new GPtrArray of char*). */
int xt_event_batch_parse_ids(const char *body, GPtrArray **ids_out);

#endif
