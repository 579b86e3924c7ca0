/*
 * test_quiet_steps.c - the rule of quiet steps (sim/world/world.h,
 * sim_world_step_quiet; env_sim.c storage_turn) against every storage
 * call a step of its own ([explore] quiet_steps = false): the
 * differential test of a reduction.
 *
 * Goal: on exhaustive scenarios of scenarios/, correct and broken, the
 * search with the rule gives the same verdict and the same violated
 * invariants as the search without it; every final state it reaches is
 * one the search without it reaches (the rule only drops interleavings),
 * and for the correct ones, which no violation flag tells apart, the two
 * sets are equal (it drops no outcome).  The rule must also fire: fewer
 * steps with it than without; and a step still makes at most one storage
 * call (whatever the storage model marks as an access).  Method: each file loaded from the source
 * tree and explored in-process twice, stateless source-DPOR, no
 * preemption bound, no shrinking, collecting final-state digests (not
 * compared where a search stops early: [explore] first, or every claimed
 * invariant violated).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/programs/program.h"
#include "sim/world/world.h"
#include "scenario_tree.h"

static void explore(const sim_scenario *s, sim_stack_pool *pool, GHashTable *final, sim_explore_result *r)
{
    sim_explore_options o;
    tree_exhaustive_options(&o, final);
    sim_explore(s, pool, &o, r);
}

static void differential(const char *const *names, gboolean correct)
{
    for (const char *const *n = names; *n; n++) {
        sim_scenario *s = tree_scenario_load(*n);
        sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
        GHashTable *quiet_final = sim_digest_set_new(), *plain_final = sim_digest_set_new();
        sim_explore_result quiet, plain;
        s->quiet_steps = TRUE;
        explore(s, pool, quiet_final, &quiet);
        s->quiet_steps = FALSE;
        explore(s, pool, plain_final, &plain);
        print_message("%-32s quiet %-9s %7" G_GINT64_FORMAT " executions %9" G_GUINT64_FORMAT
                      " steps | plain %-9s %7" G_GINT64_FORMAT " executions %9" G_GUINT64_FORMAT
                      " steps | final states %u / %u\n",
                      *n, sim_verdict_name(quiet.verdict), quiet.runs, quiet.steps, sim_verdict_name(plain.verdict),
                      plain.runs, plain.steps, g_hash_table_size(quiet_final), g_hash_table_size(plain_final));
        assert_int_equal(quiet.verdict, plain.verdict);
        assert_int_equal(quiet.verdict, correct ? SIM_VERDICT_VERIFIED : SIM_VERDICT_VIOLATION);
        assert_int_equal(quiet.violated, plain.violated);
        assert_true(quiet.steps < plain.steps);
        /* A step makes at most one storage call, quiet or not: the rule
         * only joins a quiet prefix to the call after it. */
        assert_true(quiet.storage_ops <= quiet.steps);
        assert_true(plain.storage_ops <= plain.steps);
        if (correct) {
            /* Both ran to the end: the same outcomes. */
            assert_true(g_hash_table_size(quiet_final) > 0);
            assert_int_equal(g_hash_table_size(quiet_final), g_hash_table_size(plain_final));
        }
        /* A search that stops at its first violation ([explore] first), or
         * once every claimed invariant is violated, has not seen all. */
        guint claimed = sim_program_claims(s);
        gboolean whole = !s->first && (plain.violated & claimed) != claimed;
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, quiet_final);
        if (whole)
        while (g_hash_table_iter_next(&it, &key, NULL))
            assert_true(g_hash_table_contains(plain_final, key));
        sim_explore_result_clear(&quiet);
        sim_explore_result_clear(&plain);
        g_hash_table_destroy(quiet_final);
        g_hash_table_destroy(plain_final);
        sim_stack_pool_free(pool);
        sim_scenario_free(s);
    }
}

static void test_quiet_agrees_verified(void **state)
{
    (void)state;
    static const char *const names[] = {
        "lamport-prefix-2tabs.ini", "web-locks-exhaustive.ini", "events-web-locks-2x1x1.ini",
        "faults-web-locks-close.ini",
#ifndef TABSIM_SANITIZED /* 17,238 executions each way */
        "lamport-2tabs.ini",
#endif
        NULL};
    differential(names, TRUE);
}

static void test_quiet_agrees_broken(void **state)
{
    (void)state;
    static const char *const names[] = {"naive-lock.ini", "no-mutex-exhaustive.ini", "bucketeer-branch-lock.ini",
                                        "events-no-lock.ini", "events-send-outside-lock.ini",
                                        "faults-lamport-close.ini", "snapshot-lamport.ini",
#ifndef TABSIM_SANITIZED
                                        "lamport-no-b-wait.ini", "cached-lamport.ini",
#endif
                                        NULL};
    differential(names, FALSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_agrees_verified),
        cmocka_unit_test(test_quiet_agrees_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
