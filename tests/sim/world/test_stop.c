/*
 * test_stop.c - ending runs before their end (sim/world/stop.h): the stop
 * word and the history bound, in a run and in every explorer.
 *
 * Goal: a run polls the stop word before every step, so a word set in the
 * middle of a run stops it at the next step, unjudged; a word that stays 0
 * changes nothing (the same steps, choices and verdict as no word at all);
 * a run that records its choices, traces its timeline or collects samples
 * stops at SIM_HISTORY_STEPS_MAX steps, and one that keeps no history does
 * not; the random, exhaustive and PCT explorers turn a stop into an
 * incomplete verdict naming its cause and count no run it cut; and a stop
 * that strikes while shrinking leaves the counterexample as found, marked
 * unshrunk, never half shrunk, and the violation found (a search stopped
 * after it found one shrinks nothing and keeps it).  Method: small scenarios given as text; the
 * word is set before a call, or from a step_done hook at a chosen step
 * (deterministic, no clock and no thread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/explore/run.h"
#include "sim/stats/stats.h"
#include "sim/world/world.h"

/* Two tabs taking Lamport's lock: a few hundred steps a run. */
static const char short_runs[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = lamport\n"
    "[workload]\nmode = lock\nlocks_per_tab = 4\ninterval_ms_min = 0\ninterval_ms_max = 1\n"
    "hold_ms_min = 0\nhold_ms_max = 1\n";

/* About 720 000 steps: beyond the history bound, fast without history. */
static const char long_run[] =
    "[scenario]\ntabs = 4\n"
    "[mutex]\nalgorithm = lamport\n"
    "[workload]\nmode = lock\nlocks_per_tab = 20000\n"
    "[run]\ntime_limit_ms = 31536000000\n";

/* Lamport without the b[j] wait: exhaustive search finds two tabs inside. */
static const char broken[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = lamport\n[lamport]\nomit = b-wait\n"
    "[workload]\nmode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 0\n";

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("stop-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* step_done hook: sets the word once the run has taken `at` steps. */
typedef struct stop_at {
    volatile int word;
    uint64_t steps, at;
} stop_at;

static void count_step(void *ctx, const sim_step_info *step)
{
    (void)step;
    stop_at *sa = ctx;
    if (++sa->steps == sa->at)
        sa->word = SIM_STOP_SIGNAL;
}

/* (1) A word set during a run stops it before the next step, unjudged. */
static void test_stop_mid_run(void **state)
{
    (void)state;
    sim_scenario *s = scenario(long_run);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    stop_at sa = {.at = 1000};
    sim_run_spec spec = {.seed = 1, .stop = &sa.word, .step_done = count_step, .hook_ctx = &sa};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    assert_int_equal(run.stopped, SIM_STOP_SIGNAL);
    assert_int_equal(run.monitor.c.steps, 1000);
    assert_int_equal(run.monitor.violated, 0); /* not judged: nothing "lost" by the cut */
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* (2) A word that stays 0 changes nothing: same steps, choices, verdict. */
static void test_unset_word_changes_nothing(void **state)
{
    (void)state;
    sim_scenario *s = scenario(short_runs);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    volatile int word = SIM_STOP_NONE;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run_spec plain = {.seed = seed, .record = TRUE};
        sim_run_spec polled = plain;
        polled.stop = &word;
        sim_run a, b;
        sim_run_exec(s, pool, &plain, &a);
        sim_run_exec(s, pool, &polled, &b);
        assert_int_equal(a.stopped, SIM_STOP_NONE);
        assert_int_equal(b.stopped, SIM_STOP_NONE);
        assert_int_equal(a.monitor.c.steps, b.monitor.c.steps);
        assert_int_equal(a.monitor.c.storage_ops, b.monitor.c.storage_ops);
        assert_int_equal(a.monitor.violated, b.monitor.violated);
        assert_int_equal(a.chooser.record->len, b.chooser.record->len);
        assert_memory_equal(a.chooser.record->data, b.chooser.record->data,
                            a.chooser.record->len * sizeof(uint32_t));
        sim_run_clear(&a);
        sim_run_clear(&b);
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* (3) Recording, tracing or collecting samples: stopped at the bound.
 * Keeping nothing: the run goes on to its end. */
static void test_history_bound(void **state)
{
    (void)state;
    sim_scenario *s = scenario(long_run);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_stats *st = sim_stats_new();
    sim_run_spec kinds[3] = {{.seed = 1, .record = TRUE}, {.seed = 1, .trace = TRUE}, {.seed = 1, .stats = st}};
    for (int i = 0; i < 3; i++) {
        sim_run run;
        sim_run_exec(s, pool, &kinds[i], &run);
        assert_int_equal(run.stopped, SIM_STOP_HISTORY);
        assert_int_equal(run.monitor.c.steps, SIM_HISTORY_STEPS_MAX);
        sim_run_clear(&run);
    }
    sim_run_spec plain = {.seed = 1};
    sim_run run;
    sim_run_exec(s, pool, &plain, &run);
    assert_int_equal(run.stopped, SIM_STOP_NONE);
    assert_true(run.monitor.c.steps > SIM_HISTORY_STEPS_MAX);
    assert_false(run.monitor.c.truncated);
    sim_run_clear(&run);
    sim_stats_free(st);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void explore_text(const char *text, const sim_explore_options *o, sim_explore_result *r)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore(s, pool, o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void assert_incomplete(const sim_explore_result *r, sim_stop cause, const char *reason)
{
    if (r->verdict != SIM_VERDICT_INCOMPLETE || r->stop_cause != cause)
        fail_msg("verdict %s, cause %d (reason %s)", sim_verdict_name(r->verdict), r->stop_cause,
                 r->incomplete_reason ? r->incomplete_reason : "-");
    if (!strstr(r->incomplete_reason, reason))
        fail_msg("reason \"%s\" does not say \"%s\"", r->incomplete_reason, reason);
}

/* (4) Every explorer: a stop set before it starts is incomplete at once,
 * names its cause, and counts no run. */
static void test_explorers_stopped(void **state)
{
    (void)state;
    static const sim_mode modes[] = {SIM_MODE_RANDOM, SIM_MODE_EXHAUSTIVE, SIM_MODE_PCT};
    volatile int word = SIM_STOP_BUDGET;
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        sim_explore_options o;
        sim_explore_options_init(&o);
        o.mode = modes[i];
        o.mode_set = TRUE;
        o.time_budget_s = 5;
        o.stop = &word;
        sim_explore_result r;
        explore_text(short_runs, &o, &r);
        assert_incomplete(&r, SIM_STOP_BUDGET, "the time budget of 5 s ran out after 0 ");
        assert_int_equal(r.runs, 0);
        assert_int_equal(r.steps, 0);
        sim_explore_result_clear(&r);
    }
    word = SIM_STOP_SIGNAL;
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.stop = &word;
    sim_explore_result r;
    explore_text(short_runs, &o, &r);
    assert_incomplete(&r, SIM_STOP_SIGNAL, "interrupted by a signal");
    sim_explore_result_clear(&r);
}

/* (5) Exhaustive search records every run: a run beyond the history bound
 * ends the search, incomplete, the same way every time. */
static void test_exhaustive_history(void **state)
{
    (void)state;
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = SIM_MODE_EXHAUSTIVE;
    o.mode_set = TRUE;
    sim_explore_result r;
    explore_text(long_run, &o, &r);
    assert_incomplete(&r, SIM_STOP_HISTORY, "the history bound stopped a run at 262144 steps");
    assert_int_equal(r.runs, 0);
    sim_explore_result_clear(&r);
}

/* (6) A stop while shrinking: still a violation, the counterexample as
 * found; and (7) a search that a stop cut after it found one: the same,
 * without a shrinking run. */
static void test_shrink_stopped(void **state)
{
    (void)state;
    sim_scenario *s = scenario(broken);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = SIM_MODE_EXHAUSTIVE;
    o.mode_set = TRUE;
    o.shrink = FALSE;
    sim_explore_result r;
    sim_explore(s, pool, &o, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_VIOLATION);
    guint violated = r.violated;
    size_t len = r.counterexample.prefix_len;
    GArray *found = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_vals(found, r.counterexample.prefix, (guint)len);

    volatile int word = SIM_STOP_SIGNAL;
    o.stop = &word;
    sim_explore_options resolved;
    sim_explore_resolve(s, &o, &resolved);
    sim_explore_shrink(s, pool, &resolved, 0, 0, r.violated, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_VIOLATION);
    assert_int_equal(r.stop_cause, SIM_STOP_SIGNAL);
    assert_true(r.cex_unshrunk);
    assert_false(r.shrunk);
    assert_int_equal(r.violated, violated);
    assert_int_equal(r.counterexample.prefix_len, len);
    assert_memory_equal(r.counterexample.prefix, found->data, len * sizeof(uint32_t));
    sim_explore_result_clear(&r);

    /* (7) */
    o.stop = NULL;
    sim_explore(s, pool, &o, &r);
    r.stop_cause = SIM_STOP_BUDGET; /* as a search the budget cut after its violation */
    word = SIM_STOP_BUDGET;
    o.stop = &word;
    o.shrink = TRUE;
    sim_explore_shrink_found(s, pool, &o, r.runs, r.steps, r.violated, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_VIOLATION);
    assert_true(r.cex_unshrunk);
    assert_int_equal(r.violated, violated);
    for (int i = 0; i < SIM_INV_COUNT; i++)
        assert_int_equal(r.cex[i].shrink_runs, 0);
    assert_int_equal(r.counterexample.prefix_len, len);
    assert_memory_equal(r.counterexample.prefix, found->data, len * sizeof(uint32_t));
    sim_explore_result_clear(&r);
    g_array_free(found, TRUE);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_mid_run),
        cmocka_unit_test(test_unset_word_changes_nothing),
        cmocka_unit_test(test_history_bound),
        cmocka_unit_test(test_explorers_stopped),
        cmocka_unit_test(test_exhaustive_history),
        cmocka_unit_test(test_shrink_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
