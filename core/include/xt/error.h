/*
 * xt/error.h - operating errors of the cross-tab library.
 *
 * Operating errors (a full storage, a lock that timed out, a server that
 * failed) are returned as negative codes; programmer errors are assertions.
 * Every function that can fail returns one of these and documents which.
 */
#ifndef XT_ERROR_H
#define XT_ERROR_H

typedef enum xt_err {
    XT_OK = 0,
    XT_ENOTFOUND = -1,     /* storage: no such key (getItem returned null) */
    XT_EQUOTA = -2,        /* storage: setItem beyond quota (QuotaExceededError) */
    XT_EUNAVAILABLE = -3,  /* storage: not usable at all (disabled, private mode) */
    XT_ESERVER = -4,       /* transport: the server answered with an error */
    XT_ETIMEOUT = -5,      /* transport: no answer in time; delivery unknown */
    XT_ELOCKTIMEOUT = -6,  /* mutex: not acquired within its retries */
    XT_ECANCELLED = -7,    /* env: the tab is going away; unwind now */
    XT_EPARSE = -8,        /* stored data is not what this library wrote */
    XT_EABORTED = -9       /* web lock: it was stolen (the request's AbortError) */
} xt_err;

/* A static English sentence for an xt_err code; never NULL. */
const char *xt_strerror(int err);

#endif
