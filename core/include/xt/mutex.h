/*
 * xt/mutex.h - the mutex interface: algorithms are interchangeable.
 *
 * A mutex is an ops table plus the algorithm's state.  lock() may await
 * (sleep between attempts) and fails with an error after its own bound;
 * unlock() is best effort and never fails, as the seed requires.
 * xt_mutex_with_lock() brackets fn with lock/unlock and, for algorithms that
 * claim exclusion, reports the critical section (XT_OBS_CS_ENTER/EXIT) so
 * that an observer can check mutual exclusion.
 */
#ifndef XT_MUTEX_H
#define XT_MUTEX_H

#include "xt/env.h"

typedef struct xt_mutex xt_mutex;

typedef struct xt_mutex_ops {
    const char *name;
    gboolean exclusive; /* FALSE for the "none" baseline */
    int (*lock)(xt_mutex *mutex);
    void (*unlock)(xt_mutex *mutex);
    void (*free)(xt_mutex *mutex);
    /* Optional: fold what the mutex holds between calls (xt_describe_fn);
     * NULL when the algorithm cannot say, and then xt_mutex_describe
     * returns FALSE. */
    void (*describe)(const xt_mutex *mutex, xt_describe_fn fold, void *ctx);
} xt_mutex_ops;

struct xt_mutex {
    const xt_mutex_ops *ops;
    xt_env *env;
};

int xt_mutex_lock(xt_mutex *mutex);
void xt_mutex_unlock(xt_mutex *mutex);
void xt_mutex_free(xt_mutex *mutex);
const char *xt_mutex_name(const xt_mutex *mutex);
/* Fold the mutex's state (xt_mutex_ops.describe); FALSE, folding
 * nothing, when its algorithm has no describe. */
gboolean xt_mutex_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx);

/* lock; fn(arg); unlock.  Returns the lock error (fn not run) or fn's result. */
int xt_mutex_with_lock(xt_mutex *mutex, int (*fn)(void *arg), void *arg);

/* The root-cause baseline: lock and unlock do nothing and always succeed. */
xt_mutex *xt_mutex_none_new(xt_env *env);

#endif
