/*
 * test_explore_symmetry.c - symmetry reduction in the stateful search
 * (--symmetry; sim/world/world_digest.c, "Symmetry"; explore_state.c)
 * against the search without it and the stateless one: the differential
 * test of a new search technique.
 *
 * Goal: where the tabs are interchangeable (Web Locks in a lock workload,
 * with faults, with steal, 2 to 5 tabs), the search with symmetry gives
 * the same verdict and violated invariants as the stateful search without
 * it and the stateless one, stores fewer states, and reaches the same
 * final states up to a renaming of the tabs: the stateless search's final
 * states, digested canonically, are exactly the symmetric search's (a
 * state pruned as the image of another whose sleep set was renamed wrong
 * would lose the final states below it).  Where they are not (Lamport,
 * the event store, cached storage) nothing is reduced and the verdict's
 * bounds say why; where code writes storage (Web Locks unavailable: the
 * seed's lock) the search gives symmetry up at run time and agrees with
 * the search without it.  Method: scenario files of the tree, or text,
 * explored in-process, no preemption bound, no shrinking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/world/world.h"
#include "scenario_tree.h"

typedef struct three {
    sim_explore_result plain, stateful, sym; /* stateless; stateful without and with symmetry */
    GHashTable *plain_final, *stateful_final, *sym_final;
} three;

static void explore(const sim_scenario *s, sim_stack_pool *pool, gboolean stateful, gboolean symmetry,
                    GHashTable *final, sim_explore_result *r, guint8 assume)
{
    sim_explore_options o;
    tree_stateful_options(&o, final, stateful, assume);
    o.symmetry = symmetry;
    sim_explore(s, pool, &o, r);
}

/* The stateless search only where it is small (plain = FALSE: its
 * result stays zero). */
static void run_three(sim_scenario *s, gboolean plain, three *t)
{
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    memset(t, 0, sizeof *t);
    t->plain_final = sim_digest_set_new();
    t->stateful_final = sim_digest_set_new();
    t->sym_final = sim_digest_set_new();
    explore(s, pool, TRUE, TRUE, t->sym_final, &t->sym, 0);
    explore(s, pool, TRUE, FALSE, t->stateful_final, &t->stateful, 0);
    /* The stateless search's final states digested as the symmetric
     * search's were: renamed into the canonical order. */
    if (plain)
        explore(s, pool, FALSE, FALSE, t->plain_final, &t->plain, t->sym.digest_assume);
    sim_stack_pool_free(pool);
}

static void three_clear(three *t)
{
    sim_explore_result_clear(&t->plain);
    sim_explore_result_clear(&t->stateful);
    sim_explore_result_clear(&t->sym);
    g_hash_table_destroy(t->plain_final);
    g_hash_table_destroy(t->stateful_final);
    g_hash_table_destroy(t->sym_final);
}

static sim_scenario *scenario_text(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("symmetry.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("%s", error->message);
    return s;
}

/* Applied: same verdicts, fewer states, the same final states renamed. */
static void check_reduced(const char *name, sim_scenario *s, gboolean plain)
{
    three t;
    run_three(s, plain, &t);
    print_message("%-34s %d tabs: stateful %-9s %7" G_GINT64_FORMAT " states | symmetry %-9s %6" G_GINT64_FORMAT
                  " states | final states %u, renamed %u, stateless renamed %u\n",
                  name, (int)s->tabs, sim_verdict_name(t.stateful.verdict), t.stateful.states,
                  sim_verdict_name(t.sym.verdict), t.sym.states, g_hash_table_size(t.stateful_final),
                  g_hash_table_size(t.sym_final), g_hash_table_size(t.plain_final));
    assert_true(t.sym.digest_assume & SIM_DIGEST_SYMMETRIC);
    assert_non_null(strstr(t.sym.bounds_text, "symmetry over the"));
    assert_int_equal(t.sym.verdict, t.stateful.verdict);
    assert_int_equal(t.sym.violated, t.stateful.violated);
    /* A search that stops at its first violation may stop before any
     * state has an image to meet. */
    if (t.sym.verdict == SIM_VERDICT_VERIFIED)
        assert_true(t.sym.states < t.stateful.states);
    else
        assert_true(t.sym.states <= t.stateful.states);
    if (!plain) {
        three_clear(&t);
        return;
    }
    assert_int_equal(t.plain.verdict, t.sym.verdict);
    assert_int_equal(t.plain.violated, t.sym.violated);
    if (t.sym.verdict == SIM_VERDICT_VERIFIED) {
        /* Renaming merges final states: never more than without it. */
        assert_true(g_hash_table_size(t.sym_final) > 0);
        assert_true(g_hash_table_size(t.sym_final) <= g_hash_table_size(t.stateful_final));
        tree_assert_same_sets(t.plain_final, t.sym_final);
    }
    three_clear(&t);
}

static void test_symmetry_agrees_files(void **state)
{
    (void)state;
    static const char *const names[] = {"web-locks-exhaustive.ini", "faults-web-locks-close.ini",
                                        "web-locks-steal.ini"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        sim_scenario *s = tree_scenario_load(names[i]);
        check_reduced(names[i], s, TRUE);
        sim_scenario_free(s);
    }
    /* Six tabs: only the two stateful searches (the stateless one would
     * take minutes). */
    /* Runs cut by a step bound end mid-way: their final states are every
     * state at that depth, which a wrong pruning would lose. */
    for (gint64 steps = 6; steps <= 14; steps += 4) {
        sim_scenario *s = tree_scenario_load("web-locks-exhaustive.ini");
        s->steps_max = steps;
        check_reduced("web-locks-exhaustive.ini, cut", s, TRUE);
        sim_scenario_free(s);
    }
    sim_scenario *s = tree_scenario_load("web-locks-symmetry.ini");
    s->symmetry = FALSE; /* the file asks for it: the options say when */
    check_reduced("web-locks-symmetry.ini", s, FALSE);
    sim_scenario_free(s);
}

static void test_symmetry_agrees_tabs(void **state)
{
    (void)state;
    /* Two to four tabs, a lock held across a step, waits drawn from a
     * range: tabs whose timers differ, so the canonical order moves. */
    for (int tabs = 2; tabs <= 4; tabs++) {
        char *text = g_strdup_printf("[scenario]\ntabs = %d\n[mutex]\nalgorithm = web-locks\n"
                                     "[workload]\nmode = lock\nlocks_per_tab = %d\ninterval_ms_min = 0\n"
                                     "interval_ms_max = 5\nhold_ms_min = 0\nhold_ms_max = 1\n"
                                     "[explore]\nmode = exhaustive\n[expect]\nviolation = none\n",
                                     tabs, tabs == 2 ? 2 : 1);
        sim_scenario *s = scenario_text(text);
        check_reduced("web-locks, ranges", s, tabs < 4);
        for (gint64 steps = 5; tabs < 4 && steps <= 13; steps += 4) {
            s->steps_max = steps;
            check_reduced("web-locks, ranges, cut", s, TRUE);
        }
        sim_scenario_free(s);
        g_free(text);
    }
}

/* Not applied: nothing reduced, the same states, and the bounds say why. */
static void check_not_applied(const char *name, sim_scenario *s, const char *why)
{
    three t;
    run_three(s, FALSE, &t);
    print_message("%-34s %s\n", name, t.sym.bounds_text);
    assert_false(t.sym.digest_assume & SIM_DIGEST_SYMMETRIC);
    assert_non_null(strstr(t.sym.bounds_text, "symmetry not applied"));
    assert_non_null(strstr(t.sym.bounds_text, why));
    assert_int_equal(t.sym.verdict, t.stateful.verdict);
    assert_int_equal(t.sym.violated, t.stateful.violated);
    assert_int_equal(t.sym.states, t.stateful.states);
    three_clear(&t);
}

static void test_symmetry_not_applied(void **state)
{
    (void)state;
    sim_scenario *s = tree_scenario_load("lamport-2tabs.ini");
    check_not_applied("lamport-2tabs.ini", s, "uses its tab's id");
    sim_scenario_free(s);
    s = tree_scenario_load("events-web-locks-2x1x1.ini");
    check_not_applied("events-web-locks-2x1x1.ini", s, "not interchangeable");
    sim_scenario_free(s);
    static const char *const texts[][3] = {
        {"web-locks, cached storage", "[storage]\nmodel = cached\n", "state of its own for each tab"},
        {"web-locks, a background tab", "[faults]\nbackground_tabs = 1\n", "background_tabs"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        char *text = g_strdup_printf("[scenario]\ntabs = 2\n[mutex]\nalgorithm = web-locks\n[workload]\nmode = lock\n"
                                     "locks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
                                     "[explore]\nmode = exhaustive\n%s",
                                     texts[i][1]);
        s = scenario_text(text);
        check_not_applied(texts[i][0], s, texts[i][2]);
        sim_scenario_free(s);
        g_free(text);
    }
}

/* Given up: Web Locks unavailable, so the seed's lock, which writes its
 * tab's id to storage: the first write voids the pass, which starts over
 * without symmetry and finds what the search without it finds. */
static void test_symmetry_given_up(void **state)
{
    (void)state;
    sim_scenario *s = scenario_text("[scenario]\ntabs = 2\n[mutex]\nalgorithm = web-locks\n[web-locks]\n"
                                    "available = false\n[workload]\nmode = lock\nlocks_per_tab = 1\n"
                                    "interval_ms_min = 0\ninterval_ms_max = 0\n[explore]\nmode = exhaustive\nfirst = true\n");
    three t;
    run_three(s, FALSE, &t);
    print_message("web-locks unavailable: %s %s\n", sim_verdict_name(t.sym.verdict), t.sym.bounds_text);
    assert_false(t.sym.digest_assume & SIM_DIGEST_SYMMETRIC);
    assert_int_equal(t.sym.verdict, t.stateful.verdict);
    assert_int_equal(t.sym.violated, t.stateful.violated);
    assert_int_equal(t.sym.states, t.stateful.states);
    if (t.sym.bounds_text)
        assert_non_null(strstr(t.sym.bounds_text, "symmetry given up"));
    three_clear(&t);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symmetry_agrees_files),
        cmocka_unit_test(test_symmetry_agrees_tabs),
        cmocka_unit_test(test_symmetry_not_applied),
        cmocka_unit_test(test_symmetry_given_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
