/*
 * xt/mutex_weblocks.h - the Web Locks API behind the mutex interface.
 *
 * The seed's "Future Enhancements" item 1: "Use native Web Locks API when
 * available (Chrome 69+)".  lock() is navigator.locks.request(name,
 * {mode: "exclusive", ifAvailable | steal}) and unlock() ends its callback.
 * The browser, not localStorage, keeps the lock: requests of one name are
 * granted in FIFO order, and a holder's lock is released when its tab goes
 * away.  See mutex_weblocks.c for the request modes and the error contract.
 */
#ifndef XT_MUTEX_WEBLOCKS_H
#define XT_MUTEX_WEBLOCKS_H

#include "xt/mutex.h"

typedef enum xt_weblocks_request {
    XT_WEBLOCKS_WAIT = 0,       /* await the grant, however long (default) */
    XT_WEBLOCKS_IF_AVAILABLE,   /* {ifAvailable: true}: fail at once if taken */
    XT_WEBLOCKS_STEAL           /* {steal: true}: take it from the holder */
} xt_weblocks_request;

typedef struct xt_weblocks_mutex_options {
    const char *name;            /* the lock name; default "bucketeer_events_lock"; copied */
    xt_weblocks_request request; /* default XT_WEBLOCKS_WAIT */
} xt_weblocks_mutex_options;

void xt_weblocks_mutex_options_init(xt_weblocks_mutex_options *options);
/* NULL when the environment has no Web Locks (xt_env_has_web_locks is
 * FALSE): the caller then uses the storage-based CrossTabMutex, as the
 * seed's "when available" says.  options NULL = the defaults. */
xt_mutex *xt_weblocks_mutex_new(xt_env *env, const xt_weblocks_mutex_options *options);

#endif
