/*
 * error.c - English sentences for the operating errors of xt/error.h.
 *
 * Every code has its own sentence so that a warning such as the seed's
 * "Failed to add event with cross-tab safety, falling back to sync: <error>"
 * names the cause.  Unknown codes get a fixed sentence instead of NULL, so a
 * caller can always print the result.
 */
#include "xt/error.h"

const char *xt_strerror(int err)
{
    switch ((xt_err)err) {
    case XT_OK:
        return "success";
    case XT_ENOTFOUND:
        return "no such key in storage";
    case XT_EQUOTA:
        return "storage quota exceeded";
    case XT_EUNAVAILABLE:
        return "storage is unavailable";
    case XT_ESERVER:
        return "the server answered with an error";
    case XT_ETIMEOUT:
        return "the request timed out; delivery is unknown";
    case XT_ELOCKTIMEOUT:
        return "the lock was not acquired within its retries";
    case XT_ECANCELLED:
        return "the operation was cancelled because the tab is going away";
    case XT_EPARSE:
        return "stored data is malformed";
    case XT_EABORTED:
        return "the web lock was stolen by another request (AbortError)";
    }
    return "unknown error";
}
