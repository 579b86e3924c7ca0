/*
 * test_explore_state.c - the stateful search (sim/explore/explore_state.c)
 * against the stateless one (explore_dfs.c): the differential test of a
 * new search technique.
 *
 * Goal: on every exhaustive scenario of scenarios/ small enough to run
 * four ways, stateless source-DPOR and the stateful search (with sleep
 * sets, and without: full expansion; with saved states restored, and
 * with every branch replayed from the root, which must be the same search
 * step for step: the same states, executions and revisits) give the same
 * verdict, the same violated invariants and, where both ran to the end,
 * the same set of final-state digests (a stateful search that pruned a
 * state it should not have would lose the final states below it); the
 * broken variants (Lamport mutants, no lock, the seed's lock,
 * bucketeer-branch, Lamport on cached and snapshot storage) are caught by
 * both; a full visited set and bitstate never say verified.  Method: each
 * scenario file loaded from the source tree, explored in-process with
 * both searches, no preemption bound (the stateful search applies none),
 * no shrinking.
 *
 * Shards (--shard K/N, each with its own visited set): the shards of one
 * stateful search together find what it finds, the same violated
 * invariants and, where no time is state, the same final states, and deal
 * every work item to exactly one shard.
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

typedef struct both {
    sim_explore_result plain, stateful, full, replay;
    GHashTable *plain_final, *stateful_final, *full_final; /* full: stateful without sleep sets */
    GHashTable *replay_final; /* replay: stateful without saved states (sim/explore/state_snap.h) */
    guint claimed;
    gboolean same_finals; /* no timestamps in the state: equal sets expected */
    gboolean first;       /* [explore] first: both stop at their first violation */
} both;

static void explore(const sim_scenario *s, sim_stack_pool *pool, gboolean stateful, gboolean reduce,
                    GHashTable *final, sim_explore_result *r, guint8 assume)
{
    sim_explore_options o;
    tree_stateful_options(&o, final, stateful, assume);
    o.no_reduction = !reduce;
    sim_explore(s, pool, &o, r);
}

static void run_both(const char *name, both *b)
{
    sim_scenario *s = tree_scenario_load(name);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    b->plain_final = sim_digest_set_new();
    b->stateful_final = sim_digest_set_new();
    b->full_final = sim_digest_set_new();
    b->replay_final = sim_digest_set_new();
    b->claimed = sim_program_claims(s);
    b->first = s->first;
    /* The stateful search first: the stateless one digests its final
     * states as it did, time relative to now unless code read the clock. */
    explore(s, pool, TRUE, TRUE, b->stateful_final, &b->stateful, 0);
    explore(s, pool, FALSE, TRUE, b->plain_final, &b->plain, b->stateful.digest_assume);
    explore(s, pool, TRUE, FALSE, b->full_final, &b->full, 0);
    assert_int_equal(b->full.digest_assume, b->stateful.digest_assume);
    g_setenv("TABSIM_NO_ARENA", "1", TRUE);
    explore(s, pool, TRUE, TRUE, b->replay_final, &b->replay, 0);
    g_unsetenv("TABSIM_NO_ARENA");
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void both_clear(both *b)
{
    sim_explore_result_clear(&b->plain);
    sim_explore_result_clear(&b->stateful);
    sim_explore_result_clear(&b->full);
    sim_explore_result_clear(&b->replay);
    g_hash_table_destroy(b->plain_final);
    g_hash_table_destroy(b->stateful_final);
    g_hash_table_destroy(b->full_final);
    g_hash_table_destroy(b->replay_final);
}

/* Same verdict, same violated set; the same final states when both
 * searches ran to the end (a violation of every claimed invariant stops
 * a search early). */
static void assert_agree(const char *name, both *b)
{
    print_message("%-36s stateless %-9s %7" G_GINT64_FORMAT " executions | stateful %-9s %6" G_GINT64_FORMAT
                  " executions %7" G_GINT64_FORMAT " states | final states %u / %u\n",
                  name, sim_verdict_name(b->plain.verdict), b->plain.runs, sim_verdict_name(b->stateful.verdict),
                  b->stateful.runs, b->stateful.states, g_hash_table_size(b->plain_final),
                  g_hash_table_size(b->stateful_final));
    print_message("%-36s stateful without sleep sets %-9s %7" G_GINT64_FORMAT " states | final states %u\n", "",
                  sim_verdict_name(b->full.verdict), b->full.states, g_hash_table_size(b->full_final));
    assert_int_equal(b->plain.verdict, b->stateful.verdict);
    assert_int_equal(b->full.verdict, b->stateful.verdict);
    assert_true(b->plain.verdict == SIM_VERDICT_VERIFIED || b->plain.verdict == SIM_VERDICT_VIOLATION);
    assert_int_equal(b->plain.violated, b->stateful.violated);
    assert_int_equal(b->full.violated, b->stateful.violated);
    /* Sleep sets leave out orders, never states a whole trace ends in. */
    assert_true(b->stateful.states <= b->full.states);
    if (b->first || ((b->plain.violated & b->claimed) == b->claimed && b->claimed != 0))
        return;
    assert_true(g_hash_table_size(b->plain_final) > 0);
    /* Every final state of the stateless search is one of the stateful
     * search's.  Not the converse: the stateless search makes one
     * interleaving of each trace, and interleavings of one trace may
     * leave different timestamps (a sleep's wake-up is posted at the
     * clock its tab sees, which other tabs' sleeps move; untimed, a time
     * is only a lower bound and no invariant reads it), which the digest
     * keeps exact.  Where no time is read, the sets are equal. */
    assert_true(g_hash_table_size(b->plain_final) <= g_hash_table_size(b->stateful_final));
    if (b->same_finals)
        assert_int_equal(g_hash_table_size(b->plain_final), g_hash_table_size(b->stateful_final));
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, b->plain_final);
    while (g_hash_table_iter_next(&it, &key, NULL))
        assert_true(g_hash_table_contains(b->stateful_final, key));
    /* With and without sleep sets: the same final states where no time is
     * state, and never one the full expansion does not reach. */
    g_hash_table_iter_init(&it, b->stateful_final);
    while (g_hash_table_iter_next(&it, &key, NULL))
        assert_true(g_hash_table_contains(b->full_final, key));
    if (b->same_finals)
        assert_int_equal(g_hash_table_size(b->stateful_final), g_hash_table_size(b->full_final));
    /* Saved states restored, or every branch replayed from the root: the
     * same search, step for step. */
    assert_int_equal(b->replay.verdict, b->stateful.verdict);
    assert_int_equal(b->replay.violated, b->stateful.violated);
    assert_int_equal(b->replay.states, b->stateful.states);
    assert_int_equal(b->replay.runs, b->stateful.runs);
    assert_int_equal(b->replay.pruned, b->stateful.pruned);
    assert_int_equal(g_hash_table_size(b->replay_final), g_hash_table_size(b->stateful_final));
    g_hash_table_iter_init(&it, b->stateful_final);
    while (g_hash_table_iter_next(&it, &key, NULL))
        assert_true(g_hash_table_contains(b->replay_final, key));
}

static void differential(const char *const *names)
{
    for (const char *const *n = names; *n; n++) {
        both b = {.same_finals = g_str_has_prefix(*n, "lamport-") || g_str_has_prefix(*n, "web-locks-") ||
                                 g_str_has_prefix(*n, "no-mutex") || g_str_has_prefix(*n, "naive")};
        run_both(*n, &b);
        assert_agree(*n, &b);
        both_clear(&b);
    }
}

/* Every exhaustive scenario of scenarios/ that both searches finish in a
 * few seconds (the rest: docs/model-checking.md, "Stateful search"). */
static void test_stateful_agrees_verified(void **state)
{
    (void)state;
    static const char *const names[] = {
        "events-web-locks-2x1x1.ini", "faults-web-locks-close.ini", "lamport-prefix-2tabs.ini",
        "web-locks-exhaustive.ini",
        /* Sleeps that move the clock: states equal up to a shift of it
         * are one (world_digest.c, "Time"). */
        "lamport-ranges.ini",
#ifndef TABSIM_SANITIZED /* 103,882 states: minutes under the sanitizers */
        "lamport-2tabs.ini",
#endif
        NULL};
    differential(names);
}

/* The broken variants: caught by both searches alike. */
static void test_stateful_agrees_broken(void **state)
{
    (void)state;
    static const char *const names[] = {
#ifndef TABSIM_SANITIZED /* 77,164 states; there Lamport's broken variants are snapshot-lamport's */
        "lamport-no-b-wait.ini",
#endif
        "no-mutex-exhaustive.ini", "naive-lock.ini", "bucketeer-branch-lock.ini",
#ifndef TABSIM_SANITIZED /* about 45,000 stateful executions */
        "cached-lamport.ini",
#endif
        "snapshot-lamport.ini", "snapshot-lamport-lockstep.ini", "events-no-lock.ini",
        "events-send-outside-lock.ini", "faults-lamport-close.ini", "faults-server-web-locks.ini",
        "lamport-prefix-close.ini", "web-locks-steal.ini",
#ifndef TABSIM_SANITIZED /* 195,047 stateless executions */
        /* Waits that count against a bound: the stateful search must keep
         * a read that leads to a wait as a step there (it reached 37 of
         * the 39 final states when it did not). */
        "lamport-retries-bound.ini",
#endif
        NULL};
    differential(names);
}

/* The digests' assumptions (world_digest.c, "Time"): kept where no code
 * reads the clock, and then fewer states than with time exact; dropped,
 * the search starting over, where code does (bucketeer-branch stamps its
 * lock with Date.now()), with the verdict of a search that never assumed. */
static void stateful_assuming(const char *name, gboolean exact, sim_explore_result *r)
{
    sim_scenario *s = tree_scenario_load(name);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options o;
    tree_exhaustive_options(&o, NULL);
    o.stateful = o.stateful_set = TRUE;
    o.state_memory_mb = 16;
    o.digest_exact = exact;
    sim_explore(s, pool, &o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_stateful_digest_assumptions(void **state)
{
    (void)state;
    sim_explore_result rel = {0}, exact = {0};
    stateful_assuming("lamport-ranges.ini", FALSE, &rel);
    stateful_assuming("lamport-ranges.ini", TRUE, &exact);
    print_message("lamport-ranges.ini: %" G_GINT64_FORMAT " states, time exact %" G_GINT64_FORMAT "\n", rel.states,
                  exact.states);
    assert_int_equal(rel.digest_assume, SIM_DIGEST_ASSUME_ALL);
    assert_int_equal(exact.digest_assume, 0);
    assert_int_equal(rel.verdict, SIM_VERDICT_VERIFIED);
    assert_int_equal(exact.verdict, SIM_VERDICT_VERIFIED);
    assert_true(rel.states * 3 / 2 < exact.states);
    sim_explore_result_clear(&rel);
    sim_explore_result_clear(&exact);
    stateful_assuming("bucketeer-branch-lock.ini", FALSE, &rel);
    stateful_assuming("bucketeer-branch-lock.ini", TRUE, &exact);
    assert_false(rel.digest_assume & SIM_DIGEST_CLOCK_UNREAD);
    assert_int_equal(rel.verdict, SIM_VERDICT_VIOLATION);
    assert_int_equal(rel.violated, exact.violated);
    sim_explore_result_clear(&rel);
    sim_explore_result_clear(&exact);
}

/* The shards of one stateful search (explore_state.c, "Sharding"). */
static void shards_agree(const char *name, int n)
{
    sim_scenario *s = tree_scenario_load(name);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    GHashTable *one_final = sim_digest_set_new(), *union_final = sim_digest_set_new();
    sim_explore_result one = {0};
    sim_explore_options oo;
    tree_exhaustive_options(&oo, one_final);
    oo.stateful = oo.stateful_set = TRUE;
    oo.state_memory_mb = 16;

    sim_explore(s, pool, &oo, &one);
    guint violated = 0;
    gboolean all_verified = TRUE;
    gint64 items = -1, owned = 0, states = 0;
    gboolean same_assume = TRUE;
    for (int k = 0; k < n; k++) {
        sim_explore_options o;
        tree_exhaustive_options(&o, union_final);
        o.stateful = o.stateful_set = TRUE;
        o.state_memory_mb = 16;
        o.shard_index = k;
        o.shard_count = n;
        sim_explore_result r = {0};
        sim_explore(s, pool, &o, &r);
        violated |= r.violated;
        all_verified = all_verified && r.verdict == SIM_VERDICT_VERIFIED;
        assert_true(r.verdict == SIM_VERDICT_VERIFIED || r.verdict == SIM_VERDICT_VIOLATION);
        /* Every shard splits the search alike (items are counted as they
         * are met: a shard that stopped at a violation met fewer). */
        if (items < 0)
            items = r.shard_items;
        if (r.verdict == SIM_VERDICT_VERIFIED)
            assert_int_equal(r.shard_items, items);
        owned += r.shard_items_owned;
        states += r.states;
        /* Each shard keeps the digests' assumptions unless its own runs
         * break them: the final states compare where all kept the one
         * search's. */
        same_assume = same_assume && r.digest_assume == one.digest_assume;
        sim_explore_result_clear(&r);
    }
    print_message("%-28s %d shards: %" G_GINT64_FORMAT " items, %" G_GINT64_FORMAT " states (one search: %"
                  G_GINT64_FORMAT "), final states %u / %u\n",
                  name, n, items, states, one.states, g_hash_table_size(union_final), g_hash_table_size(one_final));
    if (all_verified)
        assert_int_equal(owned, items);
    assert_true(items >= 1);
    assert_int_equal(violated, one.violated);
    assert_int_equal(all_verified, one.verdict == SIM_VERDICT_VERIFIED);
    if (!violated && same_assume)
        tree_assert_same_sets(one_final, union_final);
    sim_explore_result_clear(&one);
    g_hash_table_destroy(one_final);
    g_hash_table_destroy(union_final);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_stateful_shards_agree(void **state)
{
    (void)state;
    static const char *const names[] = {"web-locks-exhaustive.ini", "events-web-locks-2x1x1.ini",
                                        "lamport-prefix-2tabs.ini", "naive-lock.ini", "no-mutex-exhaustive.ini",
                                        "bucketeer-branch-lock.ini", "web-locks-steal.ini",
#ifndef TABSIM_SANITIZED
                                        "lamport-2tabs.ini", "lamport-no-b-wait.ini",
#endif
                                        NULL};
    static const int counts[] = {2, 3, 8};
    for (const char *const *n = names; *n; n++)
        for (size_t i = 0; i < G_N_ELEMENTS(counts); i++)
            shards_agree(*n, counts[i]);
}

/* More tabs than a sleep set has places (SLEEP_TABS_MAX, explore_state.c):
 * sleep sets off, every search still ends, finds what the stateless
 * search finds (the same verdict, the same final states).  Nine tabs made the stateful
 * and bitstate searches loop for ever, taking the ninth tab again at a
 * node that could not record it as explored. */
static void many_tabs(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("nine-tabs.ini", text, strlen(text), &error);
    assert_non_null(s);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    GHashTable *plain_final = sim_digest_set_new();
    sim_explore_result plain = {0};
    sim_explore_options o;
    for (int way = 0; way < 3; way++) { /* stateful, stateful without reduction, bitstate */
        GHashTable *final = sim_digest_set_new();
        sim_explore_result r = {0};
        tree_stateful_options(&o, final, TRUE, 0);
        o.no_reduction = way == 1;
        o.bitstate = way == 2;
        sim_explore(s, pool, &o, &r);
        if (way == 0) {
            tree_stateful_options(&o, plain_final, FALSE, r.digest_assume);
            sim_explore(s, pool, &o, &plain);
        }
        print_message("nine tabs, way %d: %s, %" G_GINT64_FORMAT " states, final states %u (stateless: %s, %u)\n",
                      way, sim_verdict_name(r.verdict), r.states, g_hash_table_size(final),
                      sim_verdict_name(plain.verdict), g_hash_table_size(plain_final));
        assert_int_equal(plain.verdict, SIM_VERDICT_VERIFIED);
        assert_int_equal(r.verdict, way == 2 ? SIM_VERDICT_INCOMPLETE : SIM_VERDICT_VERIFIED);
        tree_assert_same_sets(plain_final, final); /* bitstate too: nine tabs, few states, none omitted */
        sim_explore_result_clear(&r);
        g_hash_table_destroy(final);
    }
    sim_explore_result_clear(&plain);
    g_hash_table_destroy(plain_final);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_stateful_nine_tabs(void **state)
{
    (void)state;
    many_tabs("[scenario]\ntabs = 9\n[mutex]\nalgorithm = lamport\n[workload]\nmode = lock\nlocks_per_tab = 0\n"
              "[expect]\nviolation = none\n");
    many_tabs("[scenario]\ntabs = 9\n[mutex]\nalgorithm = web-locks\n[workload]\nmode = lock\nlocks_per_tab = 0\n"
              "[expect]\nviolation = none\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stateful_agrees_verified),
        cmocka_unit_test(test_stateful_agrees_broken),
        cmocka_unit_test(test_stateful_shards_agree),
        cmocka_unit_test(test_stateful_digest_assumptions),
        cmocka_unit_test(test_stateful_nine_tabs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
