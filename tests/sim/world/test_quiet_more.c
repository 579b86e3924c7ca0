/*
 * test_quiet_more.c - more quiet steps where the stateful safety search
 * runs (sim_world.quiet_more): a tab's start (env_sim.c "More quiet
 * steps": the debug flag's read and a sleep of 0 ms leave a step quiet)
 * and a tab's loop head (env_eager.c "Woken after a sleep of 0 ms").
 *
 * Goal: with the rules, the steps are the merged ones and each place a
 * plain run ends a step is counted in step_splits; without the digest
 * assumption or the clock assumption that a rule rests on, that rule is
 * off; a plain run is as it was.  Method: Lamport, 2 tabs, untimed runs
 * with every choice 0, the world taken through world_ready and looked at
 * in step_done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

static const char *const LAMPORT =
    "[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n"
    "[workload]\nmode = lock\nlocks_per_tab = 1\ninterval_ms_min = 0\ninterval_ms_max = 0\n"
    "hold_ms_min = 0\nhold_ms_max = 0\n[explore]\nmode = exhaustive\n";

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("quiet-more-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* ---- a tab's start (env_sim.c) ---- */

typedef struct start_probe {
    sim_world *world;
    uint64_t ops_before; /* storage calls before the step */
    int first_ops[3];    /* storage calls of each tab's first step (-1: none yet) */
    int first_splits[3]; /* its step_splits */
} start_probe;

static void start_ready(void *ctx, sim_world *w)
{
    ((start_probe *)ctx)->world = w;
}

static void start_step(void *ctx, const sim_step_info *st)
{
    start_probe *p = ctx;
    uint64_t ops = p->world->monitor->c.storage_ops;
    if (st->tab >= 1 && st->tab <= 2 && p->first_ops[st->tab] < 0) {
        p->first_ops[st->tab] = (int)(ops - p->ops_before);
        p->first_splits[st->tab] = p->world->step_splits;
    }
    p->ops_before = ops;
}

/* Lamport's tab, first step: with collapse_reads (the stateful search)
 * and the assumption, its read of the debug flag and its sleep of 0 ms
 * leave the step quiet, so its first write (b[i] := true) is made in it,
 * at one place a plain run ends a step (the sleep); without the
 * assumption, the flag's read is its one call, as in a plain run. */
/* One run of text's scenario, every choice 0, with the hooks given and,
 * where collapse, the stateful search's rules; no violation.  Returns the
 * locks acquired. */
static uint64_t quiet_run(const char *text, guint8 assume, gboolean collapse, void (*ready)(void *, sim_world *),
                          void (*step)(void *, const sim_step_info *), void *ctx)
{
    sim_scenario *s = scenario(text);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_digest_map *seen = sim_marks_seen_new();
    sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .digests = TRUE,
                         .digest_assume = assume, .collapse_reads = collapse, .marks_seen = seen,
                         .world_ready = ready, .step_done = step, .hook_ctx = ctx};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    assert_int_equal(run.monitor.violated, 0);
    uint64_t acquired = run.monitor.c.lock_acquired;
    sim_run_clear(&run);
    sim_digest_map_free(seen);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return acquired;
}

static void start_run(guint8 assume, gboolean collapse, start_probe *p)
{
    *p = (start_probe){.first_ops = {-1, -1, -1}};
    quiet_run(LAMPORT, assume, collapse, start_ready, start_step, p);
}

static void test_tab_start_quiet(void **state)
{
    (void)state;
    start_probe p;
    start_run(SIM_DIGEST_ASSUME_ALL, TRUE, &p);
    for (int tab = 1; tab <= 2; tab++) {
        assert_int_equal(p.first_ops[tab], 2);
        assert_int_equal(p.first_splits[tab], 1);
    }
    start_run(SIM_DIGEST_ASSUME_ALL & ~SIM_DIGEST_FLAG_UNWRITTEN, TRUE, &p);
    for (int tab = 1; tab <= 2; tab++) {
        assert_int_equal(p.first_ops[tab], 1);
        assert_int_equal(p.first_splits[tab], 0);
    }
    start_run(SIM_DIGEST_ASSUME_ALL, FALSE, &p); /* a plain run: as it was */
    for (int tab = 1; tab <= 2; tab++) {
        assert_int_equal(p.first_ops[tab], 1);
        assert_int_equal(p.first_splits[tab], 0);
    }
}

/* ---- a tab's loop head (env_eager.c) ----
 *
 * A tab's loop head at two locks: after its first lock's exit, the lock
 * workload sleeps its interval, 0 ms, then requests the lock again.  Where
 * more steps are quiet (collapse_reads, the stateful search), that sleep's
 * wake-up runs its quiet prefix, the request included while the clock is
 * unread, at the end of the step (env_eager.c, "Woken after a sleep of 0
 * ms"): no step ends with a task asleep, and a tab back at its loop head
 * is stopped before b[i] := true with its request made, as one that
 * restarted inside lock() is.  A plain run ends steps with the task
 * asleep. */
typedef struct head_probe {
    sim_world *world;
    int asleep;  /* step ends with a task in a sleep of 0 ms */
    int at_head; /* ... with a tab that has begun its second lock stopped before b[i] := true, request made */
} head_probe;

static void head_ready(void *ctx, sim_world *w)
{
    ((head_probe *)ctx)->world = w;
}

static void head_step(void *ctx, const sim_step_info *st)
{
    head_probe *p = ctx;
    (void)st;
    for (const GList *l = p->world->live.head; l; l = l->next) {
        const sim_task *t = l->data;
        if (t->reason == SIM_YIELD_AWAIT && !t->wait.waiting && !t->parked && !t->done)
            p->asleep++;
        if (t->tab->work_done == 2 && t->reason == SIM_YIELD_STORAGE && t->record.lock_since_us >= 0 && t->label &&
            strcmp(t->label, "b[i] := true") == 0)
            p->at_head++;
    }
}

static void head_run(guint8 assume, gboolean collapse, head_probe *p)
{
    *p = (head_probe){0};
    uint64_t acquired = quiet_run("[scenario]\ntabs = 2\n[mutex]\nalgorithm = lamport\n[workload]\nmode = lock\n"
                                  "locks_per_tab = 2\ninterval_ms_min = 0\ninterval_ms_max = 0\nhold_ms_min = 0\n"
                                  "hold_ms_max = 0\n[explore]\nmode = exhaustive\n",
                                  assume, collapse, head_ready, head_step, p);
    assert_int_equal(acquired, 4);
}

static void test_loop_head_quiet(void **state)
{
    (void)state;
    head_probe p;
    head_run(SIM_DIGEST_ASSUME_ALL, TRUE, &p);
    assert_int_equal(p.asleep, 0);
    assert_true(p.at_head > 0);
    /* Where the clock matters, the request is visible: the prefix stops
     * before it. */
    head_run(SIM_DIGEST_ASSUME_ALL & ~SIM_DIGEST_CLOCK_UNREAD, TRUE, &p);
    assert_int_equal(p.asleep, 0);
    assert_int_equal(p.at_head, 0);
    head_run(SIM_DIGEST_ASSUME_ALL, FALSE, &p);
    assert_true(p.asleep > 0);
    assert_int_equal(p.at_head, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tab_start_quiet),
        cmocka_unit_test(test_loop_head_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
