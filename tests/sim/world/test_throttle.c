/*
 * test_throttle.c - background timer throttling ([faults] background_tabs).
 *
 * Goal: a background tab's sleeps last at least background_timer_ms_min,
 * front tabs' sleeps are untouched, and the default (no background tab)
 * changes nothing, not even the scenario hash that tokens carry.
 * Method: two tabs each take the lock three times with zero intervals and
 * holds; the run's virtual end time shows whether sleeps were stretched
 * (six sleeps of the background tab: at least 6 s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"

static const char *const base_text = "[scenario]\ntabs = 2\n[seed]\nunlock = clear-y\n"
                                     "[workload]\nmode = lock\nlocks_per_tab = 3\ninterval_ms_min = 0\n"
                                     "interval_ms_max = 0\nhold_ms_min = 0\nhold_ms_max = 0\nstart_ms_max = 0\n";

static int64_t end_time_ms(const char *extra, uint32_t *hash_out)
{
    char *text = g_strconcat(base_text, extra, NULL);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("throttle-test.ini", text, strlen(text), &error);
    assert_non_null(s);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run_spec spec = {.seed = 1, .tail = SIM_TAIL_RANDOM};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    assert_int_equal(run.monitor.violated, 0);
    int64_t end = run.monitor.c.end_time_us / 1000;
    if (hash_out)
        *hash_out = s->hash;
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    g_free(text);
    return end;
}

static void test_front_tabs_not_throttled(void **state)
{
    (void)state;
    assert_true(end_time_ms("", NULL) < 1000);
}

static void test_background_tab_sleeps_at_least_the_minimum(void **state)
{
    (void)state;
    int64_t end = end_time_ms("[faults]\nbackground_tabs = 1\nbackground_timer_ms_min = 1000\n", NULL);
    assert_true(end >= 6000);
    assert_true(end < 7000); /* the front tab adds nothing of its own */
}

static void test_default_keeps_the_hash(void **state)
{
    (void)state;
    uint32_t plain = 0, explicit_default = 0;
    end_time_ms("", &plain);
    end_time_ms("[faults]\nbackground_tabs = 0\n", &explicit_default);
    assert_int_equal(plain, explicit_default);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_tabs_not_throttled),
        cmocka_unit_test(test_background_tab_sleeps_at_least_the_minimum),
        cmocka_unit_test(test_default_keeps_the_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
