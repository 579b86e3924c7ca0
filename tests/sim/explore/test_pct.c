/*
 * test_pct.c - probabilistic concurrency testing (sim/explore/explore_pct.c).
 *
 * Goal: PCT of depth 3 finds the broken Lamport mutex (a bug of depth 3:
 * it needs two preemptions) within a small number of runs from a fixed
 * seed, and its counterexample replays with no knowledge of PCT; the bound it
 * reports is 1/(n k^(d-1)) of the n and k it reports; on the correct mutex
 * every run passes and the bound is stated; shards split the runs, and
 * their runs are one search's, run for run; the
 * same seed gives the same search; a depth given in the options wins over
 * the scenario's pct_depth, even the default 3.  Method: sim_explore in PCT mode on
 * scenarios given as text, deterministic seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/explore/run.h"

#define LAMPORT(extra)                                                                                          \
    "[scenario]\ntabs = 2\n"                                                                                     \
    "[mutex]\nalgorithm = lamport\n" extra                                                                       \
    "[workload]\nmode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n"                    \
    "hold_ms_min = 0\nhold_ms_max = 0\n"

static const char lamport[] = LAMPORT("");
/* Runs of very different lengths (a periodic flush, events added at
 * random intervals): k grows over the first runs. */
static const char events[] = "[scenario]\ntabs = 3\n[mutex]\nalgorithm = web-locks\n"
                             "[workload]\nmode = events\nevents_per_tab = 3\n[flush]\ninterval_ms = 2000\n";
static const char broken[] = LAMPORT("[lamport]\nomit = b-wait\n");

/* From seed 4000, depth 3 first fails at run 392 (measured); the budget
 * leaves a margin of five.  The guarantee alone (p >= 1/(2 * 57^2) per
 * run) would need about 20000 runs for a 95% chance. */
#define PCT_SEED 4000
#define PCT_RUNS 2000

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("pct-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static void pct(const char *text, gint64 depth, gint64 runs, gint64 seed, int shard, int shards,
                sim_explore_result *r)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = SIM_MODE_PCT;
    o.mode_set = TRUE;
    o.pct_depth = depth;
    o.pct_depth_set = TRUE;
    o.runs = runs;
    o.seed = seed;
    o.shrink = FALSE;
    o.shard_index = shard;
    o.shard_count = shards;
    sim_explore(s, pool, &o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void assert_bound(const sim_explore_result *r, int depth, int tabs)
{
    assert_int_equal(r->pct_n, tabs);
    assert_true(r->pct_k > 0);
    double want = 1.0 / ((double)r->pct_n * pow((double)r->pct_k, depth - 1));
    if (fabs(r->pct_bound - want) > 1e-12 * want)
        fail_msg("bound %g, 1/(n k^(d-1)) with n = %" G_GINT64_FORMAT ", k = %" G_GINT64_FORMAT ", d = %d is %g",
                 r->pct_bound, r->pct_n, r->pct_k, depth, want);
    assert_non_null(r->bounds_text);
    assert_non_null(strstr(r->bounds_text, "probability"));
    char num[32];
    g_snprintf(num, sizeof num, "%.3g", want);
    if (!strstr(r->bounds_text, num))
        fail_msg("bounds text does not give the bound %s: %s", num, r->bounds_text);
}

static void test_finds_depth_3_bug(void **state)
{
    (void)state;
    sim_explore_result r;
    pct(broken, 3, PCT_RUNS, PCT_SEED, 0, 1, &r);
    if (r.verdict != SIM_VERDICT_VIOLATION)
        fail_msg("PCT depth 3: %s after %" G_GINT64_FORMAT " runs", sim_verdict_name(r.verdict), r.runs);
    assert_true(r.violated & SIM_INV_MUTUAL_EXCLUSION);
    assert_true(r.runs <= PCT_RUNS);
    assert_bound(&r, 3, 2);
    /* The counterexample is the recorded answers: replayed without the
     * PCT hooks, the same run. */
    assert_non_null(r.cex_prefix);
    sim_scenario *s = scenario(broken);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run run;
    assert_null(r.counterexample.sched_pick);
    sim_run_exec(s, pool, &r.counterexample, &run);
    assert_int_equal(run.monitor.violated, r.violated);
    assert_false(run.chooser.prefix_overrun);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    sim_explore_result_clear(&r);
}

static void test_correct_mutex_passes(void **state)
{
    (void)state;
    sim_explore_result r;
    pct(lamport, 3, 300, 1, 0, 1, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_PASSED);
    assert_int_equal(r.violated, 0);
    assert_int_equal(r.runs, 300);
    assert_null(r.incomplete_reason);
    assert_bound(&r, 3, 2);
    assert_non_null(strstr(r.bounds_text, "PCT depth 3"));
    sim_explore_result_clear(&r);
    /* Depth 2: one change point, 1/(n k). */
    pct(lamport, 2, 20, 1, 0, 1, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_PASSED);
    assert_bound(&r, 2, 2);
    sim_explore_result_clear(&r);
    /* Depth 1: no change point, the bound is 1/n. */
    pct(lamport, 1, 20, 1, 0, 1, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_PASSED);
    assert_bound(&r, 1, 2);
    assert_true(r.pct_bound == 0.5);
    sim_explore_result_clear(&r);
}

static void test_shards_split_runs(void **state)
{
    (void)state;
    sim_explore_result part[3];
    gint64 runs = 0;
    for (int i = 0; i < 3; i++) {
        pct(lamport, 3, 100, 1, i, 3, &part[i]);
        assert_int_equal(part[i].verdict, SIM_VERDICT_PASSED);
        runs += part[i].runs;
    }
    assert_int_equal(runs, 100);
    assert_int_equal(part[0].runs, 34); /* runs 0, 3, ..., 99 */
    for (int i = 0; i < 3; i++)
        sim_explore_result_clear(&part[i]);
}

/* The shards' runs are one search's, run for run: their steps and storage
 * calls add up to its (each run's k was the most steps of the runs made
 * before it, which in a shard were other runs: the sums differed), and
 * each states the same k. */
static void test_shards_are_one_search(void **state)
{
    (void)state;
    sim_explore_result whole, part[3];
    pct(events, 3, 40, 7, 0, 1, &whole);
    gint64 steps = 0, ops = 0;
    for (int i = 0; i < 3; i++) {
        pct(events, 3, 40, 7, i, 3, &part[i]);
        steps += part[i].steps;
        ops += part[i].storage_ops;
        assert_int_equal(part[i].pct_k, whole.pct_k);
        assert_string_equal(part[i].bounds_text, whole.bounds_text);
    }
    assert_int_equal(steps, whole.steps);
    assert_int_equal(ops, whole.storage_ops);
    sim_explore_result_clear(&whole);
    for (int i = 0; i < 3; i++)
        sim_explore_result_clear(&part[i]);
}

static void test_deterministic(void **state)
{
    (void)state;
    sim_explore_result a, b;
    pct(broken, 3, PCT_RUNS, PCT_SEED, 0, 1, &a);
    pct(broken, 3, PCT_RUNS, PCT_SEED, 0, 1, &b);
    assert_int_equal(a.verdict, b.verdict);
    assert_int_equal(a.runs, b.runs);
    assert_int_equal(a.steps, b.steps);
    assert_int_equal(a.pct_k, b.pct_k);
    assert_int_equal(a.counterexample.seed, b.counterexample.seed);
    assert_int_equal(a.counterexample.prefix_len, b.counterexample.prefix_len);
    assert_memory_equal(a.counterexample.prefix, b.counterexample.prefix,
                        a.counterexample.prefix_len * sizeof(uint32_t));
    sim_explore_result_clear(&a);
    sim_explore_result_clear(&b);
}

/* A depth given in the options wins over the scenario's, even when it is
 * the default 3; without one, the scenario's [explore] pct_depth holds. */
static void test_depth_given_wins(void **state)
{
    (void)state;
    static const char depth5[] = LAMPORT("") "[explore]\npct_depth = 5\n";
    sim_explore_result r;
    pct(depth5, 3, 1, 1, 0, 1, &r);
    assert_non_null(strstr(r.bounds_text, "PCT depth 3:"));
    sim_explore_result_clear(&r);

    sim_scenario *s = scenario(depth5);
    sim_explore_options o, resolved;
    sim_explore_options_init(&o);
    sim_explore_resolve(s, &o, &resolved);
    assert_int_equal(resolved.pct_depth, 5);
    o.pct_depth = 3;
    o.pct_depth_set = TRUE;
    sim_explore_resolve(s, &o, &resolved);
    assert_int_equal(resolved.pct_depth, 3);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_depth_3_bug),
        cmocka_unit_test(test_correct_mutex_passes),
        cmocka_unit_test(test_shards_split_runs),
        cmocka_unit_test(test_shards_are_one_search),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_depth_given_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
