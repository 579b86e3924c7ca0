/*
 * test_shrink.c - shorter counterexamples (sim/explore/explore_shrink.c).
 *
 * Goal: shrinking never makes a counterexample longer; the one it keeps is
 * a real run that, re-run alone, violates the same invariant at the step
 * it reports; it starts from the length of the counterexample as found;
 * and a long random-mode counterexample does get shorter.  Method: the
 * same search with and without shrinking (random mode on the unlocked add
 * with 5 events per tab, exhaustive and PCT on Lamport without the b[j]
 * wait); each kept counterexample re-run with a timeline.  Also: a run
 * whose monitor only counts lines (what candidates use) counts exactly the
 * lines a traced run prints; a counterexample shrunk after the search
 * (what check --jobs N does) is the one shrunk inside it; a timed
 * counterexample keeps fewer non-zero answers than it was found with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/explore/run.h"

/* The seed's root cause with a workload whose first failing random run is
 * long: its lost update comes late among many harmless steps. */
static const char no_mutex_5[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nevents_per_tab = 5\ninterval_ms_min = 0\ninterval_ms_max = 5\n"
    "[flush]\nenabled = false\n";

static const char broken_lamport[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = lamport\n[lamport]\nomit = b-wait\n"
    "[workload]\nmode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 0\n";

typedef struct replayed {
    guint violated;
    sim_invariant first;     /* invariant of the first violation */
    uint64_t first_step;     /* its step (timeline lines up to it) */
} replayed;

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("shrink-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static replayed replay(const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *cex)
{
    sim_run_spec spec = *cex;
    spec.trace = TRUE; /* steps are counted as timeline lines */
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    replayed out = {.violated = run.monitor.violated};
    assert_false(run.chooser.prefix_overrun);
    if (run.monitor.violations->len > 0) {
        const sim_violation *v = run.monitor.violations->pdata[0];
        out.first = v->invariant;
        out.first_step = v->step;
    }
    sim_run_clear(&run);
    return out;
}

/* Explores text in mode with and without shrinking and checks the shrunk
 * counterexample against the one found.  Returns its steps as found and
 * shrunk. */
static void check_shrink(const char *text, sim_mode mode, gint64 runs, gint64 seed, uint64_t *from, uint64_t *to)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = mode;
    o.mode_set = TRUE;
    o.runs = runs;
    o.seed = seed;

    o.shrink = FALSE;
    sim_explore_result found;
    sim_explore(s, pool, &o, &found);
    if (found.verdict != SIM_VERDICT_VIOLATION)
        fail_msg("no counterexample to shrink: %s", sim_verdict_name(found.verdict));
    assert_false(found.shrunk);
    replayed as_found = replay(s, pool, &found.counterexample);
    assert_true(as_found.violated != 0);

    o.shrink = TRUE;
    sim_explore_result r;
    sim_explore(s, pool, &o, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_VIOLATION);
    assert_true(r.shrunk);
    assert_true(r.shrink_runs > 0);
    /* The search before shrinking is the same search. */
    assert_int_equal(r.runs, found.runs);
    /* It starts from the counterexample as found ... */
    assert_int_equal(r.shrink_from_steps, as_found.first_step);
    /* ... and never makes it longer. */
    if (r.shrink_to_steps > r.shrink_from_steps)
        fail_msg("shrinking made the counterexample longer: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " steps",
                 r.shrink_from_steps, r.shrink_to_steps);
    /* The kept counterexample is a real run violating the same invariant,
     * first, at the step reported. */
    assert_true(r.violated & as_found.first);
    assert_ptr_equal(r.counterexample.prefix, r.cex_prefix->data);
    assert_int_equal(r.counterexample.prefix_len, r.cex_prefix->len);
    assert_int_equal(r.counterexample.tail, SIM_TAIL_ZERO);
    replayed shrunk = replay(s, pool, &r.counterexample);
    assert_int_equal(shrunk.first, as_found.first);
    assert_int_equal(shrunk.first_step, r.shrink_to_steps);
    /* Twice the same. */
    replayed again = replay(s, pool, &r.counterexample);
    assert_int_equal(again.violated, shrunk.violated);
    assert_int_equal(again.first_step, shrunk.first_step);
    *from = r.shrink_from_steps;
    *to = r.shrink_to_steps;

    sim_explore_result_clear(&found);
    sim_explore_result_clear(&r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* Overlapping flushes without a mutex (scenarios/no-mutex-flush.ini): the
 * check finds a duplicate and no lost event in its 200 runs, but shorter
 * runs that deliver an event twice often lose one too. */
static const char no_mutex_flush[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nevents_per_tab = 3\ninterval_ms_min = 200\ninterval_ms_max = 400\n"
    "[flush]\ninterval_ms = 2000\n";

/* A shrunk counterexample breaks no invariant the check reports as held:
 * its report would contradict it (the report said "lost-event held" while
 * replaying its duplicate's token lost an event). */
static void test_shrink_keeps_to_the_check(void **state)
{
    (void)state;
    sim_scenario *s = scenario(no_mutex_flush);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.mode = SIM_MODE_RANDOM;
    o.mode_set = TRUE;
    o.runs = 200;
    o.seed = 1;
    o.shrink = TRUE;
    sim_explore_result r;
    sim_explore(s, pool, &o, &r);
    assert_int_equal(r.verdict, SIM_VERDICT_VIOLATION);
    assert_int_equal(r.violated, SIM_INV_DUPLICATE);
    assert_true(r.cex[__builtin_ctz(SIM_INV_DUPLICATE)].shrunk);
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        if (!(r.violated & (1u << i)))
            continue;
        replayed shrunk = replay(s, pool, &r.cex[i].spec);
        assert_true(shrunk.violated & (1u << i));
        if (shrunk.violated & ~r.violated)
            fail_msg("the counterexample of invariant bit %d breaks %#x, which the check found held", i,
                     shrunk.violated & ~r.violated);
    }
    sim_explore_result_clear(&r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_random_counterexample_gets_shorter(void **state)
{
    (void)state;
    uint64_t from, to;
    check_shrink(no_mutex_5, SIM_MODE_RANDOM, 200, 1, &from, &to);
    /* A lost update needs two reads and two writes of the events key;
     * the random run found first takes many more steps. */
    if (to >= from)
        fail_msg("a random counterexample of %" G_GUINT64_FORMAT " steps was not shortened", from);
}

static void test_exhaustive_counterexample(void **state)
{
    (void)state;
    uint64_t from, to;
    check_shrink(broken_lamport, SIM_MODE_EXHAUSTIVE, 0, -1, &from, &to);
}

static void test_pct_counterexample(void **state)
{
    (void)state;
    uint64_t from, to;
    check_shrink(broken_lamport, SIM_MODE_PCT, 2000, 4000, &from, &to);
}

/* Counting lines costs less than writing them and must give the same
 * violation step, on every run of a search. */
static void test_counting_equals_tracing(void **state)
{
    (void)state;
    sim_scenario *s = scenario(no_mutex_5);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int violating = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run traced, counted;
        sim_run_exec(s, pool, &spec, &traced);
        spec.trace_count = TRUE;
        sim_run_exec(s, pool, &spec, &counted);
        assert_int_equal(counted.monitor.violated, traced.monitor.violated);
        assert_int_equal(counted.monitor.lines, traced.monitor.trace->len);
        assert_int_equal(counted.monitor.c.steps, traced.monitor.c.steps);
        if (traced.monitor.violations->len > 0) {
            const sim_violation *a = traced.monitor.violations->pdata[0];
            const sim_violation *b = counted.monitor.violations->pdata[0];
            assert_int_equal(b->step, a->step);
            violating++;
        }
        sim_run_clear(&traced);
        sim_run_clear(&counted);
    }
    assert_true(violating > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static guint nonzero_answers(const uint32_t *a, size_t n)
{
    guint k = 0;
    for (size_t i = 0; i < n; i++)
        k += a[i] != 0;
    return k;
}

/* check --jobs N shrinks after combining its chunks, with the whole
 * search's steps as the bound's measure: the result must be the one
 * shrinking inside the search gives. */
static void test_shrink_after_search_is_the_same(void **state)
{
    (void)state;
    sim_scenario *s = scenario(no_mutex_5);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    sim_explore_options_init(&o);
    o.runs = 200;
    o.seed = 1;
    sim_explore_result inside, after;
    sim_explore(s, pool, &o, &inside);
    o.shrink = FALSE;
    sim_explore(s, pool, &o, &after);
    assert_int_equal(after.shrink_runs, 0);
    /* The found run, recorded: how many of its answers were not zero. */
    sim_run_spec found = after.counterexample;
    found.record = TRUE;
    sim_run run;
    sim_run_exec(s, pool, &found, &run);
    guint found_nonzero = nonzero_answers((const uint32_t *)run.chooser.record->data, run.chooser.record->len);
    sim_run_clear(&run);
    o.shrink = TRUE;
    sim_explore_shrink_found(s, pool, &o, after.runs, after.steps, after.violated, &after);
    assert_true(inside.shrunk && after.shrunk);
    assert_int_equal(after.shrink_runs, inside.shrink_runs);
    assert_int_equal(after.shrink_to_steps, inside.shrink_to_steps);
    assert_int_equal(after.shrink_work_max, inside.shrink_work_max);
    assert_int_equal(after.shrink_cut, inside.shrink_cut);
    assert_int_equal(after.cex_prefix->len, inside.cex_prefix->len);
    assert_memory_equal(after.cex_prefix->data, inside.cex_prefix->data, inside.cex_prefix->len * sizeof(uint32_t));
    /* Timed: most latencies go to the low end of their range. */
    guint kept = nonzero_answers((const uint32_t *)inside.cex_prefix->data, inside.cex_prefix->len);
    if (kept >= found_nonzero)
        fail_msg("shrinking kept %u non-zero answers of %u", kept, found_nonzero);
    sim_explore_result_clear(&inside);
    sim_explore_result_clear(&after);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_counterexample_gets_shorter),
        cmocka_unit_test(test_exhaustive_counterexample),
        cmocka_unit_test(test_pct_counterexample),
        cmocka_unit_test(test_counting_equals_tracing),
        cmocka_unit_test(test_shrink_after_search_is_the_same),
        cmocka_unit_test(test_shrink_keeps_to_the_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
