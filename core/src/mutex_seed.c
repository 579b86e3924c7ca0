/*
 * mutex_seed.c - the seed document's CrossTabMutex: two keys, X and Y.
 *
 * Why it exists: it is the design under test, ported as literally as the
 * seed allows, so that the simulator can show what that design does under
 * interleavings a browser really produces.  (The seed document is the SDK's
 * design document, docs/cross-tab-synchronization.md on its unmerged
 * branch; docs/design-under-test.md says where to find it.)  It is not
 * Lamport's algorithm (there is no b[] array and no wait for other
 * contenders in the x != i branch), and it is not claimed to be safe.
 *
 * Each option, and the seed sentence behind it:
 *   key_x, key_y ("bucketeer_mutex_x" / "_y"):
 *       "The mutex implementation uses two localStorage keys (X and Y) to
 *       coordinate access".
 *   client_id (default xt_client_id_new(), "<now>-<base-36>"):
 *       "Step 1: Write ClientID_1 to X"; the format is the SDK branch's
 *       Date.now() + "-" + random base-36 (CrossTabMutex.ts, commit 5cbad91).
 *   timeout_ms (5000):
 *       "timeout?: number // Maximum time to hold a lock (default: 5000ms)"
 *       and "Timeout Protection: Locks automatically expire to prevent
 *       deadlocks".  Every value written is "<client_id>:<expires_at_ms>"
 *       with expires_at_ms = now + timeout_ms.
 *   lock_check_interval_ms (50):
 *       "lockCheckInterval?: number // How often to check for lock
 *       availability (default: 50ms)" and the diagram's "Wait 50ms".
 *   retries_max (100):
 *       "maxRetries?: number // Maximum number of retry attempts (default:
 *       100)".  Read, like the SDK branch's loop, as the number of attempts:
 *       lock() makes at most retries_max attempts (the first included) and
 *       sleeps at most retries_max - 1 times before XT_ELOCKTIMEOUT.  The
 *       branch's extra "now - start > timeout" bound is not in the seed
 *       document and is not ported.
 *   backoff (EXPONENTIAL): "Retry Logic: Automatic retries with exponential
 *       backoff"; CONSTANT is the diagram's "T2->>T2: Wait 50ms".  The wait
 *       after failed attempt k is lock_check_interval_ms << (k - 1) for
 *       EXPONENTIAL and lock_check_interval_ms for CONSTANT.
 *   backoff_max_ms (1000): not in the seed, which gives exponential backoff
 *       no cap; ours caps one exponential wait so that 100 retries stay
 *       finite.
 *   expired_y (FREE): "Step 2: Check if Y is available" with "Locks
 *       automatically expire" and "Automatic Cleanup: Expired locks are
 *       automatically cleaned up": under FREE a Y whose expiry is <= now is
 *       available; under HELD only an empty Y is.
 *   unlock (CLEAR_X): the diagram's "T1->>LS: Release lock (clear X)";
 *       CLEAR_Y is Lamport's exit "y := 0"; CLEAR_BOTH removes both.
 *   unlock never fails: "Best-effort Cleanup: Unlock operations never throw
 *       errors".
 *   debug logs on acquire, failed attempt and release: "This will show
 *       detailed information about lock acquisition and release."
 *
 * One attempt is synchronous (no await inside, like the branch's
 * tryAcquireLock), five storage calls when uncontended:
 *     now = clock
 *     "write ClientID to X"   set X = me:now+timeout
 *     "check Y"               get Y; available iff absent, unparsable, or
 *                             (expired_y == FREE and expires_at <= the
 *                             clock, xt_env_deadline_passed).
 *                             A Y holding my own id, unexpired, is NOT
 *                             available: the seed says nothing about
 *                             re-entry, so the literal check applies.
 *                             Not available => the attempt fails here.
 *     "write ClientID to Y"   set Y = me:now+timeout
 *     "verify X", "verify Y"  get X, get Y; acquired iff both hold my id.
 * A failed verification leaves Y holding my id (the seed names no cleanup
 * on that path); until it expires, my own next attempts see Y taken.
 *
 * Values: "<client_id>:<expires_at_ms>", split at the last ':'.  A value
 * with no ':', an empty id, or an expiry that is not a whole decimal int64
 * is unparsable; it counts as free in "check Y" and as not mine elsewhere.
 *
 * Errors: any storage error during an attempt (XT_EQUOTA, XT_EUNAVAILABLE,
 * XT_ECANCELLED) ends lock() at once with that error, without cleanup of
 * what the attempt already wrote (it expires).  A sleep that returns
 * XT_ECANCELLED ends lock() with XT_ECANCELLED.  So a cancelled tab leaves
 * lock() after at most one storage call or one sleep.
 *
 * Unlock, "only clear what is mine": for each key to clear (per the unlock
 * option, X before Y) it reads the key ("release: read X") and removes it
 * ("release: clear X") only if the value holds my id, so a holder whose
 * lock expired and was taken over does not erase the new holder's claim.
 * (Read and remove are two calls, so this narrows the window; it does not
 * close it.)  Errors are swallowed; XT_ECANCELLED stops the release at once.
 */
#include "xt/mutex_seed.h"
#include "xt/mutex_algorithm.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define SEED_KEY_X_DEFAULT "bucketeer_mutex_x"
#define SEED_KEY_Y_DEFAULT "bucketeer_mutex_y"
#define SEED_TIMEOUT_MS_DEFAULT 5000
#define SEED_LOCK_CHECK_INTERVAL_MS_DEFAULT 50
#define SEED_BACKOFF_MAX_MS_DEFAULT 1000
#define SEED_RETRIES_MAX_DEFAULT 100

typedef struct seed_mutex {
    xt_mutex base; /* first: an xt_mutex* is a seed_mutex* */
    xt_seed_mutex_options options; /* strings point at the copies below */
    char *key_x;
    char *key_y;
    char *client_id;
    GString *value;   /* scratch for reads, reused across attempts */
    GString *claim;   /* scratch for "<id>:<expires>" writes */
} seed_mutex;

typedef enum attempt_result { ATTEMPT_FAILED = 0, ATTEMPT_ACQUIRED = 1 } attempt_result;

void xt_seed_mutex_options_init(xt_seed_mutex_options *options)
{
    assert(options);
    memset(options, 0, sizeof *options);
    options->key_x = NULL;
    options->key_y = NULL;
    options->client_id = NULL;
    options->timeout_ms = SEED_TIMEOUT_MS_DEFAULT;
    options->lock_check_interval_ms = SEED_LOCK_CHECK_INTERVAL_MS_DEFAULT;
    options->backoff_max_ms = SEED_BACKOFF_MAX_MS_DEFAULT;
    options->retries_max = SEED_RETRIES_MAX_DEFAULT;
    options->unlock = XT_SEED_UNLOCK_CLEAR_X;
    options->expired_y = XT_SEED_EXPIRED_Y_FREE;
    options->backoff = XT_SEED_BACKOFF_EXPONENTIAL;
}

/* Decimal int64 of the whole text, no sign other than '-', no spaces:
 * this runs on every lock attempt, so no locale-aware strtoll. */
static gboolean parse_int64(const char *text, int64_t *out)
{
    gboolean negative = *text == '-';
    const char *c = text + negative;
    if (*c == '\0')
        return FALSE;
    uint64_t v = 0;
    for (; *c; c++) {
        if (*c < '0' || *c > '9')
            return FALSE;
        unsigned d = (unsigned)(*c - '0');
        if (v > (UINT64_C(9223372036854775808) - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    if (!negative && v > (uint64_t)INT64_MAX)
        return FALSE;
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return TRUE;
}

/* Splits "<id>:<expires_at_ms>".  FALSE if unparsable (see file comment). */
static gboolean value_parse(const char *value, size_t *id_len_out, int64_t *expires_at_out)
{
    const char *colon = strrchr(value, ':');
    if (!colon || colon == value || colon[1] == '\0')
        return FALSE;
    int64_t expires_at;
    if (!parse_int64(colon + 1, &expires_at))
        return FALSE;
    *id_len_out = (size_t)(colon - value);
    *expires_at_out = expires_at;
    return TRUE;
}

static gboolean value_is_mine(const seed_mutex *seed, const char *value)
{
    size_t id_len;
    int64_t expires_at;
    if (!value_parse(value, &id_len, &expires_at))
        return FALSE;
    return id_len == strlen(seed->client_id) &&
           memcmp(value, seed->client_id, id_len) == 0;
}

/* Y is available if absent, unparsable, or expired under EXPIRED_Y_FREE:
 * expires_at <= now, compared through the environment's clock (the clock
 * when Y was read; the claims use the attempt's start). */
static gboolean y_available(seed_mutex *seed, int get_rc)
{
    if (get_rc == XT_ENOTFOUND)
        return TRUE;
    size_t id_len;
    int64_t expires_at;
    if (!value_parse(seed->value->str, &id_len, &expires_at))
        return TRUE;
    return seed->options.expired_y == XT_SEED_EXPIRED_Y_FREE && xt_env_deadline_passed(seed->base.env, expires_at);
}

static int claim_write(seed_mutex *seed, const char *step, const char *key, int64_t now)
{
    /* Saturate rather than overflow: a clock near INT64_MAX never expires. */
    int64_t timeout = seed->options.timeout_ms;
    int64_t expires_at = now > INT64_MAX - timeout ? INT64_MAX : now + timeout;
    /* "<id>:<expires_at>", formatted by hand: printf is most of an attempt's CPU. */
    char digits[24];
    int n = 0;
    uint64_t v = expires_at < 0 ? 0 - (uint64_t)expires_at : (uint64_t)expires_at;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    g_string_assign(seed->claim, seed->client_id);
    g_string_append_c(seed->claim, ':');
    if (expires_at < 0)
        g_string_append_c(seed->claim, '-');
    while (n > 0)
        g_string_append_c(seed->claim, digits[--n]);
    xt_env_step(seed->base.env, step);
    return xt_env_set(seed->base.env, key, seed->claim->str);
}

/* Reads key into seed->value; sets *mine.  Returns XT_OK (absent counts as
 * not mine) or the storage error. */
static int key_read_mine(seed_mutex *seed, const char *step, const char *key, gboolean *mine)
{
    xt_env_step(seed->base.env, step);
    int rc = xt_env_get(seed->base.env, key, seed->value);
    *mine = rc == XT_OK && value_is_mine(seed, seed->value->str);
    return rc == XT_ENOTFOUND ? XT_OK : rc;
}

/* One synchronous attempt: ATTEMPT_ACQUIRED, ATTEMPT_FAILED or an error. */
static int seed_attempt(seed_mutex *seed, int attempt)
{
    xt_env *env = seed->base.env;
    int64_t now = xt_env_now_ms(env);
    int rc = claim_write(seed, "write ClientID to X", seed->key_x, now);
    if (rc != XT_OK)
        return rc;

    xt_env_step(env, "check Y");
    rc = xt_env_get(env, seed->key_y, seed->value);
    if (rc != XT_OK && rc != XT_ENOTFOUND)
        return rc;
    if (!y_available(seed, rc)) {
        xt_env_debug(env, "CrossTabMutex %s: attempt %d: Y is taken (%s), backing off",
                     seed->client_id, attempt, seed->value->str);
        return ATTEMPT_FAILED;
    }

    rc = claim_write(seed, "write ClientID to Y", seed->key_y, now);
    if (rc != XT_OK)
        return rc;

    gboolean x_mine, y_mine;
    rc = key_read_mine(seed, "verify X", seed->key_x, &x_mine);
    if (rc != XT_OK)
        return rc;
    rc = key_read_mine(seed, "verify Y", seed->key_y, &y_mine);
    if (rc != XT_OK)
        return rc;
    if (x_mine && y_mine)
        return ATTEMPT_ACQUIRED;
    xt_env_debug(env, "CrossTabMutex %s: attempt %d: lost the race (X %s, Y %s)",
                 seed->client_id, attempt, x_mine ? "mine" : "taken",
                 y_mine ? "mine" : "taken");
    return ATTEMPT_FAILED;
}

/* The wait after failed attempt number `attempt` (1-based). */
static int64_t seed_backoff_ms(const seed_mutex *seed, int attempt)
{
    int64_t interval = seed->options.lock_check_interval_ms;
    if (seed->options.backoff == XT_SEED_BACKOFF_CONSTANT)
        return interval;
    int64_t cap = seed->options.backoff_max_ms;
    int shift = attempt - 1;
    /* interval << shift would overflow (or exceed any cap): use the cap. */
    if (shift >= 63 || interval > (INT64_MAX >> shift))
        return cap;
    int64_t wait = interval << shift;
    return wait < cap ? wait : cap;
}

static int seed_lock(xt_mutex *mutex)
{
    seed_mutex *seed = (seed_mutex *)mutex;
    xt_env *env = mutex->env;
    for (int attempt = 1;; attempt++) {
        int rc = seed_attempt(seed, attempt);
        if (rc < 0) {
            xt_env_debug(env, "CrossTabMutex %s: lock aborted: %s", seed->client_id,
                         xt_strerror(rc));
            return rc;
        }
        if (rc == ATTEMPT_ACQUIRED) {
            xt_env_debug(env, "CrossTabMutex %s: lock acquired after %d attempt(s)",
                         seed->client_id, attempt);
            return attempt; /* positive: attempts used (see mutex.c) */
        }
        xt_env_observe(env, XT_OBS_LOCK_RETRY, "seed", NULL, attempt);
        if (attempt >= seed->options.retries_max) {
            xt_env_debug(env, "CrossTabMutex %s: lock timed out after %d attempt(s)",
                         seed->client_id, attempt);
            return XT_ELOCKTIMEOUT;
        }
        rc = xt_env_sleep_ms(env, seed_backoff_ms(seed, attempt));
        if (rc != XT_OK)
            return rc;
    }
}

/* Removes key if it holds my id.  FALSE when cancelled (stop releasing). */
static gboolean seed_release_key(seed_mutex *seed, const char *read_step,
                                 const char *clear_step, const char *key)
{
    gboolean mine;
    int rc = key_read_mine(seed, read_step, key, &mine);
    if (rc == XT_ECANCELLED)
        return FALSE;
    if (rc != XT_OK || !mine)
        return TRUE;
    xt_env_step(seed->base.env, clear_step);
    rc = xt_env_remove(seed->base.env, key);
    return rc != XT_ECANCELLED;
}

static void seed_unlock(xt_mutex *mutex)
{
    seed_mutex *seed = (seed_mutex *)mutex;
    xt_seed_unlock mode = seed->options.unlock;
    gboolean go_on = TRUE;
    if (mode == XT_SEED_UNLOCK_CLEAR_X || mode == XT_SEED_UNLOCK_CLEAR_BOTH)
        go_on = seed_release_key(seed, "release: read X", "release: clear X", seed->key_x);
    if (go_on && (mode == XT_SEED_UNLOCK_CLEAR_Y || mode == XT_SEED_UNLOCK_CLEAR_BOTH))
        go_on = seed_release_key(seed, "release: read Y", "release: clear Y", seed->key_y);
    xt_env_debug(mutex->env, "CrossTabMutex %s: lock released%s", seed->client_id,
                 go_on ? "" : " (cancelled)");
}

static void seed_free(xt_mutex *mutex)
{
    seed_mutex *seed = (seed_mutex *)mutex;
    g_free(seed->key_x);
    g_free(seed->key_y);
    g_free(seed->client_id);
    g_string_free(seed->value, TRUE);
    g_string_free(seed->claim, TRUE);
    g_free(seed);
}

static const xt_mutex_ops seed_ops = {
    .name = "seed",
    .exclusive = TRUE,
    .lock = seed_lock,
    .unlock = seed_unlock,
    .free = seed_free,
};

xt_mutex *xt_seed_mutex_new(xt_env *env, const xt_seed_mutex_options *options)
{
    assert(env);
    xt_seed_mutex_options defaults;
    if (!options) {
        xt_seed_mutex_options_init(&defaults);
        options = &defaults;
    }
    assert(options->retries_max >= 1);
    assert(options->timeout_ms >= 0);
    assert(options->lock_check_interval_ms >= 0);
    assert(options->backoff_max_ms >= 0);

    seed_mutex *seed = g_new0(seed_mutex, 1);
    seed->base.ops = &seed_ops;
    seed->base.env = env;
    seed->options = *options;
    seed->key_x = g_strdup(options->key_x ? options->key_x : SEED_KEY_X_DEFAULT);
    seed->key_y = g_strdup(options->key_y ? options->key_y : SEED_KEY_Y_DEFAULT);
    assert(strcmp(seed->key_x, seed->key_y) != 0);
    seed->client_id = options->client_id ? g_strdup(options->client_id)
                                         : xt_client_id_new(env);
    /* ':' splits a value; an id containing one would still parse (the last
     * ':' is the separator), so ids are not restricted further. */
    seed->options.key_x = seed->key_x;
    seed->options.key_y = seed->key_y;
    seed->options.client_id = seed->client_id;
    seed->value = g_string_new(NULL);
    seed->claim = g_string_new(NULL);
    return &seed->base;
}

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

static const char *const seed_backoff_names[] = {"exponential", "constant", NULL};
static const char *const seed_unlock_names[] = {"clear-x", "clear-y", "clear-both", NULL};
static const char *const seed_expired_y_names[] = {"free", "held", NULL};
#define DAY_MS 86400000

static const char *const seed_variants[] = {"unlock", "expired_y", NULL};

static const xt_setting seed_settings[] = {
    {"timeout_ms", XT_SETTING_INT, "5000", 1, DAY_MS, NULL, "Lock expiry: how long a written X or Y value stays valid."},
    {"lock_check_interval_ms", XT_SETTING_INT, "50", 0, DAY_MS, NULL,
     "First wait between attempts (then doubled under exponential backoff)."},
    {"backoff_max_ms", XT_SETTING_INT, "1000", 0, DAY_MS, NULL, "Cap of one exponential-backoff wait."},
    {"retries_max", XT_SETTING_INT, "100", 1, 1000000, NULL, "Attempts before lock() fails and the caller falls back."},
    {"backoff", XT_SETTING_ENUM, "exponential", 0, 0, seed_backoff_names,
     "exponential (the design's \"retries with exponential backoff\") or constant (its diagram's \"Wait 50ms\")."},
    {"unlock", XT_SETTING_ENUM, "clear-x", 0, 0, seed_unlock_names,
     "What unlock removes: clear-x (the diagram's \"Release lock (clear X)\"), clear-y (Lamport's y := 0), "
     "clear-both."},
    {"expired_y", XT_SETTING_ENUM, "free", 0, 0, seed_expired_y_names,
     "Whether an expired Y counts as available in step 2: free (locks expire) or held (only an empty Y is)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *seed_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                             const xt_mutex_host *host)
{
    (void)fallback_values;
    xt_seed_mutex_options o;
    xt_seed_mutex_options_init(&o);
    o.client_id = host->client_id;
    o.timeout_ms = v[0];
    o.lock_check_interval_ms = v[1];
    o.backoff_max_ms = v[2];
    o.retries_max = (int)v[3];
    o.backoff = (xt_seed_backoff)v[4];
    o.unlock = (xt_seed_unlock)v[5];
    o.expired_y = (xt_seed_expired_y)v[6];
    return xt_seed_mutex_new(env, &o);
}

/* One attempt; unlock reads each key it clears, then removes it. */
static void seed_cost(const int64_t *v, xt_mutex_cost *out)
{
    static const char *const variants[] = {"unlock clear-x", "unlock clear-y", "unlock clear-both"};
    static const char *const defs[] = {
        "acquire: set X, get Y, set Y, get X, get Y; release: get X, remove X",
        "acquire: set X, get Y, set Y, get X, get Y; release: get Y, remove Y",
        "acquire: set X, get Y, set Y, get X, get Y; release: get X, remove X, get Y, remove Y"};
    int u = (int)v[5];
    *out = (xt_mutex_cost){5, u == XT_SEED_UNLOCK_CLEAR_BOTH ? 4 : 2, defs[u], variants[u]};
}

const xt_mutex_algorithm xt_seed_algorithm = {
    .name = "seed",
    .summary = "the design document's CrossTabMutex: two keys X and Y with expiry, retries and a fall-back to "
               "unlocked storage (docs/design-under-test.md)",
    .settings = seed_settings,
    .variants = seed_variants,
    .create = seed_create,
    .cost = seed_cost,
};
