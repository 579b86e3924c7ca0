/*
 * test_env_promise.c - the tab's own promises (sim/world/env_promise.c),
 * as the in-tab mutex of [lamport] tasks = serialised uses them.
 *
 * Goal: two tasks of one tab (an add and a flush) really meet at the
 * in-tab mutex: one parks ("tab-wait" in the timeline) and is woken when
 * the other unlocks; with it, Lamport keeps mutual exclusion on every
 * seed, while the same runs with tasks = shared let two tasks of one tab
 * in on some seed; and a run that ends while a task is parked unwinds it
 * (no task left).  Method: timed random runs of small Lamport scenarios
 * over many seeds, traced to look for the parking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define SEEDS 200

/* Adds fast and a flush right away, so that a tab's tasks overlap. */
static const char lamport_sdk[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = lamport\ncross_tab_safety = on\n"
    "[workload]\nevents_per_tab = 3\ninterval_ms_min = 0\ninterval_ms_max = 2\n"
    "[flush]\ncount = 2\ninterval_ms = 1\n"
    "[server]\nlatency_ms_min = 1\nlatency_ms_max = 5\n"
    "[storage]\nlatency_us_min = 10\nlatency_us_max = 3000\n";

static sim_scenario *scenario(const char *tasks, const char *extra)
{
    char *text = g_strdup_printf("%s[lamport]\ntasks = %s\n%s", lamport_sdk, tasks, extra);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("promise-test.ini", text, strlen(text), &error);
    g_free(text);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

typedef struct outcome {
    guint violated;
    gboolean parked;   /* a "tab-wait" line */
    gboolean truncated;
} outcome;

static outcome run_one(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed)
{
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, TRUE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    sim_world_run(w);
    assert_int_equal(w->live.length, 0);
    sim_world_free(w);
    outcome o = {monitor.violated, FALSE, monitor.c.truncated};
    for (guint i = 0; i < monitor.trace->len && !o.parked; i++)
        o.parked = strstr(monitor.trace->pdata[i], " tab-wait ") != NULL;
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    return o;
}

static void test_serialised_tasks_park_and_stay_exclusive(void **state)
{
    (void)state;
    sim_scenario *s = scenario("serialised", "");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int parked = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        outcome o = run_one(s, pool, seed);
        if (o.violated & SIM_INV_MUTUAL_EXCLUSION)
            fail_msg("seed %" G_GUINT64_FORMAT ": two inside with tasks = serialised", seed);
        assert_int_equal(o.violated, 0);
        assert_false(o.truncated);
        parked += o.parked;
    }
    assert_true(parked > 10); /* the tasks of a tab really met */
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_shared_tasks_both_enter(void **state)
{
    (void)state;
    sim_scenario *s = scenario("shared", "");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int inside = 0, parked = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        outcome o = run_one(s, pool, seed);
        inside += (o.violated & SIM_INV_MUTUAL_EXCLUSION) != 0;
        parked += o.parked;
    }
    assert_true(inside > 0);
    assert_int_equal(parked, 0); /* no in-tab mutex, no parking */
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* Cut while tasks are parked: the end of the run unwinds them. */
static void test_parked_tasks_unwind(void **state)
{
    (void)state;
    sim_scenario *s = scenario("serialised", "[run]\nsteps_max = 40\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int cut = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++)
        cut += run_one(s, pool, seed).truncated;
    assert_true(cut > SEEDS / 2);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serialised_tasks_park_and_stay_exclusive),
        cmocka_unit_test(test_shared_tasks_both_enter),
        cmocka_unit_test(test_parked_tasks_unwind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
