/*
 * test_wait.c - xt_env's wait and clock comparison in the world
 * (sim/world/env_wait.c, env_clock.c).
 *
 * Goal: a wait for a key ends at another tab's change of that key, not at
 * a change of an unrelated key, nor by itself (with no deadline it never
 * ends unless a change comes: the run ends with it still waiting); in
 * untimed search "the deadline passed" is the adversary's choice, taken
 * before or after the change, the clock then at the deadline; and a
 * comparison of the clock against a deadline not yet reached may find it
 * passed in untimed search only, the clock then exactly at the deadline.
 * Waits of one tab that one event ends (another tab's change, or a notify
 * of their own tab) go on as a browser calls its listeners: in the order
 * the waits began, whatever the seed, and a notify's after the notifier
 * gives the tab up, before its other tasks.  Timed, on cached storage, a
 * wait that begins while writes are on their way to its tab ends at a
 * change of its key, or else when they have certainly arrived.  Timed, an
 * event that reaches a stalled tab waits its turn behind the stalled task,
 * so the tab's own notify ends the wait first; a deadline queued behind
 * the stalled task has not run, so that event clears it and the waiter
 * goes on in the event's task; a wait begun behind that event's task is
 * ended by it, with no wake-up of its own.  A task spawned by a page's
 * own (uncounted) task is no work under way: the workload can be over
 * while it sleeps.
 * Method: worlds of two tabs whose main task is replaced (sim_world's
 * tab_main) by a small script of env calls; each script records what its
 * calls returned and the clock then; seeds 1..SEEDS of the random
 * chooser stand for the adversary's answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define SEEDS 40

static const char scenario_text[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n"
                                    "[storage]\nlatency_us_min = 0\nlatency_us_max = 0\n"
                                    "[workload]\nmode = lock\nlocks_per_tab = 1\nstart_ms_max = 0\n";
/* The same on cached storage whose writes reach other tabs 50 ms later. */
static const char cached_text[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n"
                                  "[storage]\nmodel = cached\nlatency_us_min = 0\nlatency_us_max = 0\n"
                                  "delivery_us_min = 50000\ndelivery_us_max = 50000\n"
                                  "[workload]\nmode = lock\nlocks_per_tab = 1\nstart_ms_max = 0\n";
/* The same with the first storage call of the run stalling its tab 100 ms. */
static const char stall_text[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n"
                                 "[storage]\nlatency_us_min = 0\nlatency_us_max = 0\n"
                                 "[workload]\nmode = lock\nlocks_per_tab = 1\nstart_ms_max = 0\n"
                                 "[faults]\ntab_stall_max = 1\ntab_stall_pct = 100\n"
                                 "stall_ms_min = 100\nstall_ms_max = 100\n";
static const char *scenario_src = scenario_text;
static gboolean tracing;
static int64_t drain_end_us; /* the last run's: when its workload was over, plus the drain */
static char *wait_result; /* tracing: tab 1's first "wait" line, from its result on */
static int waits_ran_into; /* tracing: "wait" lines ended by a change while the task ran */

/* What the scripts saw, per tab (index 1, 2). */
typedef struct probe {
    int rc;
    int64_t at_ms;
    gboolean passed;
    gboolean again;   /* a second comparison, after the first */
    gboolean done;
} probe;
static probe seen[3];

static void run_world(xt_task_fn main, gboolean untimed, uint64_t seed)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("wait-test.ini", scenario_src, strlen(scenario_src), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    sim_monitor_init(&monitor, s, tracing);
    monitor.untimed = untimed;
    memset(seen, 0, sizeof seen);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    w->untimed = untimed;
    w->tab_main = main;
    sim_world_run(w);
    assert_int_equal(w->live.length, 0); /* every task unwound */
    drain_end_us = w->drain_end_us;
    g_free(wait_result);
    wait_result = NULL;
    waits_ran_into = 0;
    for (guint i = 0; tracing && i < monitor.trace->len; i++) {
        const char *line = monitor.trace->pdata[i], *at = strstr(line, "-> ");
        if (strstr(line, "tab1") && strstr(line, " wait ") && at && !wait_result)
            wait_result = g_strdup(at + 3);
        if (strstr(line, " wait ") && strstr(line, "woken: a change while it ran"))
            waits_ran_into++;
    }
    sim_world_free(w);
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

static void note(sim_tab *tab, int rc)
{
    seen[tab->index].rc = rc;
    seen[tab->index].at_ms = xt_env_now_ms(&tab->env);
    seen[tab->index].done = TRUE;
}

/* Tab 1 waits for "k" (deadline 10 s); tab 2 changes "other" at 100 ms,
 * then "k" at 200 ms. */
static void script_other_then_key(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index == 1) {
        const char *const keys[1] = {"k"};
        note(tab, xt_env_wait(env, keys, 1, 10000));
        return;
    }
    if (xt_env_sleep_ms(env, 100) != XT_OK || xt_env_set(env, "other", "x") != XT_OK)
        return;
    if (xt_env_sleep_ms(env, 100) != XT_OK || xt_env_set(env, "k", "v") != XT_OK)
        return;
    note(tab, XT_OK);
}

static void test_timed_woken_by_the_key_only(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_other_then_key, FALSE, seed);
        assert_true(seen[2].done);
        assert_int_equal(seen[1].rc, XT_OK);
        assert_int_equal(seen[1].at_ms, 200); /* not at 100: "other" is not its key */
    }
}

/* Tab 1 waits for "k" with no deadline; tab 2 only changes "other". */
static void script_unrelated_only(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index == 1) {
        const char *const keys[1] = {"k"};
        note(tab, xt_env_wait(env, keys, 1, -1));
        return;
    }
    note(tab, xt_env_set(env, "other", "x"));
}

static void test_no_deadline_never_ends_without_its_key(void **state)
{
    (void)state;
    for (int untimed = 0; untimed <= 1; untimed++)
        for (uint64_t seed = 1; seed <= 10; seed++) {
            run_world(script_unrelated_only, untimed, seed);
            assert_int_equal(seen[2].rc, XT_OK);
            /* Still waiting when the run ended: unwound, never woken. */
            assert_int_equal(seen[1].rc, XT_ECANCELLED);
        }
}

/* Tab 1 waits for "k" with a 500 ms deadline; tab 2 changes "k" at once. */
static void script_deadline_or_key(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index == 1) {
        const char *const keys[1] = {"k"};
        note(tab, xt_env_wait(env, keys, 1, 500));
        return;
    }
    note(tab, xt_env_set(env, "k", "v"));
}

static void test_untimed_deadline_is_a_choice(void **state)
{
    (void)state;
    int timeouts = 0, wakes = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        run_world(script_deadline_or_key, TRUE, seed);
        assert_int_equal(seen[2].rc, XT_OK);
        if (seen[1].rc == XT_ETIMEOUT) {
            timeouts++;
            assert_int_equal(seen[1].at_ms, 500); /* the clock jumped to the deadline */
        } else {
            wakes++;
            assert_int_equal(seen[1].rc, XT_OK);
            assert_int_equal(seen[1].at_ms, 0); /* woken by the change: no time passed */
        }
    }
    assert_true(timeouts > 0);
    assert_true(wakes > 0);
    /* Timed, the change at 0 ms always comes first. */
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_deadline_or_key, FALSE, seed);
        assert_int_equal(seen[1].rc, XT_OK);
    }
}

/* Tab 1 compares the clock against 700 ms twice; tab 2 does nothing. */
static void script_compare(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index != 1)
        return;
    seen[1].passed = xt_env_deadline_passed(env, 700);
    note(tab, XT_OK);
    /* (No cmocka assert on a task's stack: recorded, checked outside.) */
    seen[1].again = xt_env_deadline_passed(env, 700);
}

static void test_comparison_may_find_the_deadline_passed(void **state)
{
    (void)state;
    int passed = 0, not_yet = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        run_world(script_compare, TRUE, seed);
        if (seen[1].passed) {
            passed++;
            assert_int_equal(seen[1].at_ms, 700); /* just at the threshold, not later */
            assert_true(seen[1].again);           /* the clock never goes back */
        } else {
            not_yet++;
            assert_int_equal(seen[1].at_ms, 0);
        }
    }
    assert_true(passed > 0);
    assert_true(not_yet > 0);
    /* Timed: the clock is what the latencies made it, no jump. */
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_compare, FALSE, seed);
        assert_false(seen[1].passed);
        assert_int_equal(seen[1].at_ms, 0);
    }
}

/* The order in which tab 1's waiters resumed, by name ('a', 'b', 'c'). */
static char resumed[8];
static int n_resumed;

typedef struct waiter {
    sim_tab *tab;
    char name;
    int64_t sleep_ms; /* before its wait begins */
} waiter;

static void waiter_task(void *arg)
{
    waiter *me = arg;
    xt_env *env = &me->tab->env;
    const char *const keys[1] = {"k"};
    if (xt_env_sleep_ms(env, me->sleep_ms) != XT_OK)
        return;
    int rc = xt_env_wait(env, keys, 1, -1);
    if (rc == XT_OK && n_resumed < (int)sizeof resumed - 1)
        resumed[n_resumed++] = me->name;
}

/* Spawned in creation order a, b, c; their waits begin in the order c, a,
 * b (10, 20 and 30 ms).  notify: a fourth task of tab 1 notifies at 100
 * ms, else tab 2 changes "k" then. */
static gboolean by_notify;
static waiter waiters[3];

static void notifier_task(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (xt_env_sleep_ms(env, 100) != XT_OK)
        return;
    xt_env_storage_notify(env);
    /* Still its macrotask: the woken go on only when it awaits. */
    if (xt_env_set(env, "x", "1") == XT_OK && n_resumed < (int)sizeof resumed - 1)
        resumed[n_resumed++] = 'N';
    (void)xt_env_sleep_ms(env, 0);
}

static void script_three_waiters(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index == 1) {
        const int64_t sleeps[3] = {20, 30, 10};
        for (int i = 0; i < 3; i++) {
            waiters[i] = (waiter){tab, (char)('a' + i), sleeps[i]};
            if (xt_env_spawn(env, waiter_task, &waiters[i]) != XT_OK)
                return;
        }
        if (by_notify)
            (void)xt_env_spawn(env, notifier_task, tab);
        return;
    }
    if (!by_notify && xt_env_sleep_ms(env, 100) == XT_OK)
        note(tab, xt_env_set(env, "k", "v"));
}

/* Every character of got appears in want, in the same order. */
static gboolean subsequence(const char *got, const char *want)
{
    for (; *got; got++) {
        const char *at = strchr(want, *got);
        if (!at)
            return FALSE;
        want = at + 1;
    }
    return TRUE;
}

static void test_one_event_wakes_in_the_order_waits_began(void **state)
{
    (void)state;
    int all_three = 0;
    for (int notify = 0; notify <= 1; notify++)
        for (int untimed = 0; untimed <= 1; untimed++)
            for (uint64_t seed = 1; seed <= SEEDS; seed++) {
                by_notify = notify;
                n_resumed = 0;
                memset(resumed, 0, sizeof resumed);
                run_world(script_three_waiters, untimed, seed);
                const char *want = notify ? "Ncab" : "cab";
                /* Untimed, the event may come before some waits began
                 * (those are never woken): the others keep the order. */
                if (untimed ? !subsequence(resumed, want) : strcmp(resumed, want) != 0)
                    fail_msg("%s, %s, seed %" G_GUINT64_FORMAT ": resumed \"%s\"", notify ? "notify" : "change",
                             untimed ? "untimed" : "timed", seed, resumed);
                all_three += untimed && strcmp(resumed, want) == 0;
            }
    assert_true(all_three > 0); /* untimed too, some runs woke all three at once */
}

/* Cached, timed: tab 1 makes its cache, and begins a wait for "k" 2 ms in,
 * when tab 2's write of "a" (at 1 ms) is on its way to it until 51 ms;
 * tab 2 writes "k" at 11 ms, or never (key_too). */
static gboolean key_too;

static void script_on_their_way(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    GString *value = g_string_new(NULL);
    if (tab->index == 1) {
        const char *const keys[1] = {"k"};
        if (xt_env_get(env, "k", value) == XT_ENOTFOUND && xt_env_sleep_ms(env, 2) == XT_OK)
            note(tab, xt_env_wait(env, keys, 1, 10000));
    } else if (xt_env_sleep_ms(env, 1) == XT_OK && xt_env_set(env, "a", "1") == XT_OK && key_too &&
               xt_env_sleep_ms(env, 10) == XT_OK) {
        note(tab, xt_env_set(env, "k", "v"));
    }
    g_string_free(value, TRUE);
}

static void test_timed_writes_on_their_way_and_a_change(void **state)
{
    (void)state;
    scenario_src = cached_text;
    for (int with_key = 0; with_key <= 1; with_key++)
        for (uint64_t seed = 1; seed <= 5; seed++) {
            key_too = with_key;
            run_world(script_on_their_way, FALSE, seed);
            assert_int_equal(seen[1].rc, XT_OK);
            /* A change ends it at once; else the writes on their way
             * have certainly arrived 50 ms after the wait began. */
            assert_int_equal(seen[1].at_ms, with_key ? 11 : 52);
        }
    scenario_src = scenario_text;
}

/* Timed, stalls: tab 1's waiter listens for "k" while its main task's
 * first storage call stalls the tab from 0 to 100 ms; tab 2 changes "k"
 * at 10 ms; the main task, after the stall, notifies its tab. */
static void waiter_k(void *arg)
{
    sim_tab *tab = arg;
    const char *const keys[1] = {"k"};
    note(tab, xt_env_wait(&tab->env, keys, 1, 1000));
}

static void script_busy_tab(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    GString *value = g_string_new(NULL);
    if (tab->index == 1) {
        if (xt_env_spawn(env, waiter_k, tab) == XT_OK && xt_env_get(env, "a", value) == XT_ENOTFOUND)
            xt_env_storage_notify(env);
    } else if (xt_env_sleep_ms(env, 10) == XT_OK) {
        (void)xt_env_set(env, "k", "v");
    }
    g_string_free(value, TRUE);
}

/* A browser queues the `storage` event behind the stalled task: the wait
 * keeps listening until that task runs, so the notify that comes first
 * ends it (env_loop.c).  Before, the change ended it at 10 ms. */
static void test_event_to_a_busy_tab_waits_its_turn(void **state)
{
    (void)state;
    scenario_src = stall_text;
    tracing = TRUE;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_busy_tab, FALSE, seed);
        assert_int_equal(seen[1].rc, XT_OK);
        assert_int_equal(seen[1].at_ms, 100);
        assert_non_null(wait_result);
        if (!g_str_has_prefix(wait_result, "woken: notified in its tab"))
            fail_msg("seed %" G_GUINT64_FORMAT ": the wait ended \"%s\"", seed, wait_result);
    }
    tracing = FALSE;
    scenario_src = scenario_text;
    g_free(wait_result);
    wait_result = NULL;
}

/* Timed, stalls: tab 1's waiter listens for "k" with a 50 ms deadline
 * and a sleeper sleeps 30 ms while the main task's first storage call
 * stalls the tab from 0 to 100 ms; tab 2 changes "k" at 10 ms.  So the
 * tab's FIFO holds, at the stall's end, the event's task (10 ms), the
 * sleeper (30 ms) and the waiter's deadline (50 ms), none run yet. */
static int n_resumed, waiter_resumed, sleeper_resumed;

static void waiter_k50(void *arg)
{
    sim_tab *tab = arg;
    const char *const keys[1] = {"k"};
    int rc = xt_env_wait(&tab->env, keys, 1, 50);
    waiter_resumed = ++n_resumed;
    note(tab, rc);
}

static void sleeper_30(void *arg)
{
    if (xt_env_sleep_ms(&((sim_tab *)arg)->env, 30) == XT_OK)
        sleeper_resumed = ++n_resumed;
}

static void script_deadline_behind(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    GString *value = g_string_new(NULL);
    if (tab->index == 1) {
        n_resumed = waiter_resumed = sleeper_resumed = 0;
        if (xt_env_spawn(env, waiter_k50, tab) == XT_OK && xt_env_spawn(env, sleeper_30, tab) == XT_OK)
            (void)xt_env_get(env, "a", value);
    } else if (xt_env_sleep_ms(env, 10) == XT_OK) {
        (void)xt_env_set(env, "k", "v");
    }
    g_string_free(value, TRUE);
}

/* The event's task runs first: its listener clears the deadline's timer,
 * whose task, queued already, then does nothing, and the waiter goes on
 * in the event's task, before the sleeper (env_loop.c,
 * sim_env_timer_clear_queued).  Before, the waiter went on as its
 * deadline's task, after the sleeper. */
static void test_event_clears_a_deadline_queued_behind(void **state)
{
    (void)state;
    scenario_src = stall_text;
    tracing = TRUE;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_deadline_behind, FALSE, seed);
        assert_int_equal(seen[1].rc, XT_OK);
        assert_int_equal(seen[1].at_ms, 100);
        assert_int_equal(waiter_resumed, 1);
        assert_int_equal(sleeper_resumed, 2);
        assert_non_null(wait_result);
        if (!g_str_has_prefix(wait_result, "woken: a change by tab2"))
            fail_msg("seed %" G_GUINT64_FORMAT ": the wait ended \"%s\"", seed, wait_result);
    }
    tracing = FALSE;
    scenario_src = scenario_text;
}

/* Timed, storage calls taking 2 ms: tab 1's two listeners wait for "k",
 * no deadline; tab 2 changes "k" after 10 ms.  One event ends both waits
 * at once (the listeners' instant); the first goes on and reads "a" (2 ms,
 * the tab held), and only then the second goes on.  What the second sees:
 * its wait ended at the event, before it ran again, and a sleep after
 * the wait is measured from that instant, as a setTimeout its listener
 * set would be (browser-tabs-lock's waitForSomethingToChange). */
static const char latency_text[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = none\n"
                                   "[storage]\nlatency_us_min = 2000\nlatency_us_max = 2000\n"
                                   "[workload]\nmode = lock\nlocks_per_tab = 1\nstart_ms_max = 0\n";
static int64_t second_ended_ms, second_resumed_ms, second_slept_ms;

static void listener_first(void *arg)
{
    sim_tab *tab = arg;
    const char *const keys[1] = {"k"};
    GString *value = g_string_new(NULL);
    if (xt_env_wait(&tab->env, keys, 1, -1) == XT_OK)
        (void)xt_env_get(&tab->env, "a", value);
    g_string_free(value, TRUE);
}

static void listener_second(void *arg)
{
    sim_tab *tab = arg;
    const char *const keys[1] = {"k"};
    if (xt_env_wait(&tab->env, keys, 1, -1) != XT_OK)
        return;
    second_ended_ms = xt_env_wait_ended_ms(&tab->env);
    second_resumed_ms = xt_env_now_ms(&tab->env);
    if (xt_env_sleep_after_wait_ms(&tab->env, 50) == XT_OK)
        second_slept_ms = xt_env_now_ms(&tab->env);
}

static void script_two_listeners(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    if (tab->index == 1) {
        second_ended_ms = second_resumed_ms = second_slept_ms = -1;
        (void)xt_env_spawn(env, listener_first, tab);
        (void)xt_env_spawn(env, listener_second, tab);
    } else if (xt_env_sleep_ms(env, 10) == XT_OK) {
        (void)xt_env_set(env, "k", "v");
    }
}

static void test_sleep_after_wait_counts_from_the_wake_up(void **state)
{
    (void)state;
    scenario_src = latency_text;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_two_listeners, FALSE, seed);
        assert_true(second_ended_ms >= 10);
        assert_int_equal(second_resumed_ms, second_ended_ms + 2); /* after the first one's read */
        assert_int_equal(second_slept_ms, second_ended_ms + 50);  /* not second_resumed_ms + 50 */
    }
    scenario_src = scenario_text;
}

/* Timed, stalls: tab 1's waiter listens for "k" while the main task's
 * first storage call stalls the tab from 0 to 100 ms, tab 2 changing "k"
 * at 10 ms (an event's task queued for the waiter); after the stall the
 * main task waits for "k" too (1 s deadline). */
static void script_wait_behind_an_event(void *arg)
{
    sim_tab *tab = arg;
    xt_env *env = &tab->env;
    GString *value = g_string_new(NULL);
    const char *const keys[1] = {"k"};
    if (tab->index == 1) {
        if (xt_env_spawn(env, waiter_k, tab) == XT_OK && xt_env_get(env, "a", value) == XT_ENOTFOUND)
            seen[0].rc = xt_env_wait(env, keys, 1, 1000);
    } else if (xt_env_sleep_ms(env, 10) == XT_OK) {
        (void)xt_env_set(env, "k", "v");
    }
    g_string_free(value, TRUE);
}

/* The main task's listener is there when the event's task runs: that one
 * task ends both waits ("a change by tab2"), as one `storage` event calls
 * every listener.  Before, the main task's wait also took a wake-up of
 * its own for the change that came while it ran (the same event, twice:
 * one more candidate in the tie at the stall's end). */
static void test_wait_behind_a_queued_event_listens_for_it(void **state)
{
    (void)state;
    scenario_src = stall_text;
    tracing = TRUE;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_world(script_wait_behind_an_event, FALSE, seed);
        assert_int_equal(seen[1].rc, XT_OK);
        assert_int_equal(seen[1].at_ms, 100);
        assert_int_equal(seen[0].rc, XT_OK);
        assert_int_equal(waits_ran_into, 0);
    }
    tracing = FALSE;
    scenario_src = scenario_text;
}

/* Work under way: tab 1's main task spawns a task that sleeps 10 ms, and
 * starts a page task of its own (uncounted, as a periodic flush is) that
 * spawns one sleeping 1000 ms (a lock's refresh the flush took). */
static void sleep_10(void *arg)
{
    (void)xt_env_sleep_ms(&((sim_tab *)arg)->env, 10);
}

static void sleep_1000(void *arg)
{
    (void)xt_env_sleep_ms(&((sim_tab *)arg)->env, 1000);
}

static void page_task(void *arg)
{
    (void)xt_env_spawn(&((sim_tab *)arg)->env, sleep_1000, arg);
}

static void script_page_work(void *arg)
{
    sim_tab *tab = arg;
    if (tab->index != 1)
        return;
    sim_world *w = tab->world;
    sim_world_post(w, sim_world_spawn(w, tab, page_task, tab, FALSE), 0, TRUE);
    (void)xt_env_spawn(&tab->env, sleep_10, tab);
}

/* A task spawned by a page task is not work under way (env_sim.c): the
 * workload is over at 10 ms, not 1000.  Before, every spawned task was. */
static void test_page_work_spawns_no_work(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_world(script_page_work, FALSE, seed);
        /* The drain (30 s, the default) starts when the 10 ms task ends. */
        assert_int_equal(drain_end_us, (10 + 30000) * INT64_C(1000));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timed_woken_by_the_key_only),
        cmocka_unit_test(test_no_deadline_never_ends_without_its_key),
        cmocka_unit_test(test_untimed_deadline_is_a_choice),
        cmocka_unit_test(test_comparison_may_find_the_deadline_passed),
        cmocka_unit_test(test_one_event_wakes_in_the_order_waits_began),
        cmocka_unit_test(test_timed_writes_on_their_way_and_a_change),
        cmocka_unit_test(test_event_to_a_busy_tab_waits_its_turn),
        cmocka_unit_test(test_sleep_after_wait_counts_from_the_wake_up),
        cmocka_unit_test(test_page_work_spawns_no_work),
        cmocka_unit_test(test_event_clears_a_deadline_queued_behind),
        cmocka_unit_test(test_wait_behind_a_queued_event_listens_for_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
