/*
 * mutex_branch.c - the SDK branch's CrossTabMutex: {x, y, timestamp} in one
 * localStorage key.
 *
 * Why it exists: the seed document's reading of the mutex (mutex_seed.c)
 * is not the code the SDK team actually wrote.  The branch
 * fix-data-race-conditon-multi-tabs of bucketeer-io/javascript-client-sdk
 * (commit 5cbad91, never released; docs/design-under-test.md) implements it
 * in src/internal/storage/CrossTabMutex.ts, and tabsim should say what that
 * code does, step by step, under the interleavings a browser produces.
 * Every step below cites the TypeScript it ports.
 *
 * State: one key "<userId>_events_mutex" (ThreadSafeEventStorage.ts,
 * createSafeEventStorage: mutexStorageFactory(`${userId}_events_mutex`))
 * holding JSON.stringify({x, y, timestamp}): x and y a client id or null.
 * Client id: `${Date.now()}-<Math.random in base 36>`
 * (generateClientId), here xt_client_id_new().  Options as wired by the SDK:
 * timeout 3000 ms, lockCheckInterval 50 ms, maxRetries 60.
 *
 * lock() (CrossTabMutex.lock):
 *     startTime = Date.now(); retries = 0
 *     while (retries < maxRetries) {
 *       try {
 *         if (tryAcquireLock()) return
 *         if (Date.now() - startTime > timeout) throw "Mutex lock timeout"
 *         await sleep(lockCheckInterval)          // constant, no backoff
 *         retries++
 *       } catch (e) { cleanup(); throw e }
 *     }
 *     throw "Failed to acquire mutex lock after N retries"   // NO cleanup:
 *                                                // this throw is outside the try
 *   So lock() makes at most maxRetries attempts and sleeps after each failed
 *   one, the last included, before it fails (XT_ELOCKTIMEOUT).  The timeout
 *   throw (XT_ELOCKTIMEOUT) and any storage or parse error inside an
 *   attempt (its error code) run cleanup() first.
 *
 * tryAcquireLock() (async, but no await inside: one synchronous task):
 *     timestamp = Date.now()
 *     "step 1: write {x: me, y: null}"   set {x: me, y: null, timestamp}
 *                 (y is overwritten with null: step 1 also erases whatever
 *                 holder y named)
 *     "step 2: check Y"                   state1 = get
 *                 if (state1?.y && !isExpired(state1.timestamp)) return false
 *                 isExpired(t) = Date.now() - t > timeout
 *     "step 3: write {x: state1.x, y: me}" set {x: state1?.x || null, y: me, timestamp}
 *     "step 4: verify X and Y"            state2 = get
 *                 return state2.x === me && state2.y === me
 *
 * cleanup() (on a throw inside the loop): "cleanup: read"; if x or y is me,
 * "cleanup: clear mine" writes the state back with those fields null and
 * timestamp = now; errors ignored.
 *
 * unlock() (CrossTabMutex.unlock): "release: read"; if state.x === me,
 * "release: clear X" writes {x: null, y: state.y, timestamp: now}; y is
 * left as it was.  Errors are caught and warned ("Failed to release mutex
 * lock:"), never thrown.
 *
 * JSON reading, as JSON.parse and JavaScript truthiness would: an absent
 * key is state null (every field undefined); text that is not JSON makes
 * get throw (XT_EPARSE, which in an attempt ends lock() through cleanup);
 * a JSON value that is not an object has no fields.  x and y count only as
 * strings ("=== me" needs a string; step 3 copies a non-string x as null,
 * a simplification); y is "set" when it is a non-empty string or any other
 * truthy JSON value; a timestamp that is not a number is never expired
 * (NaN comparisons are false).
 *
 * Assumption to keep in mind: storage.get()/set() are synchronous, as the
 * branch's src/BKTStorage.ts declares them at commit 5cbad91 (get(): T |
 * null).  The SDK made BKTStorage Promise-based later (commit d44082a),
 * which the branch never received; given that one, every unawaited get()
 * would yield a Promise, state2.x would be undefined and no attempt could
 * ever succeed.  That combination is not modelled.
 *
 * Errors: XT_ECANCELLED from any call ends lock() at once, without cleanup
 * (the tab is going away).  unlock() never fails.
 */
#include "xt/mutex_branch.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define BRANCH_KEY_SUFFIX "_events_mutex"

typedef struct branch_mutex {
    xt_mutex base; /* first: an xt_mutex* is a branch_mutex* */
    xt_branch_mutex_options options; /* strings point at the copies below */
    char *user_id;
    char *client_id;
    char *key;
    GString *value; /* scratch for reads */
} branch_mutex;

/* One parsed state: the fields tabsim's port looks at. */
typedef struct branch_state {
    gboolean present;   /* the key held a JSON object */
    char *x, *y;        /* string fields, or NULL */
    gboolean y_truthy;  /* JavaScript truthiness of state.y */
    gboolean has_timestamp;
    int64_t timestamp;
} branch_state;

typedef enum attempt_result { ATTEMPT_FAILED = 0, ATTEMPT_ACQUIRED = 1 } attempt_result;

void xt_branch_mutex_options_init(xt_branch_mutex_options *options)
{
    assert(options);
    memset(options, 0, sizeof *options);
    options->timeout_ms = XT_BRANCH_TIMEOUT_MS_SDK;
    options->lock_check_interval_ms = XT_BRANCH_LOCK_CHECK_INTERVAL_MS_SDK;
    options->retries_max = XT_BRANCH_RETRIES_MAX_SDK;
}

char *xt_branch_mutex_key(const char *user_id)
{
    assert(user_id);
    return g_strconcat(user_id, BRANCH_KEY_SUFFIX, NULL);
}

static void state_clear(branch_state *st)
{
    g_free(st->x);
    g_free(st->y);
    memset(st, 0, sizeof *st);
}

static char *member_string(JsonObject *obj, const char *name)
{
    JsonNode *n = json_object_get_member(obj, name);
    if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return g_strdup(json_node_get_string(n));
}

/* JavaScript truthiness of a JSON member (absent = undefined = falsy). */
static gboolean member_truthy(JsonObject *obj, const char *name)
{
    JsonNode *n = json_object_get_member(obj, name);
    if (!n || JSON_NODE_HOLDS_NULL(n))
        return FALSE;
    if (JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
        return TRUE; /* objects and arrays */
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_STRING)
        return json_node_get_string(n)[0] != '\0';
    if (t == G_TYPE_BOOLEAN)
        return json_node_get_boolean(n);
    if (t == G_TYPE_INT64)
        return json_node_get_int(n) != 0;
    double d = json_node_get_double(n);
    return d != 0.0 && d == d;
}

/* JSON.parse of text into st.  XT_OK or XT_EPARSE (st empty). */
static int state_parse(const char *text, branch_state *st)
{
    memset(st, 0, sizeof *st);
    JsonParser *parser = json_parser_new();
    gboolean ok = json_parser_load_from_data(parser, text, -1, NULL);
    JsonNode *root = ok ? json_parser_get_root(parser) : NULL;
    if (!ok || !root) {
        g_object_unref(parser);
        return XT_EPARSE;
    }
    if (JSON_NODE_HOLDS_OBJECT(root)) {
        JsonObject *obj = json_node_get_object(root);
        st->present = TRUE;
        st->x = member_string(obj, "x");
        st->y = member_string(obj, "y");
        st->y_truthy = member_truthy(obj, "y");
        JsonNode *ts = json_object_get_member(obj, "timestamp");
        if (ts && JSON_NODE_TYPE(ts) == JSON_NODE_VALUE) {
            GType t = json_node_get_value_type(ts);
            if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE) {
                st->has_timestamp = TRUE;
                st->timestamp = t == G_TYPE_INT64 ? json_node_get_int(ts) : (int64_t)json_node_get_double(ts);
            }
        }
    }
    g_object_unref(parser);
    return XT_OK;
}

/* JSON.stringify({x, y, timestamp}), null for a NULL field. */
static char *state_serialize(const char *x, const char *y, int64_t timestamp)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "x");
    if (x)
        json_builder_add_string_value(b, x);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "y");
    if (y)
        json_builder_add_string_value(b, y);
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "timestamp");
    json_builder_add_int_value(b, timestamp);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *text = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(b);
    return text;
}

/* this.storage.get(): XT_OK with st filled (absent key: not present),
 * XT_EPARSE, or the storage error. */
static int state_read(branch_mutex *bm, const char *step, branch_state *st)
{
    memset(st, 0, sizeof *st);
    xt_env_step(bm->base.env, step);
    int rc = xt_env_get(bm->base.env, bm->key, bm->value);
    if (rc == XT_ENOTFOUND)
        return XT_OK;
    if (rc != XT_OK)
        return rc;
    return state_parse(bm->value->str, st);
}

/* this.storage.set({x, y, timestamp}). */
static int state_write(branch_mutex *bm, const char *step, const char *x, const char *y, int64_t timestamp)
{
    char *text = state_serialize(x, y, timestamp);
    xt_env_step(bm->base.env, step);
    int rc = xt_env_set(bm->base.env, bm->key, text);
    g_free(text);
    return rc;
}

static gboolean is_mine(const branch_mutex *bm, const char *id)
{
    return id && strcmp(id, bm->client_id) == 0;
}

/* Date.now() - since > ms, through the environment's clock comparison:
 * now >= since + ms + 1 (saturated: a sum past INT64_MAX is never reached). */
static gboolean clock_after(xt_env *env, int64_t since, int64_t ms)
{
    if (since > INT64_MAX - ms - 1)
        return FALSE;
    if (since < INT64_MIN + 1)
        since = INT64_MIN + 1; /* nothing is earlier: any clock is after it */
    return xt_env_deadline_passed(env, since + ms + 1);
}

/* isExpired(timestamp): Date.now() - timestamp > timeout.  An absent or
 * non-numeric timestamp is NaN in JavaScript: never expired. */
static gboolean is_expired(branch_mutex *bm, const branch_state *st)
{
    if (!st->has_timestamp)
        return FALSE;
    return clock_after(bm->base.env, st->timestamp, bm->options.timeout_ms);
}

/* tryAcquireLock(): ATTEMPT_ACQUIRED, ATTEMPT_FAILED or an error. */
static int branch_attempt(branch_mutex *bm)
{
    xt_env *env = bm->base.env;
    int64_t timestamp = xt_env_now_ms(env);
    /* Step 1: Write our client ID to X (and null to y). */
    int rc = state_write(bm, "step 1: write {x: me, y: null}", bm->client_id, NULL, timestamp);
    if (rc != XT_OK)
        return rc;
    /* Step 2: Check if Y is null or expired. */
    branch_state s1;
    rc = state_read(bm, "step 2: check Y", &s1);
    if (rc != XT_OK)
        return rc;
    if (s1.y_truthy && !is_expired(bm, &s1)) {
        xt_env_debug(env, "CrossTabMutex %s: Y is held by %s, backing off", bm->client_id,
                     s1.y ? s1.y : "(non-string)");
        state_clear(&s1);
        return ATTEMPT_FAILED;
    }
    /* Step 3: Write our client ID to Y, x as read (state1?.x || null). */
    const char *x_keep = s1.x && s1.x[0] ? s1.x : NULL;
    rc = state_write(bm, "step 3: write {x: state1.x, y: me}", x_keep, bm->client_id, timestamp);
    state_clear(&s1);
    if (rc != XT_OK)
        return rc;
    /* Steps 4 and 5: check that X and Y are still ours. */
    branch_state s2;
    rc = state_read(bm, "step 4: verify X and Y", &s2);
    if (rc != XT_OK)
        return rc;
    gboolean won = is_mine(bm, s2.x) && is_mine(bm, s2.y);
    if (!won)
        xt_env_debug(env, "CrossTabMutex %s: lost the race (x %s, y %s)", bm->client_id,
                     s2.x ? s2.x : "null", s2.y ? s2.y : "null");
    state_clear(&s2);
    return won ? ATTEMPT_ACQUIRED : ATTEMPT_FAILED;
}

/* cleanup(): clear the fields that hold my id; every error ignored. */
static void branch_cleanup(branch_mutex *bm)
{
    branch_state st;
    if (state_read(bm, "cleanup: read", &st) != XT_OK)
        return;
    gboolean clear_x = is_mine(bm, st.x), clear_y = is_mine(bm, st.y);
    if (st.present && (clear_x || clear_y))
        (void)state_write(bm, "cleanup: clear mine", clear_x ? NULL : st.x, clear_y ? NULL : st.y,
                          xt_env_now_ms(bm->base.env));
    state_clear(&st);
}

/* The catch block of lock(): cleanup, then rethrow err. */
static int branch_fail(branch_mutex *bm, int err)
{
    if (err != XT_ECANCELLED)
        branch_cleanup(bm);
    xt_env_debug(bm->base.env, "CrossTabMutex %s: lock failed: %s", bm->client_id, xt_strerror(err));
    return err;
}

static int branch_lock(xt_mutex *mutex)
{
    branch_mutex *bm = (branch_mutex *)mutex;
    xt_env *env = mutex->env;
    int64_t start = xt_env_now_ms(env);
    for (int retries = 0; retries < bm->options.retries_max; retries++) {
        int rc = branch_attempt(bm);
        if (rc < 0)
            return branch_fail(bm, rc);
        if (rc == ATTEMPT_ACQUIRED)
            return retries + 1; /* attempts used (see mutex.c) */
        xt_env_observe(env, XT_OBS_LOCK_RETRY, "bucketeer-branch", NULL, retries + 1);
        if (clock_after(env, start, bm->options.timeout_ms))
            return branch_fail(bm, XT_ELOCKTIMEOUT); /* "Mutex lock timeout" */
        rc = xt_env_sleep_ms(env, bm->options.lock_check_interval_ms);
        if (rc != XT_OK)
            return rc; /* cancelled: the tab is going away */
    }
    /* "Failed to acquire mutex lock after N retries": outside the try, so
     * no cleanup; the last attempt's claim stays in storage. */
    xt_env_debug(env, "CrossTabMutex %s: failed after %d retries", bm->client_id, bm->options.retries_max);
    return XT_ELOCKTIMEOUT;
}

static void branch_unlock(xt_mutex *mutex)
{
    branch_mutex *bm = (branch_mutex *)mutex;
    branch_state st;
    int rc = state_read(bm, "release: read", &st);
    if (rc == XT_OK && st.present && is_mine(bm, st.x))
        rc = state_write(bm, "release: clear X", NULL, st.y, xt_env_now_ms(mutex->env));
    state_clear(&st);
    if (rc != XT_OK && rc != XT_ECANCELLED)
        xt_env_warn(mutex->env, "Failed to release mutex lock: %s", xt_strerror(rc));
}

static void branch_free(xt_mutex *mutex)
{
    branch_mutex *bm = (branch_mutex *)mutex;
    g_free(bm->user_id);
    g_free(bm->client_id);
    g_free(bm->key);
    g_string_free(bm->value, TRUE);
    g_free(bm);
}

static const xt_mutex_ops branch_ops = {
    .name = "bucketeer-branch",
    .exclusive = TRUE,
    .lock = branch_lock,
    .unlock = branch_unlock,
    .free = branch_free,
};

xt_mutex *xt_branch_mutex_new(xt_env *env, const xt_branch_mutex_options *options)
{
    assert(env && options && options->user_id);
    assert(options->retries_max >= 0);
    assert(options->timeout_ms >= 0 && options->lock_check_interval_ms >= 0);
    branch_mutex *bm = g_new0(branch_mutex, 1);
    bm->base.ops = &branch_ops;
    bm->base.env = env;
    bm->options = *options;
    bm->user_id = g_strdup(options->user_id);
    bm->client_id = options->client_id ? g_strdup(options->client_id) : xt_client_id_new(env);
    bm->key = xt_branch_mutex_key(bm->user_id);
    bm->options.user_id = bm->user_id;
    bm->options.client_id = bm->client_id;
    bm->value = g_string_new(NULL);
    return &bm->base;
}

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

static const xt_setting branch_settings[] = {
    {"timeout_ms", XT_SETTING_INT, "5000", 1, 86400000, NULL,
     "Lock expiry: how long a written {x, y, timestamp} value stays valid (the SDK wires 3000)."},
    {"lock_check_interval_ms", XT_SETTING_INT, "50", 0, 86400000, NULL, "Constant wait between attempts."},
    {"retries_max", XT_SETTING_INT, "100", 1, 1000000, NULL,
     "Attempts before lock() fails and the caller falls back (the SDK wires 60)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *branch_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                               const xt_mutex_host *host)
{
    (void)fallback_values;
    xt_branch_mutex_options bo;
    xt_branch_mutex_options_init(&bo);
    bo.user_id = host->user_id;
    bo.client_id = host->client_id;
    bo.timeout_ms = v[0];
    bo.lock_check_interval_ms = v[1];
    bo.retries_max = (int)v[2];
    return xt_branch_mutex_new(env, &bo);
}

static void branch_cost(const int64_t *v, xt_mutex_cost *out)
{
    (void)v;
    *out = (xt_mutex_cost){4, 2,
                           "acquire: set {x: me, y: null}, get (check Y), set {x, y: me}, get (verify X and Y); "
                           "release: get, set {x: null, y}",
                           NULL};
}

const xt_mutex_algorithm xt_branch_algorithm = {
    .name = "bucketeer-branch",
    .summary = "the SDK branch's CrossTabMutex: one JSON key {x, y, timestamp}, constant retry interval "
               "(docs/design-under-test.md)",
    .settings = branch_settings,
    .create = branch_create,
    .cost = branch_cost,
};
