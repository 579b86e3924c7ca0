/*
 * xt/mutex_seed.h - the seed document's CrossTabMutex (keys X and Y).
 * The seed document is the SDK's design document; docs/design-under-test.md
 * says where it is and what it says.
 *
 * Steps of one attempt, as the seed lists them:
 *   1. write ClientID to X        (X = "<id>:<expires_at_ms>")
 *   2. check if Y is available    (read Y)
 *   3. write ClientID to Y
 *   4. verify X and Y are owned by this client (read X, read Y)
 * A failed attempt sleeps (exponential backoff from lock_check_interval_ms)
 * and retries, at most retries_max times; then lock() fails with
 * XT_ELOCKTIMEOUT.  Values expire timeout_ms after they are written ("Locks
 * automatically expire to prevent deadlocks").
 *
 * Where the seed is ambiguous the literal reading is the default and the
 * alternatives are options; see the enums below for the sentence each reads.
 */
#ifndef XT_MUTEX_SEED_H
#define XT_MUTEX_SEED_H

#include "xt/mutex.h"

/* What unlock clears.  The sequence diagram says "Release lock (clear X)". */
typedef enum xt_seed_unlock {
    XT_SEED_UNLOCK_CLEAR_X = 0, /* literal: the diagram's "clear X" (default) */
    XT_SEED_UNLOCK_CLEAR_Y,     /* Lamport's exit, "y := 0" */
    XT_SEED_UNLOCK_CLEAR_BOTH   /* remove X and Y */
} xt_seed_unlock;

/* Step 2, "Check if Y is available", when Y holds an expired value. */
typedef enum xt_seed_expired_y {
    XT_SEED_EXPIRED_Y_FREE = 0, /* literal: an expired lock is no lock ("Locks
                                   automatically expire") (default) */
    XT_SEED_EXPIRED_Y_HELD      /* only an empty Y is available; expiry only
                                   matters to a holder that never returns */
} xt_seed_expired_y;

typedef enum xt_seed_backoff {
    XT_SEED_BACKOFF_EXPONENTIAL = 0, /* "Retry Logic: Automatic retries with
                                        exponential backoff" (default) */
    XT_SEED_BACKOFF_CONSTANT         /* the diagram's "Wait 50ms" each time */
} xt_seed_backoff;

typedef struct xt_seed_mutex_options {
    const char *key_x;             /* default "bucketeer_mutex_x" */
    const char *key_y;             /* default "bucketeer_mutex_y" */
    const char *client_id;         /* default: xt_client_id_new() */
    int64_t timeout_ms;            /* default 5000 */
    int64_t lock_check_interval_ms;/* default 50 */
    int64_t backoff_max_ms;        /* cap of one exponential wait; default 1000 */
    int retries_max;               /* default 100 */
    xt_seed_unlock unlock;
    xt_seed_expired_y expired_y;
    xt_seed_backoff backoff;
} xt_seed_mutex_options;

/* Fills the defaults above (strings NULL = default). */
void xt_seed_mutex_options_init(xt_seed_mutex_options *options);
xt_mutex *xt_seed_mutex_new(xt_env *env, const xt_seed_mutex_options *options);

#endif
