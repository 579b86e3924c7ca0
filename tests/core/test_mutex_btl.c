/*
 * test_mutex_btl.c - browser-tabs-lock 1.3.0 ported (core/src/mutex_btl.c),
 * step by step.
 *
 * Goal: the port does what the package's index.ts does: an uncontended
 * acquire is delay(30), getItem, a random delay of 0..24 ms (its draw
 * announced as 25 timing outcomes, XT_OBS_RANDOM), setItem of
 * {id, iat, timeoutKey, timeAcquired, timeRefreshed}, delay(30), getItem;
 * a read-back that is not ours retries with a new iat; a held key runs
 * lockCorrector (key(0), key(1), ... then every prefixed key, removing
 * those not refreshed for 5 s, then notifyWaiters) and waits for a storage
 * event, at least 50 ms; without events the wait is the whole timeout and
 * acquireLock returns false; releaseLock removes the key only when its id
 * is ours (the id alone: any iat); the refresher rewrites timeRefreshed
 * every second while its iat is held and stops on release or a null key;
 * parse errors and cancellation end lock() at once.  Method: a fresh
 * mem_env; other tabs are played by hooks that rewrite storage just before
 * a chosen call; a copy of mem_env's methods with wait and
 * storage_notify stubs stands for a backend with `storage` events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/mutex_btl.h"

#define KEY "browser-tabs-lock-key-bucketeer_events"
#define T0 1000000 /* mem_env's clock at start */

static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXTZabcdefghiklmnopqrstuvwxyz";

/* ---- a backend with storage events: mem_env plus two stubs ---- */

static xt_env_methods events_methods;
static int64_t event_after_ms; /* the stub's wait ends after this (or its timeout) */
static int any_key_waits;      /* waits that listened to every key's `storage` event */

static int stub_wait(void *ctx, const char *const *keys, size_t n_keys, int64_t timeout_ms)
{
    mem_env *m = ctx;
    if (m->hook)
        m->hook(m, "wait", NULL, m->hook_data);
    any_key_waits += keys == NULL && n_keys == 0;
    g_ptr_array_add(m->ops, g_strdup_printf("wait %" G_GINT64_FORMAT, (gint64)timeout_ms));
    m->now_ms += MIN(timeout_ms, event_after_ms);
    return timeout_ms <= event_after_ms ? XT_ETIMEOUT : XT_OK;
}

static void stub_storage_notify(void *ctx)
{
    mem_env *m = ctx;
    g_ptr_array_add(m->ops, g_strdup("notify"));
}

static void with_events(mem_env *m, int64_t after_ms)
{
    events_methods = *m->env.m;
    events_methods.wait = stub_wait;
    any_key_waits = 0;
    events_methods.storage_notify = stub_storage_notify;
    m->env.m = &events_methods;
    event_after_ms = after_ms;
}

static int setup(void **state)
{
    mem_env *m = mem_env_new();
    m->defer_spawns = TRUE;
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    mem_env *m = *state;
    g_hash_table_remove_all(m->storage); /* deferred refreshers then stop at once */
    mem_env_run_deferred(m);
    mem_env_free(m);
    return 0;
}

static xt_mutex *btl_new(mem_env *m, int64_t timeout_ms)
{
    xt_btl_mutex_options o;
    xt_btl_mutex_options_init(&o);
    o.id = "me";
    o.acquire_timeout_ms = timeout_ms;
    return xt_btl_mutex_new(&m->env, &o);
}

static char *claim(const char *id, const char *iat, int64_t acquired, int64_t refreshed)
{
    return g_strdup_printf("{\"id\":\"%s\",\"iat\":\"%s\",\"timeoutKey\":\"%s-bucketeer_events-%s\","
                           "\"timeAcquired\":%" G_GINT64_FORMAT ",\"timeRefreshed\":%" G_GINT64_FORMAT "}",
                           id, iat, id, iat, (gint64)acquired, (gint64)refreshed);
}

static void put_claim(mem_env *m, const char *key, const char *id, int64_t acquired, int64_t refreshed)
{
    char *text = claim(id, "1x", acquired, refreshed);
    mem_env_put(m, key, text);
    g_free(text);
}

static void assert_ops(mem_env *m, const char *expected)
{
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, expected);
    g_free(ops);
}

static int64_t sleep_at(mem_env *m, guint i)
{
    assert_true(i < m->sleeps->len);
    return g_array_index(m->sleeps, int64_t, i);
}

/* The iat of the JSON in text ("iat":"..."); caller frees. */
static char *iat_of(const char *text)
{
    const char *p = strstr(text, "\"iat\":\"");
    assert_non_null(p);
    p += 7;
    return g_strndup(p, strcspn(p, "\""));
}

static void assert_random_chars(const char *s, size_t n)
{
    assert_int_equal(strlen(s), n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strchr(alphabet, s[i]));
}

static void test_options_and_key(void **state)
{
    (void)state;
    xt_btl_mutex_options o;
    xt_btl_mutex_options_init(&o);
    assert_int_equal(o.acquire_timeout_ms, 5000);
    assert_null(o.lock_key);
    assert_null(o.id);
    char *key = xt_btl_storage_key("bucketeer_events");
    assert_string_equal(key, KEY);
    g_free(key);
}

/* Uncontended: the calls, the delays, the JSON written, then release. */
static void test_uncontended(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = btl_new(m, 5000);
    assert_string_equal(xt_mutex_name(mx), "browser-tabs-lock");
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(m, "get " KEY "|set " KEY "|get " KEY);
    assert_int_equal(m->sleeps->len, 3);
    assert_int_equal(sleep_at(m, 0), 30);
    int64_t jitter = sleep_at(m, 1);
    assert_true(jitter >= 0 && jitter <= 24);
    assert_int_equal(sleep_at(m, 2), 30);
    /* The delay's Math.random() is announced as 25 timing outcomes (a
     * simulator makes it a choice); the iat's draws are not. */
    assert_int_equal(mem_env_count_obs(m, XT_OBS_RANDOM), 1);
    assert_int_equal(mem_env_obs_at(m, (guint)mem_env_find_obs(m, XT_OBS_RANDOM, 0))->value, 25);
    char *steps = mem_env_steps(m);
    assert_string_equal(steps, "read lock|write lock {id, iat}|read back id and iat");
    g_free(steps);
    /* {id, iat, timeoutKey, timeAcquired, timeRefreshed}, in that order. */
    const char *stored = mem_env_peek(m, KEY);
    char *iat = iat_of(stored);
    assert_true(g_str_has_prefix(iat, "1000000"));
    assert_random_chars(iat + 7, 4);
    char *expected = claim("me", iat, T0 + 30 + jitter, T0 + 30 + jitter);
    assert_string_equal(stored, expected);
    g_free(expected);
    g_free(iat);
    assert_int_equal(m->n_spawns, 1); /* refreshLockWhileAcquired */
    int at = mem_env_find_obs(m, XT_OBS_LOCK_ACQUIRED, 0);
    assert_true(at >= 0);
    assert_int_equal(mem_env_obs_at(m, (guint)at)->value, 1);

    mem_env_clear_records(m);
    xt_mutex_unlock(mx);
    assert_ops(m, "get " KEY "|remove " KEY);
    assert_null(mem_env_peek(m, KEY));
    /* The refresher wakes, finds its iat released and stops untouched. */
    mem_env_clear_records(m);
    assert_int_equal(mem_env_run_deferred(m), 1);
    assert_ops(m, "");
    assert_int_equal(m->sleeps->len, 1);
    assert_int_equal(sleep_at(m, 0), 1000);
    xt_mutex_free(mx);
}

/* The default id is getLockId(): Date.now() and 15 characters of CHARS. */
static void test_default_id(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = xt_btl_mutex_new(&m->env, NULL);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    const char *stored = mem_env_peek(m, KEY);
    const char *id = stored + strlen("{\"id\":\"");
    size_t len = strcspn(id, "\"");
    char *copy = g_strndup(id, len);
    assert_true(g_str_has_prefix(copy, "1000000"));
    assert_random_chars(copy + 7, 15);
    g_free(copy);
    xt_mutex_unlock(mx);
    xt_mutex_free(mx);
}

static int refresh_sleeps;

/* The refresher's second timer: the holder's key is gone meanwhile. */
static void remove_on_second_sleep(mem_env *m, const char *op, const char *key, void *data)
{
    (void)key;
    (void)data;
    if (strcmp(op, "sleep") == 0 && ++refresh_sleeps == 2)
        g_hash_table_remove(m->storage, KEY);
}

/* refreshLockWhileAcquired: every 1000 ms, timeRefreshed = now, the rest as read. */
static void test_refresh(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = btl_new(m, 5000);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    char *before = g_strdup(mem_env_peek(m, KEY));
    char *iat = iat_of(before);
    int64_t acquired = m->now_ms - 30; /* written before the read-back delay */
    mem_env_clear_records(m);
    refresh_sleeps = 0;
    m->hook = remove_on_second_sleep;
    assert_int_equal(mem_env_run_deferred(m), 1);
    assert_ops(m, "get " KEY "|set " KEY "|get " KEY);
    char *steps = mem_env_steps(m);
    assert_string_equal(steps, "refresh: read lock|refresh: write timeRefreshed|refresh: read lock");
    g_free(steps);
    char *refreshed = claim("me", iat, acquired, acquired + 30 + 1000);
    char *written = g_strdup_printf("set " KEY "=%s", refreshed);
    assert_string_equal(g_ptr_array_index(m->ops, 1), written);
    g_free(written);
    g_free(refreshed);
    assert_int_equal(m->sleeps->len, 2);
    g_free(iat);
    g_free(before);
    xt_mutex_free(mx); /* the refresher has stopped: nothing left */
}

static int sleeps_seen;

/* Another tab's claim lands during our 30 ms read-back delay (sleep 3);
 * then that tab releases while we wait (the first wait). */
static void lose_then_free(mem_env *m, const char *op, const char *key, void *data)
{
    (void)key;
    (void)data;
    if (strcmp(op, "sleep") == 0 && ++sleeps_seen == 3)
        put_claim(m, KEY, "other", m->now_ms, m->now_ms);
    if (strcmp(op, "wait") == 0)
        g_hash_table_remove(m->storage, KEY);
}

static void test_lost_read_back_retries_with_new_iat(void **state)
{
    mem_env *m = *state;
    with_events(m, 10);
    xt_mutex *mx = btl_new(m, 5000);
    sleeps_seen = 0;
    m->hook = lose_then_free;
    m->now_ms += 3; /* so that the second attempt's Date.now() differs */
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    /* The wait's timeout is MAX_TIME - now: 5000 - 3 delays of 30 and the random one. */
    char *expected = g_strdup_printf("get " KEY "|set " KEY "|get " KEY          /* lost */
                                     "|get " KEY "|key 0|key 1|get " KEY "|wait %" G_GINT64_FORMAT
                                     "|get " KEY "|set " KEY "|get " KEY,       /* won */
                                     (gint64)(5000 - 90 - sleep_at(m, 1)));
    assert_ops(m, expected);
    g_free(expected);
    /* After the wait (10 ms here): MIN_TIME_TO_WAIT tops it up to 50 ms. */
    assert_int_equal(sleep_at(m, 4), 40);
    const char *first = g_ptr_array_index(m->ops, 1);
    const char *second = g_ptr_array_index(m->ops, 9);
    char *iat1 = iat_of(first), *iat2 = iat_of(second);
    assert_string_not_equal(iat1, iat2); /* iat = Date.now() + 4 new characters */
    g_free(iat1);
    g_free(iat2);
    assert_int_equal(mem_env_count_obs(m, XT_OBS_LOCK_RETRY), 2);
    assert_int_equal(any_key_waits, 1); /* the unfiltered `storage` event */
    m->hook = NULL;
    xt_mutex_unlock(mx);
    xt_mutex_free(mx);
}

/* lockCorrector: every key holding the prefix is read; those whose
 * timeRefreshed (else timeAcquired) is older than now - 5000 are removed,
 * compared as JavaScript's < would; then the waiters are notified. */
static void test_corrector(void **state)
{
    mem_env *m = *state;
    with_events(m, 10);
    int64_t now = T0 + 30; /* when lockCorrector runs */
    put_claim(m, KEY, "dead", now - 9000, now - 5001);
    mem_env_put(m, "browser-tabs-lock-key-fresh", "{\"id\":\"x\",\"timeRefreshed\":995030}");
    mem_env_put(m, "browser-tabs-lock-key-null", "{\"id\":\"x\",\"timeRefreshed\":null}");
    mem_env_put(m, "browser-tabs-lock-key-old", "{\"id\":\"x\",\"timeAcquired\":1}");
    mem_env_put(m, "browser-tabs-lock-key-text", "{\"id\":\"x\",\"timeRefreshed\":\"soon\"}");
    mem_env_put(m, "unrelated", "not JSON, never read");
    xt_mutex *mx = btl_new(m, 5000);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(m, "get " KEY "|key 0|key 1|key 2|key 3|key 4|key 5|key 6"
                  "|get " KEY "|remove " KEY
                  "|get browser-tabs-lock-key-fresh"
                  "|get browser-tabs-lock-key-null|remove browser-tabs-lock-key-null"
                  "|get browser-tabs-lock-key-old|remove browser-tabs-lock-key-old"
                  "|get browser-tabs-lock-key-text"
                  "|notify|wait 4970"
                  "|get " KEY "|set " KEY "|get " KEY);
    assert_non_null(mem_env_peek(m, "browser-tabs-lock-key-fresh")); /* 995030 is not < 995030 */
    assert_non_null(mem_env_peek(m, "browser-tabs-lock-key-text"));  /* NaN < x is false */
    xt_mutex_unlock(mx);
    xt_mutex_free(mx);
}

/* Without storage events the wait lasts until MAX_TIME: acquireLock
 * returns false (XT_ELOCKTIMEOUT) even though nothing else happened. */
static void test_timeout_without_events(void **state)
{
    mem_env *m = *state;
    put_claim(m, KEY, "other", T0, T0);
    xt_mutex *mx = btl_new(m, 100);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_ops(m, "get " KEY "|key 0|key 1|get " KEY);
    assert_int_equal(m->sleeps->len, 2);
    assert_int_equal(sleep_at(m, 0), 30);
    assert_int_equal(sleep_at(m, 1), 70); /* max(0, MAX_TIME - now) */
    int at = mem_env_find_obs(m, XT_OBS_LOCK_FAILED, 0);
    assert_true(at >= 0);
    assert_int_equal(mem_env_obs_at(m, (guint)at)->value, XT_ELOCKTIMEOUT);
    /* A zero timeout never enters the loop. */
    mem_env_clear_records(m);
    xt_mutex *zero = btl_new(m, 0);
    assert_int_equal(xt_mutex_lock(zero), XT_ELOCKTIMEOUT);
    assert_ops(m, "");
    xt_mutex_free(zero);
    xt_mutex_free(mx);
}

/* releaseLock: removes the key only when the stored id is ours (any iat),
 * then notifies; leaves anything else as it is. */
static void test_release_only_ours(void **state)
{
    mem_env *m = *state;
    with_events(m, 10);
    xt_mutex *mx = btl_new(m, 5000);
    put_claim(m, KEY, "other", T0, T0);
    xt_mutex_unlock(mx);
    assert_ops(m, "get " KEY);
    assert_non_null(mem_env_peek(m, KEY));

    mem_env_clear_records(m);
    put_claim(m, KEY, "me", T0, T0); /* ours, an iat we never took */
    xt_mutex_unlock(mx);
    assert_ops(m, "get " KEY "|remove " KEY "|notify");
    assert_null(mem_env_peek(m, KEY));

    mem_env_clear_records(m);
    xt_mutex_unlock(mx); /* absent: nothing to do */
    assert_ops(m, "get " KEY);

    mem_env_clear_records(m);
    mem_env_put(m, KEY, "{not json");
    xt_mutex_unlock(mx); /* JSON.parse throws: releaseLock rejects */
    assert_ops(m, "get " KEY);
    assert_true(mem_env_logged(m, "releaseLock failed"));
    assert_string_equal(mem_env_peek(m, KEY), "{not json");
    xt_mutex_free(mx);
}

static void put_null_before_read_back(mem_env *m, const char *op, const char *key, void *data)
{
    (void)key;
    (void)data;
    if (strcmp(op, "sleep") == 0 && ++sleeps_seen == 3)
        mem_env_put(m, KEY, "null");
}

/* JSON.parse of text that is not JSON, or a member of JSON null, throws:
 * acquireLock rejects (XT_EPARSE). */
static void test_parse_errors(void **state)
{
    mem_env *m = *state;
    mem_env_put(m, KEY, "{not json");
    xt_mutex *mx = btl_new(m, 5000);
    assert_int_equal(xt_mutex_lock(mx), XT_EPARSE);
    assert_ops(m, "get " KEY "|key 0|key 1|get " KEY);

    mem_env_clear_records(m);
    g_hash_table_remove(m->storage, KEY);
    sleeps_seen = 0;
    m->hook = put_null_before_read_back;
    assert_int_equal(xt_mutex_lock(mx), XT_EPARSE);
    assert_ops(m, "get " KEY "|set " KEY "|get " KEY);
    m->hook = NULL;
    xt_mutex_free(mx);
}

/* The tab goes away: every call fails at once and lock() returns. */
static void test_cancelled(void **state)
{
    mem_env *m = *state;
    xt_mutex *mx = btl_new(m, 5000);
    m->cancel_after_calls = 3; /* delay(30), the read, the random delay; then nothing */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_ops(m, "get " KEY "|set " KEY);
    assert_null(mem_env_peek(m, KEY));
    assert_int_equal(m->n_spawns, 0);
    xt_mutex_free(mx);
}

/* The env wrappers: without the methods, a wait is a sleep of its timeout
 * (XT_ETIMEOUT) and a notify does nothing. */
static void test_env_wait_fallback(void **state)
{
    mem_env *m = *state;
    assert_int_equal(xt_env_wait(&m->env, NULL, 0, 250), XT_ETIMEOUT);
    assert_int_equal(m->sleeps->len, 1);
    assert_int_equal(sleep_at(m, 0), 250);
    assert_int_equal(m->now_ms, T0 + 250);
    xt_env_storage_notify(&m->env);
    assert_ops(m, "");
    with_events(m, 5);
    assert_int_equal(xt_env_wait(&m->env, NULL, 0, 250), XT_OK);
    xt_env_storage_notify(&m->env);
    assert_ops(m, "wait 250|notify");
    assert_int_equal(m->now_ms, T0 + 255);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_and_key),
        cmocka_unit_test_setup_teardown(test_uncontended, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_read_back_retries_with_new_iat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_without_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_only_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_wait_fallback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
