/*
 * test_storage_snapshot.c - the snapshot (Firefox LSNG) localStorage model.
 *
 * Goal: a task sees the datastore as it was at its first call, whatever
 * lands meanwhile (values, key set, length); it sees its own writes at
 * once; its writes reach the datastore only when its task ends and its
 * checkpoint lands, all at once; of two checkpoints writing one key the
 * one landing last wins; a tab's own checkpoints land before its next
 * snapshot; no-change writes and insert-then-remove send nothing; quota
 * is checked on the snapshot; a crash drops the open snapshot; whole runs
 * on the model are deterministic, find what the scenarios expect, and the
 * exhaustive search agrees with and without reduction.  Method: direct
 * calls for two or three tabs, then small scenarios given as text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/explore/run.h"
#include "sim/browser/storage_snapshot.h"
#include "xt/error.h"

static void assert_view(sim_snapshot *s, int tab, const char *key, const char *expect)
{
    GString *v = g_string_new(NULL);
    int rc = sim_snapshot_get(s, tab, key, v);
    if (expect) {
        assert_int_equal(rc, XT_OK);
        assert_string_equal(v->str, expect);
    } else {
        assert_int_equal(rc, XT_ENOTFOUND);
    }
    g_string_free(v, TRUE);
}

static void assert_length(sim_snapshot *s, int tab, size_t expect)
{
    size_t n = 99;
    assert_int_equal(sim_snapshot_length(s, tab, &n), XT_OK);
    assert_int_equal(n, expect);
}

static void test_isolation_within_a_task(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_storage_set(shared, "k", "old");
    sim_storage_set(shared, "gone", "1");
    sim_snapshot *s = sim_snapshot_new(shared, 2, 0, FALSE);
    assert_view(s, 1, "k", "old"); /* tab 1's task begins: its snapshot */
    assert_true(sim_snapshot_is_open(s, 1));
    /* Tab 2, in a task of its own, changes k, removes gone, adds new. */
    assert_int_equal(sim_snapshot_set(s, 2, "k", "new"), XT_OK);
    assert_int_equal(sim_snapshot_remove(s, 2, "gone"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 2, "new", "x"), XT_OK);
    assert_int_equal(sim_snapshot_end(s, 2, 10, NULL, NULL), 3);
    sim_snapshot_apply(s, 2, NULL, NULL);
    assert_string_equal(sim_storage_peek(shared, "k"), "new");
    assert_null(sim_storage_peek(shared, "gone"));
    /* Tab 1's task still sees its snapshot: values, keys and length. */
    assert_view(s, 1, "k", "old");
    assert_view(s, 1, "gone", "1");
    assert_view(s, 1, "new", NULL);
    assert_length(s, 1, 2);
    GString *key = g_string_new(NULL);
    assert_int_equal(sim_snapshot_key(s, 1, 0, key), XT_OK);
    assert_string_equal(key->str, "gone");
    assert_int_equal(sim_snapshot_key(s, 1, 1, key), XT_OK);
    assert_string_equal(key->str, "k");
    assert_int_equal(sim_snapshot_key(s, 1, 2, key), XT_ENOTFOUND);
    /* Its next task takes a new snapshot and sees everything. */
    assert_int_equal(sim_snapshot_end(s, 1, 20, NULL, NULL), 0);
    assert_view(s, 1, "k", "new");
    assert_view(s, 1, "gone", NULL);
    assert_length(s, 1, 2);
    assert_int_equal(sim_snapshot_key(s, 1, 0, key), XT_OK);
    assert_string_equal(key->str, "k");
    g_string_free(key, TRUE);
    sim_snapshot_free(s);
    sim_storage_free(shared);
}

static void test_own_writes_visible(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_storage_set(shared, "a", "1");
    sim_snapshot *s = sim_snapshot_new(shared, 2, 0, FALSE);
    assert_int_equal(sim_snapshot_set(s, 1, "b", "2"), XT_OK);
    assert_view(s, 1, "b", "2");
    assert_int_equal(sim_snapshot_remove(s, 1, "a"), XT_OK);
    assert_view(s, 1, "a", NULL);
    assert_length(s, 1, 1);
    GString *key = g_string_new(NULL);
    assert_int_equal(sim_snapshot_key(s, 1, 0, key), XT_OK);
    assert_string_equal(key->str, "b");
    g_string_free(key, TRUE);
    /* Nothing has left the tab: the datastore and tab 2 see none of it. */
    assert_string_equal(sim_storage_peek(shared, "a"), "1");
    assert_null(sim_storage_peek(shared, "b"));
    assert_view(s, 2, "b", NULL);
    assert_view(s, 2, "a", "1");
    sim_snapshot_free(s);
    sim_storage_free(shared);
}

typedef struct seen {
    int n;
    GString *log;
} seen;

static void on_write(void *ctx, int tab, const char *key, const char *value)
{
    seen *s = ctx;
    s->n++;
    g_string_append_printf(s->log, "%d:%s=%s;", tab, key, value ? value : "-");
}

static void test_publish_at_task_end(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_storage_set(shared, "same", "v");
    sim_snapshot *s = sim_snapshot_new(shared, 2, 0, FALSE);
    seen sent = {0, g_string_new(NULL)};
    assert_int_equal(sim_snapshot_set(s, 1, "k", "1"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 1, "k", "2"), XT_OK); /* coalesced */
    assert_int_equal(sim_snapshot_set(s, 1, "same", "v"), XT_OK); /* no change */
    assert_int_equal(sim_snapshot_set(s, 1, "tmp", "t"), XT_OK);
    assert_int_equal(sim_snapshot_remove(s, 1, "tmp"), XT_OK);   /* inserted, removed */
    assert_int_equal(sim_snapshot_remove(s, 1, "never"), XT_OK); /* absent */
    assert_int_equal(sim_snapshot_in_flight(s, 1), 0);
    assert_int_equal(sim_snapshot_end(s, 1, 42, on_write, &sent), 1);
    assert_string_equal(sent.log->str, "1:k=2;");
    assert_false(sim_snapshot_is_open(s, 1));
    /* Sent, not landed: the datastore has not changed yet. */
    assert_int_equal(sim_snapshot_in_flight(s, 1), 1);
    assert_int_equal(sim_snapshot_in_flight_time_us(s, 1), 42);
    assert_null(sim_storage_peek(shared, "k"));
    assert_view(s, 2, "k", NULL);
    assert_int_equal(sim_snapshot_end(s, 2, 43, NULL, NULL), 0);
    /* A task that wrote nothing sends nothing. */
    assert_int_equal(sim_snapshot_in_flight(s, 2), 0);
    /* The tab's next snapshot lands its own checkpoint first. */
    seen landed = {0, g_string_new(NULL)};
    sim_snapshot_begin(s, 1, on_write, &landed);
    assert_string_equal(landed.log->str, "1:k=2;");
    assert_int_equal(sim_snapshot_in_flight(s, 1), 0);
    assert_string_equal(sim_storage_peek(shared, "k"), "2");
    assert_null(sim_storage_peek(shared, "tmp"));
    assert_view(s, 2, "k", "2"); /* tab 2's new task */
    g_string_free(sent.log, TRUE);
    g_string_free(landed.log, TRUE);
    sim_snapshot_free(s);
    sim_storage_free(shared);
}

/* Two tabs write k (and one key each) from the same snapshot; the
 * checkpoints land in the order given.  Returns the final k. */
static char *race(gboolean tab2_first)
{
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_storage_set(shared, "k", "0");
    sim_snapshot *s = sim_snapshot_new(shared, 3, 0, FALSE);
    assert_view(s, 1, "k", "0");
    assert_view(s, 2, "k", "0");
    assert_int_equal(sim_snapshot_set(s, 1, "k", "from1"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 1, "a", "1"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 2, "k", "from2"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 2, "b", "2"), XT_OK);
    sim_snapshot_end(s, 1, 1, NULL, NULL);
    sim_snapshot_end(s, 2, 2, NULL, NULL);
    sim_snapshot_apply(s, tab2_first ? 2 : 1, NULL, NULL);
    sim_snapshot_apply(s, tab2_first ? 1 : 2, NULL, NULL);
    /* Other keys of both land: last writer wins per key, not per map. */
    assert_string_equal(sim_storage_peek(shared, "a"), "1");
    assert_string_equal(sim_storage_peek(shared, "b"), "2");
    char *k = g_strdup(sim_storage_peek(shared, "k"));
    assert_view(s, 3, "k", k);
    sim_snapshot_free(s);
    sim_storage_free(shared);
    return k;
}

static void test_last_writer_wins(void **state)
{
    (void)state;
    char *k = race(FALSE);
    assert_string_equal(k, "from2");
    g_free(k);
    k = race(TRUE);
    assert_string_equal(k, "from1");
    g_free(k);
}

static void test_quota_crash_and_unavailable(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_snapshot *s = sim_snapshot_new(shared, 2, 10, FALSE);
    assert_int_equal(sim_snapshot_set(s, 1, "ab", "12345678"), XT_OK); /* 10 bytes */
    assert_int_equal(sim_snapshot_set(s, 1, "c", "1"), XT_EQUOTA);
    assert_view(s, 1, "c", NULL);
    assert_int_equal(sim_snapshot_remove(s, 1, "ab"), XT_OK);
    assert_int_equal(sim_snapshot_set(s, 1, "c", "1"), XT_OK); /* room again */
    /* Tab 2's snapshot is empty: it may use the whole quota itself (the
     * parent's reservation is not modelled). */
    assert_int_equal(sim_snapshot_set(s, 2, "xy", "12345678"), XT_OK);
    /* Tab 1 crashes mid-task: its writes never leave. */
    sim_snapshot_discard(s, 1);
    assert_false(sim_snapshot_is_open(s, 1));
    assert_int_equal(sim_snapshot_in_flight(s, 1), 0);
    assert_int_equal(sim_snapshot_end(s, 2, 5, NULL, NULL), 1);
    sim_snapshot_apply(s, 2, NULL, NULL);
    assert_string_equal(sim_storage_peek(shared, "xy"), "12345678");
    assert_null(sim_storage_peek(shared, "c"));
    sim_snapshot_free(s);
    s = sim_snapshot_new(shared, 1, 0, TRUE);
    size_t n = 0;
    GString *v = g_string_new(NULL);
    assert_int_equal(sim_snapshot_get(s, 1, "xy", v), XT_EUNAVAILABLE);
    assert_int_equal(sim_snapshot_set(s, 1, "x", "y"), XT_EUNAVAILABLE);
    assert_int_equal(sim_snapshot_remove(s, 1, "x"), XT_EUNAVAILABLE);
    assert_int_equal(sim_snapshot_length(s, 1, &n), XT_EUNAVAILABLE);
    assert_int_equal(sim_snapshot_key(s, 1, 0, v), XT_EUNAVAILABLE);
    g_string_free(v, TRUE);
    sim_snapshot_free(s);
    sim_storage_free(shared);
}

/* ---- whole runs ---- */

static sim_scenario *load(const char *text)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_load_data("snapshot-test.ini", text, strlen(text), &error);
    assert_non_null(sc);
    return sc;
}

static const char *const seed_text = "[scenario]\ntabs = 3\n[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
                                     "[storage]\nmodel = snapshot\n[workload]\nmode = lock\nlocks_per_tab = 5\n"
                                     "interval_ms_min = 0\ninterval_ms_max = 2\nhold_ms_max = 1\n";

/* One traced run: its timeline joined, and its violations. */
static char *traced_run(const sim_scenario *sc, sim_stack_pool *pool, uint64_t seed, guint *violated)
{
    sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
    sim_run run;
    sim_run_exec(sc, pool, &spec, &run);
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < run.monitor.trace->len; i++)
        g_string_append_printf(all, "%s\n", (const char *)run.monitor.trace->pdata[i]);
    *violated = run.monitor.violated;
    sim_run_clear(&run);
    return g_string_free(all, FALSE);
}

static void test_runs_deterministic(void **state)
{
    (void)state;
    sim_scenario *sc = load(seed_text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    gboolean any_violation = FALSE, any_publish = FALSE;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        guint v1 = 0, v2 = 0;
        char *a = traced_run(sc, pool, seed, &v1);
        char *b = traced_run(sc, pool, seed, &v2);
        assert_string_equal(a, b);
        assert_int_equal(v1, v2);
        any_violation |= v1 != 0;
        any_publish |= strstr(a, "checkpoint") && strstr(a, "publish");
        g_free(a);
        g_free(b);
    }
    /* The seed mutex's whole attempt is one task on one snapshot. */
    assert_true(any_violation);
    assert_true(any_publish);
    sim_stack_pool_free(pool);
    sim_scenario_free(sc);
}

/* Checkpoints cut short by the end of the run still land: one tab adding
 * events alone loses none and stores or sends each. */
static void test_single_tab_keeps_everything(void **state)
{
    (void)state;
    sim_scenario *sc = load("[scenario]\ntabs = 1\n[storage]\nmodel = snapshot\n[workload]\nmode = events\n"
                            "events_per_tab = 8\n[flush]\ninterval_ms = 500\n[run]\ndrain_ms = 0\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM};
        sim_run run;
        sim_run_exec(sc, pool, &spec, &run);
        assert_int_equal(run.monitor.violated, 0);
        assert_int_equal(run.monitor.c.events_added, 8);
        assert_int_equal(run.monitor.c.events_stored + run.monitor.c.events_delivered, 8);
        sim_run_clear(&run);
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(sc);
}

static void explore(const char *text, gboolean no_reduction, sim_explore_result *r)
{
    sim_scenario *sc = load(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_explore_options in, o;
    sim_explore_options_init(&in);
    in.mode = SIM_MODE_EXHAUSTIVE;
    in.mode_set = TRUE;
    in.no_reduction = no_reduction;
    sim_explore_resolve(sc, &in, &o);
    memset(r, 0, sizeof *r);
    sim_explore(sc, pool, &o, r);
    sim_stack_pool_free(pool);
    sim_scenario_free(sc);
}

/* DPOR over the snapshot model's accesses (sim/world/world.h SIM_OBJ_STORE)
 * reaches the verdicts plain DFS reaches. */
static void test_exhaustive_with_and_without_reduction(void **state)
{
    (void)state;
    static const char *const texts[] = {
        /* Lamport: two tabs in, each on its own snapshot. */
        "[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n[storage]\nmodel = snapshot\n[workload]\n"
        "mode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n",
        /* Web Locks, lock only: verified. */
        "[scenario]\ntabs = 2\n[mutex]\nalgorithm = web-locks\n[storage]\nmodel = snapshot\n[workload]\n"
        "mode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n",
        /* No mutex: the lost update of two adds. */
        "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n[storage]\nmodel = snapshot\n[workload]\n"
        "mode = events\nevents_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n[flush]\nenabled = false\n",
    };
    static const sim_verdict expect[] = {SIM_VERDICT_VIOLATION, SIM_VERDICT_VERIFIED, SIM_VERDICT_VIOLATION};
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        sim_explore_result reduced, plain;
        explore(texts[i], FALSE, &reduced);
        explore(texts[i], TRUE, &plain);
        assert_int_equal(reduced.verdict, expect[i]);
        assert_int_equal(plain.verdict, expect[i]);
        assert_int_equal(reduced.violated, plain.violated);
        assert_true(reduced.runs <= plain.runs);
        sim_explore_result_clear(&reduced);
        sim_explore_result_clear(&plain);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation_within_a_task),
        cmocka_unit_test(test_own_writes_visible),
        cmocka_unit_test(test_publish_at_task_end),
        cmocka_unit_test(test_last_writer_wins),
        cmocka_unit_test(test_quota_crash_and_unavailable),
        cmocka_unit_test(test_runs_deterministic),
        cmocka_unit_test(test_single_tab_keeps_everything),
        cmocka_unit_test(test_exhaustive_with_and_without_reduction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
