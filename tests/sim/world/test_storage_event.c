/*
 * test_storage_event.c - the `storage` event of simulated tabs
 * (env_wait.c: wait, storage_notify; sim_storage_changes).
 *
 * Goal: only a call that changes a value counts as a change (HTML fires
 * `storage` for nothing else); a tab waiting in a wait is woken by
 * another tab's change, not by its timeout, and a task woken by its own
 * tab's notify resumes at once (browser-tabs-lock's notifyWaiters), so no
 * lock request of a busy workload times out; runs stay deterministic.
 * Method: sim_storage directly for the counter; whole traced runs of
 * browser-tabs-lock scenarios for the rest, read through the timeline's
 * "wait" lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/browser/storage.h"

/* Two tabs, long holds: the other tab waits for each release. */
static const char lock_text[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = browser-tabs-lock\n"
                                "[workload]\nmode = lock\nlocks_per_tab = 3\ninterval_ms_min = 0\n"
                                "interval_ms_max = 0\nhold_ms_min = 200\nhold_ms_max = 400\n";

/* Three tabs adding and flushing: tasks of one tab wait for each other. */
static const char events_text[] = "[scenario]\ntabs = 3\n[mutex]\nalgorithm = browser-tabs-lock\n"
                                  "[workload]\nevents_per_tab = 5\n[flush]\ninterval_ms = 2000\n";

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("storage-event-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* Lines of the run's timeline that contain every one of a and b. */
static guint count_lines(const sim_run *run, const char *a, const char *b)
{
    guint n = 0;
    for (guint i = 0; i < run->monitor.trace->len; i++) {
        const char *line = run->monitor.trace->pdata[i];
        if (strstr(line, a) && (!b || strstr(line, b)))
            n++;
    }
    return n;
}

static void test_changes_count_only_real_changes(void **state)
{
    (void)state;
    sim_storage *s = sim_storage_new(0, FALSE);
    assert_int_equal(sim_storage_changes(s), 0);
    sim_storage_set(s, "k", "a");
    assert_int_equal(sim_storage_changes(s), 1);
    sim_storage_set(s, "k", "a"); /* the same value: no event */
    assert_int_equal(sim_storage_changes(s), 1);
    sim_storage_set(s, "k", "b");
    assert_int_equal(sim_storage_changes(s), 2);
    sim_storage_remove(s, "absent"); /* nothing removed: no event */
    assert_int_equal(sim_storage_changes(s), 2);
    sim_storage_remove(s, "k");
    assert_int_equal(sim_storage_changes(s), 3);
    sim_storage_free(s);
}

static void test_other_tabs_release_wakes_the_waiter(void **state)
{
    (void)state;
    sim_scenario *s = scenario(lock_text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    guint woken = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run run;
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run_exec(s, pool, &spec, &run);
        assert_int_equal(run.monitor.violated, 0);
        assert_int_equal(run.monitor.c.lock_failed, 0);
        /* Holds of 200-400 ms end long before the 5 s timeout. */
        assert_int_equal(count_lines(&run, " wait ", "-> timeout"), 0);
        woken += count_lines(&run, " wait ", "woken: a change by tab");
        sim_run_clear(&run);
    }
    assert_true(woken > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_own_tab_notify_and_determinism(void **state)
{
    (void)state;
    sim_scenario *s = scenario(events_text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    guint notified = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run run, again;
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run_exec(s, pool, &spec, &run);
        assert_int_equal(run.monitor.violated, 0);
        /* Without the notify, a task waiting behind its own tab's holder
         * would sleep to its timeout and fail. */
        assert_int_equal(run.monitor.c.lock_failed, 0);
        assert_int_equal(count_lines(&run, " wait ", "-> timeout"), 0);
        notified += count_lines(&run, " wait ", "woken: notified in its tab");
        sim_run_exec(s, pool, &spec, &again);
        assert_int_equal(run.monitor.trace->len, again.monitor.trace->len);
        for (guint i = 0; i < run.monitor.trace->len; i++)
            assert_string_equal(run.monitor.trace->pdata[i], again.monitor.trace->pdata[i]);
        sim_run_clear(&again);
        sim_run_clear(&run);
    }
    assert_true(notified > 0);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_count_only_real_changes),
        cmocka_unit_test(test_other_tabs_release_wakes_the_waiter),
        cmocka_unit_test(test_own_tab_notify_and_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
