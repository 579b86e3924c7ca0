/*
 * test_env_eager.c - woken tasks run their quiet prefix at once
 * (sim/world/env_eager.c).
 *
 * Goal: after the step that wakes it, a woken task has run up to its next
 * visible action and stopped before it, holding its tab (it is no longer
 * "woken, queued" when the waker goes on); the visible action itself, here
 * a clock read, is never part of the waker's step; and with quiet steps
 * off the task stays woken.  Method: two tabs, untimed runs from several
 * prefixes; tab1 reads "k", waits for it, then reads the clock and writes
 * "done"; tab2 writes "k" and then "x" twice.  A step_done hook records,
 * per step, which tab stepped, whether it read the clock, and, on tab2's
 * steps after its write of "k", how tab1's task stands.
 *
 * Reads that lead back to a wait (the stateful search's collapse_reads):
 * Lamport, 2 tabs x 2 locks, random untimed runs sharing one table of
 * marks.  At no step's end is a task still stopped before a get that the
 * marks say leads back to a wait (it has done it); some runs make more
 * storage calls than steps (a collapsed get shares its step), which quiet
 * steps alone never do; and the marks are never found wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

static const char *const TWO_TABS =
    "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n"
    "[workload]\nmode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 0\n[explore]\nmode = exhaustive\n";

typedef struct record {
    sim_world *world;
    int tab2_steps;       /* tab2's steps so far */
    int clock_by_tab2;    /* tab2's steps that read the clock */
    int clock_by_tab1;    /* tab1's steps that read the clock */
    int tab1_stopped;     /* tab2 steps after its write that found tab1 stopped before an action */
    int tab1_woken;       /* ... that found tab1 woken and queued */
} record;

static void tab_main(void *arg)
{
    sim_tab *tab = arg;
    GString *value = g_string_new(NULL);
    if (tab->index == 1) {
        int rc = xt_env_get(&tab->env, "k", value);
        if (rc == XT_ENOTFOUND) {
            const char *const keys[1] = {"k"};
            rc = xt_env_wait(&tab->env, keys, 1, -1);
        }
        if (rc == XT_OK || rc == XT_ENOTFOUND) {
            xt_env_step(&tab->env, "clock"); /* a label: the prefix goes on */
            (void)xt_env_now_ms(&tab->env); /* visible: the wake-up's prefix stops before it */
            (void)xt_env_set(&tab->env, "done", "1");
        }
    } else if (xt_env_set(&tab->env, "k", "1") == XT_OK && xt_env_set(&tab->env, "x", "1") == XT_OK) {
        (void)xt_env_set(&tab->env, "x", "2");
    }
    g_string_free(value, TRUE);
}

static void ready(void *ctx, sim_world *w)
{
    ((record *)ctx)->world = w;
    w->tab_main = tab_main;
}

static void step_done(void *ctx, const sim_step_info *info)
{
    record *r = ctx;
    gboolean clock = (info->acc.r & SIM_OBJ_CLOCK) != 0;
    if (info->tab == 1) {
        r->clock_by_tab1 += clock;
        return;
    }
    r->clock_by_tab2 += clock;
    if (++r->tab2_steps < 2)
        return;
    /* tab2 wrote "k" in its first step: where does tab1's task stand? */
    for (const GList *l = r->world->live.head; l; l = l->next) {
        const sim_task *t = l->data;
        if (t->tab->index != 1 || t->wait.waiting || r->clock_by_tab1 > 0)
            continue; /* (once tab1 has read the clock, it is past the point) */
        if (t->reason == SIM_YIELD_STORAGE && t->label && strcmp(t->label, "clock") == 0)
            r->tab1_stopped++; /* its wait returned: stopped before now() */
        else if (t->reason == SIM_YIELD_AWAIT && t->wait.woken_by == 2)
            r->tab1_woken++;
    }
}

/* Runs from a few prefixes; the counts summed. */
static record runs(gboolean quiet)
{
    GString *text = g_string_new(TWO_TABS);
    if (!quiet)
        g_string_append(text, "quiet_steps = false\n");
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("eager-test.ini", text->str, text->len, &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    g_string_free(text, TRUE);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    static const uint32_t prefixes[4][8] = {
        {0, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {1, 0, 0, 0, 0, 0, 0, 0}};
    record total = {0};
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        record r = {0};
        sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .world_ready = ready,
                             .step_done = step_done, .hook_ctx = &r, .prefix = prefixes[i],
                             .prefix_len = G_N_ELEMENTS(prefixes[i])};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        sim_run_clear(&run);
        total.clock_by_tab1 += r.clock_by_tab1;
        total.clock_by_tab2 += r.clock_by_tab2;
        total.tab1_stopped += r.tab1_stopped;
        total.tab1_woken += r.tab1_woken;
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return total;
}

/* With quiet steps: tab1, woken by tab2's write, is found stopped before
 * its clock read while tab2 goes on, never woken and queued; the clock is
 * read in tab1's steps only, once a run. */
static void test_woken_prefix_stops_before_visible(void **state)
{
    (void)state;
    record r = runs(TRUE);
    assert_true(r.tab1_stopped > 0);
    assert_int_equal(r.tab1_woken, 0);
    assert_int_equal(r.clock_by_tab2, 0);
    assert_int_equal(r.clock_by_tab1, 4);
}

/* Without the rule, tab1 stays woken and queued until it is picked. */
static void test_without_quiet_steps_stays_woken(void **state)
{
    (void)state;
    record r = runs(FALSE);
    assert_int_equal(r.tab1_stopped, 0);
    assert_true(r.tab1_woken > 0);
    assert_int_equal(r.clock_by_tab2, 0);
    assert_int_equal(r.clock_by_tab1, 4);
}

/* ---- reads that lead back to a wait ---- */

#define LAMPORT_WITH(retries)                                                                                    \
    "[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n[lamport]\nretries_max = " retries "\n"                     \
    "[workload]\nmode = lock\nlocks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\n"                        \
    "hold_ms_min = 0\nhold_ms_max = 0\n[explore]\nmode = exhaustive\n"
static const char *const LAMPORT = LAMPORT_WITH("-1");
/* Each wait spends one of two: a wait is state (the marks' live values). */
static const char *const LAMPORT_COUNTED = LAMPORT_WITH("2");

typedef struct collapse_probe {
    sim_world *world;
    int left_stopped; /* step ends with a task stopped before a get that leads back to a wait */
} collapse_probe;

static void collapse_ready(void *ctx, sim_world *w)
{
    ((collapse_probe *)ctx)->world = w;
}

static void collapse_step_done(void *ctx, const sim_step_info *info)
{
    (void)info;
    collapse_probe *p = ctx;
    for (const GList *l = p->world->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->reason == SIM_YIELD_STORAGE && t->pending_read && sim_env_read_leads_to_wait(t->tab, t))
            p->left_stopped++;
    }
}

/* Runs seeds 1..200; the number of runs with more storage calls than
 * steps, and (out) the step ends that left a collapsible task. */
static int collapse_runs_of(const char *text, gboolean collapse, int *left_stopped, gboolean *conflict)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("collapse-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_digest_map *seen = sim_marks_seen_new();
    int fused = 0;
    *left_stopped = 0;
    *conflict = FALSE;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        collapse_probe p = {0};
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .untimed = TRUE, .discrete = TRUE,
                             .digests = TRUE, .marks_seen = seen, .collapse_reads = collapse,
                             .world_ready = collapse_ready, .step_done = collapse_step_done, .hook_ctx = &p};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        fused += run.monitor.c.storage_ops > run.monitor.c.steps;
        *conflict |= run.mark_conflict != NULL;
        *left_stopped += p.left_stopped;
        sim_run_clear(&run);
    }
    sim_digest_map_free(seen);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return fused;
}

static int collapse_runs(gboolean collapse, int *left_stopped, gboolean *conflict)
{
    return collapse_runs_of(LAMPORT, collapse, left_stopped, conflict);
}

static void test_read_leading_to_wait_done_at_once(void **state)
{
    (void)state;
    int left;
    gboolean conflict;
    assert_true(collapse_runs(TRUE, &left, &conflict) > 0);
    assert_int_equal(left, 0);
    assert_false(conflict);
    /* Off: such tasks are left stopped, and no step holds two calls. */
    assert_int_equal(collapse_runs(FALSE, &left, &conflict), 0);
    assert_true(left > 0);
    assert_false(conflict);
}

/* Where a wait spends part of a bound, waiting is not the state "about to
 * read" (it has one wait fewer left), so no read is collapsed: the marks'
 * record says the wait did not bring the task back to its read as it was
 * (env_digest.c, "Waits that return"), and no mark is called incomplete. */
static void test_counted_wait_not_collapsed(void **state)
{
    (void)state;
    int left;
    gboolean conflict;
    assert_int_equal(collapse_runs_of(LAMPORT_COUNTED, TRUE, &left, &conflict), 0);
    assert_int_equal(left, 0);
    assert_false(conflict);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_woken_prefix_stops_before_visible),
        cmocka_unit_test(test_without_quiet_steps_stays_woken),
        cmocka_unit_test(test_read_leading_to_wait_done_at_once),
        cmocka_unit_test(test_counted_wait_not_collapsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
