/*
 * test_env.c - the environment wrappers, debug flag, logging and client ids.
 *
 * Goal: the xt_env_* wrappers reach the backend unchanged; the
 * bucketeer_debug key turns debug logs on exactly when it reads "true" (the
 * seed's "Debug Information"); warnings are formatted; observations are a
 * no-op without an observer; client ids have the SDK's "<now>-<base36>"
 * shape and come only from the env's clock and randomness; a wait reaches
 * the backend's wait, or without one is a sleep of its deadline
 * (XT_ETIMEOUT) or a poll (XT_OK, a spurious wake-up); a deadline has
 * passed exactly when the clock has reached it.
 * Method: a fresh mem_env per test; assert on its records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"

static int setup(void **state)
{
    *state = mem_env_new();
    return 0;
}

static int teardown(void **state)
{
    mem_env_free(*state);
    return 0;
}

static void test_storage_wrappers(void **state)
{
    mem_env *m = *state;
    xt_env *env = &m->env;
    GString *s = g_string_new(NULL);
    assert_int_equal(xt_env_get(env, "k", s), XT_ENOTFOUND);
    assert_int_equal(xt_env_set(env, "k", "v"), XT_OK);
    assert_int_equal(xt_env_get(env, "k", s), XT_OK);
    assert_string_equal(s->str, "v");
    mem_env_put(m, "a", "1");
    size_t n = 0;
    assert_int_equal(xt_env_length(env, &n), XT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(xt_env_key(env, 0, s), XT_OK);
    assert_string_equal(s->str, "a");
    assert_int_equal(xt_env_key(env, 1, s), XT_OK);
    assert_string_equal(s->str, "k");
    assert_int_equal(xt_env_key(env, 2, s), XT_ENOTFOUND);
    assert_int_equal(xt_env_remove(env, "k"), XT_OK);
    assert_null(mem_env_peek(m, "k"));
    m->unavailable = TRUE;
    assert_int_equal(xt_env_get(env, "a", s), XT_EUNAVAILABLE);
    assert_int_equal(xt_env_length(env, &n), XT_EUNAVAILABLE);
    g_string_free(s, TRUE);
}

static void test_clock_sleep_send(void **state)
{
    mem_env *m = *state;
    xt_env *env = &m->env;
    int64_t t0 = xt_env_now_ms(env);
    assert_int_equal(xt_env_sleep_ms(env, 250), XT_OK);
    assert_int_equal(xt_env_now_ms(env), t0 + 250);
    mem_env_script_send(m, XT_ESERVER);
    assert_int_equal(xt_env_send(env, "{}"), XT_ESERVER);
    assert_int_equal(xt_env_send(env, "{}"), XT_OK);
    assert_int_equal(m->bodies->len, 2);
}

static void test_wait_and_deadline(void **state)
{
    mem_env *m = *state;
    xt_env *env = &m->env;
    const char *const keys[2] = {"a", "b"};
    int64_t t0 = xt_env_now_ms(env);
    assert_false(xt_env_has_wait(env));
    /* No wait method: a deadline is slept, no deadline is one poll. */
    assert_int_equal(xt_env_wait(env, keys, 2, 120), XT_ETIMEOUT);
    assert_int_equal(xt_env_wait(env, keys, 1, -1), XT_OK);
    assert_int_equal(m->sleeps->len, 2);
    assert_int_equal(g_array_index(m->sleeps, int64_t, 0), 120);
    assert_int_equal(g_array_index(m->sleeps, int64_t, 1), XT_ENV_WAIT_POLL_MS);
    assert_int_equal(xt_env_now_ms(env), t0 + 120 + XT_ENV_WAIT_POLL_MS);
    /* With one, the keys and the deadline reach it unchanged. */
    mem_env_enable_wait(m);
    assert_true(xt_env_has_wait(env));
    assert_int_equal(xt_env_wait(env, keys, 2, -1), XT_OK);
    assert_int_equal(xt_env_wait(env, NULL, 0, 30), XT_ETIMEOUT);
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, "wait a,b -1|wait * 30");
    g_free(ops);
    assert_int_equal(m->sleeps->len, 2);
    /* Reached at the deadline itself, not a millisecond before. */
    int64_t now = xt_env_now_ms(env);
    assert_true(xt_env_deadline_passed(env, now));
    assert_true(xt_env_deadline_passed(env, now - 1));
    assert_false(xt_env_deadline_passed(env, now + 1));
}

static void test_debug_flag_true(void **state)
{
    mem_env *m = *state;
    mem_env_put(m, "bucketeer_debug", "true");
    xt_env_debug_init(&m->env);
    assert_true(m->env.debug);
    xt_env_debug(&m->env, "lock %s after %d", "acquired", 3);
    assert_true(mem_env_logged(m, "DEBUG: lock acquired after 3"));
}

static void test_debug_flag_other_values(void **state)
{
    mem_env *m = *state;
    const char *values[] = { "false", "TRUE", "1", "", "true " };
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        mem_env_put(m, "bucketeer_debug", values[i]);
        m->env.debug = TRUE;
        xt_env_debug_init(&m->env);
        assert_false(m->env.debug);
    }
    xt_env_debug(&m->env, "hidden");
    assert_int_equal(m->logs->len, 0);
}

static void test_debug_flag_absent_or_unavailable(void **state)
{
    mem_env *m = *state;
    xt_env_debug_init(&m->env);
    assert_false(m->env.debug);
    mem_env_put(m, "bucketeer_debug", "true");
    m->unavailable = TRUE;
    xt_env_debug_init(&m->env);
    assert_false(m->env.debug);
    /* Read once: exactly one get per init. */
    assert_int_equal(mem_env_count_ops(m, "get bucketeer_debug"), 2);
}

static void test_warn_formats(void **state)
{
    mem_env *m = *state;
    xt_env_warn(&m->env, "Failed: %s (%d)", "x", 7);
    assert_int_equal(m->logs->len, 1);
    assert_string_equal(g_ptr_array_index(m->logs, 0), "WARN: Failed: x (7)");
}

static void test_observe_and_step(void **state)
{
    mem_env *m = *state;
    xt_env_step(&m->env, "write ClientID to X");
    xt_env_observe(&m->env, XT_OBS_SENT, "send", "{}", -4);
    assert_int_equal(m->obs->len, 2);
    const mem_obs *o = mem_env_obs_at(m, 0);
    assert_int_equal(o->kind, XT_OBS_STEP);
    assert_string_equal(o->label, "write ClientID to X");
    assert_null(o->detail);
    o = mem_env_obs_at(m, 1);
    assert_int_equal(o->kind, XT_OBS_SENT);
    assert_string_equal(o->detail, "{}");
    assert_int_equal(o->value, -4);

    /* A backend without an observer: a no-op, not a crash. */
    xt_env_methods methods = *m->env.m;
    methods.observe = NULL;
    xt_env bare = { .m = &methods, .ctx = m };
    xt_env_step(&bare, "ignored");
    assert_int_equal(m->obs->len, 2);
}

static void test_client_id_shape(void **state)
{
    mem_env *m = *state;
    m->now_ms = 1720000000123;
    char *a = xt_client_id_new(&m->env);
    char *b = xt_client_id_new(&m->env);
    assert_true(g_str_has_prefix(a, "1720000000123-"));
    const char *suffix = a + strlen("1720000000123-");
    assert_int_equal(strlen(suffix), 8);
    for (const char *p = suffix; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'));
    assert_string_not_equal(a, b);

    /* Same seed => same id: the only randomness is the env's. */
    mem_env *m2 = mem_env_new();
    m2->now_ms = 1720000000123;
    char *a2 = xt_client_id_new(&m2->env);
    assert_string_equal(a, a2);
    g_free(a);
    g_free(b);
    g_free(a2);
    mem_env_free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_storage_wrappers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_sleep_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_and_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debug_flag_true, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debug_flag_other_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debug_flag_absent_or_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warn_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observe_and_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_id_shape, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
