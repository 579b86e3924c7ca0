/*
 * mutex_btl.c - browser-tabs-lock, the npm package's cross-tab lock
 * (SuperTokens; used by auth0-spa-js), ported to C.
 *
 * Why it exists: it is the localStorage lock that many sites actually run,
 * and it rests on a timing assumption ("This time must be more than the
 * time it takes for storage.setItem") that tabsim can put to the test,
 * beside the textbook (Lamport) and the SDK's own mutexes.
 *
 * Source: browser-tabs-lock 1.3.0 (package.json), supertokens/
 * browser-tabs-lock, index.ts at commit
 * ce35f6cf6f07478b1fa6eb86d50d0f1ea70f1e1a (processLock.ts read at
 * bd6710630f9d290beff2f420381692554094df1a).  Each step below cites the
 * TypeScript it ports; the labels on the right are the step names
 * (xt_env_step) a timeline shows.
 *
 * acquireLock(lockKey, timeout = 5000):
 *     iat = Date.now() + generateRandomString(4)
 *     MAX_TIME = Date.now() + timeout
 *     while (Date.now() < MAX_TIME) {
 *       await delay(30)
 *       if (getItem(KEY) === null) {                      "read lock"
 *         await delay(r)     (r = Math.floor of 25 times Math.random: 0..24 ms)
 *         setItem(KEY, JSON.stringify({id, iat, timeoutKey: `${id}-${lockKey}-${iat}`,
 *                 timeAcquired: Date.now(), timeRefreshed: Date.now()}))
 *                                                         "write lock {id, iat}"
 *         await delay(30)  // "must be more than the time it takes for storage.setItem"
 *         o = getItem(KEY)                                "read back id and iat"
 *         if (o !== null && JSON.parse(o).id === id && .iat === iat) {
 *           acquiredIatSet.add(iat); refreshLockWhileAcquired(KEY, iat); return true }
 *       } else { lockCorrector(); await waitForSomethingToChange(MAX_TIME) }
 *       iat = Date.now() + generateRandomString(4)
 *     }
 *     return false
 * KEY = "browser-tabs-lock-key-" + lockKey; id = getLockId() = Date.now()
 * and 15 random characters of the library's alphabet (sic: no 'Y', no 'j').
 *
 * refreshLockWhileAcquired: every 1000 ms (setTimeout): if iat is still in
 * acquiredIatSet, getItem ("refresh: read lock"); null ends it; else set
 * timeRefreshed = Date.now() on the parsed object and setItem it back
 * ("refresh: write timeRefreshed"), whatever id the object holds.
 *
 * lockCorrector: MIN_ALLOWED_TIME = Date.now() - 5000; the keys via
 * key(0), key(1), ... until null ("lockCorrector: key(i)"); for each key
 * that includes "browser-tabs-lock-key": getItem ("lockCorrector: read"),
 * and removeItem ("lockCorrector: remove expired lock") when timeRefreshed
 * (or timeAcquired when timeRefreshed is undefined) < MIN_ALLOWED_TIME;
 * then, if it removed any, notifyWaiters().
 *
 * waitForSomethingToChange(MAX_TIME): listen to `storage` and join the
 * page's waiters; stop at the first event, notifyWaiters() or
 * max(0, MAX_TIME - now) ms; resolve no sooner than 50 ms after the start.
 *
 * releaseLock(lockKey): getItem ("releaseLock: read"); null: done; if the
 * parsed id === this.id (the id only, not the iat): acquiredIatSet.delete
 * (parsed.iat), removeItem ("releaseLock: remove"), notifyWaiters().
 *
 * How it is ported, and where it departs:
 *  - JSON.parse/stringify via json-glib, the same field names in the same
 *    order; integers print as JSON.stringify prints them, other numbers may
 *    not (the library writes none).  Math.random gives 53 bits of
 *    xt_env_random_u64 as a double in [0, 1); Date.now() is xt_env_now_ms.
 *  - The storage event and the waiters: xt_env_wait with no keys (the
 *    unfiltered `storage` event, a notify, or the timeout, which ends it
 *    with XT_ETIMEOUT, as the library's setTimeout resolves the same
 *    promise) and xt_env_storage_notify for notifyWaiters.  The library's
 *    waiters list is static, so it holds every waiting instance of the
 *    page; the env's notify likewise ends every wait of the tab.  Without
 *    those methods the wait is a sleep of the whole timeout.
 *  - Clock comparisons go through xt_env_deadline_passed: the loop's
 *    `Date.now() < MAX_TIME` is !passed(MAX_TIME), and lockCorrector's
 *    `t < Date.now() - 5000` is passed(floor(t) + 5001) (for a number t
 *    and an integer clock, t < now - 5000 iff floor(t) + 5000 < now).
 *  - The setTimeout chain of refreshLockWhileAcquired is one task started
 *    with xt_env_spawn, sleeping 1000 ms per round: same timing.
 *  - getProcessLock() (processLock.ts) is not ported.  It serializes one
 *    iat's refresh against its release inside one page; both run as
 *    synchronous code after an await on a free lock (a microtask), which
 *    no timer, I/O or storage event can enter, and tabsim's tasks switch
 *    only at those.  Not modelled: a refresh that throws leaves its iat's
 *    process lock taken, and a later release of that iat then hangs.
 *  - Exceptions: JSON.parse of text that is not JSON, or a property of a
 *    parsed null, makes acquireLock reject (XT_EPARSE here) and stops a
 *    refresh; a storage error (quota, unavailable) likewise.  A JSON value
 *    that is not an object has only undefined members, and a refresh of it
 *    stops (a TypeError for a primitive; an array, which JavaScript would
 *    write back unchanged, is not modelled).  lockCorrector compares like
 *    JavaScript's <: numbers, null as 0, booleans as 0/1, strings by their
 *    numeric value; objects and arrays count as NaN (never less).
 *  - Results: acquireLock's true is a positive attempt count (mutex.c),
 *    false is XT_ELOCKTIMEOUT; releaseLock never fails (a rejection is a
 *    warning).  XT_ECANCELLED from any call ends lock() at once.
 *
 * Invariants: acquired holds the iats this instance acquired and has not
 * seen released (acquiredIatSet); a refresh task holds a reference, so the
 * mutex outlives its tasks; the scratch value is parsed before the next
 * await, so the tab's tasks never see each other's reads.
 */
#include "xt/mutex_btl.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define BTL_NAME "browser-tabs-lock"
#define BTL_LOCK_KEY_DEFAULT "bucketeer_events"
#define BTL_ID_RANDOM_CHARS 15
#define BTL_IAT_RANDOM_CHARS 4

/* generateRandomString's CHARS, typo included: each draw is uniform over it. */
static const char btl_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXTZabcdefghiklmnopqrstuvwxyz";

typedef enum attempt_result { ATTEMPT_AGAIN = 0, ATTEMPT_ACQUIRED = 1 } attempt_result;

typedef struct btl_mutex {
    xt_mutex base; /* first: an xt_mutex* is a btl_mutex* */
    char *lock_key;
    char *id;
    char *key;          /* "browser-tabs-lock-key-<lock_key>" */
    int64_t timeout_ms;
    GPtrArray *acquired;/* acquiredIatSet: char* iats */
    GString *value;     /* scratch for reads */
    int refs;           /* the owner's, plus one per live refresh task */
} btl_mutex;

/* A parsed lock object: JSON.parse(text).  obj is NULL for a primitive. */
typedef struct btl_view {
    JsonNode *root;
    JsonObject *obj;
} btl_view;

typedef struct btl_refresher {
    btl_mutex *bm;
    char *iat;
} btl_refresher;

void xt_btl_mutex_options_init(xt_btl_mutex_options *options)
{
    assert(options);
    memset(options, 0, sizeof *options);
    options->acquire_timeout_ms = XT_BTL_TIMEOUT_MS_DEFAULT;
}

char *xt_btl_storage_key(const char *lock_key)
{
    assert(lock_key);
    return g_strconcat(XT_BTL_KEY_PREFIX, "-", lock_key, NULL);
}

/* Math.random, called: 53 random bits as a double in [0, 1). */
static double math_random(xt_env *env)
{
    return (double)(xt_env_random_u64(env) >> 11) * (1.0 / 9007199254740992.0);
}

/* Date.now() + generateRandomString(length), as one string. */
static char *now_and_random(xt_env *env, int length)
{
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%" G_GINT64_FORMAT, (gint64)xt_env_now_ms(env));
    for (int i = 0; i < length; i++)
        g_string_append_c(s, btl_chars[(size_t)(math_random(env) * (double)(sizeof btl_chars - 1))]);
    return g_string_free(s, FALSE);
}

static void view_clear(btl_view *v)
{
    if (v->root)
        json_node_unref(v->root);
    memset(v, 0, sizeof *v);
}

/* A string member, or NULL (undefined, or not a string: never === an id). */
static const char *view_string(const btl_view *v, const char *name)
{
    JsonNode *n = v->obj ? json_object_get_member(v->obj, name) : NULL;
    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

/* getItem(key) then JSON.parse: XT_OK and v filled, XT_ENOTFOUND (null),
 * XT_EPARSE (not JSON, or JSON null, whose members throw), or the storage
 * error. */
static int btl_read(btl_mutex *bm, const char *step, const char *key, btl_view *v)
{
    memset(v, 0, sizeof *v);
    xt_env_step(bm->base.env, step);
    int rc = xt_env_get(bm->base.env, key, bm->value);
    if (rc != XT_OK)
        return rc;
    JsonParser *parser = json_parser_new();
    gboolean ok = json_parser_load_from_data(parser, bm->value->str, -1, NULL);
    JsonNode *root = ok ? json_parser_get_root(parser) : NULL;
    if (!root || JSON_NODE_HOLDS_NULL(root)) {
        g_object_unref(parser);
        return XT_EPARSE;
    }
    v->root = json_node_copy(root);
    g_object_unref(parser);
    if (JSON_NODE_HOLDS_OBJECT(v->root))
        v->obj = json_node_get_object(v->root);
    return XT_OK;
}

/* JSON.stringify({id, iat, timeoutKey, timeAcquired, timeRefreshed}). */
static char *claim_json(btl_mutex *bm, const char *iat)
{
    xt_env *env = bm->base.env;
    char *timeout_key = g_strdup_printf("%s-%s-%s", bm->id, bm->lock_key, iat);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, bm->id);
    json_builder_set_member_name(b, "iat");
    json_builder_add_string_value(b, iat);
    json_builder_set_member_name(b, "timeoutKey");
    json_builder_add_string_value(b, timeout_key);
    json_builder_set_member_name(b, "timeAcquired");
    json_builder_add_int_value(b, xt_env_now_ms(env));
    json_builder_set_member_name(b, "timeRefreshed");
    json_builder_add_int_value(b, xt_env_now_ms(env));
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *text = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(b);
    g_free(timeout_key);
    return text;
}

static int iat_index(const btl_mutex *bm, const char *iat)
{
    for (guint i = 0; iat && i < bm->acquired->len; i++)
        if (strcmp(bm->acquired->pdata[i], iat) == 0)
            return (int)i;
    return -1;
}

static void btl_unref(btl_mutex *bm)
{
    if (--bm->refs > 0)
        return;
    g_free(bm->lock_key);
    g_free(bm->id);
    g_free(bm->key);
    g_ptr_array_free(bm->acquired, TRUE);
    g_string_free(bm->value, TRUE);
    g_free(bm);
}

/* ---- refreshLockWhileAcquired ---- */

/* One round after the timer: TRUE to schedule the next. */
static gboolean refresh_once(btl_mutex *bm, const char *iat)
{
    xt_env *env = bm->base.env;
    /* await getProcessLock().lock(iat): a microtask (see the top). */
    if (iat_index(bm, iat) < 0)
        return FALSE;
    btl_view v;
    int rc = btl_read(bm, "refresh: read lock", bm->key, &v);
    if (rc != XT_OK)
        return FALSE; /* null ends the chain; an exception ends it too */
    if (!v.obj) {
        view_clear(&v); /* assigning a member of a primitive: TypeError */
        return FALSE;
    }
    json_object_set_int_member(v.obj, "timeRefreshed", xt_env_now_ms(env));
    char *text = json_to_string(v.root, FALSE);
    view_clear(&v);
    xt_env_step(env, "refresh: write timeRefreshed");
    rc = xt_env_set(env, bm->key, text);
    g_free(text);
    return rc == XT_OK;
}

static void refresh_task(void *arg)
{
    btl_refresher *r = arg;
    xt_env *env = r->bm->base.env;
    while (xt_env_sleep_ms(env, XT_BTL_REFRESH_MS) == XT_OK && refresh_once(r->bm, r->iat))
        ;
    btl_unref(r->bm);
    g_free(r->iat);
    g_free(r);
}

/* refreshLockWhileAcquired(KEY, iat): XT_OK, or XT_ECANCELLED (not started). */
static int refresh_start(btl_mutex *bm, const char *iat)
{
    btl_refresher *r = g_new0(btl_refresher, 1);
    r->bm = bm;
    r->iat = g_strdup(iat);
    bm->refs++;
    int rc = xt_env_spawn(bm->base.env, refresh_task, r);
    if (rc != XT_OK) {
        bm->refs--; /* never below 1: the owner holds one */
        g_free(r->iat);
        g_free(r);
    }
    return rc;
}

/* ---- lockCorrector ---- */

/* JavaScript's ToNumber of a JSON value, floored, for `node < now - 5000`
 * (see the top): FALSE when it is NaN (objects, arrays, non-numeric
 * strings, never less than anything). */
static gboolean js_floor(JsonNode *n, double *out)
{
    if (JSON_NODE_HOLDS_NULL(n)) {
        *out = 0.0;
        return TRUE;
    }
    if (JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
        return FALSE;
    GType t = json_node_get_value_type(n);
    double d = NAN;
    if (t == G_TYPE_INT64) {
        d = (double)json_node_get_int(n);
    } else if (t == G_TYPE_BOOLEAN) {
        d = json_node_get_boolean(n) ? 1.0 : 0.0;
    } else if (t == G_TYPE_DOUBLE) {
        d = json_node_get_double(n);
    } else if (t == G_TYPE_STRING) {
        char *s = g_strstrip(g_strdup(json_node_get_string(n)));
        char *end = NULL;
        d = s[0] == '\0' ? 0.0 : g_ascii_strtod(s, &end);
        if (s[0] != '\0' && (!end || *end != '\0'))
            d = NAN;
        g_free(s);
    }
    if (isnan(d))
        return FALSE;
    /* Beyond +-2^53 ms (285,000 years) from 1970 no clock gets near. */
    if (d < -9.0e15 || d > 9.0e15) {
        *out = d;
        return TRUE;
    }
    double f = (double)(int64_t)d; /* truncates toward zero */
    *out = f > d ? f - 1.0 : f;
    return TRUE;
}

/* `node < Date.now() - XT_BTL_STALE_MS`, through the environment's clock
 * comparison (see the top).  The library reads MIN_ALLOWED_TIME once, at
 * the start of lockCorrector; here each comparison reads the clock when
 * it is made, the same as a lockCorrector whose first calls were that
 * much slower (lockCorrector has no await: only storage calls pass). */
static gboolean js_stale(xt_env *env, JsonNode *n)
{
    double t;
    if (!js_floor(n, &t))
        return FALSE;
    if (t < -9.0e15)
        return TRUE;
    if (t > 9.0e15)
        return FALSE;
    return xt_env_deadline_passed(env, (int64_t)t + XT_BTL_STALE_MS + 1);
}

static gboolean is_expired(xt_env *env, const btl_view *v)
{
    JsonNode *refreshed = v->obj ? json_object_get_member(v->obj, "timeRefreshed") : NULL;
    if (refreshed)
        return js_stale(env, refreshed);
    JsonNode *acquired = v->obj ? json_object_get_member(v->obj, "timeAcquired") : NULL;
    return acquired && js_stale(env, acquired); /* undefined < x: FALSE */
}

/* Every key, by key(0), key(1), ... until null (keySync). */
static int list_keys(xt_env *env, GPtrArray *keys)
{
    GString *k = g_string_new(NULL);
    int rc;
    for (size_t i = 0;; i++) {
        xt_env_step(env, "lockCorrector: key(i)");
        rc = xt_env_key(env, i, k);
        if (rc != XT_OK)
            break;
        g_ptr_array_add(keys, g_strdup(k->str));
    }
    g_string_free(k, TRUE);
    return rc == XT_ENOTFOUND ? XT_OK : rc;
}

static int lock_corrector(btl_mutex *bm)
{
    xt_env *env = bm->base.env;
    GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
    int rc = list_keys(env, keys);
    gboolean notify = FALSE;
    for (guint i = 0; rc == XT_OK && i < keys->len; i++) {
        const char *key = keys->pdata[i];
        if (!strstr(key, XT_BTL_KEY_PREFIX)) /* LOCK_KEY.includes(LOCK_STORAGE_KEY) */
            continue;
        btl_view v;
        rc = btl_read(bm, "lockCorrector: read", key, &v);
        if (rc == XT_ENOTFOUND) {
            rc = XT_OK;
            continue;
        }
        if (rc != XT_OK)
            break;
        gboolean expired = is_expired(env, &v);
        view_clear(&v);
        if (!expired)
            continue;
        xt_env_debug(env, "browser-tabs-lock %s: lockCorrector removes %s", bm->id, key);
        xt_env_step(env, "lockCorrector: remove expired lock");
        rc = xt_env_remove(env, key);
        notify = TRUE;
    }
    g_ptr_array_free(keys, TRUE);
    if (rc == XT_OK && notify)
        xt_env_storage_notify(env); /* SuperTokensLock.notifyWaiters() */
    return rc;
}

/* ---- acquireLock ---- */

static int wait_for_something_to_change(btl_mutex *bm, int64_t max_time)
{
    xt_env *env = bm->base.env;
    int64_t started = xt_env_now_ms(env);
    int64_t timeout = max_time - xt_env_now_ms(env);
    /* Any `storage` event, a notifyWaiters, or the timeout: all three
     * resolve the library's promise alike. */
    int rc = xt_env_wait(env, NULL, 0, timeout > 0 ? timeout : 0);
    if (rc != XT_OK && rc != XT_ETIMEOUT)
        return rc;
    /* MIN_TIME_TO_WAIT: resolve no sooner than 50 ms after the start.  The
     * library's stopWaiting computes this in the listener, when the wake-up
     * comes, and sets its setTimeout there: this task may run later (its
     * tab busy with another waiter the same event woke). */
    int64_t left = XT_BTL_MIN_WAIT_MS - (xt_env_wait_ended_ms(env) - started);
    return left > 0 ? xt_env_sleep_after_wait_ms(env, left) : XT_OK;
}

/* The key was null: claim it, wait, read it back. */
static int claim(btl_mutex *bm, const char *iat)
{
    xt_env *env = bm->base.env;
    /* "there is a problem if setItem happens at the exact same time for 2
     * different processes.. so we add some random delay here."  Telemetry:
     * this Math.random draw decides a delay, one of 25 (a simulator makes it a
     * choice; the draws of iats are identities and are not announced). */
    xt_env_observe(env, XT_OBS_RANDOM, "random delay", NULL, XT_BTL_JITTER_MS);
    int rc = xt_env_sleep_ms(env, (int64_t)(math_random(env) * XT_BTL_JITTER_MS));
    if (rc != XT_OK)
        return rc;
    char *text = claim_json(bm, iat);
    xt_env_step(env, "write lock {id, iat}");
    rc = xt_env_set(env, bm->key, text);
    g_free(text);
    if (rc != XT_OK)
        return rc;
    /* "this is to prevent race conditions. This time must be more than the
     * time it takes for storage.setItem" */
    rc = xt_env_sleep_ms(env, XT_BTL_DELAY_MS);
    if (rc != XT_OK)
        return rc;
    btl_view v;
    rc = btl_read(bm, "read back id and iat", bm->key, &v);
    if (rc == XT_ENOTFOUND)
        return ATTEMPT_AGAIN;
    if (rc != XT_OK)
        return rc;
    gboolean won = g_strcmp0(view_string(&v, "id"), bm->id) == 0 && g_strcmp0(view_string(&v, "iat"), iat) == 0;
    if (!won)
        xt_env_debug(env, "browser-tabs-lock %s: read back id %s, not ours", bm->id,
                     view_string(&v, "id") ? view_string(&v, "id") : "(none)");
    view_clear(&v);
    if (!won)
        return ATTEMPT_AGAIN;
    g_ptr_array_add(bm->acquired, g_strdup(iat));
    rc = refresh_start(bm, iat);
    return rc != XT_OK ? rc : ATTEMPT_ACQUIRED;
}

/* One turn of acquireLock's while loop. */
static int attempt(btl_mutex *bm, const char *iat, int64_t max_time)
{
    xt_env *env = bm->base.env;
    int rc = xt_env_sleep_ms(env, XT_BTL_DELAY_MS);
    if (rc != XT_OK)
        return rc;
    xt_env_step(env, "read lock");
    rc = xt_env_get(env, bm->key, bm->value);
    if (rc == XT_ENOTFOUND)
        return claim(bm, iat);
    if (rc != XT_OK)
        return rc;
    rc = lock_corrector(bm);
    if (rc == XT_OK)
        rc = wait_for_something_to_change(bm, max_time);
    return rc != XT_OK ? rc : ATTEMPT_AGAIN;
}

static int btl_lock(xt_mutex *mutex)
{
    btl_mutex *bm = (btl_mutex *)mutex;
    xt_env *env = mutex->env;
    char *iat = now_and_random(env, BTL_IAT_RANDOM_CHARS);
    const int64_t max_time = xt_env_now_ms(env) + bm->timeout_ms;
    int attempts = 0;
    int rc = XT_ELOCKTIMEOUT;
    while (!xt_env_deadline_passed(env, max_time)) {
        attempts++;
        rc = attempt(bm, iat, max_time);
        if (rc != ATTEMPT_AGAIN)
            break;
        xt_env_observe(env, XT_OBS_LOCK_RETRY, BTL_NAME, NULL, attempts);
        g_free(iat);
        iat = now_and_random(env, BTL_IAT_RANDOM_CHARS);
        rc = XT_ELOCKTIMEOUT; /* the loop may end here: return false */
    }
    g_free(iat);
    if (rc == ATTEMPT_ACQUIRED)
        return attempts;
    xt_env_debug(env, "browser-tabs-lock %s: not acquired: %s", bm->id, xt_strerror(rc));
    return rc;
}

/* ---- releaseLock ---- */

static void btl_unlock(xt_mutex *mutex)
{
    btl_mutex *bm = (btl_mutex *)mutex;
    xt_env *env = mutex->env;
    btl_view v;
    int rc = btl_read(bm, "releaseLock: read", bm->key, &v);
    if (rc == XT_OK && g_strcmp0(view_string(&v, "id"), bm->id) == 0) {
        /* await getProcessLock().lock(iat): a microtask (see the top). */
        int i = iat_index(bm, view_string(&v, "iat"));
        if (i >= 0)
            g_ptr_array_remove_index(bm->acquired, (guint)i);
        xt_env_step(env, "releaseLock: remove");
        rc = xt_env_remove(env, bm->key);
        if (rc == XT_OK)
            xt_env_storage_notify(env); /* SuperTokensLock.notifyWaiters() */
    } else if (rc == XT_OK) {
        xt_env_debug(env, "browser-tabs-lock %s: release: the lock is not ours", bm->id);
    }
    view_clear(&v);
    if (rc != XT_OK && rc != XT_ENOTFOUND && rc != XT_ECANCELLED)
        xt_env_warn(env, "browser-tabs-lock: releaseLock failed: %s", xt_strerror(rc));
}

static void btl_free(xt_mutex *mutex)
{
    btl_unref((btl_mutex *)mutex);
}

static const xt_mutex_ops btl_ops = {
    .name = BTL_NAME,
    .exclusive = TRUE,
    .lock = btl_lock,
    .unlock = btl_unlock,
    .free = btl_free,
};

xt_mutex *xt_btl_mutex_new(xt_env *env, const xt_btl_mutex_options *options)
{
    assert(env);
    xt_btl_mutex_options defaults;
    if (!options) {
        xt_btl_mutex_options_init(&defaults);
        options = &defaults;
    }
    assert(options->acquire_timeout_ms >= 0);
    btl_mutex *bm = g_new0(btl_mutex, 1);
    bm->base.ops = &btl_ops;
    bm->base.env = env;
    bm->lock_key = g_strdup(options->lock_key ? options->lock_key : BTL_LOCK_KEY_DEFAULT);
    bm->id = options->id ? g_strdup(options->id) : now_and_random(env, BTL_ID_RANDOM_CHARS);
    bm->key = xt_btl_storage_key(bm->lock_key);
    bm->timeout_ms = options->acquire_timeout_ms;
    bm->acquired = g_ptr_array_new_with_free_func(g_free);
    bm->value = g_string_new(NULL);
    bm->refs = 1;
    return &bm->base;
}

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

static const xt_setting btl_settings[] = {
    {"acquire_timeout_ms", XT_SETTING_INT, "5000", 1, 86400000, NULL,
     "acquireLock's timeout: how long one lock() keeps trying before it fails (the library's default 5000)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *btl_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                            const xt_mutex_host *host)
{
    (void)fallback_values;
    xt_btl_mutex_options bt;
    xt_btl_mutex_options_init(&bt);
    /* The host's client id instead of getLockId(): unique all the same,
     * and a timeline can say whose claim a value is. */
    bt.id = host->client_id;
    bt.acquire_timeout_ms = v[0];
    return xt_btl_mutex_new(env, &bt);
}

/* index.ts: acquireLock's first attempt, releaseLock. */
static void btl_cost(const int64_t *v, xt_mutex_cost *out)
{
    (void)v;
    *out = (xt_mutex_cost){3, 2,
                           "acquire: getItem (null), setItem the claim, getItem (read back after delay(30)); "
                           "release: getItem, removeItem",
                           NULL};
}

const xt_mutex_algorithm xt_btl_algorithm = {
    .name = "browser-tabs-lock",
    .summary = "the npm package browser-tabs-lock 1.3.0 (used by auth0-spa-js), ported: a claim key read back "
               "after 30 ms",
    .settings = btl_settings,
    .create = btl_create,
    .cost = btl_cost,
};
