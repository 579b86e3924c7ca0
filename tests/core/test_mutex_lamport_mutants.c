/*
 * test_mutex_lamport_mutants.c - the mutants of Lamport's mutex, which are
 * not in libxt: each leaves out one statement, and the scripted runs show
 * exactly which calls change.
 *
 * Goal: OMIT_B_WAIT skips the "await not b[j]" loop but still rechecks y;
 * OMIT_Y_RECHECK enters after the b-wait whatever y holds, but keeps the
 * first y check.  Method: the mutant build of core/src/mutex_lamport.c
 * (lamport_mutants.c: XT_LAMPORT_MUTANTS, entry points renamed) driven by
 * the shared fixture's scripted other process.
 */
#define XT_LAMPORT_MUTANTS 1
#define xt_lamport_mutex_new xt_test_lamport_mutant_new
#define xt_lamport_mutex_options_init xt_test_lamport_mutant_options_init
#include "lamport_fixture.h"

static void test_options_default_to_no_mutant(void **state)
{
    (void)state;
    xt_lamport_mutex_options o;
    memset(&o, 0x5a, sizeof o);
    xt_lamport_mutex_options_init(&o);
    assert_int_equal(o.omit, XT_LAMPORT_OMIT_NONE);
}

static void test_omit_b_wait(void **state)
{
    fixture *f = *state;
    f->options.omit = XT_LAMPORT_OMIT_B_WAIT;
    action a[] = { { "get", X, 1, X, "2", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    mem_env_put(f->m, B2, "1"); /* process 2 is mid-entry: ignored */
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " Y);
    assert_steps(f->m, FAST_STEPS "|b[i] := false|read y (y != i?)");
    assert_int_equal(f->m->sleeps->len, 0);

    /* The fast path and the y-recheck are unchanged. */
    mem_env_clear_records(f->m);
    xt_mutex_unlock(mx);
    mem_env_clear_records(f->m);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS);
}

static void test_omit_b_wait_still_rechecks_y(void **state)
{
    fixture *f = *state;
    f->options.omit = XT_LAMPORT_OMIT_B_WAIT;
    f->options.retries_max = 0;
    action a[] = { { "get", X, 1, X, "2", 0 }, { "get", X, 1, Y, "2", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " Y "|get " Y);
    assert_steps(f->m, FAST_STEPS "|b[i] := false|read y (y != i?)|await y = 0");
}

static void test_omit_y_recheck(void **state)
{
    fixture *f = *state;
    f->options.omit = XT_LAMPORT_OMIT_Y_RECHECK;
    /* y was taken by process 2: the full algorithm would back off. */
    action a[] = { { "get", X, 1, X, "2", 0 }, { "get", X, 1, Y, "2", 0 } };
    script s = { a, G_N_ELEMENTS(a) };
    install(f, &s);
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_OK);
    assert_ops(f->m, FAST_OPS "|set " B1 "|get " B2 "|get " B3);
    assert_steps(f->m, FAST_STEPS "|b[i] := false|await not b[j]|await not b[j]");
    assert_string_equal(mem_env_peek(f->m, Y), "2");
}

static void test_omit_y_recheck_keeps_first_check(void **state)
{
    fixture *f = *state;
    f->options.omit = XT_LAMPORT_OMIT_Y_RECHECK;
    f->options.retries_max = 1;
    mem_env_put(f->m, Y, "2");
    xt_mutex *mx = make(f);
    assert_int_equal(xt_mutex_lock(mx), XT_ELOCKTIMEOUT);
    assert_ops(f->m, "set " B1 "|set " X "|get " Y "|set " B1 "|get " Y "|get " Y);
}


#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_default_to_no_mutant),
        T(test_omit_b_wait),
        T(test_omit_b_wait_still_rechecks_y),
        T(test_omit_y_recheck),
        T(test_omit_y_recheck_keeps_first_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
