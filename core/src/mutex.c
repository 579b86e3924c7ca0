/*
 * mutex.c - the generic side of every mutex: wrappers and with_lock.
 *
 * Algorithms only implement ops->lock/unlock/free.  The wrappers here are
 * the single place that reports what every algorithm does, so an observer
 * sees the same events whatever the algorithm:
 *     XT_OBS_LOCK_REQUEST   before ops->lock
 *     XT_OBS_LOCK_ACQUIRED  after a successful ops->lock (value = attempts,
 *                           0 when the algorithm does not count them)
 *     XT_OBS_LOCK_FAILED    after a failed ops->lock (value = the error)
 *     XT_OBS_UNLOCK         before ops->unlock (a release's own calls follow)
 *     XT_OBS_LOCK_RELEASED  after ops->unlock
 * and, in xt_mutex_with_lock for algorithms that claim exclusion,
 *     XT_OBS_CS_ENTER / XT_OBS_CS_EXIT  around fn.
 * Algorithms emit XT_OBS_LOCK_RETRY themselves.
 *
 * Convention for ops->lock: it returns a negative xt_err on failure, and on
 * success either XT_OK or a positive number of attempts it used; the
 * wrapper reports that number and returns XT_OK to its caller.
 */
#include <string.h>

#include "xt/mutex.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>

int xt_mutex_lock(xt_mutex *mutex)
{
    assert(mutex && mutex->ops && mutex->ops->lock && mutex->env);
    xt_env_observe(mutex->env, XT_OBS_LOCK_REQUEST, mutex->ops->name, NULL, 0);
    int rc = mutex->ops->lock(mutex);
    if (rc < 0) {
        xt_env_observe(mutex->env, XT_OBS_LOCK_FAILED, mutex->ops->name, NULL, rc);
        return rc;
    }
    xt_env_observe(mutex->env, XT_OBS_LOCK_ACQUIRED, mutex->ops->name, NULL, rc);
    return XT_OK;
}

void xt_mutex_unlock(xt_mutex *mutex)
{
    assert(mutex && mutex->ops && mutex->ops->unlock && mutex->env);
    xt_env_observe(mutex->env, XT_OBS_UNLOCK, mutex->ops->name, NULL, 0);
    mutex->ops->unlock(mutex);
    xt_env_observe(mutex->env, XT_OBS_LOCK_RELEASED, mutex->ops->name, NULL, 0);
}

void xt_mutex_free(xt_mutex *mutex)
{
    if (!mutex)
        return;
    assert(mutex->ops && mutex->ops->free);
    mutex->ops->free(mutex);
}

const char *xt_mutex_name(const xt_mutex *mutex)
{
    assert(mutex && mutex->ops);
    return mutex->ops->name;
}

gboolean xt_mutex_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx)
{
    assert(mutex && mutex->ops && fold);
    if (!mutex->ops->describe)
        return FALSE;
    mutex->ops->describe(mutex, fold, ctx);
    return TRUE;
}

int xt_mutex_with_lock(xt_mutex *mutex, int (*fn)(void *arg), void *arg)
{
    assert(mutex && fn);
    int rc = xt_mutex_lock(mutex);
    if (rc != XT_OK)
        return rc;
    gboolean exclusive = mutex->ops->exclusive;
    if (exclusive)
        xt_env_observe(mutex->env, XT_OBS_CS_ENTER, mutex->ops->name, NULL, 0);
    int result = fn(arg);
    if (exclusive)
        xt_env_observe(mutex->env, XT_OBS_CS_EXIT, mutex->ops->name, NULL, 0);
    /* The seed's withLock unlocks in a finally: whatever fn returned. */
    xt_mutex_unlock(mutex);
    return result;
}

int xt_setting_index(const xt_mutex_algorithm *algorithm, const char *key)
{
    for (int i = 0; algorithm->settings[i].key; i++)
        if (strcmp(algorithm->settings[i].key, key) == 0)
            return i;
    return -1;
}

static const xt_setting none_settings[] = {{NULL, 0, NULL, 0, 0, NULL, NULL}};

static xt_mutex *none_create(xt_env *env, const int64_t *values, const int64_t *fallback_values,
                             const xt_mutex_host *host)
{
    (void)values;
    (void)fallback_values;
    (void)host;
    return xt_mutex_none_new(env);
}

static void none_cost(const int64_t *values, xt_mutex_cost *out)
{
    (void)values;
    *out = (xt_mutex_cost){0, 0, "no storage access", NULL};
}

const xt_mutex_algorithm xt_none_algorithm = {
    .name = "none",
    .summary = "no lock at all: the root-cause baseline (every add is an unguarded read-modify-write)",
    .settings = none_settings,
    .create = none_create,
    .cost = none_cost,
};
