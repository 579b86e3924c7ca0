/*
 * test_explore_live.c - the starvation check (sim/explore/explore_live.c).
 *
 * Goal: Lamport's fast mutex lets a tab starve and the check finds it, as
 * a lasso that replayed (its token and its marked timeline), the same on
 * every run; FIFO Web Locks let none starve, over all of their states; a
 * graph cut by states_max is incomplete, never "no starvation"; and,
 * against the plain search (3 tabs without a lock rather than Web Locks:
 * 34,650 executions instead of 52,896, 39 s under the sanitizers), the
 * graph of a workload that ends reaches
 * exactly the final states that enumerating every execution reaches (the
 * differential test a new search technique ships with), and every state
 * one reaches the other reaches too; sleeps that move the clock close
 * cycles, the instants being relative to now (and with them exact the
 * graph grows for ever).  Method: scenarios
 * as text, sim_live_check, and for the differential a plain depth-first
 * enumeration of every choice sequence (no reduction) written here,
 * comparing sets of final-state digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore_live.h"
#include "sim/explore/run.h"
#include "sim/world/world.h"

#define LOCK_SCENARIO(tabs, alg, workload)                                                                      \
    "[scenario]\ntabs = " #tabs "\n[mutex]\nalgorithm = " alg "\n"                                             \
    "[storage]\nlatency_us_min = 0\nlatency_us_max = 0\n"                                                      \
    "[workload]\nmode = lock\n" workload "interval_ms_min = 0\ninterval_ms_max = 0\n"                          \
    "hold_ms_min = 0\nhold_ms_max = 0\n"

static sim_scenario *load(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("%s", error->message);
    return s;
}

static void check_states(const char *text, int64_t states_max, sim_live_result *r, GHashTable *finals,
                         GHashTable *states)
{
    sim_scenario *s = load(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_live_options o = {.states_max = states_max, .final_digests = finals, .state_digests = states};
    sim_live_check(s, pool, &o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void check(const char *text, int64_t states_max, sim_live_result *r, GHashTable *finals)
{
    check_states(text, states_max, r, finals, NULL);
}

static void test_lamport_starves(void **state)
{
    (void)state;
    static const char text[] = LOCK_SCENARIO(2, "lamport", "forever = true\n") "[expect]\nviolation = starvation\n";
    sim_live_result r, again;
    check(text, 0, &r, NULL);
    assert_int_equal(r.verdict, SIM_LIVE_STARVATION);
    assert_true(r.tab == 1 || r.tab == 2);
    assert_true(r.prefix_steps > 0 && r.cycle_steps > 0);
    assert_non_null(r.token);
    assert_true(g_str_has_prefix(r.token, "ts2-"));
    /* The timeline: the prefix, the cycle's mark, the cycle, its second
     * mark, the cycle again, the end. */
    int marks = 0;
    for (guint i = 0; i < r.timeline->len; i++)
        marks += strstr(r.timeline->pdata[i], "~~~") != NULL;
    assert_int_equal(marks, 3);
    assert_string_equal(r.timeline->pdata[r.timeline->len - 1], SIM_LIVE_END_MARK);
    /* Deterministic: the same graph, the same lasso. */
    check(text, 0, &again, NULL);
    assert_int_equal(again.states, r.states);
    assert_int_equal(again.edges, r.edges);
    assert_string_equal(again.token, r.token);
    sim_live_result_clear(&r);
    sim_live_result_clear(&again);
}

static void test_web_locks_no_starvation(void **state)
{
    (void)state;
    sim_live_result r;
    check(LOCK_SCENARIO(2, "web-locks", "forever = true\n"), 0, &r, NULL);
    assert_int_equal(r.verdict, SIM_LIVE_NONE);
    assert_int_equal(r.states, 25);
    assert_int_equal(r.expanded, r.states);
    assert_null(r.token);
    sim_live_result_clear(&r);
    check(LOCK_SCENARIO(3, "web-locks", "forever = true\n"), 0, &r, NULL);
    assert_int_equal(r.verdict, SIM_LIVE_NONE);
    assert_int_equal(r.states, 129);
    sim_live_result_clear(&r);
}

/* Sleeps that move the clock: the clock grows for ever, so with it exact
 * the graph never closes; relative to now (Web Locks' code never reads
 * it, world_digest.c, "Time") it does, and no tab starves. */
#define RANGES_SCENARIO(alg, workload)                                                                          \
    "[scenario]\ntabs = 2\n[mutex]\nalgorithm = " alg "\n[storage]\nlatency_us_min = 0\nlatency_us_max = 0\n"    \
    "[workload]\nmode = lock\n" workload "interval_ms_min = 0\ninterval_ms_max = 50\n"                         \
    "hold_ms_min = 0\nhold_ms_max = 20\n"

static void test_clock_relative_closes_cycles(void **state)
{
    (void)state;
    sim_live_result r;
    check(RANGES_SCENARIO("web-locks", "forever = true\n"), 0, &r, NULL);
    print_message("Web Locks with 0-50 ms between locks and 0-20 ms held: %" G_GUINT64_FORMAT " states\n", r.states);
    assert_int_equal(r.verdict, SIM_LIVE_NONE);
    assert_int_equal(r.digest_assume, SIM_DIGEST_ASSUME_ALL);
    assert_int_equal(r.expanded, r.states);
    sim_live_result_clear(&r);
    g_setenv("TABSIM_DIGEST_EXACT", "1", TRUE);
    check(RANGES_SCENARIO("web-locks", "forever = true\n"), 5000, &r, NULL);
    g_unsetenv("TABSIM_DIGEST_EXACT");
    assert_int_equal(r.verdict, SIM_LIVE_INCOMPLETE);
    assert_int_equal(r.digest_assume, 0);
    sim_live_result_clear(&r);
}

static void test_cut_graph_is_incomplete(void **state)
{
    (void)state;
    sim_live_result r;
    check(LOCK_SCENARIO(2, "web-locks", "forever = true\n"), 10, &r, NULL);
    assert_int_equal(r.verdict, SIM_LIVE_INCOMPLETE);
    assert_non_null(strstr(r.incomplete_reason, "[explore] states_max = 10"));
    assert_true(r.expanded < r.states);
    sim_live_result_clear(&r);
}

/* The plain search: every choice sequence, depth first, no reduction;
 * the digest after each execution's last step. */
typedef struct plain {
    sim_world *world;
    sim_digest last;
    gboolean stepped;
    GHashTable *states; /* every state after a step */
} plain;

static void plain_ready(void *ctx, sim_world *w)
{
    ((plain *)ctx)->world = w;
}

static void plain_step(void *ctx, const sim_step_info *info)
{
    plain *p = ctx;
    (void)info;
    sim_world_digest(p->world, &p->last);
    p->stepped = TRUE;
    if (!g_hash_table_contains(p->states, &p->last))
        g_hash_table_add(p->states, g_memdup2(&p->last, sizeof p->last));
}

static GHashTable *digest_set(void)
{
    return g_hash_table_new_full(sim_digest_key_hash, sim_digest_key_equal, g_free, NULL);
}

static gint64 plain_finals(const char *text, GHashTable *finals, GHashTable *states, guint8 assume)
{
    sim_scenario *s = load(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    GArray *prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gint64 runs = 0;
    for (;;) {
        plain p = {.states = states};
        sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .prefix = (const uint32_t *)prefix->data,
                             .prefix_len = prefix->len, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                             .step_done = plain_step, .hook_ctx = &p, .digests = TRUE,
                             .world_ready = plain_ready, .digest_assume = assume};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        runs++;
        assert_true(p.stepped);
        if (!g_hash_table_contains(finals, &p.last))
            g_hash_table_add(finals, g_memdup2(&p.last, sizeof p.last));
        /* The next sequence: the last choice with another answer. */
        GArray *rec = run.chooser.record, *arity = run.chooser.record_n;
        guint i = rec->len;
        while (i > 0 && g_array_index(rec, uint32_t, i - 1) + 1 >= g_array_index(arity, uint32_t, i - 1))
            i--;
        g_array_set_size(prefix, 0);
        if (i > 0) {
            g_array_append_vals(prefix, rec->data, i);
            g_array_index(prefix, uint32_t, i - 1)++;
        }
        sim_run_clear(&run);
        if (i == 0)
            break;
    }
    g_array_free(prefix, TRUE);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return runs;
}

static void assert_same_sets(GHashTable *a, GHashTable *b)
{
    assert_int_equal(g_hash_table_size(a), g_hash_table_size(b));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &k, NULL))
        assert_true(g_hash_table_contains(b, k));
}

static void assert_same_finals(const char *text)
{
    GHashTable *graph = digest_set(), *enumerated = digest_set();
    GHashTable *graph_states = digest_set(), *enumerated_states = digest_set();
    sim_live_result r;
    check_states(text, 0, &r, graph, graph_states);
    assert_int_equal(r.verdict, SIM_LIVE_NONE); /* a workload that ends has no infinite run */
    /* Digested as the graph's were (world_digest.c, "Time"). */
    gint64 runs = plain_finals(text, enumerated, enumerated_states, r.digest_assume);
    print_message("%u states in the graph, %u reached by the executions\n", g_hash_table_size(graph_states),
                  g_hash_table_size(enumerated_states));
    assert_same_sets(graph_states, enumerated_states);
    assert_true(runs > 1);
    assert_true(g_hash_table_size(graph) > 0);
    print_message("%u final states from %" G_GUINT64_FORMAT " graph states; %u from %" G_GINT64_FORMAT " executions\n",
                  g_hash_table_size(graph), r.states, g_hash_table_size(enumerated), runs);
    assert_int_equal(g_hash_table_size(graph), g_hash_table_size(enumerated));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, graph);
    while (g_hash_table_iter_next(&it, &k, NULL))
        assert_true(g_hash_table_contains(enumerated, k));
    sim_live_result_clear(&r);
    g_hash_table_destroy(graph);
    g_hash_table_destroy(enumerated);
    g_hash_table_destroy(graph_states);
    g_hash_table_destroy(enumerated_states);
}

static void test_differential_final_states(void **state)
{
    (void)state;
    assert_same_finals(LOCK_SCENARIO(2, "web-locks", "locks_per_tab = 2\n"));
    assert_same_finals(LOCK_SCENARIO(3, "none", "locks_per_tab = 1\n"));
    assert_same_finals(LOCK_SCENARIO(2, "naive", "locks_per_tab = 1\n"));
    assert_same_finals(LOCK_SCENARIO(2, "none", "locks_per_tab = 2\n"));
    assert_same_finals(RANGES_SCENARIO("web-locks", "locks_per_tab = 2\n")); /* instants relative to now */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lamport_starves),
        cmocka_unit_test(test_web_locks_no_starvation),
        cmocka_unit_test(test_clock_relative_closes_cycles),
        cmocka_unit_test(test_cut_graph_is_incomplete),
        cmocka_unit_test(test_differential_final_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
