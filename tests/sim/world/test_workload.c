/*
 * test_workload.c - bounded workloads: [flush] count makes the flushes
 * part of the workload, so a run ends by itself.
 *
 * Goal: with a count, every run ends when its adds and flushes are done
 * (never cut by time_limit_ms, no task left), each tab takes the lock
 * exactly once per add and once per flush, and every event is delivered
 * or still stored; a reloaded tab goes on from the flushes it had started
 * instead of starting them over; without a count (the periodic flush) the
 * same runs go on flushing until the drain ends.  Method: small Web Locks
 * scenarios as text, timed random runs over many seeds with
 * sim_world_* so that the world's state at the end can be seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define SEEDS 50

static const char bounded[] =
    "[scenario]\ntabs = 3\n"
    "[mutex]\nalgorithm = web-locks\n"
    "[workload]\nevents_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 50\n"
    "[flush]\ncount = 2\ninterval_ms = 100\n"
    "[run]\ndrain_ms = 60000\n";

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("workload-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* One timed random run; its counters, after checking that nothing is left. */
static sim_counters run_one(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed, gboolean *violated)
{
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, FALSE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    sim_world_run(w);
    assert_int_equal(w->live.length, 0);
    assert_int_equal(w->spawned_live, 0);
    sim_world_free(w);
    sim_counters c = monitor.c;
    *violated = monitor.violated != 0;
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    return c;
}

static void test_bounded_runs_end_by_themselves(void **state)
{
    (void)state;
    sim_scenario *s = scenario(bounded);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        gboolean violated;
        sim_counters c = run_one(s, pool, seed, &violated);
        assert_false(violated);
        assert_false(c.truncated);
        assert_int_equal(c.cut, 0);
        /* One lock per add and per flush: 3 tabs x (2 + 2). */
        assert_int_equal(c.lock_requests, 12);
        assert_int_equal(c.events_added, 6);
        assert_int_equal(c.events_delivered + c.events_stored, 6);
        /* The last flush ends the run: long before the drain could. */
        assert_true(c.end_time_us < 60000 * 1000);
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* Without a count the flush is periodic: it is not part of the workload,
 * so the run goes on flushing through the whole drain. */
static void test_periodic_flush_runs_through_the_drain(void **state)
{
    (void)state;
    char *text = g_strdup(bounded);
    char *count = strstr(text, "count = 2\n");
    memcpy(count, "count = 0\n", strlen("count = 0\n"));
    sim_scenario *s = scenario(text);
    g_free(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        gboolean violated;
        sim_counters c = run_one(s, pool, seed, &violated);
        assert_false(violated);
        assert_true(c.end_time_us > 60000 * 1000 - 1000 * 1000);
        assert_true(c.lock_requests > 12 + 3 * 100); /* a flush every 100 ms for 60 s, per tab */
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* A reload: the new instance goes on from the flushes the old one had
 * started, so no tab ever starts more than count of them. */
static void test_reload_keeps_the_count(void **state)
{
    (void)state;
    char *text = g_strconcat(bounded, "[faults]\ntab_reload_max = 2\ntab_reload_pct = 20\n", NULL);
    sim_scenario *s = scenario(text);
    g_free(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int reloaded_runs = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_chooser chooser;
        sim_monitor monitor;
        sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
        sim_monitor_init(&monitor, s, FALSE);
        sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
        sim_world_run(w);
        assert_int_equal(w->live.length, 0);
        assert_false(monitor.c.truncated);
        for (int i = 0; i < w->n_tabs; i++)
            assert_true(w->tabs[i].flushes_done <= 2);
        /* Adds and flushes: a closed instance's are counted when started. */
        assert_true(monitor.c.lock_requests <= 12);
        reloaded_runs += w->tab_reloads > 0;
        sim_world_free(w);
        sim_monitor_clear(&monitor);
        sim_chooser_clear(&chooser);
    }
    assert_true(reloaded_runs > 5); /* the fault really struck */
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_runs_end_by_themselves),
        cmocka_unit_test(test_periodic_flush_runs_through_the_drain),
        cmocka_unit_test(test_reload_keeps_the_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
