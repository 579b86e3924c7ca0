/*
 * sim/js/js_tab.h - a JavaScript tab's state on the C side, shared by the
 * files of sim/js/ (private): the realm's mutex instance (js_mutex.c),
 * its `storage` event dispatch (js_event.c) and its event store program
 * (js_store.c).  One js_mutex per realm; every macrotask of the realm is
 * served by the task that started it (sim_js_serve), one at a time.
 */
#ifndef SIM_JS_TAB_H
#define SIM_JS_TAB_H

#include "sim/js/js_host.h"
#include "sim/world/world.h"
#include "xt/mutex_algorithm.h"

/* A lock() or unlock() being awaited.  Several tasks of one tab may await
 * calls at once (the SDK's add tasks and flush share the tab's mutex). */
typedef struct js_pending {
    int64_t id;
    char *result;     /* its settlement once done: "1", "0", "u", "v<value>", "E<error>" */
    sim_task *waiter; /* the task waiting for it, or NULL while it runs */
} js_pending;

typedef struct js_mutex {
    xt_mutex base; /* first */
    sim_tab *tab;
    sim_js_chan *chan;
    const char *scenario_path;
    int refs;            /* the owner's, plus one per live timer task */
    gboolean busy;       /* a macrotask is being served */
    int64_t next_call;   /* ids of lock() and unlock() calls */
    GList *calls;        /* js_pending* of the calls awaited, oldest first */
    GHashTable *work_calls; /* ids of the calls made by work under way (sim_task_starts_work) */
    GHashTable *timers;  /* id (int64 key) -> js_timer* of live timer tasks */
    GHashTable *handles; /* Web Lock request id -> the granted lock's handle */
    GString *scratch;
    /* The `storage` event (js_event.c): */
    gboolean listening;  /* the realm has a storage listener or onstorage */
    gboolean listener_live; /* its dispatching task exists */
    sim_task *listener;  /* that task while parked (nothing posted), else NULL */
    sim_task *delayed;   /* that task while posted for unseen_at_us only */
    gboolean unseen_armed; /* writes were on their way when listening began */
    int64_t unseen_at_us;  /* when they have certainly arrived */
    GQueue inbox;        /* js_event* fired at the tab, not yet dispatched */
} js_mutex;

/* A `storage` event fired at the tab: key, oldValue, newValue (NULL: null). */
typedef struct js_event {
    char *key, *old_value, *new_value;
} js_event;


/* js_mutex.c */
void sim_js_unref(js_mutex *jm);
/* The world's time in ms as a frame field (buf of 32). */
const char *sim_js_now_text(js_mutex *jm, char *buf, size_t size);
/* Queue a frame that starts a macrotask: op, arg, maybe extra, the time. */
void sim_js_start(js_mutex *jm, char op, int64_t arg, const char *extra);
/* Serve the macrotask just started until node says it is done. */
void sim_js_serve(js_mutex *jm);
/* Call the adapter's method (op 'L' lock, 'U' unlock, 'A' add with the
 * event's JSON as extra, 'F' flush) and await its promise: the settlement
 * ("1", "0", "u", "v<value>", "E<error>"; caller frees), or NULL when the
 * tab went away first. */
char *sim_js_call(js_mutex *jm, char op, const char *extra);

/* js_store.c: tab.send(body) or fetch() ('p' note): a task sends body to
 * the simulated server and reports the answer to the realm ('S'). */
void sim_js_send_start(js_mutex *jm, const char *id, const char *body);

/* js_event.c */
extern const sim_storage_listener sim_js_storage_listener;
void sim_js_event_listening(js_mutex *jm, gboolean on);
void sim_js_event_settle(js_mutex *jm);
void sim_js_event_clear(js_mutex *jm);

#endif
