/*
 * test_world_digest.c - the state digest (sim/world/world_digest.c) and
 * the running hashes behind it (env_digest.c).
 *
 * Goal: equal states give equal digests (a run replayed gives the same
 * digest at every step; two orders of independent first steps meet in
 * one digest), and a change in any component of the world changes it
 * (storage, time, a tab's fields, a task's fields, what a task waits
 * for, the monitor's history, Web Locks, the running hashes), and the
 * unchanged world gives its first digest back; a state mark that leaves
 * out a live value is caught by the run-time check, naming it; so is a
 * description of a tab's shared objects that leaves out what a task's
 * output depends on.  Method: Lamport, 2 tabs,
 * untimed runs with explicit prefixes; the world is taken through the
 * run spec's world_ready hook and digested in step_done, between steps.
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
    sim_scenario *s = sim_scenario_load_data("digest-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

typedef struct probe {
    sim_world *world;
    GArray *digests;   /* sim_digest after each step */
    guint mutate_at;   /* step after which to mutate (0 = never) */
    int changes;       /* components whose change changed the digest */
    gboolean access_unused; /* run with sim_world.access_unused */
    uint64_t accessed; /* the steps' access sets, or-ed */
} probe;

static void probe_ready(void *ctx, sim_world *w)
{
    ((probe *)ctx)->world = w;
}

static sim_digest digest_of(const sim_world *w)
{
    sim_digest d;
    sim_world_digest(w, &d);
    return d;
}

/* d0 is the digest before; each mutation must change it and its undo restore it. */
#define CHANGES(stmt, undo)                                                                                \
    do {                                                                                                   \
        stmt;                                                                                              \
        assert_false(sim_digest_equal(digest_of(w), d0));                                                  \
        undo;                                                                                              \
        assert_true(sim_digest_equal(digest_of(w), d0));                                                   \
        p->changes++;                                                                                      \
    } while (0)

static void mutate_all(probe *p, sim_world *w)
{
    sim_digest d0 = digest_of(w);
    sim_tab *tab = &w->tabs[0];
    sim_task *t = g_queue_peek_head(&w->live);
    assert_non_null(t);
    CHANGES(sim_storage_set(w->storage, "digest-probe", "1"), sim_storage_remove(w->storage, "digest-probe"));
    CHANGES(w->now_us += 1, w->now_us -= 1);
    CHANGES(w->drain_end_us += 7, w->drain_end_us -= 7);
    CHANGES(w->tab_closes++, w->tab_closes--);
    CHANGES(w->server_faults++, w->server_faults--);
    CHANGES(tab->closed = TRUE, tab->closed = FALSE);
    CHANGES(tab->rng ^= 1, tab->rng ^= 1);
    CHANGES(tab->work_done++, tab->work_done--);
    CHANGES(tab->frozen_until_us += 5, tab->frozen_until_us -= 5);
    CHANGES(tab->dig.lo ^= 1, tab->dig.lo ^= 1);
    CHANGES(tab->dig.hi ^= 1, tab->dig.hi ^= 1);
    CHANGES(t->parked = !t->parked, t->parked = !t->parked);
    CHANGES(t->record.lock_held = !t->record.lock_held, t->record.lock_held = !t->record.lock_held);
    CHANGES(t->wait.deadline_us += 3, t->wait.deadline_us -= 3);
    const char *label = t->label; /* set with its hash, as env_observe.c does */
    sim_digest label_dig = t->label_dig;
    CHANGES((t->label = "another label", sim_digest_label(&t->label_dig, t->label)),
            (t->label = label, t->label_dig = label_dig));
    /* A change t has not seen: state for a task without marks, and for a
     * marked one only in the keys it read since its mark. */
    uint64_t seq = t->tab->key_seq[5];
    const char *last_mark = t->last_mark;
    uint64_t read_bits = t->wait.read_bits;
    t->last_mark = NULL;
    CHANGES(t->tab->key_seq[5] = w->change_seq + 100, t->tab->key_seq[5] = seq);
    t->last_mark = "probe mark";
    t->wait.read_bits = UINT64_C(1) << 5;
    CHANGES(t->tab->key_seq[5] = w->change_seq + 100, t->tab->key_seq[5] = seq);
    t->wait.read_bits = 0;
    t->tab->key_seq[5] = w->change_seq + 100;
    assert_true(sim_digest_equal(digest_of(w), d0));
    t->tab->key_seq[5] = seq;
    t->last_mark = last_mark;
    t->wait.read_bits = read_bits;
    CHANGES(w->monitor->violated ^= 1u << SIM_INV_DUPLICATE, w->monitor->violated ^= 1u << SIM_INV_DUPLICATE);
    CHANGES(w->monitor->cs_tab = 2, w->monitor->cs_tab = 0);
    if (w->queue.len > 0)
        CHANGES(w->queue.heap[0].time_us += 1, w->queue.heap[0].time_us -= 1);
    /* Irreversible ones last: each changes the digest. */
    sim_monitor_event_added(w->monitor, "probe-event", 1);
    assert_false(sim_digest_equal(digest_of(w), d0));
    d0 = digest_of(w);
    uint64_t handle;
    assert_int_equal(sim_weblocks_request(w->weblocks, "probe-lock", 0, 1, t, &handle, NULL), XT_OK);
    assert_false(sim_digest_equal(digest_of(w), d0));
    sim_weblocks_release(w->weblocks, handle);
    p->changes += 2;
}

static void probe_step(void *ctx, const sim_step_info *st)
{
    probe *p = ctx;
    p->accessed |= st->acc.r | st->acc.w;
    sim_digest d = digest_of(p->world);
    g_array_append_val(p->digests, d);
    if (p->digests->len == p->mutate_at)
        mutate_all(p, p->world);
}

static void run_probe(const sim_scenario *s, sim_stack_pool *pool, const uint32_t *prefix, size_t len, probe *p)
{
    p->digests = g_array_new(FALSE, FALSE, sizeof(sim_digest));
    sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .record = TRUE,
                         .prefix = prefix, .prefix_len = len, .digests = TRUE, .world_ready = probe_ready,
                         .step_done = probe_step, .hook_ctx = p, .access_unused = p->access_unused};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    sim_run_clear(&run);
}

/* A replayed run gives the same digest after every step, also when the
 * keys it touches are not collected (access_unused: none then, nor a key
 * set change, where they are otherwise). */
static void test_digest_replay_equal(void **state)
{
    (void)state;
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    const uint32_t prefix[] = {1, 0, 1, 1, 0, 1};
    probe a = {0}, b = {.access_unused = TRUE};
    run_probe(s, pool, prefix, G_N_ELEMENTS(prefix), &a);
    run_probe(s, pool, prefix, G_N_ELEMENTS(prefix), &b);
    const uint64_t keys = (UINT64_C(1) << SIM_OBJ_KEYS) - 1;
    assert_true((a.accessed & keys) != 0 && (a.accessed & SIM_OBJ_KEYSET) != 0);
    assert_true((b.accessed & keys) == 0 && (b.accessed & SIM_OBJ_KEYSET) == 0);
    assert_true(a.digests->len > 10);
    assert_int_equal(a.digests->len, b.digests->len);
    for (guint i = 0; i < a.digests->len; i++)
        assert_true(sim_digest_equal(g_array_index(a.digests, sim_digest, i), g_array_index(b.digests, sim_digest, i)));
    /* Consecutive states differ (each step changes something). */
    assert_false(sim_digest_equal(g_array_index(a.digests, sim_digest, 0), g_array_index(a.digests, sim_digest, 1)));
    g_array_free(a.digests, TRUE);
    g_array_free(b.digests, TRUE);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* The two tabs' first steps (each its own b[i] := true) commute: both
 * orders reach one state, and one digest. */
static void test_digest_orders_meet(void **state)
{
    (void)state;
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    probe a = {0}, b = {0};
    const uint32_t first[] = {0, 1, 0};  /* tab1, tab2, ... */
    const uint32_t second[] = {1, 1, 0}; /* tab2, tab1, ... */
    run_probe(s, pool, first, G_N_ELEMENTS(first), &a);
    run_probe(s, pool, second, G_N_ELEMENTS(second), &b);
    gboolean met = FALSE;
    for (guint i = 0; i < MIN(a.digests->len, 6) && !met; i++)
        for (guint j = 0; j < MIN(b.digests->len, 6) && !met; j++)
            met = sim_digest_equal(g_array_index(a.digests, sim_digest, i), g_array_index(b.digests, sim_digest, j));
    assert_true(met);
    g_array_free(a.digests, TRUE);
    g_array_free(b.digests, TRUE);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* A change in any component changes the digest; undoing it restores it. */
static void test_digest_components(void **state)
{
    (void)state;
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    probe p = {.mutate_at = 4};
    run_probe(s, pool, NULL, 0, &p);
    assert_true(p.changes >= 20);
    g_array_free(p.digests, TRUE);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* ---- time (world_digest.c, "Time") ---- */

/* Every instant of the world moved by us, now included. */
static void shift_all(sim_world *w, int64_t us)
{
    w->now_us += us;
    if (w->drain_end_us >= 0)
        w->drain_end_us += us;
    for (size_t i = 0; i < w->queue.len; i++)
        w->queue.heap[i].time_us += us;
    for (int i = 0; i < w->n_tabs; i++)
        w->tabs[i].frozen_until_us += us;
    for (GList *l = w->live.head; l; l = l->next) {
        sim_task *t = l->data;
        if (t->wait.deadline_us >= 0)
            t->wait.deadline_us += us;
        if (t->wait.ended_us >= 0)
            t->wait.ended_us += us;
        if (t->record.lock_since_us >= 0)
            t->record.lock_since_us += us;
    }
}

static int time_checks;

/* Assuming no code reads the clock, a state shifted in time is the same
 * state, and one whose instants moved apart is not; exact, a shift is
 * another state.  Assuming no code asks when its wait ended, that instant
 * is left out; else it counts. */
static void time_step(void *ctx, const sim_step_info *st)
{
    probe *p = ctx;
    (void)st;
    sim_world *w = p->world;
    if (++p->changes != 3 || w->queue.len == 0)
        return;
    w->digest_assume = SIM_DIGEST_CLOCK_UNREAD;
    sim_digest d0 = digest_of(w);
    shift_all(w, 5000);
    assert_true(sim_digest_equal(digest_of(w), d0));
    w->queue.heap[0].time_us += 1;
    assert_false(sim_digest_equal(digest_of(w), d0));
    w->queue.heap[0].time_us -= 1;
    w->now_us += 1; /* now moved, the instants pending did not */
    assert_false(sim_digest_equal(digest_of(w), d0));
    w->now_us -= 1;
    shift_all(w, -5000);
    w->digest_assume = 0;
    d0 = digest_of(w);
    shift_all(w, 5000);
    assert_false(sim_digest_equal(digest_of(w), d0));
    shift_all(w, -5000);
    sim_task *t = g_queue_peek_head(&w->live);
    int64_t ended = t->wait.ended_us;
    t->wait.ended_us = ended + 7;
    assert_false(sim_digest_equal(digest_of(w), d0));
    w->digest_assume = SIM_DIGEST_WAIT_END_UNREAD;
    sim_digest d1 = digest_of(w);
    t->wait.ended_us = ended;
    assert_true(sim_digest_equal(digest_of(w), d1));
    w->digest_assume = 0;
    time_checks++;
}

static void test_digest_time_relative(void **state)
{
    (void)state;
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    probe p = {0};
    sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .digests = TRUE,
                         .world_ready = probe_ready, .step_done = time_step, .hook_ctx = &p};
    sim_run run;
    time_checks = 0;
    sim_run_exec(s, pool, &spec, &run);
    sim_run_clear(&run);
    assert_int_equal(time_checks, 1);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* What breaks each assumption: a clock read, and asking when a wait
 * ended (which reads the clock too); a sleep counted from a wait's end
 * breaks only the second; a write or removal of the debug flag's key the
 * third.  Lamport's own code breaks none. */
static int clock_use; /* 0: none; 1: now; 2: wait_ended; 3: sleep after wait */

static void clock_main(void *arg)
{
    sim_tab *tab = arg;
    if (clock_use == 1)
        (void)xt_env_now_ms(&tab->env);
    else if (clock_use == 2)
        (void)xt_env_wait_ended_ms(&tab->env);
    else if (clock_use == 3)
        (void)xt_env_sleep_after_wait_ms(&tab->env, 5);
    else if (clock_use == 4)
        (void)xt_env_set(&tab->env, XT_DEBUG_KEY, "true");
    else if (clock_use == 5)
        (void)xt_env_remove(&tab->env, XT_DEBUG_KEY);
    (void)xt_env_set(&tab->env, "k", "v");
}

static void clock_ready(void *ctx, sim_world *w)
{
    probe_ready(ctx, w);
    if (clock_use > 0)
        w->tab_main = clock_main;
}

static guint8 broken_by(int use)
{
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    probe p = {0};
    clock_use = use;
    sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .digests = TRUE,
                         .digest_assume = SIM_DIGEST_ASSUME_ALL, .world_ready = clock_ready};
    spec.hook_ctx = &p;
    sim_run run;
    sim_world *w = sim_run_start(s, pool, &spec, &run);
    sim_world_steps(w);
    guint8 broken = w->digest_broken;
    sim_run_end(&run, w, &spec);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    clock_use = 0;
    return broken;
}

static void test_digest_assumptions_broken(void **state)
{
    (void)state;
    /* Every main writes "k": a write to storage breaks symmetry (its keys
     * and values may name tabs), whatever else it does. */
    assert_int_equal(broken_by(0), SIM_DIGEST_SYMMETRIC);
    assert_int_equal(broken_by(1), SIM_DIGEST_SYMMETRIC | SIM_DIGEST_CLOCK_UNREAD);
    assert_int_equal(broken_by(2), SIM_DIGEST_SYMMETRIC | SIM_DIGEST_CLOCK_UNREAD | SIM_DIGEST_WAIT_END_UNREAD);
    assert_int_equal(broken_by(3), SIM_DIGEST_SYMMETRIC | SIM_DIGEST_WAIT_END_UNREAD);
    assert_int_equal(broken_by(4), SIM_DIGEST_SYMMETRIC | SIM_DIGEST_FLAG_UNWRITTEN);
    assert_int_equal(broken_by(5), SIM_DIGEST_SYMMETRIC | SIM_DIGEST_FLAG_UNWRITTEN);
}

/* ---- the check of marks ---- */

static gboolean mark_live; /* whether the test main declares its counter */
static int mark_waits;     /* 0: no wait; 1: waits for "w" unread since its mark; 2: read first */

/* A tab's main: a loop whose head is marked; its output (the value it
 * writes) depends on i, which the mark declares only when mark_live. */
static void marked_main(void *arg)
{
    sim_tab *tab = arg;
    for (int i = 0; i < 3; i++) {
        xt_env_mark(&tab->env, "loop", &i, mark_live ? sizeof i : 0);
        char value[8];
        g_snprintf(value, sizeof value, "%d", i);
        if (xt_env_set(&tab->env, "k", value) != XT_OK)
            return;
        GString *read = g_string_new(NULL);
        if (mark_waits == 2)
            (void)xt_env_get(&tab->env, "w", read);
        g_string_free(read, TRUE);
        const char *const keys[1] = {"w"};
        if (mark_waits > 0 && xt_env_wait(&tab->env, keys, 1, 10) == XT_ECANCELLED)
            return;
    }
}

static void marked_ready(void *ctx, sim_world *w)
{
    (void)ctx;
    w->tab_main = marked_main;
}

/* prefix_checked: the outputs made while the prefix lasts count as
 * checked by an earlier run (sim_world.marks_prefix_checked).  by_wait
 * (if not NULL): whether the conflict was a wait's. */
static const char *marked_run_prefix(gboolean live, const uint32_t *prefix, size_t prefix_len, gboolean prefix_checked,
                                     gboolean *by_wait)
{
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_digest_map *seen = sim_marks_seen_new();
    mark_live = live;
    sim_run_spec spec = {.tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE, .digests = TRUE,
                         .marks_seen = seen, .world_ready = marked_ready, .prefix = prefix,
                         .prefix_len = prefix_len, .marks_prefix_checked = prefix_checked};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    const char *conflict = run.mark_conflict;
    if (by_wait)
        *by_wait = run.mark_conflict_wait;
    sim_run_clear(&run);
    sim_digest_map_free(seen);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return conflict;
}

static const char *marked_run(gboolean live, gboolean *by_wait)
{
    return marked_run_prefix(live, NULL, 0, FALSE, by_wait);
}

/* A run with the test main: mark_waits as waits, its counter declared or
 * not; its conflict must be the mark "loop", made by a wait or not. */
static void assert_loop_conflict(int waits, gboolean live, gboolean by_a_wait)
{
    mark_waits = waits;
    gboolean by_wait = !by_a_wait;
    const char *conflict = marked_run(live, &by_wait);
    assert_non_null(conflict);
    assert_string_equal(conflict, "loop");
    assert_int_equal(by_wait, by_a_wait);
    mark_waits = 0;
}

/* A mark that leaves out what its loop's output depends on is caught (one
 * hash, two next outputs); with the counter declared, it is not. */
static void test_mark_incomplete_caught(void **state)
{
    (void)state;
    assert_loop_conflict(0, FALSE, FALSE);
    assert_null(marked_run(TRUE, NULL));
}

/* The rule of marks: a marked task waits only for keys it read since its
 * last mark (the digest leaves the others' changes out).  A wait for a
 * key it has not read is caught; read first, it is not. */
static void test_mark_wait_unread_caught(void **state)
{
    (void)state;
    assert_loop_conflict(1, TRUE, TRUE);
    mark_waits = 2;
    assert_null(marked_run(TRUE, NULL));
    mark_waits = 0;
}

/* With the prefix's outputs counted as checked, a run whose choices all
 * come from its prefix checks nothing (the conflict above goes unseen);
 * once the prefix runs out (one choice long), checking resumes and
 * catches it; unchecked, the long prefix catches it too. */
static void test_mark_prefix_checked(void **state)
{
    (void)state;
    const uint32_t zeros[64] = {0};
    assert_null(marked_run_prefix(FALSE, zeros, G_N_ELEMENTS(zeros), TRUE, NULL));
    const char *conflict = marked_run_prefix(FALSE, zeros, 1, TRUE, NULL);
    assert_non_null(conflict);
    assert_string_equal(conflict, "loop");
    assert_non_null(marked_run_prefix(FALSE, zeros, G_N_ELEMENTS(zeros), FALSE, NULL));
}

/* ---- the description of shared objects (env_digest.c) ---- */

static int shared_count[2];     /* one object per tab (index - 1), which its two tasks share */
static gboolean shared_described; /* whether heap_describe folds it */
static sim_program_ops shared_ops;

static gboolean shared_describe(const sim_tab *tab, xt_describe_fn fold, void *ctx)
{
    if (shared_described)
        fold(ctx, &shared_count[tab->index - 1], sizeof shared_count[tab->index - 1]);
    return TRUE;
}

/* The spawned task: waits for "go", then writes the shared counter,
 * which it reads only from memory. */
static void shared_reader(void *arg)
{
    sim_tab *tab = arg;
    GString *value = g_string_new(NULL);
    int rc = xt_env_get(&tab->env, "go", value);
    g_string_free(value, TRUE);
    const char *const keys[1] = {"go"};
    if (rc == XT_ENOTFOUND)
        rc = xt_env_wait(&tab->env, keys, 1, -1);
    if (rc != XT_OK)
        return;
    char text[8];
    g_snprintf(text, sizeof text, "%d", shared_count[tab->index - 1]);
    (void)xt_env_set(&tab->env, "b", text);
}

/* The main task: spawns the reader, then sleeps, counts and writes "go"
 * (which ends the readers' waits, its tab's and the other's), twice; the
 * other tab's "go" may wake the reader before or after the count. */
static void shared_main(void *arg)
{
    sim_tab *tab = arg;
    if (xt_env_spawn(&tab->env, shared_reader, tab) != XT_OK)
        return;
    for (int i = 0; i < 2; i++) {
        if (xt_env_sleep_ms(&tab->env, 1) != XT_OK)
            return;
        shared_count[tab->index - 1]++;
        if (xt_env_set(&tab->env, "go", i ? "2" : "1") != XT_OK)
            return;
    }
}

static void shared_ready(void *ctx, sim_world *w)
{
    (void)ctx;
    w->tab_main = shared_main;
    shared_ops = *w->program;
    shared_ops.heap_describe = shared_describe;
    w->program = &shared_ops;
    memset(shared_count, 0, sizeof shared_count);
}

/* Random untimed runs (seeds 1..64), sharing one table of outputs: the
 * conflict the first of them found, or NULL. */
static const char *shared_runs(gboolean described)
{
    sim_scenario *s = scenario(LAMPORT);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_digest_map *seen = sim_marks_seen_new();
    shared_described = described;
    const char *conflict = NULL;
    for (uint64_t seed = 1; seed <= 64 && !conflict; seed++) {
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .untimed = TRUE, .discrete = TRUE,
                             .digests = TRUE, .marks_seen = seen, .world_ready = shared_ready};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        conflict = run.mark_conflict;
        sim_run_clear(&run);
    }
    sim_digest_map_free(seen);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return conflict;
}

/* Each task of a described tab keeps its own hash; the reader's write
 * depends on the counter (how far its tab's main got before the other
 * tab's "go" woke it), not on anything it read, so only the description
 * covers it.  Left out, the check catches it (one key, two
 * outputs); folded, nothing is caught. */
static void test_shared_description_checked(void **state)
{
    (void)state;
    const char *conflict = shared_runs(FALSE);
    assert_non_null(conflict);
    assert_string_equal(conflict, SIM_MARK_SHARED);
    assert_null(shared_runs(TRUE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_replay_equal),
        cmocka_unit_test(test_digest_orders_meet),
        cmocka_unit_test(test_digest_components),
        cmocka_unit_test(test_digest_time_relative),
        cmocka_unit_test(test_digest_assumptions_broken),
        cmocka_unit_test(test_mark_wait_unread_caught),
        cmocka_unit_test(test_mark_incomplete_caught),
        cmocka_unit_test(test_mark_prefix_checked),
        cmocka_unit_test(test_shared_description_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
