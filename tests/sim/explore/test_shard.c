/*
 * test_shard.c - exhaustive sharding (sim/explore/explore_dfs.c): the
 * shards of a search split its work into items and, together, make
 * exactly the executions of one search.
 *
 * Goal: for N = 2, 3 and 8 shards, with plain DFS, with source-DPOR and
 * sleep sets, and under a preemption bound, the shards' executions add up
 * to the unsharded search's exactly (no item explored twice, none lost)
 * and so do the branches cut by the preemption bound, also when a step
 * bound cuts runs; every shard names
 * its part; a violation found by one search is found by the union of the
 * shards; the split yields at least 8 x N items when the tree has them;
 * a shard with no item says so; a shard is deterministic; and the items
 * listed (--list-items) are those the shards explore, alike for every
 * shard, stateless and stateful.  Method:
 * scenarios given as text, sim_explore with shard options, counts compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"

#define LAMPORT(tabs, locks, extra)                                                                              \
    "[scenario]\ntabs = " #tabs "\n"                                                                             \
    "[mutex]\nalgorithm = lamport\n" extra                                                                       \
    "[workload]\nmode = lock\nlocks_per_tab = " #locks "\ninterval_ms_min = 0\ninterval_ms_max = 0\n"          \
    "hold_ms_min = 0\nhold_ms_max = 0\n"

static const char lamport_2[] = LAMPORT(2, 2, "");
static const char lamport_3[] = LAMPORT(3, 1, "");
static const char lamport_2x1[] = LAMPORT(2, 1, "");
/* Without "for j: await not b[j]": two tabs can both enter. */
static const char broken_1[] = LAMPORT(2, 1, "[lamport]\nomit = b-wait\n");
/* No mutex, ranges of two values: small enough for plain DFS. */
static const char small_a[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nmode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 1\n"
    "hold_ms_min = 0\nhold_ms_max = 1\n";
/* One tab, no range: one execution, nothing to choose. */
static const char single[] =
    "[scenario]\ntabs = 1\n"
    "[mutex]\nalgorithm = lamport\n"
    "[workload]\nmode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 0\n";

static void explore(const char *text, const sim_explore_options *o, sim_explore_result *r)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("shard-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore(s, pool, o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void options(sim_explore_options *o, gboolean no_reduction, gint64 preemptions_max)
{
    sim_explore_options_init(o);
    o->mode = SIM_MODE_EXHAUSTIVE;
    o->mode_set = TRUE;
    o->shrink = FALSE;
    o->no_reduction = no_reduction;
    o->preemptions_max = preemptions_max;
    o->preemptions_set = TRUE; /* given, as --preemptions: wins over the scenario */
}

/* The shards of text, N = 2, 3 and 8, against one search. */
static void check_shards_exact(const char *text, gboolean no_reduction, gint64 preemptions_max, gint64 steps_max)
{
    sim_explore_options o;
    options(&o, no_reduction, preemptions_max);
    o.steps_max = steps_max;
    sim_explore_result whole;
    explore(text, &o, &whole);
    assert_int_equal(whole.verdict, SIM_VERDICT_VERIFIED);
    static const int counts[] = {2, 3, 8};
    for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
        int n = counts[c];
        gint64 runs = 0, cut = 0, items = -1;
        for (int i = 0; i < n; i++) {
            o.shard_index = i;
            o.shard_count = n;
            sim_explore_result part;
            explore(text, &o, &part);
            assert_int_equal(part.verdict, SIM_VERDICT_VERIFIED);
            char want[32];
            g_snprintf(want, sizeof want, "shard %d/%d: ", i, n);
            if (!strstr(part.bounds_text, want))
                fail_msg("shard %d/%d does not name itself: %s", i, n, part.bounds_text);
            if (items >= 0)
                assert_int_equal(part.shard_items, items); /* every shard splits alike */
            items = part.shard_items;
            runs += part.runs;
            cut += part.cut_preemptions;
            sim_explore_result_clear(&part);
        }
        if (runs != whole.runs || cut != whole.cut_preemptions)
            fail_msg("%d shards made %" G_GINT64_FORMAT " executions and cut %" G_GINT64_FORMAT
                     " branches, one search %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                     n, runs, cut, whole.runs, whole.cut_preemptions);
        /* Without a preemption bound the split depth is chosen for 8 x N items. */
        if (preemptions_max < 0 && items < 8 * n)
            fail_msg("%d shards: %" G_GINT64_FORMAT " work items, fewer than 8 x N", n, items);
    }
    sim_explore_result_clear(&whole);
}

static void test_plain_exact(void **state)
{
    (void)state;
    check_shards_exact(small_a, TRUE, -1, 0);
}

static void test_reduced_exact(void **state)
{
    (void)state;
    check_shards_exact(lamport_2, FALSE, -1, 0);
}

static void test_preemption_bound_exact(void **state)
{
    (void)state;
    check_shards_exact(lamport_3, FALSE, 2, 0);
}

/* Runs cut by a step bound: the path of each is expanded fully (its races
 * beyond the cut are unknown), in the items as in one search. */
static void test_step_bound_exact(void **state)
{
    (void)state;
    check_shards_exact(lamport_2, FALSE, -1, 45);
}

/* A violation one search finds is found by some shard; none finds another. */
static void test_violation_found(void **state)
{
    (void)state;
    sim_explore_options o;
    options(&o, FALSE, -1);
    sim_explore_result whole;
    explore(broken_1, &o, &whole);
    assert_int_equal(whole.verdict, SIM_VERDICT_VIOLATION);
    guint found = 0;
    for (int i = 0; i < 4; i++) {
        o.shard_index = i;
        o.shard_count = 4;
        sim_explore_result part;
        explore(broken_1, &o, &part);
        if (part.verdict == SIM_VERDICT_VIOLATION)
            found |= part.violated;
        else
            assert_int_equal(part.verdict, SIM_VERDICT_VERIFIED);
        sim_explore_result_clear(&part);
    }
    assert_int_equal(found, whole.violated);
    sim_explore_result_clear(&whole);
}

/* One execution, four shards: shard 0 makes it, the others say they have
 * nothing to explore (not a silent "verified" of nothing). */
static void test_nothing_to_explore(void **state)
{
    (void)state;
    sim_explore_options o;
    options(&o, FALSE, -1);
    for (int i = 0; i < 4; i++) {
        o.shard_index = i;
        o.shard_count = 4;
        sim_explore_result part;
        explore(single, &o, &part);
        assert_int_equal(part.shard_items, 1);
        assert_int_equal(part.runs, i == 0 ? 1 : 0);
        assert_int_equal(part.shard_items_owned, i == 0 ? 1 : 0);
        if (i > 0 && !strstr(part.bounds_text, "nothing to explore in this shard"))
            fail_msg("shard %d/4 has no item but says: %s", i, part.bounds_text);
        sim_explore_result_clear(&part);
    }
}

/* The same shard twice: the same numbers. */
static void test_deterministic(void **state)
{
    (void)state;
    sim_explore_options o;
    options(&o, FALSE, -1);
    o.shard_index = 1;
    o.shard_count = 3;
    sim_explore_result a, b;
    explore(lamport_2, &o, &a);
    explore(lamport_2, &o, &b);
    assert_int_equal(a.runs, b.runs);
    assert_int_equal(a.pruned, b.pruned);
    assert_int_equal(a.steps, b.steps);
    assert_int_equal(a.shard_items_owned, b.shard_items_owned);
    assert_string_equal(a.bounds_text, b.bounds_text);
    sim_explore_result_clear(&a);
    sim_explore_result_clear(&b);
}

/* --list-items: the same list whichever shard asks, nothing explored,
 * and as many items for each shard as its search owns. */
static void check_items_listed(const char *text, gboolean stateful, guint items_min)
{
    enum { N = 3 };
    GPtrArray *lists[N];
    for (int k = 0; k < N; k++) {
        sim_explore_options o;
        options(&o, FALSE, -1);
        o.stateful = o.stateful_set = stateful;
        o.state_memory_mb = 16;
        o.shard_index = k;
        o.shard_count = N;
        lists[k] = g_ptr_array_new_with_free_func(sim_explore_item_free);
        o.items_out = lists[k];
        sim_explore_result listed;
        explore(text, &o, &listed);
        assert_int_equal(listed.runs, 0); /* listed, not explored */
        o.items_out = NULL;
        sim_explore_result part;
        explore(text, &o, &part);
        assert_int_equal(part.verdict, SIM_VERDICT_VERIFIED);
        assert_int_equal((gint64)lists[k]->len, part.shard_items);
        gint64 mine = 0;
        for (guint i = 0; i < lists[k]->len; i++) {
            const sim_explore_item *it = lists[k]->pdata[i];
            assert_int_equal(it->index, (gint64)i);
            assert_int_equal(it->shard, (int)(i % N));
            assert_int_equal(it->bound, -1);
            mine += it->shard == k;
        }
        assert_int_equal(mine, part.shard_items_owned);
        sim_explore_result_clear(&listed);
        sim_explore_result_clear(&part);
    }
    assert_true(lists[0]->len >= items_min);
    for (guint i = 0; i < lists[0]->len; i++) {
        const sim_explore_item *a = lists[0]->pdata[i];
        for (int k = 1; k < N; k++) { /* every shard lists the same items */
            const sim_explore_item *b = lists[k]->pdata[i];
            assert_int_equal(a->prefix->len, b->prefix->len);
            assert_memory_equal(a->prefix->data, b->prefix->data, a->prefix->len * sizeof(uint32_t));
            assert_int_equal(a->asleep, b->asleep);
            assert_int_equal(a->run, b->run);
        }
        if (i > 0) { /* and no two alike */
            const sim_explore_item *p = lists[0]->pdata[i - 1];
            assert_false(p->prefix->len == a->prefix->len &&
                         memcmp(p->prefix->data, a->prefix->data, a->prefix->len * sizeof(uint32_t)) == 0);
        }
    }
    for (int k = 0; k < N; k++)
        g_ptr_array_free(lists[k], TRUE);
}

static void test_items_listed(void **state)
{
    (void)state;
    check_items_listed(lamport_2, FALSE, 8 * 3);
    /* Stateful, on a smaller tree: each shard stores most of its states. */
    check_items_listed(lamport_2x1, TRUE, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_exact),         cmocka_unit_test(test_reduced_exact),
        cmocka_unit_test(test_preemption_bound_exact), cmocka_unit_test(test_step_bound_exact),
        cmocka_unit_test(test_violation_found),
        cmocka_unit_test(test_nothing_to_explore),  cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_items_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
