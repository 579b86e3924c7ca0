/*
 * xt/ts_store.h - ThreadSafeEventStorage: the event store behind a mutex.
 *
 * The synchronous methods are the old, unlocked, backward-compatible ones.
 * The *_async methods run the same operation inside xt_mutex_with_lock and
 * return the mutex error if the lock is not had.  xt_ts_store_track() is the
 * SDK's addEvent: it starts add_async without awaiting it and, if that fails,
 * warns "Failed to add event with cross-tab safety, falling back to sync:"
 * and calls the unlocked add, as the seed's Monitoring section shows.
 *
 * cross_tab_safety: AUTO enables the mutex when storage is usable (the
 * seed's shouldEnableCrossTabSafety), ON always, OFF never (the unlocked
 * methods are used everywhere).
 */
#ifndef XT_TS_STORE_H
#define XT_TS_STORE_H

#include "xt/event_store.h"
#include "xt/mutex.h"

typedef enum xt_cross_tab_safety {
    XT_CROSS_TAB_AUTO = 0,
    XT_CROSS_TAB_ON,
    XT_CROSS_TAB_OFF
} xt_cross_tab_safety;

typedef struct xt_ts_store xt_ts_store;

/* Takes ownership of store and mutex. */
xt_ts_store *xt_ts_store_new(xt_env *env, xt_event_store *store, xt_mutex *mutex,
                             xt_cross_tab_safety safety);
void xt_ts_store_free(xt_ts_store *ts);
gboolean xt_ts_store_locking(const xt_ts_store *ts);
xt_mutex *xt_ts_store_mutex(xt_ts_store *ts);
xt_event_store *xt_ts_store_events(xt_ts_store *ts);

int xt_ts_store_add(xt_ts_store *ts, const xt_event *event);
int xt_ts_store_get_all(xt_ts_store *ts, GPtrArray **events_out);
int xt_ts_store_delete_by_ids(xt_ts_store *ts, const char *const *ids, size_t n_ids);

int xt_ts_store_add_async(xt_ts_store *ts, const xt_event *event);
int xt_ts_store_get_all_async(xt_ts_store *ts, GPtrArray **events_out);
int xt_ts_store_delete_by_ids_async(xt_ts_store *ts, const char *const *ids, size_t n_ids);

/* addEvent: fire and forget with fall-back.  Emits XT_OBS_EVENT_ADDED when
 * either path stored the event.  When both fail (a full quota, storage
 * disabled), the event is dropped (XT_OBS_EVENT_DROPPED: the SDK as
 * written, a rejected promise nobody awaits) or, with keep_unstored, kept
 * in memory (XT_OBS_EVENT_KEPT) for the processor to send.  Returns XT_OK
 * once started. */
int xt_ts_store_track(xt_ts_store *ts, const xt_event *event);

/* Keep events that storage refused in memory instead of dropping them
 * (default FALSE, as the SDK is written). */
void xt_ts_store_set_keep_unstored(xt_ts_store *ts, gboolean keep);
/* The kept events, moved out (caller owns the array; never NULL), and
 * their return after a failed send (put back in front, in order). */
GPtrArray *xt_ts_store_take_unstored(xt_ts_store *ts);
/* How many events are kept (a flush with none allocates nothing). */
guint xt_ts_store_unstored_count(const xt_ts_store *ts);
/* Fold what the store holds that its tasks share (xt_describe_fn): the
 * unstored events' ids and the mutex's state.  FALSE when the mutex
 * cannot say (xt_mutex_describe); what was folded is then incomplete. */
gboolean xt_ts_store_describe(const xt_ts_store *ts, xt_describe_fn fold, void *ctx);
void xt_ts_store_return_unstored(xt_ts_store *ts, GPtrArray *events);

#endif
