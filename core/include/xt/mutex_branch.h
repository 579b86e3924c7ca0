/*
 * xt/mutex_branch.h - the SDK's CrossTabMutex as written on its unmerged
 * branch (bucketeer-io/javascript-client-sdk; docs/design-under-test.md):
 * one JSON key holding {x, y, timestamp}.
 *
 * The seed document describes two keys X and Y (xt/mutex_seed.h); the code
 * on the branch fix-data-race-conditon-multi-tabs (commit 5cbad91,
 * src/internal/storage/CrossTabMutex.ts) keeps both registers in one JSON
 * value under "<userId>_events_mutex".  This is that code, ported step by
 * step; see mutex_branch.c.
 */
#ifndef XT_MUTEX_BRANCH_H
#define XT_MUTEX_BRANCH_H

#include "xt/mutex.h"

/* As createSafeEventStorage wires it (the class defaults are 5000/50/100). */
#define XT_BRANCH_TIMEOUT_MS_SDK 3000
#define XT_BRANCH_LOCK_CHECK_INTERVAL_MS_SDK 50
#define XT_BRANCH_RETRIES_MAX_SDK 60

typedef struct xt_branch_mutex_options {
    const char *user_id;           /* required: the key is "<user_id>_events_mutex" */
    const char *client_id;         /* default xt_client_id_new() */
    int64_t timeout_ms;            /* default XT_BRANCH_TIMEOUT_MS_SDK */
    int64_t lock_check_interval_ms;/* default XT_BRANCH_LOCK_CHECK_INTERVAL_MS_SDK */
    int retries_max;               /* default XT_BRANCH_RETRIES_MAX_SDK */
} xt_branch_mutex_options;

void xt_branch_mutex_options_init(xt_branch_mutex_options *options);
/* options must not be NULL (user_id has no default). */
xt_mutex *xt_branch_mutex_new(xt_env *env, const xt_branch_mutex_options *options);
/* The storage key of user_id's mutex state; caller frees. */
char *xt_branch_mutex_key(const char *user_id);

#endif
