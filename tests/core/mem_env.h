/*
 * mem_env.h - a single-tab, in-memory environment for core/ unit tests.
 *
 * Goal: run core/ against a backend whose every answer a test chooses, and
 * record every call so a test can assert the exact sequence of storage
 * operations, sleeps, sends, log lines and observations.  It is not the
 * simulator: there is one tab, no concurrency, and task_spawn runs the task
 * to completion inline.  Interleavings are made by hand with the hooks,
 * which run before a storage call, a sleep or a send.
 *
 * Fault knobs (zero means off):
 *   quota_bytes        a set that would make the sum of key and value bytes
 *                      exceed it fails with XT_EQUOTA and changes nothing.
 *   unavailable        every storage call fails with XT_EUNAVAILABLE.
 *   fail_<op>_at, fail_<op>_err   the Nth call (1-based, counted from the
 *                      moment the knob is set) of get/set/remove fails once
 *                      with the given error.
 *   cancel_after_calls after that many further env calls (storage, sleep,
 *                      send, spawn), every such call returns XT_ECANCELLED,
 *                      as the simulator does to a tab that goes away.
 *   spawn_err          task_spawn fails with it (fn not run).
 *   defer_spawns       task_spawn queues fn(arg) instead of running it;
 *                      mem_env_run_deferred runs the queue (a task that
 *                      loops until something changes, like a lock's
 *                      refresh timer, can then be run when the test says).
 *   send_results       scripted transport results, consumed in order;
 *                      XT_OK once exhausted.
 *   Web Locks          off until mem_env_enable_web_locks(); then one
 *                      lock table: a request for a free name is granted,
 *                      for a held one fails with XT_ELOCKTIMEOUT under
 *                      ifAvailable, steals under steal, and is a test
 *                      error otherwise (one tab cannot wait for itself).
 *                      lock_err makes the next request fail with it once.
 *   wait               absent until mem_env_enable_wait(); then xt_env's
 *                      wait records "wait KEY[,KEY...] TIMEOUT" ("*" for
 *                      any key), runs the hook ("wait", the first key),
 *                      and returns XT_OK at once when it has no deadline
 *                      (the hook played the change it waits for, or the
 *                      wake-up was spurious), else advances the clock by
 *                      the timeout and returns XT_ETIMEOUT.
 */
#ifndef MEM_ENV_H
#define MEM_ENV_H

#include "xt/env.h"

typedef struct mem_obs {
    xt_obs_kind kind;
    char *label;
    char *detail;
    int64_t value;
} mem_obs;

typedef struct mem_env mem_env;
typedef void (*mem_hook_fn)(mem_env *m, const char *op, const char *key, void *data);

struct mem_env {
    xt_env env; /* hand &m->env to core */
    GHashTable *storage;
    int64_t now_ms;
    uint64_t random_state;

    /* knobs */
    size_t quota_bytes;
    gboolean unavailable;
    int fail_get_at, fail_get_err;
    int fail_set_at, fail_set_err;
    int fail_remove_at, fail_remove_err;
    int cancel_after_calls; /* < 0: off */
    gboolean cancelled;
    int spawn_err;
    gboolean defer_spawns;
    GArray *deferred;     /* mem_deferred, in spawn order */
    GArray *send_results; /* int */
    guint send_results_next;
    int lock_err;
    GHashTable *locks;    /* name -> handle (GUINT_TO_POINTER), when enabled */
    GArray *locks_stolen; /* uint64_t handles robbed and not yet released */
    uint64_t next_lock_handle;
    xt_env_methods methods; /* the table env.m points at once wait is enabled */

    /* hooks: op is "get", "set", "remove", "key" (key NULL), "sleep" or "send" */
    mem_hook_fn hook;
    void *hook_data;

    /* records */
    GPtrArray *ops;      /* "get KEY", "set KEY=VALUE", "remove KEY", "length", "key N",
                            "lock NAME", "unlock NAME", "wait KEYS TIMEOUT" */
    GArray *sleeps;      /* int64_t ms */
    GPtrArray *bodies;   /* sent bodies */
    GPtrArray *logs;     /* "WARN: msg" / "DEBUG: msg" */
    GArray *obs;         /* mem_obs */
    int n_spawns;
};

mem_env *mem_env_new(void);
void mem_env_free(mem_env *m);

/* Direct storage access that records nothing and ignores the knobs. */
void mem_env_put(mem_env *m, const char *key, const char *value);
const char *mem_env_peek(mem_env *m, const char *key);

void mem_env_script_send(mem_env *m, int result);
/* Run the tasks defer_spawns queued, and those they queue, in order; how
 * many ran. */
guint mem_env_run_deferred(mem_env *m);
/* Give the environment the Web Locks methods (see the knobs above). */
void mem_env_enable_web_locks(mem_env *m);
/* Give the environment xt_env's wait (see the knobs above); after
 * mem_env_enable_web_locks if both are wanted. */
void mem_env_enable_wait(mem_env *m);
void mem_env_clear_records(mem_env *m);

/* Counting helpers. */
guint mem_env_count_ops(mem_env *m, const char *prefix);
guint mem_env_count_obs(mem_env *m, xt_obs_kind kind);
const mem_obs *mem_env_obs_at(mem_env *m, guint index);
/* Index of the first observation of kind at or after from; -1 if none. */
int mem_env_find_obs(mem_env *m, xt_obs_kind kind, guint from);
gboolean mem_env_logged(mem_env *m, const char *substring);
/* The STEP labels, joined with '|'.  Caller frees. */
char *mem_env_steps(mem_env *m);
/* The ops, joined with '|', with "set K=V" shortened to "set K".  Caller frees. */
char *mem_env_op_names(mem_env *m);

#endif
