/*
 * test_server.c - the simulated server and its bounded faults (server.c).
 *
 * Goal: without a fault budget a send makes no extra choice; with one,
 * every kind of fault happens and has its effect: a rejected send or one
 * lost before delivery is sent again and delivered once; a timeout after
 * delivery is sent again and delivered twice (a duplicate); a slow send
 * takes server_slow_ms.  Method: whole one-tab runs under Web Locks (no
 * race to blame) with the first send always faulty, over many seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"

#define ONE_TAB "[scenario]\ntabs = 1\n[mutex]\nalgorithm = web-locks\n[workload]\nevents_per_tab = 2\n" \
                "interval_ms_min = 0\ninterval_ms_max = 0\n[flush]\ninterval_ms = 1000\n"

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("server-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static gboolean trace_has(const sim_run *run, const char *needle)
{
    for (guint i = 0; run->monitor.trace && i < run->monitor.trace->len; i++)
        if (strstr(run->monitor.trace->pdata[i], needle))
            return TRUE;
    return FALSE;
}

static void test_no_budget_no_choice(void **state)
{
    (void)state;
    sim_scenario *plain = scenario(ONE_TAB);
    sim_scenario *zero = scenario(ONE_TAB "[faults]\nserver_fault_max = 0\n");
    assert_int_equal(plain->hash, zero->hash);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run a, b;
    sim_run_spec spec = {.seed = 5, .tail = SIM_TAIL_RANDOM};
    sim_run_exec(plain, pool, &spec, &a);
    sim_run_exec(zero, pool, &spec, &b);
    assert_int_equal(a.chooser.pos, b.chooser.pos);
    assert_int_equal(a.monitor.c.sends, b.monitor.c.sends);
    sim_run_clear(&a);
    sim_run_clear(&b);
    sim_stack_pool_free(pool);
    sim_scenario_free(plain);
    sim_scenario_free(zero);
}

static void test_every_kind_has_its_effect(void **state)
{
    (void)state;
    sim_scenario *s = scenario(ONE_TAB "[faults]\nserver_fault_max = 1\nserver_fault_pct = 100\n"
                                       "server_slow_ms = 7000\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int seen[4] = {0};
    const char *kinds[4] = {"rejected", "timeout after delivery", "timeout before delivery", "slow"};
    for (uint64_t seed = 1; seed <= 80; seed++) {
        sim_run run;
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run_exec(s, pool, &spec, &run);
        int kind = -1;
        for (int k = 0; k < 4; k++)
            if (trace_has(&run, kinds[k]))
                kind = k;
        assert_true(kind >= 0); /* pct 100: the first send is faulty */
        seen[kind]++;
        assert_int_equal(run.monitor.c.events_delivered, 2);
        if (kind == 1) {
            assert_true(run.monitor.violated & SIM_INV_DUPLICATE);
        } else {
            assert_int_equal(run.monitor.violated, 0);
            assert_int_equal(run.monitor.c.deliveries, 2);
        }
        if (kind == 3)
            assert_true(run.monitor.c.end_time_us >= 7000 * 1000);
        sim_run_clear(&run);
    }
    for (int k = 0; k < 4; k++)
        if (seen[k] == 0)
            fail_msg("no run had a %s send", kinds[k]);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_budget_no_choice),
        cmocka_unit_test(test_every_kind_has_its_effect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
