/*
 * test_world.c - whole runs: the world finds bugs, keeps good mutexes
 * exclusive, is deterministic, replays from a token and cleans up.
 *
 * Goal: without a mutex and with a tight workload, some seed among a few
 * hundred loses an event; the seed mutex with Lamport's exit (clear-y) keeps
 * mutual exclusion on every one of 200 seeds, while a lock that expires
 * under its holder is caught; a run is a pure function of its seed (same
 * counters, same timeline, byte for byte) and of its token, and of its
 * recorded choices alone; a run cut short by its time or step bound
 * cancels every task (no live task, every stack back in the pool; under
 * ASan, nothing leaked).  Method: small scenarios given as text, run with
 * sim_run_exec (and sim_world_* where the world's state must be seen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/explore/token.h"
#include "sim/world/world.h"

#define SEEDS 200

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("world-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

static void run_seed(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed, gboolean trace, sim_run *run)
{
    sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = trace};
    sim_run_exec(s, pool, &spec, run);
}

static void assert_counters_equal(const sim_counters *a, const sim_counters *b)
{
#define EQ(f) assert_int_equal(a->f, b->f)
    EQ(steps); EQ(storage_ops); EQ(events_tracked); EQ(events_added); EQ(events_delivered);
    EQ(deliveries); EQ(events_stored); EQ(lock_requests); EQ(lock_acquired); EQ(lock_failed);
    EQ(fallbacks); EQ(sends); EQ(send_errors); EQ(send_timeouts); EQ(lock_wait_us_max);
    EQ(end_time_us); EQ(truncated);
#undef EQ
}

static void assert_traces_equal(const sim_run *a, const sim_run *b)
{
    GPtrArray *ta = a->monitor.trace, *tb = b->monitor.trace;
    assert_non_null(ta);
    assert_non_null(tb);
    for (guint i = 0; i < MIN(ta->len, tb->len); i++)
        if (strcmp(ta->pdata[i], tb->pdata[i]) != 0)
            fail_msg("timelines differ at line %u:\n  %s\n  %s", i, (char *)ta->pdata[i], (char *)tb->pdata[i]);
    assert_int_equal(ta->len, tb->len);
    assert_int_equal(a->monitor.violated, b->monitor.violated);
}

static gboolean traces_equal(const sim_run *a, const sim_run *b)
{
    GPtrArray *ta = a->monitor.trace, *tb = b->monitor.trace;
    if (ta->len != tb->len)
        return FALSE;
    for (guint i = 0; i < ta->len; i++)
        if (strcmp(ta->pdata[i], tb->pdata[i]) != 0)
            return FALSE;
    return TRUE;
}

/* The seed's root cause: add is an unlocked read-modify-write. */
static const char no_mutex[] =
    "[scenario]\ntabs = 2\n"
    "[mutex]\nalgorithm = none\n"
    "[workload]\nevents_per_tab = 5\ninterval_ms_min = 0\ninterval_ms_max = 5\n"
    "[flush]\nenabled = false\n";

/* Lamport's exit: the mutex-only benchmark, shortened. */
static const char seed_clear_y[] =
    "[scenario]\ntabs = 3\n"
    "[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
    "[workload]\nmode = lock\nlocks_per_tab = 8\ninterval_ms_min = 0\ninterval_ms_max = 2\n"
    "hold_ms_min = 0\nhold_ms_max = 1\n";

/* A small but complete SDK run: adds, flushes, server, drain.  With the
 * seed's own exit (clear-x) Y stays taken until it expires, every lock
 * waits timeout_ms and nothing is flushed within the drain; clear-y frees
 * the lock at once. */
static const char small_sdk[] =
    "[scenario]\ntabs = 3\n"
    "[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
    "[workload]\nevents_per_tab = 3\ninterval_ms_min = 0\ninterval_ms_max = 50\n"
    "[flush]\ninterval_ms = 200\n"
    "[server]\nlatency_ms_min = 5\nlatency_ms_max = 40\n"
    "[run]\ndrain_ms = 2000\n";

static void test_no_mutex_loses_events(void **state)
{
    (void)state;
    sim_scenario *s = scenario(no_mutex);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int lost = 0;
    uint64_t first = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        /* Every add returned: the loss is not a failed add. */
        assert_int_equal(run.monitor.c.events_tracked, 10);
        assert_int_equal(run.monitor.c.events_added, 10);
        if (run.monitor.violated & SIM_INV_LOST_EVENT) {
            lost++;
            if (!first)
                first = seed;
            assert_true(run.monitor.c.events_stored < 10);
        } else {
            assert_int_equal(run.monitor.c.events_stored, 10);
        }
        /* Without a flush nothing is sent, so nothing is duplicated. */
        assert_int_equal(run.monitor.c.sends, 0);
        assert_false(run.monitor.violated & SIM_INV_DUPLICATE);
        sim_run_clear(&run);
    }
    if (lost == 0)
        fail_msg("no lost event in %d seeds without a mutex", SEEDS);
    /* The failing run shows the lost update in its timeline. */
    sim_run run;
    run_seed(s, pool, first, TRUE, &run);
    assert_true(run.monitor.violated & SIM_INV_LOST_EVENT);
    /* The violation points at the write that erased the event: a set of
     * the events key whose list lacks the lost id. */
    const sim_violation *v = run.monitor.violations->pdata[0];
    GPtrArray *t = run.monitor.trace;
    assert_true(v->step >= 1 && v->step <= t->len);
    const char *line = t->pdata[v->step - 1];
    const char *id = strstr(v->message, "event ");
    assert_non_null(id);
    id += strlen("event ");
    char *lost_id = g_strndup(id, strcspn(id, " "));
    if (!strstr(line, " set ") || !strstr(line, "bucketeer_events_user-1") || strstr(line, lost_id))
        fail_msg("lost %s, but the violation points at: %s", lost_id, line);
    g_free(lost_id);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_seed_mutex_clear_y_exclusive(void **state)
{
    (void)state;
    sim_scenario *s = scenario(seed_clear_y);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    uint64_t acquired = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        if (run.monitor.violated & SIM_INV_MUTUAL_EXCLUSION)
            fail_msg("seed %" G_GUINT64_FORMAT ": %s", seed,
                     ((sim_violation *)run.monitor.violations->pdata[0])->message);
        assert_int_equal(run.monitor.c.lock_requests, 3 * 8);
        assert_int_equal(run.monitor.c.lock_acquired + run.monitor.c.lock_failed, 3 * 8);
        assert_false(run.monitor.c.truncated);
        acquired += run.monitor.c.lock_acquired;
        sim_run_clear(&run);
    }
    /* The critical sections really happened (else exclusion is vacuous). */
    assert_true(acquired > SEEDS * 3 * 8 / 2);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_expiring_lock_caught(void **state)
{
    (void)state;
    /* The control for the test above: a lock that expires while held lets
     * a second tab in, and the world must see it. */
    sim_scenario *s = scenario("[scenario]\ntabs = 3\n"
                               "[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\ntimeout_ms = 1\n"
                               "[workload]\nmode = lock\nlocks_per_tab = 8\ninterval_ms_min = 0\n"
                               "interval_ms_max = 2\nhold_ms_min = 5\nhold_ms_max = 10\n");
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int found = 0;
    for (uint64_t seed = 1; seed <= SEEDS && !found; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        if (run.monitor.violated & SIM_INV_MUTUAL_EXCLUSION) {
            const sim_violation *v = run.monitor.violations->pdata[0];
            assert_int_equal(v->invariant, SIM_INV_MUTUAL_EXCLUSION);
            assert_true(v->tab_a != v->tab_b);
            assert_true(v->tab_a >= 1 && v->tab_a <= 3 && v->tab_b >= 1 && v->tab_b <= 3);
            found = 1;
        }
        sim_run_clear(&run);
    }
    assert_true(found);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_determinism(void **state)
{
    (void)state;
    const char *texts[] = {small_sdk, seed_clear_y, no_mutex};
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        sim_scenario *s = scenario(texts[i]);
        sim_run a, b, c;
        run_seed(s, pool, 7, TRUE, &a);
        run_seed(s, pool, 7, TRUE, &b);
        assert_true(a.monitor.c.steps > 10);
        assert_counters_equal(&a.monitor.c, &b.monitor.c);
        assert_traces_equal(&a, &b);
        /* Tracing does not change the run. */
        run_seed(s, pool, 7, FALSE, &c);
        assert_counters_equal(&a.monitor.c, &c.monitor.c);
        assert_int_equal(a.monitor.violated, c.monitor.violated);
        sim_run_clear(&c);
        /* And the seed matters: some other seed gives another timeline. */
        gboolean differs = FALSE;
        for (uint64_t seed = 8; seed < 12 && !differs; seed++) {
            run_seed(s, pool, seed, TRUE, &c);
            differs = !traces_equal(&a, &c);
            sim_run_clear(&c);
        }
        assert_true(differs);
        sim_run_clear(&a);
        sim_run_clear(&b);
        sim_scenario_free(s);
    }
    sim_stack_pool_free(pool);
}

static void test_sdk_run_delivers(void **state)
{
    (void)state;
    /* A complete run under the seed mutex with a healthy server: every
     * event added, then delivered once or kept in storage. */
    sim_scenario *s = scenario(small_sdk);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    uint64_t delivered = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        const sim_counters *c = &run.monitor.c;
        assert_int_equal(c->events_tracked, 9);
        assert_false(c->truncated);
        assert_true(c->sends > 0);
        assert_true(c->lock_requests > 0);
        /* The drain ends the run drain_ms after the workload; the flush
         * loop steps at least once per interval until then. */
        assert_true(c->end_time_us >= (s->drain_ms - s->flush_interval_ms) * 1000);
        /* Every event is delivered once or still stored; a lock left
         * taken until it expires may keep some from the server. */
        assert_int_equal(c->events_added, 9);
        assert_int_equal(c->events_delivered + c->events_stored, 9);
        assert_int_equal(c->deliveries, c->events_delivered);
        assert_int_equal(run.monitor.violated, 0);
        delivered += c->events_delivered;
        sim_run_clear(&run);
    }
    assert_true(delivered > 20 * 9 / 2);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_server_errors_keep_events(void **state)
{
    (void)state;
    /* A server that always fails delivers nothing: every send is an error
     * and no event may be lost (they stay stored). */
    char *text = g_strconcat(small_sdk, "[server]\nerror_pct = 100\n", NULL);
    /* [server] appears twice; GKeyFile merges the groups. */
    sim_scenario *s = scenario(text);
    g_free(text);
    assert_int_equal(s->server_error_pct, 100);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= 10; seed++) {
        sim_run run;
        run_seed(s, pool, seed, FALSE, &run);
        const sim_counters *c = &run.monitor.c;
        assert_true(c->sends > 0);
        assert_int_equal(c->send_errors, c->sends);
        assert_int_equal(c->events_delivered, 0);
        assert_int_equal(c->deliveries, 0);
        sim_run_clear(&run);
    }
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void test_token_replays(void **state)
{
    (void)state;
    const char *texts[] = {small_sdk, no_mutex};
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        sim_scenario *s = scenario(texts[i]);
        sim_run_spec spec = {.seed = 11, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run orig;
        sim_run_exec(s, pool, &spec, &orig);
        char *text = sim_run_token(&orig, &spec);

        sim_token token;
        GError *error = NULL;
        assert_true(sim_token_decode(text, &token, &error));
        assert_int_equal(token.scenario_hash, sim_scenario_hash(s));
        sim_run_spec replay = {.seed = token.seed, .tail = token.tail,
                               .prefix = (const uint32_t *)token.prefix->data,
                               .prefix_len = token.prefix->len, .trace = TRUE};
        sim_run again;
        sim_run_exec(s, pool, &replay, &again);
        assert_false(again.chooser.prefix_overrun);
        assert_counters_equal(&orig.monitor.c, &again.monitor.c);
        assert_traces_equal(&orig, &again);
        /* Same token again from the replay. */
        char *text2 = sim_run_token(&again, &replay);
        assert_string_equal(text, text2);
        g_free(text2);
        sim_run_clear(&again);
        sim_token_clear(&token);
        g_free(text);
        sim_run_clear(&orig);
        sim_scenario_free(s);
    }
    sim_stack_pool_free(pool);
}

static void test_recorded_choices_replay(void **state)
{
    (void)state;
    /* The run is a function of its choices alone: the recorded answers as
     * a prefix, with a zero tail and another seed, give the same run. */
    sim_scenario *s = scenario(small_sdk);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_run_spec spec = {.seed = 5, .tail = SIM_TAIL_RANDOM, .trace = TRUE, .record = TRUE};
    sim_run orig;
    sim_run_exec(s, pool, &spec, &orig);
    GArray *rec = orig.chooser.record;
    assert_non_null(rec);
    assert_true(rec->len > 10);
    assert_int_equal(rec->len, orig.chooser.pos);
    sim_run_spec replay = {.seed = 999, .tail = SIM_TAIL_ZERO, .prefix = (const uint32_t *)rec->data,
                           .prefix_len = rec->len, .trace = TRUE, .record = TRUE};
    sim_run again;
    sim_run_exec(s, pool, &replay, &again);
    assert_false(again.chooser.prefix_overrun);
    /* Every answer was taken from the prefix, none from the tail. */
    assert_int_equal(again.chooser.pos, rec->len);
    assert_memory_equal(again.chooser.record->data, rec->data, rec->len * sizeof(uint32_t));
    assert_counters_equal(&orig.monitor.c, &again.monitor.c);
    assert_traces_equal(&orig, &again);
    sim_run_clear(&again);
    sim_run_clear(&orig);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

/* Runs the world by hand to see its state after the run. */
static void run_world_checked(const sim_scenario *s, sim_stack_pool *pool, uint64_t seed, sim_counters *out)
{
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, FALSE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    sim_world_run(w);
    assert_int_equal(w->live.length, 0);
    assert_int_equal(w->spawned_live, 0);
    assert_null(w->current);
    for (int i = 0; i < w->n_tabs; i++)
        assert_int_equal(w->tabs[i].ready.length, 0);
    sim_world_free(w);
    *out = monitor.c;
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
}

/* Every stack the pool ever mapped is back in it: taking that many again
 * maps no new one. */
static void assert_pool_whole(sim_stack_pool *pool)
{
    size_t n = sim_stack_pool_allocated(pool);
    assert_true(n > 0);
    void **stacks = g_new(void *, n);
    for (size_t i = 0; i < n; i++)
        stacks[i] = sim_stack_pool_take(pool);
    assert_int_equal(sim_stack_pool_allocated(pool), n);
    for (size_t i = 0; i < n; i++)
        sim_stack_pool_give(pool, stacks[i]);
    g_free(stacks);
}

static void test_cancel_mid_flight(void **state)
{
    (void)state;
    /* Cut short while tasks sleep, wait for storage, hold and wait for the
     * lock, and await sends: every one must unwind. */
    static const char *const cuts[] = {
        "[run]\ntime_limit_ms = 60\n",   /* some tabs not started yet */
        "[run]\ntime_limit_ms = 120\n",
        "[run]\ntime_limit_ms = 1000\n",
        "[run]\nsteps_max = 25\n",
        "[run]\nsteps_max = 100\n",
        "[run]\nsteps_max = 300\n",
    };
    const char *bases[] = {small_sdk, seed_clear_y, no_mutex};
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int truncated = 0;
    for (size_t b = 0; b < G_N_ELEMENTS(bases); b++) {
        sim_scenario *whole = scenario(bases[b]);
        for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
            char *text = g_strconcat(bases[b], cuts[i], NULL);
            sim_scenario *s = scenario(text);
            g_free(text);
            for (uint64_t seed = 1; seed <= 10; seed++) {
                sim_counters c, full;
                run_world_checked(whole, pool, seed, &full);
                run_world_checked(s, pool, seed, &c);
                /* Cut exactly when the whole run goes past the bound. */
                gboolean over = full.steps > (uint64_t)s->steps_max || full.end_time_us > s->time_limit_ms * 1000;
                assert_int_equal(c.truncated, over);
                truncated += c.truncated;
                assert_true(c.steps <= (uint64_t)s->steps_max);
                assert_true(c.end_time_us <= s->time_limit_ms * 1000);
            }
            assert_pool_whole(pool);
            sim_scenario_free(s);
        }
        sim_scenario_free(whole);
    }
    /* Most of these runs were really cut short. */
    assert_true(truncated > 100);
    sim_stack_pool_free(pool);
}

static void test_full_run_cleans_up(void **state)
{
    (void)state;
    sim_scenario *s = scenario(small_sdk);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        sim_counters c;
        run_world_checked(s, pool, seed, &c);
        assert_false(c.truncated);
    }
    assert_pool_whole(pool);
    /* Runs reuse stacks: a handful of runs map no more than one run needs. */
    size_t after_five = sim_stack_pool_allocated(pool);
    for (uint64_t seed = 6; seed <= 30; seed++) {
        sim_counters c;
        run_world_checked(s, pool, seed, &c);
    }
    assert_true(sim_stack_pool_allocated(pool) <= after_five + 4);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_mutex_loses_events),
        cmocka_unit_test(test_seed_mutex_clear_y_exclusive),
        cmocka_unit_test(test_expiring_lock_caught),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_sdk_run_delivers),
        cmocka_unit_test(test_server_errors_keep_events),
        cmocka_unit_test(test_token_replays),
        cmocka_unit_test(test_recorded_choices_replay),
        cmocka_unit_test(test_cancel_mid_flight),
        cmocka_unit_test(test_full_run_cleans_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
