/*
 * test_explore_live_graph.c - fair starving cycles (sim/explore/explore_live_graph.c).
 *
 * Goal: the decision of the starvation check is right on small graphs
 * whose answer is known by hand: a starving cycle is found, with a lasso
 * that really is a path from the root and a cycle back to its first state,
 * in which another tab acquires and every tab steps or is disabled; an
 * unfair cycle (a tab enabled throughout that never steps) does not count;
 * a cycle in which the starving tab is blocked (disabled) does; a cycle in
 * which nobody else acquires does not; the tab's own acquisition breaks
 * the cycle; unexpanded states never take part; and the first tab's
 * nearest component wins.  Method: graphs built edge by edge, the lasso's
 * edges checked against the conditions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore_live_graph.h"

#define T(n) (UINT64_C(1) << ((n) - 1))

static const sim_live_edge *edge(const sim_live_graph *g, const GArray *a, guint i)
{
    return &g_array_index(g->edges, sim_live_edge, g_array_index(a, uint32_t, i));
}

/* The lasso is a path root -> s, then a cycle s -> s, in which the tab is
 * pending throughout, another tab acquires, and every tab steps or is
 * disabled somewhere. */
static void assert_lasso(const sim_live_graph *g, uint32_t root, const sim_live_lasso *l)
{
    uint32_t at = root;
    for (guint i = 0; i < l->prefix->len; i++) {
        assert_int_equal(edge(g, l->prefix, i)->src, at);
        at = edge(g, l->prefix, i)->dst;
    }
    uint32_t s = at;
    assert_true(l->cycle->len > 0);
    uint64_t fair = 0;
    gboolean other_acquires = FALSE;
    for (guint i = 0; i < l->cycle->len; i++) {
        const sim_live_edge *e = edge(g, l->cycle, i);
        assert_int_equal(e->src, at);
        const sim_live_node *n = &g_array_index(g->nodes, sim_live_node, at);
        assert_true(n->pending & T(l->tab));
        fair |= ~n->enabled | T(e->tab);
        other_acquires |= e->acquire && e->tab != l->tab;
        assert_false(e->acquire && e->tab == l->tab);
        at = e->dst;
    }
    assert_int_equal(at, s);
    assert_true(other_acquires);
    uint64_t all = (UINT64_C(1) << g->n_tabs) - 1;
    assert_int_equal(fair & all, all);
}

/* root -> a; a <-> b: tab 2 acquires on a -> b and releases on b -> a,
 * tab 1 steps in a (retrying) and stays pending. */
static void test_starving_cycle(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, 0);
    uint32_t a = sim_live_graph_add_node(g, T(1) | T(2));
    uint32_t b = sim_live_graph_add_node(g, T(1));
    sim_live_graph_add_edge(g, root, a, 1, FALSE);
    sim_live_graph_add_edge(g, a, b, 2, TRUE);
    sim_live_graph_add_edge(g, b, a, 2, FALSE);
    sim_live_graph_add_edge(g, a, a, 1, FALSE);
    sim_live_graph_expanded(g, root, T(1));
    sim_live_graph_expanded(g, a, T(1) | T(2));
    sim_live_graph_expanded(g, b, T(1) | T(2));
    sim_live_lasso l;
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.tab, 1);
    assert_int_equal(l.prefix->len, 1);
    assert_int_equal(l.component_states, 2);
    assert_lasso(g, root, &l);
    /* Tab 1 must step on the cycle: it is enabled everywhere. */
    gboolean one_steps = FALSE;
    for (guint i = 0; i < l.cycle->len; i++)
        one_steps |= edge(g, l.cycle, i)->tab == 1;
    assert_true(one_steps);
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* The same cycle without tab 1's step: tab 1 is enabled in a and b and
 * never steps, so the cycle is not weakly fair. */
static void test_unfair_cycle_does_not_count(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, 0);
    uint32_t a = sim_live_graph_add_node(g, T(1) | T(2));
    uint32_t b = sim_live_graph_add_node(g, T(1));
    uint32_t c = sim_live_graph_add_node(g, T(2)); /* tab 1 got the lock */
    sim_live_graph_add_edge(g, root, a, 1, FALSE);
    sim_live_graph_add_edge(g, a, b, 2, TRUE);
    sim_live_graph_add_edge(g, b, a, 2, FALSE);
    sim_live_graph_add_edge(g, a, c, 1, TRUE); /* its only step acquires */
    sim_live_graph_add_edge(g, c, c, 2, FALSE);
    sim_live_graph_expanded(g, root, T(1));
    sim_live_graph_expanded(g, a, T(1) | T(2));
    sim_live_graph_expanded(g, b, T(1) | T(2));
    sim_live_graph_expanded(g, c, T(2));
    sim_live_lasso l;
    assert_false(sim_live_graph_starvation(g, root, &l));
    /* The same with tab 1 disabled in b (it waits for a key there): fair. */
    g_array_index(g->nodes, sim_live_node, b).enabled = T(2);
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.tab, 1);
    assert_lasso(g, root, &l);
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* Tab 1 blocked in a wait throughout (never enabled) while tab 2 takes the
 * lock again and again: starvation (weak fairness asks nothing of a tab
 * that is never enabled). */
static void test_blocked_tab_starves(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, T(1));
    uint32_t a = sim_live_graph_add_node(g, T(1));
    sim_live_graph_add_edge(g, root, a, 2, TRUE);
    sim_live_graph_add_edge(g, a, root, 2, FALSE);
    sim_live_graph_expanded(g, root, T(2));
    sim_live_graph_expanded(g, a, T(2));
    sim_live_lasso l;
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.tab, 1);
    assert_int_equal(l.prefix->len, 0);
    assert_int_equal(l.cycle->len, 2);
    assert_lasso(g, root, &l);
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* A cycle where nobody acquires (both tabs retry forever) is a livelock,
 * not starvation while others progress: not reported.  Nor is a cycle
 * through the starving tab's own acquisition. */
static void test_no_acquisition_no_starvation(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, T(1) | T(2));
    uint32_t a = sim_live_graph_add_node(g, T(1) | T(2));
    uint32_t b = sim_live_graph_add_node(g, 0);
    sim_live_graph_add_edge(g, root, a, 1, FALSE);
    sim_live_graph_add_edge(g, a, root, 2, FALSE);
    sim_live_graph_add_edge(g, a, b, 1, TRUE);  /* tab 1 acquires: leaves its pending states */
    sim_live_graph_add_edge(g, b, root, 1, FALSE);
    sim_live_graph_expanded(g, root, T(1) | T(2));
    sim_live_graph_expanded(g, a, T(1) | T(2));
    sim_live_graph_expanded(g, b, T(1) | T(2));
    sim_live_lasso l;
    assert_false(sim_live_graph_starvation(g, root, &l));
    sim_live_graph_free(g);
}

/* A starving cycle through a state not yet expanded does not count: a cut
 * graph never proves more than it has seen. */
static void test_unexpanded_state_does_not_count(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, T(1));
    uint32_t a = sim_live_graph_add_node(g, T(1));
    sim_live_graph_add_edge(g, root, a, 2, TRUE);
    sim_live_graph_expanded(g, root, T(2));
    sim_live_lasso l;
    assert_false(sim_live_graph_starvation(g, root, &l));
    sim_live_graph_add_edge(g, a, root, 2, FALSE);
    sim_live_graph_expanded(g, a, T(2));
    assert_true(sim_live_graph_starvation(g, root, &l));
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* Three tabs: tab 3 starves in a component where tab 1 must be brought
 * round explicitly (the acquisition edge alone does not cover it); tab 1
 * and 2 never starve.  The lasso covers every tab. */
static void test_three_tabs_cover_every_tab(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(3);
    uint32_t root = sim_live_graph_add_node(g, 0);
    uint32_t a = sim_live_graph_add_node(g, T(3));
    uint32_t b = sim_live_graph_add_node(g, T(3));
    uint32_t c = sim_live_graph_add_node(g, T(3));
    sim_live_graph_add_edge(g, root, a, 3, FALSE);
    sim_live_graph_add_edge(g, a, b, 2, TRUE);
    sim_live_graph_add_edge(g, b, a, 2, FALSE);
    sim_live_graph_add_edge(g, b, c, 1, FALSE);
    sim_live_graph_add_edge(g, c, a, 3, FALSE);
    sim_live_graph_expanded(g, root, T(3));
    for (uint32_t n = a; n <= c; n++)
        sim_live_graph_expanded(g, n, T(1) | T(2) | T(3));
    sim_live_lasso l;
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.tab, 3);
    assert_lasso(g, root, &l);
    assert_int_equal(l.cycle->len, 3); /* a b (tab 2 acquires), b c (tab 1), c a (tab 3) */
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* Two starving components: the nearer one to the root is the lasso. */
static void test_nearest_component_wins(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, 0);
    uint32_t far1 = sim_live_graph_add_node(g, 0);
    uint32_t far2 = sim_live_graph_add_node(g, T(1));
    uint32_t near = sim_live_graph_add_node(g, T(1));
    sim_live_graph_add_edge(g, root, far1, 2, FALSE);
    sim_live_graph_add_edge(g, far1, far2, 1, FALSE);
    sim_live_graph_add_edge(g, far2, far2, 2, TRUE);
    sim_live_graph_add_edge(g, root, near, 1, FALSE);
    sim_live_graph_add_edge(g, near, near, 2, TRUE);
    sim_live_graph_expanded(g, root, T(1) | T(2));
    sim_live_graph_expanded(g, far1, T(1) | T(2));
    sim_live_graph_expanded(g, far2, T(2));
    sim_live_graph_expanded(g, near, T(2));
    sim_live_lasso l;
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.prefix->len, 1);
    assert_int_equal(edge(g, l.prefix, 0)->dst, near);
    assert_lasso(g, root, &l);
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

/* A long chain (deep enough that a recursive Tarjan would be in trouble
 * under the sanitizers) closing into one starving cycle. */
static void test_long_cycle(void **state)
{
    (void)state;
    sim_live_graph *g = sim_live_graph_new(2);
    uint32_t root = sim_live_graph_add_node(g, 0);
    uint32_t first = sim_live_graph_add_node(g, T(1));
    sim_live_graph_add_edge(g, root, first, 1, FALSE);
    uint32_t prev = first;
    for (int i = 0; i < 200000; i++) {
        uint32_t n = sim_live_graph_add_node(g, T(1));
        sim_live_graph_add_edge(g, prev, n, 2, i == 1000);
        prev = n;
    }
    sim_live_graph_add_edge(g, prev, first, 2, FALSE);
    sim_live_graph_expanded(g, root, T(1));
    for (uint32_t n = first; n <= prev; n++)
        sim_live_graph_expanded(g, n, T(2));
    sim_live_lasso l;
    assert_true(sim_live_graph_starvation(g, root, &l));
    assert_int_equal(l.component_states, 200001);
    assert_int_equal(l.cycle->len, 200001);
    assert_lasso(g, root, &l);
    sim_live_lasso_clear(&l);
    sim_live_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starving_cycle),
        cmocka_unit_test(test_unfair_cycle_does_not_count),
        cmocka_unit_test(test_blocked_tab_starves),
        cmocka_unit_test(test_no_acquisition_no_starvation),
        cmocka_unit_test(test_unexpanded_state_does_not_count),
        cmocka_unit_test(test_three_tabs_cover_every_tab),
        cmocka_unit_test(test_nearest_component_wins),
        cmocka_unit_test(test_long_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
