/*
 * test_random.c - Math.random in the simulated environment (env_sim.c,
 * env_random_u64): every value it returns comes from the chooser.
 *
 * Goal: a draw announced as n timing outcomes (XT_OBS_RANDOM) is one
 * choice whose answer k gives floor(r * n) = k; random runs spread it over
 * the outcomes by seed; a discrete (exhaustive) chooser offers exactly the
 * two ends.  Other draws (identities) vary by seed in random runs, make no
 * choice in exhaustive search, and differ between tabs when the chooser
 * answers 0; in whole runs of browser-tabs-lock the random part of the
 * iats varies by seed.  Method: a world built by hand, its env called
 * directly; whole runs with a trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/explore/run.h"
#include "sim/world/world.h"

#define TWO_TABS "[scenario]\ntabs = 2\n[mutex]\nalgorithm = browser-tabs-lock\n[workload]\nmode = lock\n" \
                 "locks_per_tab = 1\n"

static sim_scenario *scenario(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("random-test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s", error->message);
    return s;
}

/* core's Math.random(), scaled to n outcomes as floor(r * n). */
static int64_t outcome(uint64_t v, int64_t n)
{
    return (int64_t)((double)(v >> 11) * (1.0 / 9007199254740992.0) * (double)n);
}

typedef struct draws {
    uint64_t tab1, tab2; /* first draw of each tab; tab1's announced when n > 1 */
    size_t choices;      /* chooser answers consumed */
} draws;

/* A world that never runs: its tabs' env answer directly. */
static draws draw(uint64_t seed, sim_tail tail, gboolean discrete, const uint32_t *prefix, size_t len, int64_t n)
{
    sim_scenario *s = scenario(TWO_TABS);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_chooser chooser;
    sim_monitor monitor;
    sim_chooser_init(&chooser, seed, tail, prefix, len, FALSE);
    chooser.discrete = discrete;
    sim_monitor_init(&monitor, s, FALSE);
    sim_world *w = sim_world_new(s, &chooser, pool, &monitor);
    w->tabs[0].random_outcomes = n;
    draws d;
    d.tab1 = xt_env_random_u64(&w->tabs[0].env);
    d.tab2 = xt_env_random_u64(&w->tabs[1].env);
    d.choices = chooser.pos;
    sim_world_free(w);
    sim_monitor_clear(&monitor);
    sim_chooser_clear(&chooser);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
    return d;
}

static void test_announced_draw_is_a_choice(void **state)
{
    (void)state;
    for (uint32_t k = 0; k < 25; k++) {
        draws d = draw(1, SIM_TAIL_ZERO, FALSE, &k, 1, 25);
        assert_int_equal(outcome(d.tab1, 25), k);
    }
    /* Exhaustive: one choice of two, the ends. */
    uint32_t lo = 0, hi = 1;
    draws a = draw(1, SIM_TAIL_ZERO, TRUE, &lo, 1, 25);
    draws b = draw(1, SIM_TAIL_ZERO, TRUE, &hi, 1, 25);
    assert_int_equal(outcome(a.tab1, 25), 0);
    assert_int_equal(outcome(b.tab1, 25), 24);
    assert_int_equal(a.choices, 1); /* the identity draw of tab2 is none */
    /* Random: spread over the outcomes by seed. */
    gboolean seen[25] = {FALSE};
    int distinct = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        int64_t k = outcome(draw(seed, SIM_TAIL_RANDOM, FALSE, NULL, 0, 25).tab1, 25);
        distinct += !seen[k];
        seen[k] = TRUE;
    }
    assert_int_equal(distinct, 25);
}

static void test_identities_vary_by_seed_only_in_random_runs(void **state)
{
    (void)state;
    GHashTable *values = g_hash_table_new(g_int64_hash, g_int64_equal);
    static uint64_t firsts[20];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        draws d = draw(seed, SIM_TAIL_RANDOM, FALSE, NULL, 0, 0);
        assert_int_equal(d.choices, 2); /* each tab's stream seed */
        firsts[seed - 1] = d.tab1;
        g_hash_table_add(values, &firsts[seed - 1]);
    }
    assert_int_equal(g_hash_table_size(values), 20);
    g_hash_table_destroy(values);
    /* Exhaustive: no choice, the same values as answer 0, and the tabs differ. */
    draws ex = draw(1, SIM_TAIL_ZERO, TRUE, NULL, 0, 0);
    draws zero = draw(1, SIM_TAIL_ZERO, FALSE, NULL, 0, 0);
    assert_int_equal(ex.choices, 0);
    assert_int_equal(ex.tab1, zero.tab1);
    assert_int_equal(ex.tab2, zero.tab2);
    assert_int_not_equal(ex.tab1, ex.tab2);
}

/* The random part (the last 4 characters) of tab1's first iat, or NULL. */
static char *first_iat_suffix(const sim_run *run)
{
    for (guint i = 0; i < run->monitor.trace->len; i++) {
        const char *line = run->monitor.trace->pdata[i];
        const char *iat = strstr(line, "\"iat\":\"");
        if (!strstr(line, " tab1 ") || !strstr(line, "write lock {id, iat}") || !iat)
            continue;
        iat += strlen("\"iat\":\"");
        const char *end = strchr(iat, '"');
        if (!end || end - iat < 4)
            return NULL;
        return g_strndup(end - 4, 4);
    }
    return NULL;
}

static void test_runs_draw_iats_by_seed(void **state)
{
    (void)state;
    sim_scenario *s = scenario(TWO_TABS);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    GHashTable *suffixes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (uint64_t seed = 1; seed <= 10; seed++) {
        sim_run run;
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .trace = TRUE};
        sim_run_exec(s, pool, &spec, &run);
        char *suffix = first_iat_suffix(&run);
        assert_non_null(suffix);
        g_hash_table_add(suffixes, suffix);
        sim_run_clear(&run);
    }
    assert_true(g_hash_table_size(suffixes) >= 8);
    g_hash_table_destroy(suffixes);
    sim_stack_pool_free(pool);
    sim_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_announced_draw_is_a_choice),
        cmocka_unit_test(test_identities_vary_by_seed_only_in_random_runs),
        cmocka_unit_test(test_runs_draw_iats_by_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
