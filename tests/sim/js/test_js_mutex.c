/*
 * test_js_mutex.c - JavaScript tabs' timers as work under way
 * (sim/js/js_mutex.c timer_start, sim/js/host.js "Whose code runs").
 *
 * Goal: a timer a JavaScript tab sets is work under way as the call whose
 * code set it is (lock() of the workload: yes; of a page's own task, as
 * the periodic flush's: no), whatever macrotask that code ran in: the
 * workload's lock() resumed in a page call's macrotask still sets work,
 * and the page call's own timer is none, even while a workload call is
 * in flight.  The C port spawns such a timer from the task of its call
 * (env_sim.c), so the two end their runs at the same moment.
 * Method: one tab whose main task is replaced by a script: it makes the
 * tab's mutex (fixtures/timer-work.js in node), spawns a task (work) that
 * locks it, and posts a page task (no work) that locks it 100 ms later;
 * the workload is over when the last work ends, which the world's drain
 * end (that moment plus [run] drain_ms) tells.  Skipped without node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/programs/program.h"
#include "sim/world/world.h"
#include "xt/mutex.h"

static const char scenario_text[] = "[scenario]\ntabs = 1\n[mutex]\nalgorithm = js\n"
                                    "[js]\nmodule = " JS_FIXTURES "/timer-work.js\n"
                                    "[workload]\nmode = lock\nlocks_per_tab = 1\nstart_ms_max = 0\n"
                                    "[run]\ndrain_ms = 1000\n";

static xt_mutex *mutex;
static int mutex_users;

/* Lock and unlock the tab's mutex; the last of its two users frees it. */
static void lock_once(void *arg)
{
    (void)arg;
    if (xt_mutex_lock(mutex) == 1)
        xt_mutex_unlock(mutex);
    if (--mutex_users == 0)
        xt_mutex_free(mutex);
}

static void script(void *arg)
{
    sim_tab *tab = arg;
    sim_world *w = tab->world;
    mutex = sim_tab_mutex_new(tab);
    mutex_users = 2;
    sim_world_post(w, sim_world_spawn(w, tab, lock_once, tab, FALSE), 100 * 1000, TRUE);
    (void)xt_env_spawn(&tab->env, lock_once, tab);
}

static int64_t run_world(uint64_t seed)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("js-mutex-test.ini", scenario_text, strlen(scenario_text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, FALSE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    w->tab_main = script;
    sim_world_run(w);
    assert_int_equal(w->live.length, 0); /* every task unwound */
    assert_int_equal(mutex_users, 0);
    int64_t drain_end_us = w->drain_end_us;
    sim_world_free(w);
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return drain_end_us;
}

/* The workload's 2 s timer, set at 100 ms in the page call's macrotask,
 * is work; the page call's 5 s timer, set while the workload's lock() is
 * in flight, is not: the workload is over at 2100 ms.  Before, every
 * timer set while a call of the workload was in flight was work, and the
 * workload was over at 5100 ms. */
static void test_timer_is_work_as_the_call_that_set_it(void **state)
{
    (void)state;
    char *node = g_find_program_in_path("node");
    if (!node && !g_getenv("TABSIM_NODE"))
        skip();
    g_free(node);
    for (uint64_t seed = 1; seed <= 3; seed++)
        assert_int_equal(run_world(seed), (2100 + 1000) * INT64_C(1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_is_work_as_the_call_that_set_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
