/*
 * test_stats.c - tests of sim/stats/stats.c and sim/stats/sweep.c.
 *
 * Goal: the figures tabsim prints and plots are right and reproducible.
 * Method: percentiles are checked against hand-computed nearest ranks
 * (including the float trap 0.9 * 10); samples come from real runs of small
 * scenarios given as text, checked for shape and for agreement with the
 * run's own counters; the uncontended cost is measured for none and for the
 * seed mutex with each unlock option and compared with literal counts (not
 * with the table, so a wrong table fails); a sweep is run twice and its
 * bytes compared; a point of an algorithm known to let two tabs in must
 * carry its violations on its rows; a bad --vary key must fail with
 * SIM_ERROR_KEY, an empty value list or a value the data file cannot hold
 * with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/programs/algorithms.h"
#include <glib/gstdio.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/explore/run.h"
#include "sim/stats/stats.h"
#include "sim/stats/sweep.h"

static sim_stack_pool *pool;

static int pool_setup(void **state)
{
    (void)state;
    pool = sim_stack_pool_new(SIM_STACK_SIZE);
    return 0;
}

static int pool_teardown(void **state)
{
    (void)state;
    sim_stack_pool_free(pool);
    return 0;
}

static sim_scenario *scenario_text(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data("test.ini", text, strlen(text), &error);
    if (!s)
        fail_msg("%s", error->message);
    return s;
}

/* ---- percentiles ------------------------------------------------------ */

static void test_percentile_nearest_rank(void **state)
{
    (void)state;
    double ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_true(sim_percentile(ten, 10, 50) == 5);
    assert_true(sim_percentile(ten, 10, 90) == 9);  /* rank ceil(0.9 * 10) = 9, not 10 */
    assert_true(sim_percentile(ten, 10, 99) == 10);
    assert_true(sim_percentile(ten, 10, 10) == 1);
    assert_true(sim_percentile(ten, 10, 11) == 2);
    assert_true(sim_percentile(ten, 10, 100) == 10);
    double one[] = {42};
    assert_true(sim_percentile(one, 1, 50) == 42);
    assert_true(sim_percentile(one, 1, 99) == 42);
    double hundred[100];
    for (int i = 0; i < 100; i++)
        hundred[i] = i + 1;
    assert_true(sim_percentile(hundred, 100, 99) == 99);
    assert_true(sim_percentile(hundred, 100, 50) == 50);
}

static void test_summary_sorts_and_means(void **state)
{
    (void)state;
    double v[] = {9, 1, 5, 3, 7};
    sim_stat_summary s;
    sim_stat_summarize(v, 5, &s);
    assert_int_equal(s.n, 5);
    assert_true(s.p50 == 5); /* rank ceil(2.5) = 3 of 1 3 5 7 9 */
    assert_true(s.p90 == 9);
    assert_true(s.max == 9);
    assert_true(s.mean == 5);
    sim_stat_summarize(v, 0, &s);
    assert_int_equal(s.n, 0);
}

/* ---- samples of real runs --------------------------------------------- */

static const char lock_ini[] = "[scenario]\ntabs = 3\n[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
                               "[workload]\nmode = lock\nlocks_per_tab = 4\ninterval_ms_max = 3\nhold_ms_max = 2\n";
static const char events_ini[] = "[scenario]\ntabs = 2\n[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
                                 "[workload]\nevents_per_tab = 4\ninterval_ms_max = 200\n[flush]\ninterval_ms = 1000\n";

static void test_lock_samples_match_counters(void **state)
{
    (void)state;
    sim_scenario *s = scenario_text(lock_ini);
    sim_stats *st = sim_stats_new();
    sim_run_spec spec = {.seed = 7, .tail = SIM_TAIL_RANDOM, .stats = st};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    guint requests = 0, granted = 0, holds = 0, releases = 0;
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *x = &g_array_index(st->samples, sim_sample, i);
        assert_true(x->end_us >= x->start_us);
        assert_int_equal(x->run, 0);
        assert_int_equal(x->seed, 7);
        if (x->kind == SIM_SAMPLE_LOCK_REQUEST) {
            requests++;
            granted += x->outcome == SIM_OUTCOME_GRANTED;
            assert_true(x->retries >= 0);
            /* every attempt makes at least 2 storage calls (set X, get Y) */
            assert_true(x->storage_ops >= 2 * (x->retries + 1));
        }
        holds += x->kind == SIM_SAMPLE_LOCK_HOLD;
        releases += x->kind == SIM_SAMPLE_LOCK_RELEASE;
    }
    assert_int_equal(requests, run.monitor.c.lock_requests);
    assert_int_equal(granted, run.monitor.c.lock_acquired);
    assert_int_equal(holds, granted);
    assert_int_equal(releases, granted);
    assert_int_equal(st->runs, 1);
    sim_run_clear(&run);
    sim_stats_free(st);
    sim_scenario_free(s);
}

static void test_stats_do_not_change_the_run(void **state)
{
    (void)state;
    sim_scenario *s = scenario_text(events_ini);
    sim_stats *st = sim_stats_new();
    sim_run_spec plain = {.seed = 3, .tail = SIM_TAIL_RANDOM};
    sim_run_spec with = plain;
    with.stats = st;
    sim_run a, b;
    sim_run_exec(s, pool, &plain, &a);
    sim_run_exec(s, pool, &with, &b);
    assert_memory_equal(&a.monitor.c, &b.monitor.c, sizeof a.monitor.c);
    assert_int_equal(a.chooser.pos, b.chooser.pos);
    /* event latencies: one per distinct first delivery of an added event */
    guint events = 0;
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *x = &g_array_index(st->samples, sim_sample, i);
        if (x->kind == SIM_SAMPLE_EVENT_DELIVERY) {
            events++;
            assert_true(x->value >= 0);
        }
    }
    assert_true(events > 0);
    assert_true(events <= b.monitor.c.events_delivered);
    sim_run_clear(&a);
    sim_run_clear(&b);
    sim_stats_free(st);
    sim_scenario_free(s);
}

static void test_csv_row_shape(void **state)
{
    (void)state;
    sim_scenario *s = scenario_text(lock_ini);
    sim_stats *st = sim_stats_new();
    for (uint64_t seed = 1; seed <= 2; seed++) {
        sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .stats = st};
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        sim_run_clear(&run);
    }
    char *csv = sim_stats_csv(st, "p=1", TRUE);
    char **lines = g_strsplit(csv, "\n", -1);
    assert_string_equal(lines[0], "point,kind,run,seed,tab,task,start_ms,end_ms,value,unit,retries,storage_ops,outcome");
    guint rows = 0;
    for (int i = 1; lines[i] && *lines[i]; i++) {
        char **f = g_strsplit(lines[i], ",", -1);
        assert_int_equal(g_strv_length(f), 13);
        assert_string_equal(f[0], "p=1");
        assert_true(strcmp(f[2], "1") == 0 || strcmp(f[2], "2") == 0); /* 1-based run */
        if (strcmp(f[1], "lock_request") == 0) {
            assert_string_equal(f[9], "ms");
            assert_true(*f[10] && *f[11]);
            assert_true(strcmp(f[12], "granted") == 0 || strcmp(f[12], "failed") == 0 ||
                        strcmp(f[12], "pending") == 0);
        } else {
            assert_string_equal(f[12], "");
        }
        g_strfreev(f);
        rows++;
    }
    assert_int_equal(rows, st->samples->len);
    g_strfreev(lines);
    g_free(csv);
    sim_stats_free(st);
    sim_scenario_free(s);
}

/* ---- uncontended cost ------------------------------------------------- */

static void cost_check(const char *algorithm, const char *unlock, int acquire, int release)
{
    sim_scenario *s = scenario_text(events_ini); /* measure turns it into lock mode, one tab */
    assert_true(sim_scenario_set(s, "mutex", "algorithm", algorithm, NULL));
    assert_true(sim_scenario_set(s, "seed", "unlock", unlock, NULL));
    sim_cost_measured m;
    sim_cost_measure(s, pool, 1, &m);
    assert_true(m.granted);
    assert_true(m.released);
    assert_int_equal(m.acquire_ops, acquire);
    assert_int_equal(m.release_ops, release);
    sim_cost expected;
    sim_cost_expected(s, &expected);
    assert_int_equal(expected.acquire_ops, acquire);
    assert_int_equal(expected.release_ops, release);
    gboolean matches = FALSE;
    char *text = sim_cost_text(s, &m, &matches);
    assert_true(matches);
    char *want = g_strdup_printf("acquire %d ops (expected %d), release %d ops (expected %d)", acquire, acquire,
                                 release, release);
    assert_string_equal(text, want);
    g_free(want);
    g_free(text);
    sim_scenario_free(s);
}

static void test_uncontended_cost(void **state)
{
    (void)state;
    cost_check("none", "clear-x", 0, 0);
    cost_check("seed", "clear-x", 5, 2); /* set X, get Y, set Y, get X, get Y / get X, remove X */
    cost_check("seed", "clear-y", 5, 2);
    cost_check("seed", "clear-both", 5, 4);
    cost_check("lamport", "clear-x", 5, 2); /* b, x, read y, y, read x / y := 0, b := false */
}

/* Every registered algorithm but js (whose calls are its module's) declares
 * its cost, and the declaration is
 * what one tab's uncontended acquisition and release measure: a sweep of
 * any algorithm can compare (the cost table that made `tabsim plot` exit 1
 * for web-locks is gone). */
static void test_cost_declared_by_every_algorithm(void **state)
{
    (void)state;
    for (int a = 0; sim_algorithms[a]; a++) {
        sim_scenario *s = scenario_text(events_ini);
        assert_true(sim_scenario_set(s, "mutex", "algorithm", sim_algorithms[a]->name, NULL));
        sim_cost c;
        sim_cost_expected(s, &c);
        assert_non_null(c.definition);
        if (c.acquire_ops < 0) {
            /* Only the JavaScript lock leaves its cost undeclared: it is
             * its module's (sim/js/js_mutex.c). */
            assert_string_equal(sim_algorithms[a]->name, "js");
            sim_scenario_free(s);
            continue;
        }
        sim_cost_measured m;
        sim_cost_measure(s, pool, 1, &m);
        gboolean matches = FALSE;
        char *text = sim_cost_text(s, &m, &matches);
        if (!matches)
            fail_msg("%s: %s", sim_algorithms[a]->name, text);
        g_free(text);
        sim_scenario_free(s);
    }
}

/* ---- sweeps ----------------------------------------------------------- */

static char *write_temp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test_stats_XXXXXX.ini", &path, NULL);
    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static char *sweep_once(const char *path)
{
    GError *error = NULL;
    sim_sweep *sw = sim_sweep_new(path, 3, 5, &error);
    assert_non_null(sw);
    assert_true(sim_sweep_add_axis(sw, "mutex.algorithm=none,seed", &error));
    assert_true(sim_sweep_add_axis(sw, "scenario.tabs=1,2", &error));
    assert_int_equal(sim_sweep_points(sw), 4);
    sim_sweep_output out;
    assert_true(sim_sweep_run(sw, pool, TRUE, &out, &error));
    assert_int_equal(out.cost_mismatches, 0);
    char *dat = g_strdup(out.dat->str);
    sim_sweep_output_clear(&out);
    sim_sweep_free(sw);
    return dat;
}

static void test_sweep_deterministic(void **state)
{
    (void)state;
    char *path = write_temp(lock_ini);
    char *a = sweep_once(path);
    char *b = sweep_once(path);
    assert_string_equal(a, b);
    /* one row per point and statistic: 4 points x SIM_STAT_COUNT */
    guint rows = 0;
    char **lines = g_strsplit(a, "\n", -1);
    for (int i = 0; lines[i]; i++)
        if (*lines[i] && *lines[i] != '#') {
            char **f = g_strsplit(lines[i], " ", -1);
            /* 2 axes, statistic p50 p90 p99 max mean n p50_lo p50_hi p99_lo p99_hi violated invariants */
            assert_int_equal(g_strv_length(f), 2 + 13);
            g_strfreev(f);
            rows++;
        }
    assert_int_equal(rows, 4 * SIM_STAT_COUNT);
    assert_non_null(strstr(a, "#   seed (unlock clear-y): acquire 5 ops (expected 5), release 2 ops (expected 2)"));
    assert_non_null(strstr(a, "\nseed 2 lock_latency_ms "));
    g_strfreev(lines);
    g_free(a);
    g_free(b);
    g_unlink(path);
    g_free(path);
}

/* The row of one statistic at one point, split into fields. */
static char **dat_fields(const char *dat, const char *prefix)
{
    const char *at = strstr(dat, prefix);
    assert_non_null(at);
    char *line = g_strndup(at + 1, strcspn(at + 1, "\n"));
    char **f = g_strsplit(line, " ", -1);
    g_free(line);
    return f;
}

/* A point whose runs broke an invariant says so on each of its rows (the
 * charts mark it): the runs with a violation and, per invariant, how many;
 * a clean point says 0 and "-".  bucketeer-branch lets two tabs in at 2
 * tabs with holds of a few ms (docs/algorithms.md). */
static void test_sweep_marks_violations(void **state)
{
    (void)state;
    char *path = write_temp("[scenario]\ntabs = 2\n[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-y\n"
                            "[workload]\nmode = lock\nlocks_per_tab = 10\nstart_ms_max = 10\n"
                            "interval_ms_max = 20\nhold_ms_min = 1\nhold_ms_max = 5\n");
    GError *error = NULL;
    sim_sweep *sw = sim_sweep_new(path, 3, 1, &error);
    assert_non_null(sw);
    assert_true(sim_sweep_add_axis(sw, "mutex.algorithm=bucketeer-branch,seed", &error));
    assert_true(sim_sweep_add_axis(sw, "scenario.tabs=2", &error));
    sim_sweep_output out;
    assert_true(sim_sweep_run(sw, pool, FALSE, &out, &error));
    char **bad = dat_fields(out.dat->str, "\nbucketeer-branch 2 lock_latency_ms ");
    char **good = dat_fields(out.dat->str, "\nseed 2 lock_latency_ms ");
    assert_int_equal(g_strv_length(bad), 15);
    assert_string_equal(bad[13], "3");
    assert_string_equal(bad[14], "mutual-exclusion:3");
    assert_string_equal(good[13], "0");
    assert_string_equal(good[14], "-");
    assert_non_null(strstr(out.report->str, "3 with a violation (mutual-exclusion:3)"));
    g_strfreev(bad);
    g_strfreev(good);
    sim_sweep_output_clear(&out);
    sim_sweep_free(sw);
    g_unlink(path);
    g_free(path);
}

static void test_sweep_bad_axis(void **state)
{
    (void)state;
    char *path = write_temp(lock_ini);
    GError *error = NULL;
    sim_sweep *sw = sim_sweep_new(path, 1, -1, &error);
    assert_non_null(sw);
    assert_false(sim_sweep_add_axis(sw, "scenario.tabz=1,2", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_KEY));
    assert_non_null(strstr(error->message, "scenario.tabs")); /* names what is allowed */
    g_clear_error(&error);
    assert_false(sim_sweep_add_axis(sw, "scenario.tabs=1,0", &error)); /* out of range */
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_VALUE));
    g_clear_error(&error);
    assert_false(sim_sweep_add_axis(sw, "tabs=1,2", &error));
    g_clear_error(&error);
    assert_false(sim_sweep_add_axis(sw, "scenario.tabs=1,,2", &error));
    g_clear_error(&error);
    /* An empty list would make a sweep of 0 points. */
    assert_false(sim_sweep_add_axis(sw, "scenario.tabs=", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_USAGE));
    assert_non_null(strstr(error->message, "--vary scenario.tabs=: no values after the ="));
    g_clear_error(&error);
    assert_false(sim_sweep_add_axis(sw, "scenario.name=a\nb", &error)); /* cannot be one field */
    g_clear_error(&error);
    assert_int_equal(sw->axes->len, 0);
    sim_sweep_free(sw);
    g_unlink(path);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_nearest_rank),
        cmocka_unit_test(test_summary_sorts_and_means),
        cmocka_unit_test(test_lock_samples_match_counters),
        cmocka_unit_test(test_stats_do_not_change_the_run),
        cmocka_unit_test(test_csv_row_shape),
        cmocka_unit_test(test_uncontended_cost),
        cmocka_unit_test(test_cost_declared_by_every_algorithm),
        cmocka_unit_test(test_sweep_deterministic),
        cmocka_unit_test(test_sweep_marks_violations),
        cmocka_unit_test(test_sweep_bad_axis),
    };
    return cmocka_run_group_tests(tests, pool_setup, pool_teardown);
}
