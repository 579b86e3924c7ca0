/*
 * test_mutex_serial.c - the in-tab FIFO mutex in front of a cross-tab one.
 *
 * Goal: the wrapper is invisible when one task uses it (the inner
 * algorithm's name, exclusivity and exactly its storage calls, no sleep);
 * a second lock() while the first holds makes no storage call and waits
 * (here: the poll of a backend without tab_wait) until cancelled; a failed
 * inner lock() and every unlock() hand the in-tab lock on, so the next
 * lock() goes straight to the inner algorithm; [lamport] tasks =
 * serialised builds the wrapper and the default does not.  The contended
 * case with real tasks is the simulator's (scenarios/events-lamport-*.ini
 * and lamport-events-same-tab.ini).
 * Method: a fresh mem_env per test (one task, no concurrency) and
 * Lamport's mutex as the inner algorithm, tab 1 of 3.
 */
#include "lamport_fixture.h"
#include "xt/mutex_algorithm.h"
#include "xt/mutex_serial.h"

static xt_mutex *make_serial(fixture *f)
{
    f->mutex = xt_serial_mutex_new(&f->m->env, xt_lamport_mutex_new(&f->m->env, &f->options));
    mem_env_clear_records(f->m);
    return f->mutex;
}

static void test_uncontended_is_the_inner_algorithm(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make_serial(f);
    assert_string_equal(xt_mutex_name(mx), "lamport");
    assert_true(mx->ops->exclusive);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
    assert_steps(f->m, FAST_STEPS);
    assert_int_equal(f->m->sleeps->len, 0);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_ACQUIRED);
    assert_int_equal(last_obs(f->m)->value, 1); /* the inner attempts, passed on */
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    assert_ops(f->m, "set " Y "|set " B1);
    /* Released: the next lock() is the fast path again, with no wait. */
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
    assert_int_equal(f->m->sleeps->len, 0);
}

static void test_second_task_waits_without_storage(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make_serial(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    mem_env_clear_records(f->m);
    /* Another task of the tab (mem_env has one, so the same call stands for
     * it): it waits for its turn, polling since mem_env has no tab_wait,
     * and touches no storage, until the tab goes away. */
    f->m->cancel_after_calls = 3;
    assert_int_equal(xt_mutex_lock(mx), XT_ECANCELLED);
    assert_int_equal(f->m->ops->len, 0);
    assert_true(f->m->sleeps->len >= 3);
    for (guint i = 0; i < f->m->sleeps->len; i++)
        assert_int_equal(g_array_index(f->m->sleeps, int64_t, i), XT_TAB_WAIT_POLL_MS);
    assert_int_equal(last_obs(f->m)->kind, XT_OBS_LOCK_FAILED);
}

static void test_failed_lock_hands_on(void **state)
{
    fixture *f = *state;
    xt_mutex *mx = make_serial(f);
    f->m->unavailable = TRUE;
    assert_int_equal(xt_mutex_lock(mx), XT_EUNAVAILABLE);
    f->m->unavailable = FALSE;
    mem_env_clear_records(f->m);
    /* Not held: the next lock() goes straight to Lamport's statements. */
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
    assert_int_equal(f->m->sleeps->len, 0);
}

/* [lamport] tasks: the default is the algorithm as written (its own ops),
 * serialised is the wrapper around it. */
static void test_setting_builds_the_wrapper(void **state)
{
    fixture *f = *state;
    const xt_mutex_algorithm *alg = &xt_lamport_algorithm;
    int tasks = xt_setting_index(alg, "tasks");
    assert_true(tasks >= 0);
    assert_string_equal(alg->settings[tasks].def, "shared");
    assert_string_equal(alg->settings[tasks].names[1], "serialised");
    int64_t v[XT_SETTINGS_MAX] = {25, 100, 0, 0};
    xt_mutex_host host = {"tab1", 1, 3, "user-1"};
    xt_mutex *plain = alg->create(&f->m->env, v, NULL, &host);
    xt_mutex *inner = xt_lamport_mutex_new(&f->m->env, &f->options);
    assert_ptr_equal(plain->ops, inner->ops);
    v[tasks] = 1;
    xt_mutex *serial = alg->create(&f->m->env, v, NULL, &host);
    assert_ptr_not_equal(serial->ops, inner->ops);
    assert_string_equal(xt_mutex_name(serial), "lamport");
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(serial), XT_OK);
    assert_ops(f->m, FAST_OPS);
    xt_mutex_free(plain);
    xt_mutex_free(inner);
    xt_mutex_free(serial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_uncontended_is_the_inner_algorithm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_task_waits_without_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_lock_hands_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setting_builds_the_wrapper, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
