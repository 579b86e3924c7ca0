/*
 * test_mutex_seed.c - the seed's CrossTabMutex, step by step.
 *
 * Goal: the port does exactly what the seed's words say, no more: five
 * storage calls for an uncontended lock in the seed's order; release calls
 * per unlock mode that only clear what is mine; retries with the right
 * backoff and XT_ELOCKTIMEOUT after retries_max attempts; expired Y taken
 * under EXPIRED_Y_FREE and not under HELD; storage errors and cancellation
 * end lock() at once; observations and debug logs as documented.
 * Method: a fresh mem_env per test, whose clock only sleep advances;
 * contenders are simulated by writing X and Y directly or from the hooks
 * that run before a storage call or a sleep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "mem_env_assert.h"
#include "xt/mutex_seed.h"

#define X "bucketeer_mutex_x"
#define Y "bucketeer_mutex_y"
#define T0 1000000
#define FAR "other:999999999999"

typedef struct fixture {
    mem_env *m;
    xt_seed_mutex_options options;
    xt_mutex *mutex;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->m = mem_env_new();
    f->m->now_ms = T0;
    xt_seed_mutex_options_init(&f->options);
    f->options.client_id = "me";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    xt_mutex_free(f->mutex);
    mem_env_free(f->m);
    g_free(f);
    return 0;
}

/* Creates the mutex from f->options, then forgets the setup's records. */
static xt_mutex *make(fixture *f)
{
    f->mutex = xt_seed_mutex_new(&f->m->env, &f->options);
    mem_env_clear_records(f->m);
    return f->mutex;
}


static void assert_sleeps(mem_env *m, const int64_t *expected, guint n)
{
    assert_int_equal(m->sleeps->len, n);
    for (guint i = 0; i < n; i++)
        assert_int_equal(g_array_index(m->sleeps, int64_t, i), expected[i]);
}

static void test_options_defaults(void **state)
{
    (void)state;
    xt_seed_mutex_options o;
    memset(&o, 0x5a, sizeof o);
    xt_seed_mutex_options_init(&o);
    assert_null(o.key_x);
    assert_null(o.key_y);
    assert_null(o.client_id);
    assert_int_equal(o.timeout_ms, 5000);
    assert_int_equal(o.lock_check_interval_ms, 50);
    assert_int_equal(o.backoff_max_ms, 1000);
    assert_int_equal(o.retries_max, 100);
    assert_int_equal(o.unlock, XT_SEED_UNLOCK_CLEAR_X);
    assert_int_equal(o.expired_y, XT_SEED_EXPIRED_Y_FREE);
    assert_int_equal(o.backoff, XT_SEED_BACKOFF_EXPONENTIAL);
}

static void test_uncontended_five_ops_exact(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, "set " X "|get " Y "|set " Y "|get " X "|get " Y);
    assert_int_equal(f->m->ops->len, 5);
    assert_steps(f->m, "write ClientID to X|check Y|write ClientID to Y|verify X|verify Y");
    assert_string_equal(mem_env_peek(f->m, X), "me:1005000");
    assert_string_equal(mem_env_peek(f->m, Y), "me:1005000");
    assert_int_equal(f->m->sleeps->len, 0);
    /* Observations: request first, acquired last with attempts = 1. */
    assert_int_equal(mem_env_obs_at(f->m, 0)->kind, XT_OBS_LOCK_REQUEST);
    const mem_obs *last = mem_env_obs_at(f->m, f->m->obs->len - 1);
    assert_int_equal(last->kind, XT_OBS_LOCK_ACQUIRED);
    assert_int_equal(last->value, 1);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 0);
}

static void check_release(fixture *f, xt_seed_unlock mode, const char *ops, const char *steps,
                          gboolean x_left, gboolean y_left)
{
    f->options.unlock = mode;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, ops);
    assert_steps(f->m, steps);
    assert_int_equal(mem_env_peek(f->m, X) != NULL, x_left);
    assert_int_equal(mem_env_peek(f->m, Y) != NULL, y_left);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 1);
}

static void test_release_clear_x(void **state)
{
    check_release(*state, XT_SEED_UNLOCK_CLEAR_X, "get " X "|remove " X,
                  "release: read X|release: clear X", FALSE, TRUE);
}

static void test_release_clear_y(void **state)
{
    check_release(*state, XT_SEED_UNLOCK_CLEAR_Y, "get " Y "|remove " Y,
                  "release: read Y|release: clear Y", TRUE, FALSE);
}

static void test_release_clear_both(void **state)
{
    check_release(*state, XT_SEED_UNLOCK_CLEAR_BOTH,
                  "get " X "|remove " X "|get " Y "|remove " Y,
                  "release: read X|release: clear X|release: read Y|release: clear Y", FALSE,
                  FALSE);
}

static void test_unlock_only_clears_mine(void **state)
{
    fixture *f = *state;
    f->options.unlock = XT_SEED_UNLOCK_CLEAR_BOTH;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_put(f->m, X, FAR); /* someone else wrote X meanwhile */
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, "get " X "|get " Y "|remove " Y);
    assert_string_equal(mem_env_peek(f->m, X), FAR);
    assert_null(mem_env_peek(f->m, Y));

    /* Absent keys and storage errors: still no failure, no remove. */
    mem_env_clear_records(f->m);
    f->m->unavailable = TRUE;
    xt_mutex_unlock(mx);
    assert_int_equal(mem_env_count_ops(f->m, "remove"), 0);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 1);
}

static void test_contention_exponential_then_timeout(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 8;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    static const int64_t expected[] = { 50, 100, 200, 400, 800, 1000, 1000 };
    assert_sleeps(f->m, expected, G_N_ELEMENTS(expected));
    /* Each attempt stops at "check Y": two storage calls, eight attempts. */
    assert_int_equal(f->m->ops->len, 16);
    assert_int_equal(mem_env_count_ops(f->m, "set " Y), 0);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 8);
    int i = -1;
    for (int attempt = 1; attempt <= 8; attempt++) {
        i = mem_env_find_obs(f->m, XT_OBS_LOCK_RETRY, (guint)(i + 1));
        assert_true(i >= 0);
        assert_int_equal(mem_env_obs_at(f->m, (guint)i)->value, attempt);
    }
    const mem_obs *last = mem_env_obs_at(f->m, f->m->obs->len - 1);
    assert_int_equal(last->kind, XT_OBS_LOCK_FAILED);
    assert_int_equal(last->value, XT_ELOCKTIMEOUT);
    assert_string_equal(mem_env_peek(f->m, Y), FAR);
}

static void test_contention_constant(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 4;
    f->options.backoff = XT_SEED_BACKOFF_CONSTANT;
    f->options.lock_check_interval_ms = 25;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    static const int64_t expected[] = { 25, 25, 25 };
    assert_sleeps(f->m, expected, G_N_ELEMENTS(expected));
}

static void test_one_attempt_no_sleep(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 1;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_int_equal(f->m->sleeps->len, 0);
}

static void test_backoff_no_overflow(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 70;
    f->options.lock_check_interval_ms = 3;
    f->options.backoff_max_ms = INT64_MAX;
    f->options.timeout_ms = INT64_MAX; /* the claim's expiry saturates */
    f->options.expired_y = XT_SEED_EXPIRED_Y_HELD; /* the clock saturates too */
    mem_env_put(f->m, Y, "other:9223372036854775807");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_int_equal(f->m->sleeps->len, 69);
    int64_t prev = 0;
    for (guint i = 0; i < f->m->sleeps->len; i++) {
        int64_t s = g_array_index(f->m->sleeps, int64_t, i);
        assert_true(s >= prev);
        prev = s;
    }
    assert_int_equal(g_array_index(f->m->sleeps, int64_t, 0), 3);
    assert_int_equal(g_array_index(f->m->sleeps, int64_t, 61), 3LL << 61);
    assert_int_equal(g_array_index(f->m->sleeps, int64_t, 68), INT64_MAX);
}

typedef struct release_after {
    guint sleeps;
    guint at;
} release_after;

static void release_y_on_sleep(mem_env *m, const char *op, const char *key, void *data)
{
    (void)key;
    release_after *r = data;
    if (strcmp(op, "sleep") == 0 && ++r->sleeps == r->at)
        g_hash_table_remove(m->storage, Y);
}

static void test_acquired_after_holder_releases(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, FAR);
    release_after r = { .at = 2 };
    f->m->hook = release_y_on_sleep;
    f->m->hook_data = &r;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    static const int64_t expected[] = { 50, 100 };
    assert_sleeps(f->m, expected, 2);
    const mem_obs *last = mem_env_obs_at(f->m, f->m->obs->len - 1);
    assert_int_equal(last->kind, XT_OBS_LOCK_ACQUIRED);
    assert_int_equal(last->value, 3);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 2);
    /* The claim uses the clock of the winning attempt. */
    assert_string_equal(mem_env_peek(f->m, Y), "me:1005150");
}

static void test_expired_y_free(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "other:1000000"); /* expires_at == now: expired */
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_int_equal(f->m->sleeps->len, 0);
    assert_string_equal(mem_env_peek(f->m, Y), "me:1005000");
}

static void test_expires_while_waiting_free(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "other:1000001"); /* one ms left */
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    static const int64_t expected[] = { 50 };
    assert_sleeps(f->m, expected, 1);
}

static void test_expired_y_held(void **state)
{
    fixture *f = *state;
    f->options.expired_y = XT_SEED_EXPIRED_Y_HELD;
    f->options.retries_max = 3;
    mem_env_put(f->m, Y, "other:1");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_string_equal(mem_env_peek(f->m, Y), "other:1");
}

static void test_own_unexpired_y_not_available(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 2;
    mem_env_put(f->m, Y, "me:2000000");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_int_equal(mem_env_count_ops(f->m, "set " Y), 0);
}

/* The literal default (unlock clears X only, my own unexpired Y is not
 * available) makes a tab wait for its own claim to expire before it can
 * lock again: the second lock succeeds only once Y's expiry has passed. */
static void test_relock_after_clear_x_waits_for_own_y(void **state)
{
    fixture *f = *state;
    f->options.timeout_ms = 300;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    xt_mutex_unlock(mx);
    assert_string_equal(mem_env_peek(f->m, Y), "me:1000300");
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    /* 50 + 100 + 200 = 350 ms >= 300: attempt 4 sees Y expired. */
    static const int64_t expected[] = { 50, 100, 200 };
    assert_sleeps(f->m, expected, G_N_ELEMENTS(expected));

    /* CLEAR_Y (Lamport's exit) relocks at once. */
    xt_mutex_free(mx);
    f->options.unlock = XT_SEED_UNLOCK_CLEAR_Y;
    mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    xt_mutex_unlock(mx);
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_int_equal(f->m->sleeps->len, 0);
}

static void test_unparsable_y_is_free(void **state)
{
    fixture *f = *state;
    const char *values[] = { "garbage", "", "other:", "other:12x", ":123", "other:99999999999999999999" };
    xt_mutex *mx = make(f);
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        mem_env_put(f->m, Y, values[i]);
        mem_env_clear_records(f->m);
        assert_int_equal(xt_mutex_lock(mx), XT_OK);
        assert_int_equal(f->m->ops->len, 5);
    }
}

static void test_id_with_colon_parses(void **state)
{
    fixture *f = *state;
    f->options.client_id = "tab:7";
    f->options.retries_max = 1;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_string_equal(mem_env_peek(f->m, X), "tab:7:1005000");
    /* "tab" is a different client, even though "tab:7:..." starts with it. */
    mem_env_put(f->m, Y, "tab:1999999");
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
}

/* Another tab writes X between my "write ClientID to Y" and "verify X". */
static void steal_x_before_verify(mem_env *m, const char *op, const char *key, void *data)
{
    gboolean *armed = data;
    if (strcmp(op, "set") == 0 && strcmp(key, Y) == 0)
        *armed = TRUE;
    else if (*armed && strcmp(op, "get") == 0 && strcmp(key, X) == 0) {
        *armed = FALSE;
        m->hook = NULL;
        g_hash_table_insert(m->storage, g_strdup(X), g_strdup(FAR));
    }
}

static void test_verify_fails_leaves_y_mine(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 3;
    gboolean armed = FALSE;
    f->m->hook = steal_x_before_verify;
    f->m->hook_data = &armed;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    /* The literal port names no cleanup: my stale Y now blocks me too. */
    assert_string_equal(mem_env_peek(f->m, Y), "me:1005000");
    assert_int_equal(mem_env_count_ops(f->m, "set " Y), 1);
    assert_int_equal(f->m->sleeps->len, 2);
}

static void test_storage_error_aborts(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    f->m->fail_set_at = 1;
    f->m->fail_set_err = XT_EQUOTA;
    assert_int_equal(xt_mutex_lock(mx), XT_EQUOTA);
    assert_int_equal(f->m->ops->len, 1);
    const mem_obs *last = mem_env_obs_at(f->m, f->m->obs->len - 1);
    assert_int_equal(last->kind, XT_OBS_LOCK_FAILED);
    assert_int_equal(last->value, XT_EQUOTA);

    mem_env_clear_records(f->m);
    f->m->fail_get_at = 2; /* "verify X" */
    f->m->fail_get_err = XT_EUNAVAILABLE;
    assert_int_equal(xt_mutex_lock(mx), XT_EUNAVAILABLE);
    assert_int_equal(f->m->ops->len, 4);
    assert_int_equal(f->m->sleeps->len, 0);
}

static void test_cancel_in_storage(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    f->m->cancel_after_calls = 1; /* set X passes, check Y is cancelled */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(f->m->ops->len, 2);
    assert_int_equal(f->m->sleeps->len, 0);
    /* unlock under cancellation: one call, then it stops. */
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, "get " X);
}

static void test_cancel_in_sleep(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    f->m->cancel_after_calls = 2; /* attempt 1 runs, its sleep is cancelled */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(f->m->sleeps->len, 1);
    assert_int_equal(f->m->ops->len, 2);
}

static void test_cancel_in_unlock_clear_both(void **state)
{
    fixture *f = *state;
    f->options.unlock = XT_SEED_UNLOCK_CLEAR_BOTH;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_clear_records(f->m);
    f->m->cancel_after_calls = 0;
    xt_mutex_unlock(mx);
    assert_ops(f->m, "get " X);
}

typedef struct cs_probe {
    mem_env *m;
    gboolean ran;
    gboolean inside; /* CS_ENTER seen before fn, no CS_EXIT yet */
    int result;
} cs_probe;

static int cs_fn(void *arg)
{
    cs_probe *p = arg;
    p->ran = TRUE;
    p->inside = mem_env_count_obs(p->m, XT_OBS_CS_ENTER) == 1 &&
                mem_env_count_obs(p->m, XT_OBS_CS_EXIT) == 0 &&
                mem_env_count_obs(p->m, XT_OBS_LOCK_RELEASED) == 0;
    return p->result;
}

static void test_with_lock_brackets_fn(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    cs_probe p = { .m = f->m, .result = XT_ESERVER };
    assert_int_equal(xt_mutex_with_lock(mx, cs_fn, &p), XT_ESERVER);
    assert_true(p.ran);
    assert_true(p.inside);
    int exit_at = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, 0);
    int released_at = mem_env_find_obs(f->m, XT_OBS_LOCK_RELEASED, 0);
    assert_true(exit_at >= 0 && released_at > exit_at);
    assert_null(mem_env_peek(f->m, X)); /* unlocked despite fn's error */
}

static void test_with_lock_failure_skips_fn(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 2;
    mem_env_put(f->m, Y, FAR);
    xt_mutex *mx = make(f);
    cs_probe p = { .m = f->m, .result = XT_OK };
    assert_int_equal(xt_mutex_with_lock(mx, cs_fn, &p), XT_ELOCKTIMEOUT);
    assert_false(p.ran);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_CS_ENTER), 0);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 0);
}

static void test_default_client_id_and_keys(void **state)
{
    fixture *f = *state;
    f->options.client_id = NULL;
    f->options.key_x = "kx";
    f->options.key_y = "ky";
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    const char *x = mem_env_peek(f->m, "kx");
    assert_non_null(x);
    assert_true(g_str_has_prefix(x, "1000000-"));
    assert_string_equal(x, mem_env_peek(f->m, "ky"));
    assert_null(mem_env_peek(f->m, X));
}

static void test_options_strings_copied(void **state)
{
    fixture *f = *state;
    char *id = g_strdup("temp-id");
    char *kx = g_strdup("temp_x");
    f->options.client_id = id;
    f->options.key_x = kx;
    xt_mutex *mx = make(f);
    g_free(id);
    g_free(kx);
    f->options.client_id = NULL;
    f->options.key_x = NULL;
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_string_equal(mem_env_peek(f->m, "temp_x"), "temp-id:1005000");
}

static void test_debug_logs(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, "bucketeer_debug", "true");
    xt_env_debug_init(&f->m->env);
    mem_env_put(f->m, Y, FAR);
    release_after r = { .at = 1 };
    f->m->hook = release_y_on_sleep;
    f->m->hook_data = &r;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    xt_mutex_unlock(mx);
    assert_true(mem_env_logged(f->m, "DEBUG: CrossTabMutex me: attempt 1: Y is taken"));
    assert_true(mem_env_logged(f->m, "DEBUG: CrossTabMutex me: lock acquired after 2 attempt(s)"));
    assert_true(mem_env_logged(f->m, "DEBUG: CrossTabMutex me: lock released"));
}

static void test_no_debug_logs_by_default(void **state)
{
    fixture *f = *state;
    xt_env_debug_init(&f->m->env);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    xt_mutex_unlock(mx);
    assert_int_equal(f->m->logs->len, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_options_defaults),
        T(test_uncontended_five_ops_exact),
        T(test_release_clear_x),
        T(test_release_clear_y),
        T(test_release_clear_both),
        T(test_unlock_only_clears_mine),
        T(test_contention_exponential_then_timeout),
        T(test_contention_constant),
        T(test_one_attempt_no_sleep),
        T(test_backoff_no_overflow),
        T(test_acquired_after_holder_releases),
        T(test_expired_y_free),
        T(test_expires_while_waiting_free),
        T(test_expired_y_held),
        T(test_own_unexpired_y_not_available),
        T(test_relock_after_clear_x_waits_for_own_y),
        T(test_unparsable_y_is_free),
        T(test_id_with_colon_parses),
        T(test_verify_fails_leaves_y_mine),
        T(test_storage_error_aborts),
        T(test_cancel_in_storage),
        T(test_cancel_in_sleep),
        T(test_cancel_in_unlock_clear_both),
        T(test_with_lock_brackets_fn),
        T(test_with_lock_failure_skips_fn),
        T(test_default_client_id_and_keys),
        T(test_options_strings_copied),
        T(test_debug_logs),
        T(test_no_debug_logs_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
