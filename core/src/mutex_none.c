/*
 * mutex_none.c - the root-cause baseline: a mutex that does nothing.
 *
 * lock() always succeeds at once without touching storage and unlock() does
 * nothing, so an event store behind it behaves exactly like the unlocked
 * SDK.  It claims no exclusion (ops->exclusive is FALSE), so with_lock does
 * not report critical sections for it: an observer checking mutual
 * exclusion must not blame this baseline for the lost updates it exists to
 * show.
 */
#include "xt/mutex.h"

#include <assert.h>

static int none_lock(xt_mutex *mutex)
{
    (void)mutex;
    return XT_OK;
}

static void none_unlock(xt_mutex *mutex)
{
    (void)mutex;
}

static void none_free(xt_mutex *mutex)
{
    g_free(mutex);
}

/* Holds nothing. */
static void none_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx)
{
    (void)mutex;
    (void)fold;
    (void)ctx;
}

static const xt_mutex_ops none_ops = {
    .name = "none",
    .exclusive = FALSE,
    .lock = none_lock,
    .unlock = none_unlock,
    .free = none_free,
    .describe = none_describe,
};

xt_mutex *xt_mutex_none_new(xt_env *env)
{
    assert(env);
    xt_mutex *mutex = g_new0(xt_mutex, 1);
    mutex->ops = &none_ops;
    mutex->env = env;
    return mutex;
}
