/*
 * xt/mutex_naive.h - the naive get-then-set lock: read the lock key, and
 * when it is empty write your id and consider the lock yours.
 *
 * The lock everyone writes first, and the reason localStorage locks are
 * hard: between the get and the set another tab can do the same, since
 * localStorage has no compare-and-set.  It is here to be shown broken.
 */
#ifndef XT_MUTEX_NAIVE_H
#define XT_MUTEX_NAIVE_H

#include "xt/mutex.h"

typedef struct xt_naive_mutex_options {
    const char *key;            /* default "naive_lock"; copied */
    const char *client_id;      /* required: written as the holder */
    int64_t retry_interval_ms;  /* poll while the key is taken, where the env
                                   cannot wait for a change; default 50 */
    int retries_max;            /* waits before lock() fails; default 100 */
} xt_naive_mutex_options;

void xt_naive_mutex_options_init(xt_naive_mutex_options *options);
xt_mutex *xt_naive_mutex_new(xt_env *env, const xt_naive_mutex_options *options);

#endif
