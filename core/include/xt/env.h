/*
 * xt/env.h - the environment: the only way core/ reaches the world.
 *
 * Like SQLite's VFS, the environment is a struct of function pointers.  The
 * code above it (event store, mutexes, flush loop) cannot tell a browser-like
 * production backend from the simulator, so the simulator tests exactly the
 * code that ships.  The storage methods are exactly localStorage's: get, set,
 * remove and key enumeration over string values, with quota errors and no
 * compare-and-set; the absence of an atomic read-modify-write is the whole
 * problem the mutexes exist to solve.
 *
 * Conventions: every method gets the backend's ctx first.  Strings passed in
 * are borrowed for the call.  Out-strings are caller-owned GStrings that the
 * method overwrites, so a hot loop allocates nothing.  A method that returns
 * an error has changed nothing (a failed set leaves the old value).
 *
 * Awaits: sleep_ms, wait, transport_send and lock_request are the points
 * where a tab's other tasks may run (a JavaScript `await`).  A waiting
 * loop awaits with `wait`, naming what it waits for (keys, a deadline), so
 * that any backend, the simulator included, knows when it can end.
 * Storage calls are not awaits, but in a multi-process browser every one
 * of them can interleave with the storage calls of other tabs.
 *
 * xt_env_* wrappers below are the single place to add asserts or counters.
 */
#ifndef XT_ENV_H
#define XT_ENV_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "xt/error.h"

typedef enum xt_log_level { XT_LOG_DEBUG, XT_LOG_WARN } xt_log_level;

/*
 * Observations: telemetry the library emits about coordination (the seed's
 * "Metrics: add telemetry for cross-tab coordination events").  A production
 * backend may ignore them; the simulator builds its history from them.
 * `label` is a static string; `detail` is borrowed for the call.
 */
typedef enum xt_obs_kind {
    XT_OBS_STEP,          /* label names the next storage call ("write ClientID to X") */
    XT_OBS_LOCK_REQUEST,  /* a lock() call starts */
    XT_OBS_LOCK_RETRY,    /* one failed attempt; value = attempt number */
    XT_OBS_LOCK_ACQUIRED, /* lock() returned XT_OK; value = attempts used */
    XT_OBS_LOCK_FAILED,   /* lock() returned an error; value = the error */
    XT_OBS_LOCK_RELEASED, /* unlock() finished (best effort) */
    XT_OBS_CS_ENTER,      /* critical section of an exclusive mutex begins */
    XT_OBS_CS_EXIT,       /* ... and ends */
    XT_OBS_EVENT_ADDED,   /* an add returned success; detail = event id */
    XT_OBS_FALLBACK,      /* a locked operation fell back to the unlocked path */
    XT_OBS_SENT,          /* transport_send returned; value = result, detail = body */
    XT_OBS_UNLOCK,        /* an unlock() call starts (its storage calls follow) */
    XT_OBS_EVENT_DROPPED, /* storage refused an event and nothing kept it;
                             detail = event id, value = the error */
    XT_OBS_EVENT_KEPT,    /* storage refused an event; it is kept in memory
                             for the next flush; detail = id, value = error */
    XT_OBS_RANDOM         /* the next random_u64 of this task picks one of value
                             outcomes, floor(r * value) for its Math.random draw
                             r, that decide timing (a delay), not an identity */
} xt_obs_kind;

typedef struct xt_obs {
    xt_obs_kind kind;
    const char *label;
    const char *detail;
    int64_t value;
} xt_obs;

typedef void (*xt_task_fn)(void *arg);

/* lock_request flags: navigator.locks.request(name, {mode: "exclusive",
 * ifAvailable, steal}).  Only exclusive locks are modelled. */
#define XT_LOCK_IF_AVAILABLE (1 << 0) /* fail at once when held or queued */
#define XT_LOCK_STEAL (1 << 1)        /* take it from the holder at once */

typedef struct xt_env_methods {
    /* localStorage.getItem: XT_OK, XT_ENOTFOUND, XT_EUNAVAILABLE, XT_ECANCELLED */
    int (*storage_get)(void *ctx, const char *key, GString *value_out);
    /* localStorage.setItem: XT_OK, XT_EQUOTA, XT_EUNAVAILABLE, XT_ECANCELLED */
    int (*storage_set)(void *ctx, const char *key, const char *value);
    /* localStorage.removeItem: XT_OK, XT_EUNAVAILABLE, XT_ECANCELLED */
    int (*storage_remove)(void *ctx, const char *key);
    /* localStorage.length */
    int (*storage_length)(void *ctx, size_t *length_out);
    /* localStorage.key(i): XT_ENOTFOUND when index >= length */
    int (*storage_key)(void *ctx, size_t index, GString *key_out);
    /* Date.now() */
    int64_t (*clock_now_ms)(void *ctx);
    /* await sleep(ms): XT_OK, or XT_ECANCELLED when the tab goes away */
    int (*sleep_ms)(void *ctx, int64_t ms);
    /* Math.random-grade randomness, 64 uniform bits */
    uint64_t (*random_u64)(void *ctx);
    /* await fetch(): POST a JSON body; XT_OK, XT_ESERVER, XT_ETIMEOUT, XT_ECANCELLED */
    int (*transport_send)(void *ctx, const char *body);
    /* Start fn(arg) as a new async activity of this tab without awaiting it
     * (a promise nobody awaits).  It runs synchronously until its first
     * await, then the caller continues.  A backend without concurrency may
     * run it to completion.  XT_OK, or XT_ECANCELLED (fn is not run; the
     * caller still owns arg). */
    int (*task_spawn)(void *ctx, xt_task_fn fn, void *arg);
    /* console.warn / console.debug */
    void (*log)(void *ctx, xt_log_level level, const char *message);
    /* telemetry; may be NULL */
    void (*observe)(void *ctx, const xt_obs *obs);
    /* The Web Locks API (navigator.locks), in acquire/release style: the
     * callback of navigator.locks.request runs between a lock_request that
     * returned XT_OK and the lock_release of its handle.  Both NULL = the
     * API is absent (an old browser); see xt_env_has_web_locks.
     * lock_request awaits until the lock is granted (exclusive requests of
     * one name are granted in FIFO order): XT_OK and *handle_out set;
     * XT_ELOCKTIMEOUT with XT_LOCK_IF_AVAILABLE when it is not free (the
     * callback got null); XT_ECANCELLED when the tab goes away.  With
     * XT_LOCK_STEAL it is granted at once and the previous holder loses it.
     * lock_release ends the callback: XT_OK, or XT_EABORTED when the lock
     * had been stolen meanwhile (the holder's request promise rejected with
     * AbortError; the holder ran on unaware until now), or XT_ECANCELLED. */
    int (*lock_request)(void *ctx, const char *name, int flags, uint64_t *handle_out);
    int (*lock_release)(void *ctx, uint64_t handle);
    /* Await a change of storage, a deadline, or both: the await of every
     * waiting loop.  It ends
     *  - when one of keys[0..n_keys) changes value: another tab's change
     *    arrives as the DOM `storage` event, a change by another task of
     *    this tab ends it too (a page's setItem wrapper telling its own
     *    listeners); keys = NULL, n_keys = 0 listens to the unfiltered
     *    `storage` event: another tab's change of any key;
     *  - at a storage_notify by another task of this tab;
     *  - once timeout_ms has passed (timeout_ms < 0: no deadline).
     * XT_OK (woken; a backend may also wake spuriously, e.g. by polling,
     * so the caller re-reads what it waits for), XT_ETIMEOUT (the deadline
     * passed), XT_ECANCELLED (the tab goes away).  A change made between
     * the caller's last await and this call ends it at once: a listener
     * added in a task gets the events queued while that task ran.  HTML
     * fires `storage` only when setItem or removeItem changed a value.
     * Optional, NULL = not offered (see xt_env_wait).  keys are borrowed
     * for the call. */
    int (*wait)(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms);
    /* End at once the waits of every other task of this tab: a page's own
     * code calling the listeners it keeps (browser-tabs-lock's
     * notifyWaiters), which no browser event does for it.  Optional. */
    void (*storage_notify)(void *ctx);
    /* A promise of the tab's own code, for an async mutex that orders the
     * tab's tasks (xt/mutex_serial.h): tab_wait awaits until another task
     * of this tab calls tab_wake, which ends every such wait of the tab at
     * once (it resolves their promises): XT_OK, or XT_ECANCELLED when the
     * tab goes away.  Optional, both NULL: see xt_env_tab_wait. */
    int (*tab_wait)(void *ctx);
    void (*tab_wake)(void *ctx);
    /* Date.now() >= at_ms: how code compares the clock against a deadline
     * or an expiry it computed (a lock written at t with a 5 s lifetime:
     * at_ms = t + 5000).  Optional, NULL = clock_now_ms() >= at_ms; a
     * backend that explores time (the simulator) learns from it which
     * clock values the code tells apart. */
    gboolean (*clock_passed)(void *ctx, int64_t at_ms);
    /* A state mark at a loop head: the calling task declares that from
     * here its future depends only on (label, live[0..len)), on what the
     * environment returns to it from now on, and on its state when its
     * current lock() began (inside one) or its tab's fields (outside).
     * A task that has made a mark waits only for keys it has read since
     * its last one (no any-key wait): changes of keys it has not read are
     * then not state, since it reads them before it could wait for them.
     * It describes state; it asks nothing and changes nothing.  Optional,
     * NULL = ignored (a browser has no use for it); a model checker uses
     * it to recognise a state it has seen (docs/model-checking.md, "State
     * digests"), and checks it. */
    void (*mark)(void *ctx, const char *label, const void *live, size_t len);
    /* Date.now() at the instant the calling task's last wait (above)
     * ended: when its wake-up came (the `storage` event's task ran, a
     * notify was called, its deadline fired), which is before it runs
     * again if its tab was busy.  A page's listener runs at that instant
     * and computes there what it does next.  Optional, NULL = now. */
    int64_t (*wait_ended_ms)(void *ctx);
    /* sleep_ms measured from that instant: the timer such a listener
     * sets (setTimeout(resolve, ms) inside it).  Optional, NULL =
     * sleep_ms from now. */
    int (*sleep_after_wait_ms)(void *ctx, int64_t ms);
} xt_env_methods;

typedef struct xt_env {
    const xt_env_methods *m;
    void *ctx;
    gboolean debug; /* set by xt_env_debug_init from the bucketeer_debug key */
} xt_env;

int xt_env_get(xt_env *env, const char *key, GString *value_out);
int xt_env_set(xt_env *env, const char *key, const char *value);
int xt_env_remove(xt_env *env, const char *key);
int xt_env_length(xt_env *env, size_t *length_out);
int xt_env_key(xt_env *env, size_t index, GString *key_out);
int64_t xt_env_now_ms(xt_env *env);
int xt_env_sleep_ms(xt_env *env, int64_t ms);
uint64_t xt_env_random_u64(xt_env *env);
int xt_env_send(xt_env *env, const char *body);
int xt_env_spawn(xt_env *env, xt_task_fn fn, void *arg);
/* TRUE when the backend offers Web Locks (both lock methods set). */
gboolean xt_env_has_web_locks(const xt_env *env);
int xt_env_lock_request(xt_env *env, const char *name, int flags, uint64_t *handle_out);
int xt_env_lock_release(xt_env *env, uint64_t handle);
/* TRUE when the backend offers wait. */
gboolean xt_env_has_wait(const xt_env *env);
/* Await a change of keys (NULL, 0: any key's `storage` event), a notify
 * or timeout_ms (< 0: none); see wait above.  Without the method: a sleep
 * of the timeout (XT_ETIMEOUT), or of XT_ENV_WAIT_POLL_MS when there is
 * none (XT_OK: a spurious wake-up, the caller re-reads). */
int xt_env_wait(xt_env *env, const char *const *keys, size_t n_keys, int64_t timeout_ms);
#define XT_ENV_WAIT_POLL_MS 50
/* End the waits of this tab's other tasks; a no-op without it. */
void xt_env_storage_notify(xt_env *env);
/* Await tab_wake by another task of this tab (tab_wait above); without
 * the method, a sleep of XT_TAB_WAIT_POLL_MS, after which the caller looks
 * again (a backend that runs each task to its end never gets here). */
#define XT_TAB_WAIT_POLL_MS 1
int xt_env_tab_wait(xt_env *env);
/* End the tab_waits of this tab's other tasks; a no-op without it. */
void xt_env_tab_wake(xt_env *env);
/* Has the clock reached at_ms (Date.now() >= at_ms)?  Code compares the
 * clock against its deadlines and expiries through this, never by reading
 * now and comparing itself. */
gboolean xt_env_deadline_passed(xt_env *env, int64_t at_ms);
/* When the calling task's last xt_env_wait ended (wait_ended_ms above),
 * and a sleep measured from then (sleep_after_wait_ms): what a listener
 * that ran at the wake-up would compute and set. */
int64_t xt_env_wait_ended_ms(xt_env *env);
int xt_env_sleep_after_wait_ms(xt_env *env, int64_t ms);

/* TRUE when the backend takes state marks (code may skip building their
 * live values otherwise). */
gboolean xt_env_has_mark(const xt_env *env);
/* Declare a state mark (see mark above); a no-op without the method.
 * label is a static string naming the loop head. */
void xt_env_mark(xt_env *env, const char *label, const void *live, size_t len);

/* A fold of bytes into a description of state: how an object that the
 * tasks of one tab share says what it holds (xt_mutex_describe,
 * xt_ts_store_describe, xt_processor_describe).  A checker that keeps
 * one running hash per task, instead of one per tab, needs the shared
 * objects' contents besides: each describe function folds every field
 * that a task could read after another task changed it, and nothing that
 * is only scratch (written before each read of it, with no await
 * between). */
typedef void (*xt_describe_fn)(void *ctx, const void *bytes, size_t len);

/* The key of the debug flag.  core/ only ever reads it (xt_env_debug_init),
 * never writes or removes it: the stateful search relies on that, and
 * checks it (sim/world/world_digest.h, SIM_DIGEST_FLAG_UNWRITTEN). */
#define XT_DEBUG_KEY "bucketeer_debug"

/* Reads the bucketeer_debug key once ("true" enables debug logs), as the
 * seed's Debug Information section says. */
void xt_env_debug_init(xt_env *env);
void xt_env_warn(xt_env *env, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void xt_env_debug(xt_env *env, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Emit an observation; a no-op when the backend has no observer. */
void xt_env_observe(xt_env *env, xt_obs_kind kind, const char *label,
                    const char *detail, int64_t value);
/* Shorthand: name the storage call that follows (for readable timelines). */
void xt_env_step(xt_env *env, const char *label);

/* A client id like the SDK's: "<now>-<random base-36>". Caller frees. */
char *xt_client_id_new(xt_env *env);

#endif
