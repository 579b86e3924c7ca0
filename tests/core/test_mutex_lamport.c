/*
 * test_mutex_lamport.c - Lamport's fast mutex, statement by statement.
 *
 * Goal: the port performs exactly the storage calls of Algorithm 2 in the
 * paper's order and with the paper's labels: five calls for an uncontended
 * lock (b, x, read y, y, read x), two writes for unlock; the back-off path
 * when y is held (b[i] := false, await y = 0 with wait_interval_ms sleeps,
 * XT_ELOCKTIMEOUT after retries_max sleeps, goto start with a LOCK_RETRY);
 * the slow path when x != i (b[i] := false, await every other b[j] in order
 * 1..n, read y, enter or await y = 0 and restart); each omit variant skips
 * exactly its statement; storage errors abort with the documented cleanup
 * and XT_ECANCELLED unwinds at once without it.  Prefix mode (peers found
 * by key prefix) is tested in test_mutex_lamport_prefix.c.
 * Method: a fresh mem_env per test, whose clock only sleep advances; other
 * processes are simulated by a scripted hook that writes keys just before
 * the Nth call of a given kind (the hook runs before the call reads).
 */
#include "lamport_fixture.h"

static void test_options_defaults(void **state)
{
    (void)state;
    xt_lamport_mutex_options o;
    memset(&o, 0x5a, sizeof o);
    xt_lamport_mutex_options_init(&o);
    assert_null(o.key_prefix);
    assert_int_equal(o.id, 0);
    assert_int_equal(o.n, 0);
    assert_int_equal(o.wait_interval_ms, 50);
    assert_int_equal(o.retries_max, 100000);
}

static void test_uncontended_five_calls(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    assert_string_equal(xt_mutex_name(mx), "lamport");
    assert_true(mx->ops->exclusive);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
    assert_int_equal(f->m->ops->len, 5);
    assert_int_equal(mem_env_count_ops(f->m, "set "), 3);
    assert_int_equal(mem_env_count_ops(f->m, "get "), 2);
    assert_steps(f->m, FAST_STEPS);
    assert_string_equal(mem_env_peek(f->m, B1), "1");
    assert_string_equal(mem_env_peek(f->m, X), "1");
    assert_string_equal(mem_env_peek(f->m, Y), "1");
    assert_int_equal(f->m->sleeps->len, 0);
    assert_int_equal(mem_env_obs_at(f->m, 0)->kind, XT_OBS_LOCK_REQUEST);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_ACQUIRED);
    assert_int_equal(last_obs(f->m)->value, 1);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 0);
}

static void test_unlock_two_writes(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, "set " Y "|set " B1);
    assert_steps(f->m, "exit: y := 0|exit: b[i] := false");
    assert_string_equal(mem_env_peek(f->m, Y), "0");
    assert_string_equal(mem_env_peek(f->m, B1), "0");
    assert_string_equal(mem_env_peek(f->m, X), "1"); /* x is never reset */
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 1);

    /* y = "0" reads as free: the next lock is the fast path again. */
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
}

static void test_y_held_times_out(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 3;
    mem_env_put(f->m, Y, "2");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    /* Read once, then once after each of the three sleeps. */
    assert_ops(f->m, "set " B1 "|set " X "|get " Y "|set " B1 "|get " Y "|get " Y "|get " Y
                     "|get " Y);
    assert_steps(f->m, "b[i] := true|x := i|read y (y != 0?)|b[i] := false|await y = 0|"
                       "await y = 0|await y = 0|await y = 0");
    assert_sleeps(f->m, 25, 3);
    /* b[i] was already false: no abort write. */
    assert_string_equal(mem_env_peek(f->m, B1), "0");
    assert_string_equal(mem_env_peek(f->m, Y), "2");
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 0);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_FAILED);
    assert_int_equal(last_obs(f->m)->value, XT_ELOCKTIMEOUT);
}

static void test_retries_zero_never_sleeps(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 0;
    mem_env_put(f->m, Y, "2");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_int_equal(f->m->sleeps->len, 0);
    assert_int_equal(f->m->ops->len, 5);
}

static void test_unknown_y_value_is_held(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 0;
    mem_env_put(f->m, Y, "garbage");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
}

static void test_y_released_then_restart(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "2");
    action a[] = { { "sleep", NULL, 2, Y, "0", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, "set " B1 "|set " X "|get " Y "|set " B1 "|get " Y "|get " Y "|get " Y
                     "|" FAST_OPS);
    assert_sleeps(f->m, 25, 2);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 1);
    int r = mem_env_find_obs(f->m, XT_OBS_LOCK_RETRY, 0);
    assert_int_equal(mem_env_obs_at(f->m, (guint)r)->value, 1);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_ACQUIRED);
    assert_int_equal(last_obs(f->m)->value, 2);
}

/* retries_max = -1: no budget, the paper's algorithm; it waits for as long
 * as y stays taken (here 150 waits, more than a budget of 100 allows). */
static void test_retries_unbounded(void **state)
{
    fixture *f = *state;
    f->options.retries_max = -1;
    mem_env_put(f->m, Y, "2");
    action a[] = { { "sleep", NULL, 150, Y, "0", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_int_equal(f->m->sleeps->len, 150);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_ACQUIRED);

    /* The same with a budget of 100 gives up. */
    xt_mutex_free(mx);
    f->options.retries_max = 100;
    mem_env_put(f->m, Y, "2");
    xt_mutex *bounded = make(f);
    assert_int_equal(xt_mutex_lock(bounded), XT_ELOCKTIMEOUT);
    assert_int_equal(f->m->sleeps->len, 100);
}

/* The sleep budget is per lock(), shared by every await of it. */
static void test_retries_budget_spans_restarts(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 3;
    mem_env_put(f->m, Y, "2");
    /* Freed during the 2nd sleep (get #4 sees 0), taken again just before
     * the restart's "read y" (get #5); one sleep of budget is left. */
    action a[] = { { "sleep", NULL, 2, Y, "0", 0 }, { "get", Y, 5, Y, "3", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_sleeps(f->m, 25, 3);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 1);

    /* A second lock() has a fresh budget. */
    mem_env_clear_records(f->m);
    f->m->hook = NULL;
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_sleeps(f->m, 25, 3);
}

/* x != i: another process wrote x after us; b[2] and b[3] are true and
 * drop one after the other; y is still ours, so we enter. */
static void test_slow_path_waits_for_every_b(void **state)
{
    fixture *f = *state;
    action a[] = {
        { "get", X, 1, X, "2", 0 },
        { "get", X, 1, B2, "1", 0 },
        { "get", X, 1, B3, "1", 0 },
        { "sleep", NULL, 1, B2, "0", 0 },
        { "sleep", NULL, 2, B3, NULL, 0 },
    };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " B2 "|get " B2 "|get " B3 "|get " B3 "|get " Y);
    assert_steps(f->m, FAST_STEPS "|b[i] := false|await not b[j]|await not b[j]|"
                                  "await not b[j]|await not b[j]|read y (y != i?)");
    assert_sleeps(f->m, 25, 2);
    assert_int_equal(mem_env_count_ops(f->m, "get " B1), 0);
    /* In the critical section with b[i] false, as in the paper. */
    assert_string_equal(mem_env_peek(f->m, B1), "0");
    assert_int_equal(last_obs(f->m)->value, 1);
}

/* x != i and y taken: await y = 0, goto start, then the fast path. */
static void test_slow_path_y_lost_restarts(void **state)
{
    fixture *f = *state;
    action a[] = {
        { "get", X, 1, X, "2", 0 },
        { "get", X, 1, Y, "2", 0 },
        { "sleep", NULL, 1, Y, "0", 0 },
    };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " B2 "|get " B3 "|get " Y "|get " Y "|get " Y
                     "|" FAST_OPS);
    assert_steps(f->m, FAST_STEPS "|b[i] := false|await not b[j]|await not b[j]|"
                                  "read y (y != i?)|await y = 0|await y = 0|" FAST_STEPS);
    assert_sleeps(f->m, 25, 1);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RETRY), 1);
    assert_int_equal(last_obs(f->m)->value, 2);
}

static void test_slow_path_skips_own_b(void **state)
{
    fixture *f = *state;
    f->options.id = 2;
    f->options.key_prefix = "m";
    action a[] = { { "get", "m_x", 1, "m_x", "3", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    mem_env_put(f->m, "m_b_2", "1"); /* stale: must not be awaited */
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, "set m_b_2|set m_x|get m_y|set m_y|get m_x|set m_b_2|get m_b_1|get m_b_3"
                     "|get m_y");
    assert_string_equal(mem_env_peek(f->m, "m_y"), "2");
}

static void test_unknown_b_value_is_true(void **state)
{
    fixture *f = *state;
    f->options.retries_max = 2;
    action a[] = { { "get", X, 1, X, "2", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    mem_env_put(f->m, B2, "yes");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_int_equal(mem_env_count_ops(f->m, "get " B2), 3);
    assert_int_equal(mem_env_count_ops(f->m, "get " B3), 0);
    /* The documented leftover: y still holds our id. */
    assert_string_equal(mem_env_peek(f->m, Y), "1");
    assert_string_equal(mem_env_peek(f->m, B1), "0");
}

static void check_abort(fixture *f, int *at, int *err_field, int at_value, int err,
                        const char *ops, const char *b1_after)
{
    xt_mutex *mx = make(f);
    *at = at_value;
    *err_field = err;
    assert_int_equal(xt_mutex_lock(mx), err);
    assert_ops(f->m, ops);
    if (b1_after)
        assert_string_equal(mem_env_peek(f->m, B1), b1_after);
    else
        assert_null(mem_env_peek(f->m, B1));
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_FAILED);
    assert_int_equal(last_obs(f->m)->value, err);
    assert_int_equal(f->m->sleeps->len, 0);
}

static void test_error_at_b_true_no_cleanup(void **state)
{
    fixture *f = *state;
    check_abort(f, &f->m->fail_set_at, &f->m->fail_set_err, 1, XT_EQUOTA, "set " B1, NULL);
}

static void test_error_at_x_resets_b(void **state)
{
    fixture *f = *state;
    check_abort(f, &f->m->fail_set_at, &f->m->fail_set_err, 2, XT_EQUOTA,
                "set " B1 "|set " X "|set " B1, "0");
    assert_steps(f->m, "b[i] := true|x := i|abort: b[i] := false");
}

static void test_error_at_read_y_resets_b(void **state)
{
    fixture *f = *state;
    check_abort(f, &f->m->fail_get_at, &f->m->fail_get_err, 1, XT_EUNAVAILABLE,
                "set " B1 "|set " X "|get " Y "|set " B1, "0");
}

static void test_error_at_read_x_resets_b_keeps_y(void **state)
{
    fixture *f = *state;
    check_abort(f, &f->m->fail_get_at, &f->m->fail_get_err, 2, XT_EUNAVAILABLE,
                FAST_OPS "|set " B1, "0");
    assert_string_equal(mem_env_peek(f->m, Y), "1"); /* documented: y is not cleaned */
}

static void test_error_in_await_no_extra_write(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "2");
    /* get #2 is the first read of "await y = 0", b[i] is already false. */
    check_abort(f, &f->m->fail_get_at, &f->m->fail_get_err, 2, XT_EUNAVAILABLE,
                "set " B1 "|set " X "|get " Y "|set " B1 "|get " Y, "0");
}

static void test_error_at_b_false_retries_reset(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "2");
    /* The back-off's b[i] := false fails: the abort writes it once more. */
    check_abort(f, &f->m->fail_set_at, &f->m->fail_set_err, 3, XT_EQUOTA,
                "set " B1 "|set " X "|get " Y "|set " B1 "|set " B1, "0");
}

static void test_cancel_in_storage_no_cleanup(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    f->m->cancel_after_calls = 2; /* b and x pass, read y is cancelled */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_ops(f->m, "set " B1 "|set " X "|get " Y);
    assert_string_equal(mem_env_peek(f->m, B1), "1"); /* like a crash */
    assert_int_equal(last_obs(f->m)->value, XT_ECANCELLED);

    /* unlock under cancellation: the first write fails, it stops. */
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, "set " Y);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 1);
}

static void test_cancel_in_sleep(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, Y, "2");
    xt_mutex *mx = make(f);
    f->m->cancel_after_calls = 5; /* b, x, read y, b false, await read; sleep */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(f->m->sleeps->len, 1);
    assert_int_equal(f->m->ops->len, 5);
}

static void test_cancel_in_b_wait(void **state)
{
    fixture *f = *state;
    action a[] = { { "get", X, 1, X, "2", 0 }, { "get", X, 1, B2, "1", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    f->m->cancel_after_calls = 7; /* ... b false, get b2; the sleep */
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " B2);
    assert_int_equal(f->m->sleeps->len, 1);
}

static void test_unlock_swallows_errors(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_clear_records(f->m);
    f->m->unavailable = TRUE;
    xt_mutex_unlock(mx);
    assert_ops(f->m, "set " Y "|set " B1);
    assert_int_equal(mem_env_count_obs(f->m, XT_OBS_LOCK_RELEASED), 1);
}

static int cs_fn(void *arg)
{
    mem_env *m = arg;
    /* Inside: the lock's writes are visible and the exit has not run. */
    return strcmp(mem_env_peek(m, Y), "1") == 0 ? XT_ESERVER : XT_OK;
}

static void test_with_lock_reports_cs(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_with_lock(mx, cs_fn, f->m), XT_ESERVER);
    int enter = mem_env_find_obs(f->m, XT_OBS_CS_ENTER, 0);
    int exit = mem_env_find_obs(f->m, XT_OBS_CS_EXIT, 0);
    assert_true(enter >= 0 && exit > enter);
    assert_string_equal(mem_env_peek(f->m, Y), "0");
}

static void test_n_one(void **state)
{
    fixture *f = *state;
    f->options.n = 1;
    action a[] = { { "get", X, 1, X, "9", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " Y);
}

static void test_options_strings_copied(void **state)
{
    fixture *f = *state;
    char *prefix = g_strdup("tmp");
    f->options.key_prefix = prefix;
    xt_mutex *mx = make(f);
    g_free(prefix);
    f->options.key_prefix = NULL;
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_string_equal(mem_env_peek(f->m, "tmp_y"), "1");
}

static void test_debug_logs(void **state)
{
    fixture *f = *state;
    mem_env_put(f->m, "bucketeer_debug", "true");
    xt_env_debug_init(&f->m->env);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    xt_mutex_unlock(mx);
    f->m->fail_set_at = 1;
    f->m->fail_set_err = XT_EQUOTA;
    assert_int_equal(xt_mutex_lock(mx), XT_EQUOTA);
    assert_true(mem_env_logged(f->m, "DEBUG: LamportMutex 1: lock acquired after 1 attempt(s)"));
    assert_true(mem_env_logged(f->m, "DEBUG: LamportMutex 1: lock released"));
    assert_true(mem_env_logged(f->m, "DEBUG: LamportMutex 1: lock aborted: storage quota"));
}
int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_options_defaults),
        T(test_uncontended_five_calls),
        T(test_unlock_two_writes),
        T(test_y_held_times_out),
        T(test_retries_zero_never_sleeps),
        T(test_unknown_y_value_is_held),
        T(test_y_released_then_restart),
        T(test_retries_unbounded),
        T(test_retries_budget_spans_restarts),
        T(test_slow_path_waits_for_every_b),
        T(test_slow_path_y_lost_restarts),
        T(test_slow_path_skips_own_b),
        T(test_unknown_b_value_is_true),
        T(test_error_at_b_true_no_cleanup),
        T(test_error_at_x_resets_b),
        T(test_error_at_read_y_resets_b),
        T(test_error_at_read_x_resets_b_keeps_y),
        T(test_error_in_await_no_extra_write),
        T(test_error_at_b_false_retries_reset),
        T(test_cancel_in_storage_no_cleanup),
        T(test_cancel_in_sleep),
        T(test_cancel_in_b_wait),
        T(test_unlock_swallows_errors),
        T(test_with_lock_reports_cs),
        T(test_n_one),
        T(test_options_strings_copied),
        T(test_debug_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
