/*
 * mutex_weblocks.c - the Web Locks API (navigator.locks) as a mutex.
 *
 * Why it exists: the seed document names the Web Locks API as the future
 * replacement of its localStorage mutex ("Use native Web Locks API when
 * available"), and it is the one cross-tab lock a browser itself keeps.
 * Running it behind the same interface, on the same workloads, shows what
 * changes: exclusion no longer rests on interleavings of storage calls.
 *
 * The JavaScript it stands for:
 *     await navigator.locks.request(name, {mode: "exclusive", ...opts},
 *                                   async () => { await fn(); });
 * lock() is the request up to the moment the callback starts, unlock() is
 * the callback's promise settling.  What the browser promises
 * (the W3C Web Locks API, https://w3c.github.io/web-locks/): exclusive
 * requests of one name are granted in FIFO order; the lock is held until
 * the callback settles; it is released when the holder's document goes
 * away; {ifAvailable: true} calls the callback with null at once when the
 * lock cannot be granted (held, or requests queued); {steal: true} releases
 * the current holder's lock, whose request promise rejects with AbortError,
 * and grants the new request at once, ahead of any queued one.
 *
 * Request modes (options.request):
 *   WAIT          lock() awaits the grant; there is no timeout in the API
 *                 (an AbortSignal would add one; the SDK code has none), so
 *                 a holder that never settles blocks every other tab.
 *   IF_AVAILABLE  lock() fails with XT_ELOCKTIMEOUT when the lock is taken;
 *                 the caller falls back to its unlocked path, as for any
 *                 lock failure.
 *   STEAL         lock() always gets the lock at once.  Whoever held it is
 *                 not stopped (JavaScript cannot abort a running callback):
 *                 it runs on inside its critical section and learns of the
 *                 loss only when it settles (lock_release returns
 *                 XT_EABORTED), so two tabs can be inside together.  unlock()
 *                 then warns "Web lock was stolen".  Steal exists for
 *                 recovery, not for ordinary locking; it is here to show
 *                 what it costs.
 *
 * Handles: the interface's lock/unlock carry no token, and every task of a
 * tab shares one xt_mutex.  Grants of one name are exclusive, so at most
 * one task of the tab holds a live grant, except under STEAL, where a task
 * may steal from a task of its own tab.  The held handles are kept in
 * grant order and unlock() releases the oldest: exact unless, under STEAL,
 * two tasks of one tab settle in the opposite order of their grants (then
 * each releases the other's handle: the lock is free one step early or
 * late).  Documented rather than hidden.
 *
 * Errors: lock() returns XT_ELOCKTIMEOUT (IF_AVAILABLE, taken) or
 * XT_ECANCELLED (the tab goes away); it touches no storage at all.
 * unlock() never fails (the seed's "best-effort cleanup").
 */
#include "xt/mutex_weblocks.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>
#include <string.h>

#define WEBLOCKS_NAME_DEFAULT "bucketeer_events_lock"
#define WEBLOCKS_HELD_MAX 64 /* grants one tab's mutex can hold at once */

typedef struct weblocks_mutex {
    xt_mutex base; /* first: an xt_mutex* is a weblocks_mutex* */
    char *name;
    xt_weblocks_request request;
    GArray *held;  /* uint64_t handles, oldest grant first */
} weblocks_mutex;

void xt_weblocks_mutex_options_init(xt_weblocks_mutex_options *options)
{
    assert(options);
    memset(options, 0, sizeof *options);
    options->name = NULL;
    options->request = XT_WEBLOCKS_WAIT;
}

static int weblocks_flags(xt_weblocks_request request)
{
    switch (request) {
    case XT_WEBLOCKS_IF_AVAILABLE:
        return XT_LOCK_IF_AVAILABLE;
    case XT_WEBLOCKS_STEAL:
        return XT_LOCK_STEAL;
    case XT_WEBLOCKS_WAIT:
        break;
    }
    return 0;
}

static int weblocks_lock(xt_mutex *mutex)
{
    weblocks_mutex *wl = (weblocks_mutex *)mutex;
    uint64_t handle = 0;
    xt_env_step(mutex->env, "navigator.locks.request");
    int rc = xt_env_lock_request(mutex->env, wl->name, weblocks_flags(wl->request), &handle);
    if (rc != XT_OK) {
        xt_env_debug(mutex->env, "WebLocksMutex %s: not acquired: %s", wl->name, xt_strerror(rc));
        return rc;
    }
    assert(wl->held->len < WEBLOCKS_HELD_MAX);
    g_array_append_val(wl->held, handle);
    xt_env_debug(mutex->env, "WebLocksMutex %s: acquired", wl->name);
    return 1; /* one attempt (see mutex.c) */
}

static void weblocks_unlock(xt_mutex *mutex)
{
    weblocks_mutex *wl = (weblocks_mutex *)mutex;
    if (wl->held->len == 0)
        return; /* unlock without a grant: nothing to settle */
    uint64_t handle = g_array_index(wl->held, uint64_t, 0);
    g_array_remove_index(wl->held, 0);
    xt_env_step(mutex->env, "lock callback settles");
    int rc = xt_env_lock_release(mutex->env, handle);
    if (rc == XT_EABORTED)
        xt_env_warn(mutex->env, "Web lock %s was stolen while held: %s", wl->name, xt_strerror(rc));
    else
        xt_env_debug(mutex->env, "WebLocksMutex %s: released", wl->name);
}

static void weblocks_free(xt_mutex *mutex)
{
    weblocks_mutex *wl = (weblocks_mutex *)mutex;
    g_array_free(wl->held, TRUE);
    g_free(wl->name);
    g_free(wl);
}

/* The grants held: their count (which grant unlock() settles is the
 * oldest, and the handles are the manager's, not state of their own). */
static void weblocks_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx)
{
    const weblocks_mutex *wl = (const weblocks_mutex *)mutex;
    guint held = wl->held->len;
    fold(ctx, &held, sizeof held);
}

static const xt_mutex_ops weblocks_ops = {
    .name = "web-locks",
    .exclusive = TRUE,
    .lock = weblocks_lock,
    .unlock = weblocks_unlock,
    .free = weblocks_free,
    .describe = weblocks_describe,
};

xt_mutex *xt_weblocks_mutex_new(xt_env *env, const xt_weblocks_mutex_options *options)
{
    assert(env);
    if (!xt_env_has_web_locks(env))
        return NULL;
    xt_weblocks_mutex_options defaults;
    if (!options) {
        xt_weblocks_mutex_options_init(&defaults);
        options = &defaults;
    }
    assert(options->request == XT_WEBLOCKS_WAIT || options->request == XT_WEBLOCKS_IF_AVAILABLE ||
           options->request == XT_WEBLOCKS_STEAL);
    weblocks_mutex *wl = g_new0(weblocks_mutex, 1);
    wl->base.ops = &weblocks_ops;
    wl->base.env = env;
    wl->name = g_strdup(options->name ? options->name : WEBLOCKS_NAME_DEFAULT);
    wl->request = options->request;
    wl->held = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return &wl->base;
}

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

static const char *const weblocks_request_names[] = {"wait", "if-available", "steal", NULL};

static const char *const weblocks_variants[] = {"available", "request", NULL};

static const xt_setting weblocks_settings[] = {
    {"request", XT_SETTING_ENUM, "wait", 0, 0, weblocks_request_names,
     "How navigator.locks.request is called: wait (await the grant), if-available ({ifAvailable: true}: fail at "
     "once when taken, then fall back) or steal ({steal: true})."},
    {"available", XT_SETTING_BOOL, "true", 0, 0, NULL,
     "Whether the browser offers navigator.locks; when false, web-locks falls back to the seed mutex (whose "
     "[seed] settings then apply)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *weblocks_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                                 const xt_mutex_host *host)
{
    xt_weblocks_mutex_options wo;
    xt_weblocks_mutex_options_init(&wo);
    wo.request = (xt_weblocks_request)v[0];
    xt_mutex *m = xt_weblocks_mutex_new(env, &wo);
    /* No navigator.locks: the seed's CrossTabMutex, "when available". */
    return m ? m : xt_seed_algorithm.create(env, fallback_values, NULL, host);
}

static void weblocks_cost(const int64_t *v, xt_mutex_cost *out)
{
    (void)v;
    *out = (xt_mutex_cost){0, 0, "no storage access: navigator.locks.request and the release of its lock", NULL};
}

const xt_mutex_algorithm xt_weblocks_algorithm = {
    .name = "web-locks",
    .summary = "the Web Locks API (navigator.locks.request, an exclusive lock with FIFO grants)",
    .settings = weblocks_settings,
    .variants = weblocks_variants,
    .fallback = &xt_seed_algorithm,
    .create = weblocks_create,
    .cost = weblocks_cost,
};
