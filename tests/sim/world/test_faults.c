/*
 * test_faults.c - tab crashes and freezes ([faults], sim/world/faults.c).
 *
 * Goal: with the fault budgets at 0 a run makes no extra choice (same
 * choices, counters and scenario hash as a scenario without [faults]); a
 * closed tab acts no more, yet the run ends cleanly (its tasks unwound,
 * nothing leaked: ASan), its unfinished adds are not counted, and under
 * Web Locks a crash anywhere never breaks an invariant (its lock is
 * released), while under Lamport a crash can block the other tab for good;
 * a frozen tab resumes after the drawn time; a reloaded tab comes back
 * with a new client id and its new instance flushes what the old one left
 * (where a plain close leaves it stored); runs with faults are
 * reproducible from their seed.  Method: whole runs of small scenarios
 * given as text, over many seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define SEEDS 150

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("faults-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static void run_seed(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed, gboolean trace, sim_run *run)
{
    sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = trace};
    sim_run_exec(s, pool, &spec, run);
}

static gboolean trace_has(const sim_run *run, const char *needle)
{
    for (guint i = 0; run->monitor.trace && i < run->monitor.trace->len; i++)
        if (strstr(run->monitor.trace->pdata[i], needle))
            return TRUE;
    return FALSE;
}

#define EVENTS "[scenario]\ntabs = 3\n[mutex]\nalgorithm = web-locks\n[workload]\nevents_per_tab = 4\n" \
               "[flush]\ninterval_ms = 1500\n"

static void test_zero_budget_costs_nothing(void **state)
{
    (void)state;
    sim_scenario *plain = scenario(EVENTS);
    sim_scenario *zero = scenario(EVENTS "[faults]\ntab_close_max = 0\ntab_freeze_max = 0\n");
    assert_int_equal(plain->hash, zero->hash);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run a, b;
        run_seed(plain, pool, seed, FALSE, &a);
        run_seed(zero, pool, seed, FALSE, &b);
        assert_int_equal(a.chooser.pos, b.chooser.pos);
        assert_int_equal(a.monitor.c.steps, b.monitor.c.steps);
        assert_int_equal(a.monitor.c.storage_ops, b.monitor.c.storage_ops);
        sim_run_clear(&a);
        sim_run_clear(&b);
    }
    /* A budget changes the hash: tokens of fault runs cannot be replayed
     * against the fault-free scenario. */
    sim_scenario *faulty = scenario(EVENTS "[faults]\ntab_close_max = 1\n");
    assert_int_not_equal(plain->hash, faulty->hash);
    sim_stack_pool_free(pool);
    sim_scenario_free(plain);
    sim_scenario_free(zero);
    sim_scenario_free(faulty);
}

static void test_close_at_first_point(void **state)
{
    (void)state;
    /* Every scheduling point strikes: the first tab to step is closed at
     * once and does nothing; the others carry on. */
    sim_scenario *s = scenario(EVENTS "[faults]\ntab_close_max = 1\ntab_close_pct = 100\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run run;
    run_seed(s, pool, 7, TRUE, &run);
    assert_true(trace_has(&run, "tab closed"));
    assert_int_equal(run.monitor.violated, 0);
    assert_int_equal(run.monitor.c.events_tracked, 8); /* two tabs of three */
    assert_int_equal(run.monitor.c.events_added, 8);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_web_locks_survive_crashes(void **state)
{
    (void)state;
    /* No flush: a crash between send and delete would duplicate events,
     * which is the flush's problem, not the lock's. */
    sim_scenario *s = scenario("[scenario]\ntabs = 3\n[mutex]\nalgorithm = web-locks\n[workload]\n"
                               "events_per_tab = 4\ninterval_ms_max = 100\n[flush]\nenabled = false\n"
                               "[faults]\ntab_close_max = 2\ntab_close_pct = 4\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int crashed_runs = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        if (run.monitor.violated != 0)
            fail_msg("seed %" G_GUINT64_FORMAT ": violated %u", (guint64)seed, run.monitor.violated);
        /* Adds that returned are counted, and only those. */
        assert_true(run.monitor.c.events_added <= run.monitor.c.events_tracked);
        crashed_runs += run.monitor.c.events_tracked < 12;
        sim_run_clear(&run);
    }
    assert_true(crashed_runs > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_lamport_blocked_by_crash(void **state)
{
    (void)state;
    sim_scenario *s = scenario("[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n[lamport]\nretries_max = 200\n"
                               "[workload]\nmode = lock\nlocks_per_tab = 3\nhold_ms_max = 50\n"
                               "[run]\nprogress_bound_ms = 5000\ntime_limit_ms = 60000\n"
                               "[faults]\ntab_close_max = 1\ntab_close_pct = 10\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    gboolean blocked = FALSE;
    for (uint64_t seed = 1; seed <= SEEDS && !blocked; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        assert_int_equal(run.monitor.violated & SIM_INV_MUTUAL_EXCLUSION, 0);
        blocked = (run.monitor.violated & SIM_INV_PROGRESS) != 0 || run.monitor.c.lock_failed > 0;
        sim_run_clear(&run);
    }
    assert_true(blocked);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_freeze_and_determinism(void **state)
{
    (void)state;
    sim_scenario *s = scenario("[scenario]\ntabs = 2\n[mutex]\nalgorithm = seed\n[workload]\nmode = lock\n"
                               "locks_per_tab = 2\n[faults]\ntab_freeze_max = 1\ntab_freeze_pct = 100\n"
                               "freeze_ms_min = 5000\nfreeze_ms_max = 5000\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run a, b;
    run_seed(s, pool, 3, TRUE, &a);
    run_seed(s, pool, 3, TRUE, &b);
    assert_true(trace_has(&a, "tab frozen"));
    assert_true(a.monitor.c.end_time_us >= 5000 * 1000);
    assert_int_equal(a.monitor.trace->len, b.monitor.trace->len);
    for (guint i = 0; i < a.monitor.trace->len; i++)
        assert_string_equal(a.monitor.trace->pdata[i], b.monitor.trace->pdata[i]);
    sim_run_clear(&a);
    sim_run_clear(&b);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* The tab of a trace line ("   12.345  tab2  #7  ..."), or 0. */
static int line_tab(const char *line)
{
    double ms;
    int tab;
    return sscanf(line, "%lf tab%d", &ms, &tab) == 2 ? tab : 0;
}

/* Runs of browser-tabs-lock holding the lock past its refresh (1 s), with
 * freezes or reloads likely: how many non-null refresh reads they made,
 * each checked to be followed at once, in its tab, by the refresh's write.
 * The read and the write are one synchronous run of JavaScript, which no
 * freeze or reload can enter (sim/world/faults.c). */
static int refresh_pairs_checked(const char *faults)
{
    char *text = g_strconcat("[scenario]\ntabs = 2\n[mutex]\nalgorithm = browser-tabs-lock\n[workload]\n"
                             "mode = lock\nlocks_per_tab = 3\nhold_ms_min = 1000\nhold_ms_max = 3000\n"
                             "[faults]\n", faults, NULL);
    sim_scenario *s = scenario(text);
    g_free(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int pairs = 0, faulted = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        sim_run run;
        run_seed(s, pool, seed, TRUE, &run);
        faulted += trace_has(&run, "tab frozen") || trace_has(&run, "tab reloaded");
        GPtrArray *lines = run.monitor.trace;
        for (guint i = 0; i < lines->len; i++) {
            const char *line = lines->pdata[i];
            if (!strstr(line, "; refresh: read lock") || !strstr(line, "-> ok"))
                continue;
            int tab = line_tab(line);
            guint j = i + 1;
            while (j < lines->len && line_tab(lines->pdata[j]) != tab)
                j++;
            if (j == lines->len)
                continue; /* the run ended here */
            if (!strstr(lines->pdata[j], "; refresh: write timeRefreshed"))
                fail_msg("seed %" G_GUINT64_FORMAT ": after\n%s\ncame\n%s", (guint64)seed, line,
                         (const char *)lines->pdata[j]);
            pairs++;
        }
        sim_run_clear(&run);
    }
    assert_true(faulted > 10);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return pairs;
}

static void test_freeze_and_reload_only_where_tab_yields(void **state)
{
    (void)state;
    assert_true(refresh_pairs_checked("tab_reload_max = 2\ntab_reload_pct = 10\n") > 20);
    assert_true(refresh_pairs_checked("tab_freeze_max = 3\ntab_freeze_pct = 3\nfreeze_ms_min = 100\n"
                                      "freeze_ms_max = 2000\n") > 20);
}

/* A stall is the mid-task hold: it can come between the refresh's read and
 * its write, and the write comes after the stall, its value computed
 * before. */
static void test_stall_splits_a_task(void **state)
{
    (void)state;
    sim_scenario *s = scenario("[scenario]\ntabs = 2\n[mutex]\nalgorithm = browser-tabs-lock\n[workload]\n"
                               "mode = lock\nlocks_per_tab = 3\nhold_ms_min = 1000\nhold_ms_max = 3000\n"
                               "[faults]\ntab_stall_max = 3\ntab_stall_pct = 5\nstall_ms_min = 100\n"
                               "stall_ms_max = 2000\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int split = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        sim_run run;
        run_seed(s, pool, seed, TRUE, &run);
        assert_false(trace_has(&run, "tab frozen"));
        GPtrArray *lines = run.monitor.trace;
        for (guint i = 0; i < lines->len; i++) {
            const char *line = lines->pdata[i];
            if (!strstr(line, "; refresh: read lock") || !strstr(line, "-> ok"))
                continue;
            int tab = line_tab(line);
            guint j = i + 1, k;
            while (j < lines->len && line_tab(lines->pdata[j]) != tab)
                j++;
            if (j == lines->len || !strstr(lines->pdata[j], "tab stalled"))
                continue;
            for (k = j + 1; k < lines->len && line_tab(lines->pdata[k]) != tab;)
                k++;
            assert_true(k < lines->len);
            assert_non_null(strstr(lines->pdata[k], "; refresh: write timeRefreshed"));
            double stalled_ms, stall_len, write_ms;
            const char *len = strstr(lines->pdata[j], "-> ");
            assert_int_equal(sscanf(lines->pdata[j], "%lf", &stalled_ms), 1);
            assert_true(len && sscanf(len, "-> %lf ms", &stall_len) == 1);
            assert_int_equal(sscanf(lines->pdata[k], "%lf", &write_ms), 1);
            assert_true(write_ms + 0.0005 >= stalled_ms + stall_len); /* printed to the microsecond */
            split++;
        }
        sim_run_clear(&run);
    }
    assert_true(split > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* One tab adds events and crashes before its first flush: closed, they
 * stay stored for good; reloaded, the new instance sends them. */
#define ONE_TAB "[scenario]\ntabs = 1\n[mutex]\nalgorithm = web-locks\n[workload]\nevents_per_tab = 3\n" \
                "interval_ms_min = 0\ninterval_ms_max = 100\n[flush]\ninterval_ms = 5000\n"

static void test_reload_flushes_leftovers(void **state)
{
    (void)state;
    sim_scenario *closing = scenario(ONE_TAB "[faults]\ntab_close_max = 1\ntab_close_pct = 5\n");
    sim_scenario *reloading = scenario(ONE_TAB "[faults]\ntab_reload_max = 1\ntab_reload_pct = 5\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int stranded = 0, reloads = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_run run;
        run_seed(closing, pool, seed, FALSE, &run);
        stranded += run.monitor.c.events_stored > 0;
        sim_run_clear(&run);
        run_seed(reloading, pool, seed, TRUE, &run);
        if (trace_has(&run, "tab reloaded")) {
            reloads++;
            assert_true(trace_has(&run, "as tab1-r1"));
            /* Nothing left behind, unless a crash after a delivered send
             * left that batch stored: then it is sent again (duplicate). */
            if (!(run.monitor.violated & SIM_INV_DUPLICATE)) {
                assert_int_equal(run.monitor.c.events_stored, 0);
                assert_int_equal(run.monitor.c.events_delivered, run.monitor.c.events_added);
            }
            /* The new instance goes on: the workload is never redone. */
            assert_true(run.monitor.c.events_tracked <= 3);
        }
        sim_run_clear(&run);
    }
    assert_true(stranded > 0);
    assert_true(reloads > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(closing);
    sim_scenario_free(reloading);
}

/* A tab reloaded while its send is on its way: the request may have
 * reached the server (sim/browser/server.c), and then the new instance
 * sends the batch again. */
static void test_send_in_flight_at_reload(void **state)
{
    (void)state;
    sim_scenario *s = scenario("[scenario]\ntabs = 2\n[mutex]\nalgorithm = web-locks\n[workload]\n"
                               "events_per_tab = 3\ninterval_ms_max = 500\n[flush]\ninterval_ms = 2000\n"
                               "[faults]\ntab_reload_max = 2\ntab_reload_pct = 3\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int reached = 0, duplicated = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_run run;
        run_seed(s, pool, seed, TRUE, &run);
        if (trace_has(&run, "reached the server; the tab is gone")) {
            reached++;
            duplicated += (run.monitor.violated & SIM_INV_DUPLICATE) != 0;
        }
        sim_run_clear(&run);
    }
    assert_true(reached > 0);
    assert_true(duplicated > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_budget_costs_nothing), cmocka_unit_test(test_close_at_first_point),
        cmocka_unit_test(test_web_locks_survive_crashes), cmocka_unit_test(test_lamport_blocked_by_crash),
        cmocka_unit_test(test_freeze_and_determinism), cmocka_unit_test(test_reload_flushes_leftovers),
        cmocka_unit_test(test_freeze_and_reload_only_where_tab_yields), cmocka_unit_test(test_send_in_flight_at_reload),
        cmocka_unit_test(test_stall_splits_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
