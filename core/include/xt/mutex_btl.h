/*
 * xt/mutex_btl.h - browser-tabs-lock (npm; SuperTokens, used by
 * auth0-spa-js) behind the mutex interface.
 *
 * The package's SuperTokensLock, version 1.3.0 (supertokens/
 * browser-tabs-lock, index.ts at commit ce35f6cf6f07), ported to C: one
 * localStorage key "browser-tabs-lock-key-<lockKey>" holding the JSON
 * {id, iat, timeoutKey, timeAcquired, timeRefreshed}, a claim written after
 * a random delay and believed after a 30 ms delay, a background refresh of
 * timeRefreshed every second, and a corrector that removes claims not
 * refreshed for 5 s.  See mutex_btl.c for the algorithm, what the port
 * does and does not do, and where it departs from the TypeScript.
 */
#ifndef XT_MUTEX_BTL_H
#define XT_MUTEX_BTL_H

#include "xt/mutex.h"

/* The library's constants (index.ts). */
#define XT_BTL_KEY_PREFIX "browser-tabs-lock-key"  /* LOCK_STORAGE_KEY */
#define XT_BTL_TIMEOUT_MS_DEFAULT 5000   /* acquireLock(lockKey, timeout = 5000) */
#define XT_BTL_DELAY_MS 30               /* await delay(30), twice per attempt */
#define XT_BTL_JITTER_MS 25              /* delay(Math.floor(25 times a Math.random draw)) */
#define XT_BTL_MIN_WAIT_MS 50            /* MIN_TIME_TO_WAIT of waitForSomethingToChange */
#define XT_BTL_REFRESH_MS 1000           /* refreshLockWhileAcquired's setTimeout */
#define XT_BTL_STALE_MS 5000             /* lockCorrector: MIN_ALLOWED_TIME = now - 5000 */

typedef struct xt_btl_mutex_options {
    const char *lock_key;       /* acquireLock's lockKey; default "bucketeer_events"; copied */
    const char *id;             /* the instance id; default getLockId(): Date.now() and
                                   15 random characters; copied */
    int64_t acquire_timeout_ms; /* acquireLock's timeout; default XT_BTL_TIMEOUT_MS_DEFAULT */
} xt_btl_mutex_options;

void xt_btl_mutex_options_init(xt_btl_mutex_options *options);
/* options NULL = the defaults. */
xt_mutex *xt_btl_mutex_new(xt_env *env, const xt_btl_mutex_options *options);
/* "browser-tabs-lock-key-<lock_key>"; caller frees. */
char *xt_btl_storage_key(const char *lock_key);

#endif
