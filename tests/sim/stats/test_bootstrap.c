/*
 * test_bootstrap.c - tests of sim/stats/bootstrap.c.
 *
 * Goal: the intervals drawn around a sweep point's p50 and p99 are honest
 * and reproducible.  Method: collections of hand-made samples whose
 * bootstrap is known: one run (the interval is the point), runs 1..20 of
 * one value each (the interval holds the median and is wider than a
 * point), two runs of opposite values (resampling whole runs must reach a
 * resample made of one run only, which resampling single samples would
 * practically never do), a statistic without values (no interval), and
 * the same input twice (the same bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/stats/bootstrap.h"

/* Appends one granted lock request of value ms to run `run`. */
static void add_latency(sim_stats *st, uint32_t run, double ms)
{
    sim_sample s = {.kind = SIM_SAMPLE_LOCK_REQUEST, .run = run, .seed = run + 1, .tab = 1, .task = 1,
                    .value = ms, .outcome = SIM_OUTCOME_GRANTED};
    g_array_append_val(st->samples, s);
    if (st->runs < run + 1)
        st->runs = run + 1;
}

static void test_one_run_is_the_point(void **state)
{
    (void)state;
    sim_stats *st = sim_stats_new();
    for (int i = 1; i <= 10; i++)
        add_latency(st, 0, i);
    sim_stat_interval ci;
    sim_stats_bootstrap(st, SIM_STAT_LOCK_LATENCY_MS, &ci);
    assert_int_equal(ci.resamples, SIM_BOOTSTRAP_RESAMPLES);
    assert_true(ci.p50_lo == 5 && ci.p50_hi == 5);
    assert_true(ci.p99_lo == 10 && ci.p99_hi == 10);
    sim_stats_free(st);
}

static void test_interval_holds_the_median(void **state)
{
    (void)state;
    sim_stats *st = sim_stats_new();
    for (uint32_t r = 0; r < 20; r++)
        add_latency(st, r, r + 1);
    sim_stat_interval a, b;
    sim_stats_bootstrap(st, SIM_STAT_LOCK_LATENCY_MS, &a);
    sim_stats_bootstrap(st, SIM_STAT_LOCK_LATENCY_MS, &b);
    assert_memory_equal(&a, &b, sizeof a); /* a pure function of the samples */
    assert_true(a.p50_lo >= 1 && a.p50_lo < 10);
    assert_true(a.p50_hi > 10 && a.p50_hi <= 20);
    assert_true(a.p99_lo <= a.p99_hi && a.p99_hi == 20);
    sim_stats_free(st);
}

static void test_runs_are_resampled_whole(void **state)
{
    (void)state;
    sim_stats *st = sim_stats_new();
    for (int i = 0; i < 10; i++)
        add_latency(st, 0, 1);
    for (int i = 0; i < 10; i++)
        add_latency(st, 1, 100);
    sim_stat_interval ci;
    sim_stats_bootstrap(st, SIM_STAT_LOCK_LATENCY_MS, &ci);
    /* A quarter of the resamples are run 0 twice (p99 1), a quarter run 1
     * twice (p50 100); drawing single samples, p99 would be 1 only when all
     * 20 draws were 1 (probability 2^-20). */
    assert_true(ci.p99_lo == 1);
    assert_true(ci.p50_lo == 1 && ci.p50_hi == 100);
    sim_stats_free(st);
}

static void test_no_values_no_interval(void **state)
{
    (void)state;
    sim_stats *st = sim_stats_new();
    add_latency(st, 0, 3);
    add_latency(st, 1, 4);
    sim_stat_interval ci;
    sim_stats_bootstrap(st, SIM_STAT_EVENT_LATENCY_MS, &ci);
    assert_int_equal(ci.resamples, 0);
    st->runs = 0;
    g_array_set_size(st->samples, 0);
    sim_stats_bootstrap(st, SIM_STAT_LOCK_LATENCY_MS, &ci);
    assert_int_equal(ci.resamples, 0);
    sim_stats_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_run_is_the_point),
        cmocka_unit_test(test_interval_holds_the_median),
        cmocka_unit_test(test_runs_are_resampled_whole),
        cmocka_unit_test(test_no_values_no_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
