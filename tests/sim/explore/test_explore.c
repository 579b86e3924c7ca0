/*
 * test_explore.c - the exhaustive explorer (sim/explore/explore.c,
 * explore_dfs.c): its verdicts, its reduction, its budgets and bounds,
 * and determinism.
 *
 * Goal: Lamport's fast mutex (2 tabs x 1 lock) is verified, and with
 * source-DPOR every execution explored is a distinct Mazurkiewicz trace;
 * on scenarios small enough for plain DFS, reduction finds the same
 * traces in fewer executions; the variant without the b[j] wait and the
 * unlocked add are found, and their counterexamples replay to the same
 * violation; an execution budget gives "incomplete" and says so (sharding:
 * test_shard.c); a preemption bound below the bug's
 * depth verifies, one at it finds it; a step bound does not make the
 * reduced search miss what the plain one finds; and the same search twice
 * gives the same numbers and the same counterexample.  Method: scenarios
 * given as text, sim_explore with options set per test, counterexamples
 * re-run with sim_run_exec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/explore/run.h"

/* Lamport's fast mutex (Algorithm 2), 2 tabs x LOCKS locks, no waiting. */
#define LAMPORT(locks, extra)                                                                                    \
    "[scenario]\ntabs = 2\n"                                                                                     \
    "[mutex]\nalgorithm = lamport\n" extra                                                                       \
    "[workload]\nmode = lock\nlocks_per_tab = " #locks "\ninterval_ms_min = 0\ninterval_ms_max = 0\n"           \
    "hold_ms_min = 0\nhold_ms_max = 0\n"

static const char lamport_1[] = LAMPORT(1, "");
static const char lamport_2[] = LAMPORT(2, "");
/* Without "for j: await not b[j]": two tabs can both enter. */
static const char broken_1[] = LAMPORT(1, "[lamport]\nomit = b-wait\n");

/* The unlocked add: two tabs, one event each, nothing flushed. */
static const char no_mutex_1[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nevents_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "[flush]\nenabled = false\n";

/* Small enough for plain DFS (about a thousand and fifteen thousand
 * executions): no mutex, so nothing to violate.  Their traces differ by
 * the values of the ranges (both ends in exhaustive mode: 16 each); plain
 * DFS also walks every interleaving of the tabs' independent steps, which
 * is what reduction saves.  (A scenario whose traces differ by the order
 * of dependent steps, such as Lamport 2 x 1 with 34, takes plain DFS over
 * a million executions: too slow for a unit test.) */
static const char small_a[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nmode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 1\n"
    "hold_ms_min = 0\nhold_ms_max = 1\n";
static const char small_b[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nmode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 1\n";

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("explore-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static void exhaustive_options(sim_explore_options *o)
{
    sim_explore_options_init(o);
    o->mode = SIM_MODE_EXHAUSTIVE;
    o->mode_set = TRUE;
    o->shrink = FALSE;
}

/* Explores text with o; the result is the caller's to clear. */
static void explore(const char *text, const sim_explore_options *o, sim_explore_result *r)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore(s, pool, o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* Re-runs a counterexample; returns the invariants its run violates. */
static guint replay(const char *text, const sim_run_spec *cex)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run run;
    sim_run_exec(s, pool, cex, &run);
    guint violated = run.monitor.violated;
    assert_false(run.chooser.prefix_overrun);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return violated;
}

static void assert_verdict(const sim_explore_result *r, sim_verdict want)
{
    if (r->verdict != want)
        fail_msg("verdict %s, expected %s (runs %" G_GINT64_FORMAT ", reason %s)", sim_verdict_name(r->verdict),
                 sim_verdict_name(want), r->runs, r->incomplete_reason ? r->incomplete_reason : "-");
}

/* (1) Verified, and with source-DPOR + sleep sets every complete execution
 * is a trace of its own: the executions equal the distinct traces. */
static void test_lamport_verified_one_execution_per_trace(void **state)
{
    (void)state;
    sim_explore_options o;
    exhaustive_options(&o);
    o.count_traces = TRUE;
    sim_explore_result r;
    explore(lamport_1, &o, &r);
    assert_verdict(&r, SIM_VERDICT_VERIFIED);
    assert_int_equal(r.violated, 0);
    assert_true(r.runs > 1);
    assert_int_equal(r.traces, r.runs);
    /* Plain DFS (1,180,072 executions, measured; too slow here) finds the
     * same 34 traces: DPOR lost none. */
    assert_int_equal(r.traces, 34);
    assert_int_equal(r.bound_hits, 0);
    assert_null(r.incomplete_reason);
    assert_non_null(r.bounds_text);
    assert_non_null(strstr(r.bounds_text, "source-DPOR"));
    sim_explore_result_clear(&r);
}

/* (2) Reduction loses no trace: plain DFS and source-DPOR find the same
 * set of traces (counted by canonical form), DPOR in fewer executions. */
static void check_reduction_keeps_traces(const char *text)
{
    sim_explore_options o;
    exhaustive_options(&o);
    o.count_traces = TRUE;
    sim_explore_result plain, reduced;
    o.no_reduction = TRUE;
    explore(text, &o, &plain);
    o.no_reduction = FALSE;
    explore(text, &o, &reduced);
    assert_verdict(&plain, SIM_VERDICT_VERIFIED);
    assert_verdict(&reduced, SIM_VERDICT_VERIFIED);
    assert_true(plain.traces > 1);
    assert_int_equal(reduced.traces, plain.traces);
    assert_true(reduced.runs < plain.runs);
    assert_true(reduced.runs >= reduced.traces);
    assert_non_null(strstr(plain.bounds_text, "reduction off"));
    sim_explore_result_clear(&plain);
    sim_explore_result_clear(&reduced);
}

static void test_reduction_keeps_traces(void **state)
{
    (void)state;
    check_reduction_keeps_traces(small_a);
    check_reduction_keeps_traces(small_b);
}

/* (3) The variant without the b[j] wait breaks mutual exclusion, and the
 * counterexample, re-run alone, breaks it again. */
static void test_broken_lamport_found_and_replays(void **state)
{
    (void)state;
    sim_explore_options o;
    exhaustive_options(&o);
    sim_explore_result r;
    explore(broken_1, &o, &r);
    assert_verdict(&r, SIM_VERDICT_VIOLATION);
    assert_true(r.violated & SIM_INV_MUTUAL_EXCLUSION);
    assert_non_null(r.cex_prefix);
    assert_ptr_equal(r.counterexample.prefix, r.cex_prefix->data);
    assert_int_equal(r.counterexample.prefix_len, r.cex_prefix->len);
    assert_true(r.counterexample.untimed);
    assert_int_equal(replay(broken_1, &r.counterexample), r.violated);
    sim_explore_result_clear(&r);
}

/* (4) The unlocked read-modify-write of the events key loses an event. */
static void test_no_mutex_loses_event(void **state)
{
    (void)state;
    sim_explore_options o;
    exhaustive_options(&o);
    sim_explore_result r;
    explore(no_mutex_1, &o, &r);
    assert_verdict(&r, SIM_VERDICT_VIOLATION);
    assert_true(r.violated & SIM_INV_LOST_EVENT);
    assert_true(replay(no_mutex_1, &r.counterexample) & SIM_INV_LOST_EVENT);
    sim_explore_result_clear(&r);
}

/* (5) An execution budget below the tree's size: incomplete, and the
 * reason names the budget; no more executions than it allows. */
static void test_execution_budget(void **state)
{
    (void)state;
    sim_explore_options o;
    exhaustive_options(&o);
    o.executions_max = 5;
    o.executions_set = TRUE;
    sim_explore_result r;
    explore(lamport_2, &o, &r);
    assert_verdict(&r, SIM_VERDICT_INCOMPLETE);
    assert_non_null(r.incomplete_reason);
    if (!strstr(r.incomplete_reason, "execution budget of 5"))
        fail_msg("reason does not name the budget: %s", r.incomplete_reason);
    assert_int_equal(r.runs + r.pruned, 5);
    sim_explore_result_clear(&r);
    /* The scenario's [explore] executions_max is the same budget. */
    exhaustive_options(&o);
    explore(LAMPORT(2, "") "[explore]\nexecutions_max = 7\n", &o, &r);
    assert_verdict(&r, SIM_VERDICT_INCOMPLETE);
    assert_non_null(strstr(r.incomplete_reason, "execution budget of 7"));
    sim_explore_result_clear(&r);
}

/* (5b) An option given on the command line wins over the scenario even
 * when it names the default: --preemptions -1 (no bound) over a scenario's
 * preemptions_max = 2, --executions 0 (no budget) over its executions_max
 * = 7, --depth 3 over its pct_depth = 5.  Absent, the scenario's values
 * hold.  Before the flags, -1, 0 and 3 were sentinels for "not given". */
static void test_given_options_win(void **state)
{
    (void)state;
    sim_scenario *s = scenario(LAMPORT(2, "") "[explore]\npreemptions_max = 2\nexecutions_max = 7\npct_depth = 5\n");
    sim_explore_options in, out;
    exhaustive_options(&in);
    sim_explore_resolve(s, &in, &out);
    assert_int_equal(out.preemptions_max, 2);
    assert_int_equal(out.executions_max, 7);
    assert_int_equal(out.pct_depth, 5);
    in.preemptions_max = -1;
    in.preemptions_set = TRUE;
    in.executions_max = 0;
    in.executions_set = TRUE;
    in.pct_depth = 3;
    in.pct_depth_set = TRUE;
    sim_explore_resolve(s, &in, &out);
    assert_int_equal(out.preemptions_max, -1);
    assert_int_equal(out.executions_max, 0);
    assert_int_equal(out.pct_depth, 3);
    sim_scenario_free(s);
}

/* (7) Iterative context bounding.  The broken variant needs two
 * preemptions (as the scenario file tells it: tab a is switched away from
 * after reading y = 0, b runs its fast path into the critical section and
 * is switched away from while it could go on, a writes y and enters too:
 * two switches away from a tab that could go on).  So bounds 0 and 1 explore every
 * execution with at most that many preemptions and find none (verified
 * within the bound), and bound 2 finds it, with a counterexample of at
 * most 2 preemptions. */
static void test_preemption_bound(void **state)
{
    (void)state;
    sim_explore_options o;
    sim_explore_result r;
    for (gint64 bound = 0; bound <= 1; bound++) {
        exhaustive_options(&o);
        o.preemptions_max = bound;
        o.preemptions_set = TRUE;
        explore(broken_1, &o, &r);
        assert_verdict(&r, SIM_VERDICT_VERIFIED);
        assert_int_equal(r.preemption_bound_reached, bound);
        char want[48];
        g_snprintf(want, sizeof want, "at most %" G_GINT64_FORMAT " preemptions", bound);
        if (!strstr(r.bounds_text, want))
            fail_msg("bounds text does not state the bound: %s", r.bounds_text);
        assert_true(r.runs >= 1);
        sim_explore_result_clear(&r);
    }
    exhaustive_options(&o);
    o.preemptions_max = 2;
    o.preemptions_set = TRUE;
    explore(broken_1, &o, &r);
    assert_verdict(&r, SIM_VERDICT_VIOLATION);
    assert_true(r.violated & SIM_INV_MUTUAL_EXCLUSION);
    assert_int_equal(r.preemption_bound_reached, 2);
    sim_scenario *s = scenario(broken_1);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run run;
    sim_run_exec(s, pool, &r.counterexample, &run);
    assert_true(run.monitor.violated & SIM_INV_MUTUAL_EXCLUSION);
    assert_true(run.monitor.c.preemptions <= 2);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    sim_explore_result_clear(&r);
}

/* A step bound cuts runs short; a search that claims "every execution of
 * at most N steps" must still find what the plain search finds within the
 * same bound.  18 steps is the bound at which the broken variant's
 * shortest violation first fits. */
static void test_step_bound_reduction_sound(void **state)
{
    (void)state;
    static const char text[] = LAMPORT(1, "[lamport]\nomit = b-wait\n") "[run]\nsteps_max = 18\n";
    sim_explore_options o;
    exhaustive_options(&o);
    sim_explore_result plain, reduced;
    o.no_reduction = TRUE;
    explore(text, &o, &plain);
    assert_verdict(&plain, SIM_VERDICT_VIOLATION);
    assert_true(replay(text, &plain.counterexample) & SIM_INV_MUTUAL_EXCLUSION);
    o.no_reduction = FALSE;
    explore(text, &o, &reduced);
    sim_verdict verdict = reduced.verdict;
    gint64 runs = reduced.runs;
    char bounds[256];
    g_strlcpy(bounds, reduced.bounds_text ? reduced.bounds_text : "", sizeof bounds);
    sim_explore_result_clear(&plain);
    sim_explore_result_clear(&reduced);
    if (verdict != SIM_VERDICT_VIOLATION)
        fail_msg("with reduction: %s after %" G_GINT64_FORMAT " executions (%s), but plain DFS finds a violation "
                 "within the same step bound",
                 sim_verdict_name(verdict), runs, bounds);
}

/* Values drawn after a run's cut, while its tasks are cancelled, are no
 * choices of the run (sim_chooser.closed): the search once branched on
 * them, and a branch replayed from the root met a scheduling choice where
 * the value had been (a crash without saved states; 84 extra executions
 * of snapshot-lamport.ini with them).  Cut at every depth, with and
 * without saved states: the same executions, and none twice. */
static void test_cut_runs_branch_on_their_own_choices(void **state)
{
    (void)state;
    static const char text[] = "[scenario]\ntabs = 3\n[mutex]\nalgorithm = web-locks\n[workload]\nmode = lock\n"
                               "locks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 5\nhold_ms_min = 0\n"
                               "hold_ms_max = 1\n";
    for (gint64 steps = 4; steps <= 12; steps++) {
        sim_explore_options o;
        exhaustive_options(&o);
        o.steps_max = steps;
        o.preemptions_max = -1;
        o.preemptions_set = TRUE;
        sim_explore_result saved, replayed;
        explore(text, &o, &saved);
        g_setenv("TABSIM_NO_ARENA", "1", TRUE);
        explore(text, &o, &replayed);
        g_unsetenv("TABSIM_NO_ARENA");
        assert_int_equal(saved.runs, replayed.runs);
        assert_int_equal(saved.steps, replayed.steps);
        assert_int_equal(saved.verdict, replayed.verdict);
        sim_explore_result_clear(&saved);
        sim_explore_result_clear(&replayed);
    }
}

/* (9) Each bound that cut a run is counted under its own name: a run
 * stopped by time_limit_ms is not counted as cut by steps_max, and the
 * reverse; a set refused for the quota is counted, since the reduction
 * assumes none is. */
static void test_cuts_named(void **state)
{
    (void)state;
    static const char timed[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n"
                                "[workload]\nmode = lock\nlocks_per_tab = 2\n[run]\ntime_limit_ms = 1\n";
    static const char stepped[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n[run]\nsteps_max = 5\n";
    static const char quota[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n[storage]\nquota_bytes = 30\n"
                                "[workload]\nmode = lock\nlocks_per_tab = 1\n";
    sim_explore_options o;
    sim_explore_result r;
    sim_explore_options_init(&o);
    o.runs = 20;
    explore(timed, &o, &r);
    assert_int_equal(r.cut_time, 20);
    assert_int_equal(r.cut_steps, 0);
    assert_int_equal(r.bound_hits, 20);
    sim_explore_result_clear(&r);
    explore(stepped, &o, &r);
    assert_int_equal(r.cut_steps, 20);
    assert_int_equal(r.cut_time, 0);
    sim_explore_result_clear(&r);
    exhaustive_options(&o);
    explore(quota, &o, &r);
    assert_true(r.quota_runs > 0);
    assert_int_equal(r.quota_runs, r.runs);
    sim_explore_result_clear(&r);
    exhaustive_options(&o);
    o.preemptions_max = 0;
    o.preemptions_set = TRUE;
    explore(broken_1, &o, &r);
    assert_true(r.cut_preemptions > 0);
    sim_explore_result_clear(&r);
}

/* (10) Every invariant judged: the random explorer goes on after the
 * first violation and keeps the first run that violated each invariant
 * (scenarios/bucketeer-branch-lost.ini: two tabs inside in run 12, an
 * event lost in run 84); --first stops at run 12 with one invariant. */
static void test_every_invariant(void **state)
{
    (void)state;
    static const char text[] =
        "[scenario]\ntabs = 3\n[mutex]\nalgorithm = bucketeer-branch\n"
        "[bucketeer-branch]\ntimeout_ms = 3000\nretries_max = 60\nlock_check_interval_ms = 50\n"
        "[workload]\nmode = events\nevents_per_tab = 4\ninterval_ms_min = 0\ninterval_ms_max = 20\n"
        "[flush]\nenabled = false\n";
    sim_explore_options o;
    sim_explore_result r;
    sim_explore_options_init(&o);
    o.runs = 100;
    o.shrink = FALSE;
    explore(text, &o, &r);
    assert_verdict(&r, SIM_VERDICT_VIOLATION);
    assert_int_equal(r.violated, SIM_INV_MUTUAL_EXCLUSION | SIM_INV_LOST_EVENT);
    assert_int_equal(r.runs, 100);
    assert_int_equal(r.cex[0].spec.seed, 12);
    assert_int_equal(r.cex[1].spec.seed, 84);
    assert_int_equal(r.primary, SIM_INV_MUTUAL_EXCLUSION);
    assert_int_equal(replay(text, &r.cex[1].spec) & SIM_INV_LOST_EVENT, SIM_INV_LOST_EVENT);
    sim_explore_result_clear(&r);
    o.first = TRUE;
    explore(text, &o, &r);
    assert_int_equal(r.violated, SIM_INV_MUTUAL_EXCLUSION);
    assert_int_equal(r.runs, 12);
    sim_explore_result_clear(&r);
}

/* (8) The search is a function of the scenario and the options. */
static void test_deterministic(void **state)
{
    (void)state;
    sim_explore_options o;
    exhaustive_options(&o);
    o.count_traces = TRUE;
    sim_explore_result a, b;
    explore(lamport_1, &o, &a);
    explore(lamport_1, &o, &b);
    assert_int_equal(a.verdict, b.verdict);
    assert_int_equal(a.runs, b.runs);
    assert_int_equal(a.pruned, b.pruned);
    assert_int_equal(a.traces, b.traces);
    assert_int_equal(a.steps, b.steps);
    assert_int_equal(a.storage_ops, b.storage_ops);
    assert_string_equal(a.bounds_text, b.bounds_text);
    sim_explore_result_clear(&a);
    sim_explore_result_clear(&b);

    for (int shrink = 0; shrink <= 1; shrink++) {
        o.shrink = shrink;
        explore(broken_1, &o, &a);
        explore(broken_1, &o, &b);
        assert_verdict(&a, SIM_VERDICT_VIOLATION);
        assert_verdict(&b, SIM_VERDICT_VIOLATION);
        assert_int_equal(a.runs, b.runs);
        assert_int_equal(a.pruned, b.pruned);
        assert_int_equal(a.traces, b.traces);
        assert_int_equal(a.violated, b.violated);
        assert_int_equal(a.counterexample.prefix_len, b.counterexample.prefix_len);
        assert_memory_equal(a.counterexample.prefix, b.counterexample.prefix,
                            a.counterexample.prefix_len * sizeof(uint32_t));
        assert_int_equal(a.shrink_to_steps, b.shrink_to_steps);
        sim_explore_result_clear(&a);
        sim_explore_result_clear(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lamport_verified_one_execution_per_trace),
        cmocka_unit_test(test_reduction_keeps_traces),
        cmocka_unit_test(test_broken_lamport_found_and_replays),
        cmocka_unit_test(test_no_mutex_loses_event),
        cmocka_unit_test(test_execution_budget),
        cmocka_unit_test(test_preemption_bound),
        cmocka_unit_test(test_given_options_win),
        cmocka_unit_test(test_step_bound_reduction_sound),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_cuts_named),
        cmocka_unit_test(test_cut_runs_branch_on_their_own_choices),
        cmocka_unit_test(test_every_invariant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
