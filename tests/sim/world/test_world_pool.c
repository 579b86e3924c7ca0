/*
 * test_world_pool.c - a world made from the last run's shell behaves as a
 * fresh one (sim/world/world_pool.c).
 *
 * Goal: runs stay a pure function of (scenario, choices) when worlds are
 * reused: a run on a pool whose parked world has been through other runs
 * (other scenarios, more tabs, a full map, faults, another storage model)
 * gives the same timeline, counters and verdicts, byte for byte, as the
 * same run on a new pool, whose world is built from nothing; and the shell
 * is really reused (the second world on a thread is the first one's
 * memory).  Method: small scenarios as text, run with sim_run_exec traced,
 * each seed once on a fresh pool and once on one shared, dirty pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define SEEDS 40

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("pool-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* The SDK with adds, flushes, server and a tab that may be closed. */
static const char sdk_faults[] =
    "[scenario]\ntabs = 3\n"
    "[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
    "[workload]\nevents_per_tab = 3\ninterval_ms_min = 0\ninterval_ms_max = 50\n"
    "[flush]\ninterval_ms = 200\n"
    "[server]\nlatency_ms_min = 5\nlatency_ms_max = 40\n"
    "[faults]\ntab_close_max = 1\n"
    "[run]\ndrain_ms = 2000\n";

/* Lamport over the cached storage model (its own state beyond the map). */
static const char lamport_cached[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = lamport\n"
    "[storage]\nmodel = cached\n"
    "[workload]\nmode = lock\nlocks_per_tab = 3\ninterval_ms_min = 0\ninterval_ms_max = 3\n"
    "hold_ms_min = 0\nhold_ms_max = 2\n";

/* No lock at all, 4 tabs: events lost, so violations are compared too. */
static const char no_mutex[] =
    "[scenario]\ntabs = 4\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nevents_per_tab = 4\ninterval_ms_min = 0\ninterval_ms_max = 5\n"
    "[flush]\nenabled = false\n";

static void run_traced(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed, sim_run *run)
{
    sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
    sim_run_exec(s, pool, &spec, run);
}

static void assert_same_run(const sim_run *a, const sim_run *b)
{
    GPtrArray *ta = a->monitor.trace, *tb = b->monitor.trace;
    assert_non_null(ta);
    assert_non_null(tb);
    for (guint i = 0; i < MIN(ta->len, tb->len); i++)
        if (strcmp(ta->pdata[i], tb->pdata[i]) != 0)
            fail_msg("fresh and pooled timelines differ at line %u:\n  %s\n  %s", i, (char *)ta->pdata[i],
                     (char *)tb->pdata[i]);
    assert_int_equal(ta->len, tb->len);
    assert_int_equal(a->monitor.violated, b->monitor.violated);
    assert_int_equal(a->monitor.c.steps, b->monitor.c.steps);
    assert_int_equal(a->monitor.c.storage_ops, b->monitor.c.storage_ops);
    assert_int_equal(a->monitor.c.events_delivered, b->monitor.c.events_delivered);
    assert_int_equal(a->monitor.c.end_time_us, b->monitor.c.end_time_us);
    assert_int_equal(a->chooser.pos, b->chooser.pos);
}

/* Every seed of the three scenarios, interleaved on one dirty pool, against
 * the same seed on a pool of its own. */
static void test_pooled_runs_equal_fresh_runs(void **state)
{
    (void)state;
    sim_scenario *s[3] = {scenario(sdk_faults), scenario(lamport_cached), scenario(no_mutex)};
    sim_stack_pool *shared = sim_stack_pool_new(SIM_STACK_SIZE);
    guint violated = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++)
        for (int k = 0; k < 3; k++) {
            sim_stack_pool *fresh = sim_stack_pool_new(SIM_STACK_SIZE);
            sim_run a, b;
            run_traced(s[k], fresh, seed, &a);
            run_traced(s[k], shared, seed, &b);
            assert_same_run(&a, &b);
            violated |= a.monitor.violated;
            sim_run_clear(&a);
            sim_run_clear(&b);
            sim_stack_pool_free(fresh);
        }
    /* Not vacuous: some run broke an invariant, so verdicts were compared. */
    assert_true(violated != 0);
    sim_stack_pool_free(shared);
    for (int k = 0; k < 3; k++)
        sim_scenario_free(s[k]);
}

/* The second world on a pool is the first one's memory, emptied. */
static void test_world_shell_is_reused(void **state)
{
    (void)state;
    sim_scenario *s = scenario(lamport_cached);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, 7, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, FALSE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    sim_world_run(w);
    assert_true(sim_storage_changes(w->storage) > 0);
    sim_world *first = w;
    sim_world_free(w);
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);

    sim_chooser_init(&chooser, 7, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, FALSE);
    w = sim_world_new(s, &chooser, pool, &monitor);
    assert_ptr_equal(w, first);
    /* Emptied as new: no key, no change, no task, time 0. */
    assert_int_equal(sim_storage_changes(w->storage), 0);
    assert_int_equal(sim_storage_bytes(w->storage), 0);
    assert_int_equal(sim_queue_len(&w->queue), 0);
    assert_int_equal(w->live.length, 0);
    assert_int_equal(w->now_us, 0);
    assert_int_equal(w->next_task_id, 0);
    sim_world_free(w);
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pooled_runs_equal_fresh_runs),
        cmocka_unit_test(test_world_shell_is_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
