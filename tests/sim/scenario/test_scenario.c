/*
 * test_scenario.c - the scenario loader is strict, and says why.
 *
 * Goal: every key has its documented default; each class of bad input
 * (unknown group, unknown key, wrong type, out of range, bad enum, bad
 * invariant set, min > max, error_pct + timeout_pct > 100, text outside a
 * group, invalid UTF-8) is refused
 * with a SIM_ERROR whose message names the file, the group and the key and
 * says what is allowed; sim_scenario_set changes one key or nothing; the
 * dump and the hash are stable, the hash changes with a key that changes a
 * run and not with the name, description, [check] or [expect].
 * Method: scenarios given as text to sim_scenario_load_data (the path only
 * names them).  Files on disk (empty, missing, garbage) are
 * test_scenario_file.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/error.h"
#include "sim/scenario/scenario.h"

#define PATH "dir/bad.ini"

static sim_scenario *load(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    if (!s)
        fail_msg("scenario refused: %s\n--- text:\n%s", error->message, text);
    assert_null(error);
    return s;
}

/* Loads text that must be refused; checks the code (any when -1) and that
 * the message contains every one of the NULL-terminated strings. */
static void assert_refused(const char *text, int code, ...)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data(PATH, text, strlen(text), &error);
    if (s)
        fail_msg("scenario accepted, expected refusal:\n%s", text);
    assert_non_null(error);
    assert_true(error->domain == SIM_ERROR);
    if (code >= 0 && error->code != code)
        fail_msg("error code %d, expected %d: %s", error->code, code, error->message);
    if (!g_str_has_prefix(error->message, PATH ":"))
        fail_msg("message does not start with the file name: %s", error->message);
    va_list ap;
    va_start(ap, code);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *))
        if (!strstr(error->message, want))
            fail_msg("message lacks \"%s\": %s", want, error->message);
    va_end(ap);
    g_error_free(error);
}

/* The value of a key as scenario text. */
static void assert_key(const sim_scenario *s, const char *group, const char *key, const char *want)
{
    char *v = sim_scenario_get(s, group, key, NULL);
    assert_non_null(v);
    assert_string_equal(v, want);
    g_free(v);
}

static void test_defaults(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    assert_int_equal(s->tabs, 3);
    assert_key(s, "mutex", "algorithm", "seed");
    assert_int_equal(s->cross_tab_safety, 0); /* auto */
    assert_key(s, "seed", "timeout_ms", "5000");
    assert_key(s, "seed", "lock_check_interval_ms", "50");
    assert_key(s, "seed", "backoff_max_ms", "1000");
    assert_key(s, "seed", "retries_max", "100");
    assert_key(s, "lamport", "peers", "fixed");
    assert_key(s, "web-locks", "available", "true");
    assert_key(s, "browser-tabs-lock", "acquire_timeout_ms", "5000");
    assert_int_equal(s->storage_latency_us_min, 10);
    assert_int_equal(s->storage_latency_us_max, 100);
    assert_int_equal(s->quota_bytes, 5242880);
    assert_false(s->storage_unavailable);
    assert_key(s, "workload", "mode", "events");
    assert_int_equal(s->events_per_tab, 5);
    assert_int_equal(s->interval_ms_min, 0);
    assert_int_equal(s->interval_ms_max, 1000);
    assert_true(s->flush_enabled);
    assert_int_equal(s->flush_interval_ms, 10000);
    assert_int_equal(s->batch_max, 0);
    assert_true(s->send_under_lock);
    assert_int_equal(s->server_error_pct, 0);
    assert_int_equal(s->server_timeout_pct, 0);
    assert_int_equal(s->drain_ms, 30000);
    assert_int_equal(s->progress_bound_ms, 120000);
    assert_int_equal(s->runs, 200);
    assert_int_equal(s->seed, 1);
    assert_int_equal(s->expect_violations, 0);
    assert_false(s->expect_any);
    sim_scenario_free(s);
}

static void test_minimal_file_is_defaults(void **state)
{
    (void)state;
    sim_scenario *d = sim_scenario_new_default();
    sim_scenario *s = load("[scenario]\n");
    /* The name comes from the file name, without directory and extension. */
    assert_string_equal(s->name, "bad");
    assert_string_equal(s->path, PATH);
    assert_int_equal(sim_scenario_hash(s), sim_scenario_hash(d));
    assert_int_equal(s->hash, sim_scenario_hash(s));
    sim_scenario_free(s);
    sim_scenario_free(d);
}

static void test_values_parsed(void **state)
{
    (void)state;
    sim_scenario *s = load("# a comment\n"
                           "[scenario]\nname = mine\ndescription = two words\ntabs = 64\n"
                           "[mutex]\nalgorithm = seed\n[seed]\nunlock = clear-both\nbackoff = constant\n"
                           "[storage]\nlatency_us_min = 7\nlatency_us_max = 7\nunavailable = true\n"
                           "[workload]\nevents_per_tab = 9\n"
                           "[flush]\nenabled = false\n"
                           "[server]\nerror_pct = 40\ntimeout_pct = 60\n"
                           "[expect]\nviolation = mutual-exclusion, progress\n");
    assert_string_equal(s->name, "mine");
    assert_string_equal(s->description, "two words");
    assert_int_equal(s->tabs, 64);
    assert_key(s, "mutex", "algorithm", "seed");
    assert_key(s, "seed", "unlock", "clear-both");
    assert_key(s, "seed", "backoff", "constant");
    assert_int_equal(s->storage_latency_us_min, 7);
    assert_true(s->storage_unavailable);
    assert_key(s, "workload", "mode", "events");
    assert_int_equal(s->events_per_tab, 9);
    assert_false(s->flush_enabled);
    assert_int_equal(s->server_error_pct + s->server_timeout_pct, 100);
    assert_int_equal(s->expect_violations, SIM_INV_MUTUAL_EXCLUSION | SIM_INV_PROGRESS);
    assert_false(s->expect_any);
    sim_scenario_free(s);

    s = load("[workload]\nmode = lock\nhold_ms_min = 1\nhold_ms_max = 9\n");
    assert_key(s, "workload", "mode", "lock");
    assert_int_equal(s->hold_ms_max, 9);
    sim_scenario_free(s);

    s = load("[expect]\nviolation = any\n");
    assert_true(s->expect_any);
    sim_scenario_free(s);
    s = load("[expect]\nviolation = none\n");
    assert_false(s->expect_any);
    assert_int_equal(s->expect_violations, 0);
    sim_scenario_free(s);
}

static void test_unknown_group(void **state)
{
    (void)state;
    assert_refused("[scenario]\ntabs = 2\n[mutexes]\nalgorithm = none\n", SIM_ERROR_GROUP, "[mutexes]",
                   "unknown group", "allowed", "mutex", "storage", "expect", NULL);
}

static void test_unknown_key(void **state)
{
    (void)state;
    assert_refused("[mutex]\ntimeout = 5\n", SIM_ERROR_KEY, "[mutex] timeout", "unknown key", "allowed",
                   "algorithm", "cross_tab_safety", NULL);
    /* A key of another group is unknown in this one. */
    assert_refused("[storage]\ntabs = 2\n", SIM_ERROR_KEY, "[storage] tabs", "allowed", "quota_bytes", NULL);
}

static void test_wrong_type(void **state)
{
    (void)state;
    assert_refused("[scenario]\ntabs = three\n", SIM_ERROR_VALUE, "[scenario] tabs", "three", "integer",
                   "allowed", "1 to 64", NULL);
    assert_refused("[scenario]\ntabs = 3.5\n", SIM_ERROR_VALUE, "[scenario] tabs", "3.5", "1 to 64", NULL);
    assert_refused("[scenario]\ntabs = 3 tabs\n", SIM_ERROR_VALUE, "[scenario] tabs", "allowed", NULL);
    assert_refused("[scenario]\ntabs =\n", SIM_ERROR_VALUE, "[scenario] tabs", "allowed", NULL);
    assert_refused("[flush]\nenabled = yes\n", SIM_ERROR_VALUE, "[flush] enabled", "yes", "allowed",
                   "true or false", NULL);
    assert_refused("[run]\nsteps_max = 99999999999999999999999\n", SIM_ERROR_VALUE, "[run] steps_max",
                   "allowed", NULL);
}

static void test_out_of_range(void **state)
{
    (void)state;
    assert_refused("[scenario]\ntabs = 0\n", SIM_ERROR_VALUE, "[scenario] tabs", "\"0\"", "out of range",
                   "allowed", "an integer from 1 to 64", NULL);
    assert_refused("[scenario]\ntabs = 65\n", SIM_ERROR_VALUE, "[scenario] tabs", "65", "1 to 64", NULL);
    assert_refused("[server]\nerror_pct = 101\n", SIM_ERROR_VALUE, "[server] error_pct", "0 to 100", NULL);
    assert_refused("[workload]\ninterval_ms_min = -1\n", SIM_ERROR_VALUE, "[workload] interval_ms_min",
                   "allowed", NULL);
    /* The bounds themselves are accepted. */
    sim_scenario *s = load("[scenario]\ntabs = 1\n[server]\nerror_pct = 100\n");
    sim_scenario_free(s);
}

static void test_bad_enum(void **state)
{
    (void)state;
    assert_refused("[mutex]\nalgorithm = no-such-mutex\n", SIM_ERROR_VALUE, "[mutex] algorithm", "no-such-mutex",
                   "allowed", "one of none, seed", NULL);
    assert_refused("[seed]\nunlock = clear_x\n", SIM_ERROR_VALUE, "[seed] unlock", "clear-x, clear-y, clear-both",
                   NULL);
    /* Case matters: values are written as documented. */
    assert_refused("[workload]\nmode = Lock\n", SIM_ERROR_VALUE, "[workload] mode", "events, lock", NULL);
}

static void test_bad_invariant_set(void **state)
{
    (void)state;
    assert_refused("[expect]\nviolation = lost\n", SIM_ERROR_VALUE, "[expect] violation", "lost", "allowed",
                   "mutual-exclusion, lost-event, duplicate, progress", NULL);
    assert_refused("[expect]\nviolation = lost-event,,duplicate\n", SIM_ERROR_VALUE, "[expect] violation",
                   "empty", NULL);
    assert_refused("[expect]\nviolation = any,lost-event\n", SIM_ERROR_VALUE, "[expect] violation", NULL);
}

static void test_min_greater_than_max(void **state)
{
    (void)state;
    assert_refused("[storage]\nlatency_us_min = 10\nlatency_us_max = 5\n", SIM_ERROR_CONFLICT,
                   "[storage] latency_us_min", "latency_us_max", "allowed", "latency_us_min <= latency_us_max",
                   NULL);
    /* Against a default: interval_ms_max defaults to 1000. */
    assert_refused("[workload]\ninterval_ms_min = 2000\n", SIM_ERROR_CONFLICT, "[workload] interval_ms_min",
                   "interval_ms_max", NULL);
    assert_refused("[workload]\nmode = lock\nhold_ms_min = 3\n", SIM_ERROR_CONFLICT, "[workload] hold_ms_min", "hold_ms_max",
                   NULL);
    assert_refused("[server]\nlatency_ms_min = 301\n", SIM_ERROR_CONFLICT, "[server] latency_ms_min",
                   "latency_ms_max", NULL);
}

static void test_percentages_over_100(void **state)
{
    (void)state;
    assert_refused("[server]\nerror_pct = 60\ntimeout_pct = 41\n", SIM_ERROR_CONFLICT, "[server]", "timeout_pct",
                   "error_pct", "101", "allowed", "at most 100", NULL);
}

static void test_not_an_ini(void **state)
{
    (void)state;
    /* A key before any group. */
    assert_refused("tabs = 3\n", SIM_ERROR_FILE, "not a scenario file", "INI", NULL);
    /* Binary garbage. */
    static const char garbage[] = "\x7f" "ELF\x02\x01\x01\x00\x00\xff\xfe\x80\n\x01\x02";
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load_data(PATH, garbage, sizeof garbage - 1, &error);
    assert_null(s);
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_FILE));
    assert_true(g_str_has_prefix(error->message, PATH ":"));
    assert_non_null(strstr(error->message, "INI"));
    g_error_free(error);
}

static void test_invalid_utf8_value(void **state)
{
    (void)state;
    /* Refused as a whole file or as the one value; either way it names
     * the file (assert_refused checks the prefix) and says what is wrong. */
    const char *text = "[scenario]\ndescription = caf\xe9\n";
    GError *error = NULL;
    assert_null(sim_scenario_load_data(PATH, text, strlen(text), &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_FILE) || g_error_matches(error, SIM_ERROR, SIM_ERROR_VALUE));
    if (error->code == SIM_ERROR_VALUE)
        assert_non_null(strstr(error->message, "[scenario] description"));
    else
        assert_non_null(strstr(error->message, "UTF-8"));
    g_error_free(error);
    assert_refused(text, -1, NULL);
}

/* --- set, dump, hash ------------------------------------------------------ */

static void test_set(void **state)
{
    (void)state;
    sim_scenario *s = sim_scenario_new_default();
    GError *error = NULL;
    uint32_t before = s->hash;
    assert_int_equal(s->hash, sim_scenario_hash(s));
    assert_true(sim_scenario_set(s, "seed", "timeout_ms", "250", &error));
    assert_key(s, "seed", "timeout_ms", "250");
    /* The cached hash follows the change. */
    assert_int_equal(s->hash, sim_scenario_hash(s));
    assert_true(s->hash != before);
    assert_true(sim_scenario_set(s, "mutex", "algorithm", "none", &error));
    assert_key(s, "mutex", "algorithm", "none");
    assert_true(sim_scenario_set(s, "expect", "violation", "progress", &error));
    assert_int_equal(s->expect_violations, SIM_INV_PROGRESS);
    assert_null(error);

    assert_false(sim_scenario_set(s, "mutex", "timeout", "250", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_KEY));
    assert_non_null(strstr(error->message, "[mutex] timeout"));
    g_clear_error(&error);
    assert_false(sim_scenario_set(s, "nogroup", "tabs", "2", &error));
    assert_non_null(error);
    assert_non_null(strstr(error->message, "nogroup"));
    g_clear_error(&error);
    assert_false(sim_scenario_set(s, "scenario", "tabs", "100", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_VALUE));
    assert_non_null(strstr(error->message, "1 to 64"));
    g_clear_error(&error);
    sim_scenario_free(s);
}

/* STYLE rule 5: a function that fails leaves no half-done side effect.
 * Every refused set must leave the whole scenario as it was. */
static void test_set_failure_changes_nothing(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {"scenario", "tabs", "0"},         {"scenario", "tabs", "x"},
        {"mutex", "algorithm", "bogus"},   {"flush", "enabled", "maybe"},
        {"expect", "violation", "bogus"},  {"expect", "violation", "lost-event,bogus"},
        {"expect", "violation", "duplicate,"},
    };
    sim_scenario *s = load("[seed]\ntimeout_ms = 777\n[expect]\nviolation = mutual-exclusion\n");
    char *before = sim_scenario_dump(s);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        assert_false(sim_scenario_set(s, bad[i][0], bad[i][1], bad[i][2], &error));
        assert_non_null(error);
        g_error_free(error);
        char *after = sim_scenario_dump(s);
        if (strcmp(before, after) != 0) {
            /* Name the first line that changed. */
            char **b = g_strsplit(before, "\n", -1), **a = g_strsplit(after, "\n", -1);
            int k = 0;
            while (b[k] && a[k] && strcmp(b[k], a[k]) == 0)
                k++;
            fail_msg("refused set [%s] %s = %s changed the scenario: \"%s\" became \"%s\"", bad[i][0],
                     bad[i][1], bad[i][2], b[k] ? b[k] : "", a[k] ? a[k] : "");
        }
        g_free(after);
    }
    g_free(before);
    sim_scenario_free(s);
}

/* Keys mean one thing (issue 11): each algorithm's settings live in its
 * own group, a group of an algorithm the scenario does not run is refused,
 * an old flat [mutex] key says where it went, and a key tuning a model or
 * fault the scenario does not use is refused. */
static void test_keys_mean_one_thing(void **state)
{
    (void)state;
    assert_refused("[mutex]\nalgorithm = seed\n[web-locks]\nrequest = steal\n", SIM_ERROR_CONFLICT,
                   "[web-locks]", "settings of algorithm web-locks", "[mutex] algorithm = seed", NULL);
    assert_refused("[lamport]\nretries_max = 3\n", SIM_ERROR_CONFLICT, "[lamport]", "algorithm = seed", NULL);
    assert_refused("[mutex]\nalgorithm = lamport\ntimeout_ms = 5\n", SIM_ERROR_KEY, "[mutex] timeout_ms",
                   "[seed] timeout_ms", "[browser-tabs-lock] acquire_timeout_ms", NULL);
    assert_refused("[scenario]\ntabs = 2\n[faults]\nbackground_tabs = 8\n", SIM_ERROR_CONFLICT,
                   "[faults] background_tabs", "more than the 2 tabs", NULL);
    assert_refused("[faults]\nfreeze_ms_max = 10\n", SIM_ERROR_CONFLICT, "[faults] freeze_ms_max",
                   "tab_freeze_max > 0", NULL);
    /* Keys of the other program: the lock alone has no flush and no sends. */
    assert_refused("[workload]\nmode = lock\n[flush]\ninterval_ms = 5\n", SIM_ERROR_CONFLICT, "[flush] interval_ms",
                   "used only by [workload] mode = events", NULL);
    assert_refused("[workload]\nmode = lock\n[faults]\nserver_fault_max = 1\n", SIM_ERROR_CONFLICT,
                   "[faults] server_fault_max", "mode = events", NULL);
    assert_refused("[workload]\nhold_ms_max = 5\n", SIM_ERROR_CONFLICT, "[workload] hold_ms_max",
                   "used only by [workload] mode = lock", NULL);
    /* The lock-only program stores no events: it never judges them. */
    assert_refused("[workload]\nmode = lock\n[expect]\nviolation = lost-event\n", SIM_ERROR_CONFLICT,
                   "[expect] violation", "lost-event", "mode = lock never judges", "invariants it judges (mutual-exclusion,progress)", NULL);
    assert_refused("[storage]\ndelivery_us_max = 10\n", SIM_ERROR_CONFLICT, "[storage] delivery_us_max",
                   "model = cached or snapshot", NULL);
    /* A flush count needs flushes, and the lock alone has none. */
    assert_refused("[flush]\nenabled = false\ncount = 1\n", SIM_ERROR_CONFLICT, "[flush] count",
                   "has no effect", "[flush] enabled = true", NULL);
    assert_refused("[workload]\nmode = lock\n[flush]\ncount = 1\n", SIM_ERROR_CONFLICT, "[flush] count",
                   "used only by [workload] mode = events", NULL);
    /* web-locks falls back to seed: [seed] applies too. */
    sim_scenario *s = load("[mutex]\nalgorithm = web-locks\n[web-locks]\navailable = false\n[seed]\nunlock = clear-y\n");
    assert_key(s, "seed", "unlock", "clear-y");
    assert_false(sim_scenario_web_locks_available(s));
    char *v = sim_scenario_setting_text(s, "unlock");
    assert_string_equal(v, "clear-y");
    g_free(v);
    sim_scenario_free(s);
    s = load("[mutex]\nalgorithm = lamport\n[lamport]\npeers = prefix\n[storage]\nmodel = cached\n"
             "delivery_us_max = 10\n[faults]\ntab_freeze_max = 1\nfreeze_ms_max = 2000\n");
    assert_key(s, "lamport", "peers", "prefix");
    sim_scenario_free(s);
}

/* Replay tokens published before the settings moved stay valid: the hash
 * folds them under their old [mutex] names (scenario_hash.c).  The values
 * are the hashes the flat keys gave (recorded from 114f010). */
static void test_hash_stable_across_groups(void **state)
{
    (void)state;
    sim_scenario *d = sim_scenario_new_default();
    sim_scenario *s = load("[mutex]\nalgorithm = seed\n[seed]\nretries_max = 100\n");
    assert_int_equal(sim_scenario_hash(s), sim_scenario_hash(d)); /* a default written out changes nothing */
    sim_scenario_free(s);
    /* [flush] count at its default (the periodic flush) keeps the hash of
     * files written before the key existed; any count changes it. */
    s = load("[flush]\ncount = 0\n");
    assert_int_equal(sim_scenario_hash(s), sim_scenario_hash(d));
    assert_int_equal(sim_scenario_hash(d), 0x7950ab7d); /* main before the key (05d67bb) */
    sim_scenario_free(s);
    s = load("[flush]\ncount = 1\n");
    assert_int_not_equal(sim_scenario_hash(s), sim_scenario_hash(d));
    sim_scenario_free(s);
    s = load("[mutex]\nalgorithm = lamport\n[lamport]\nretries_max = 7\n");
    sim_scenario *t = load("[mutex]\nalgorithm = lamport\n");
    assert_int_not_equal(sim_scenario_hash(s), sim_scenario_hash(t));
    sim_scenario_free(s);
    sim_scenario_free(t);
    sim_scenario_free(d);
}

static void test_dump(void **state)
{
    (void)state;
    sim_scenario *s = load("[seed]\ntimeout_ms = 1234\nunlock = clear-y\n[expect]\nviolation = lost-event\n");
    char *d1 = sim_scenario_dump(s);
    char *d2 = sim_scenario_dump(s);
    assert_string_equal(d1, d2);
    assert_non_null(strstr(d1, "seed.timeout_ms = 1234\n"));
    assert_non_null(strstr(d1, "seed.unlock = clear-y\n"));
    assert_non_null(strstr(d1, "expect.violation = lost-event\n"));
    assert_non_null(strstr(d1, "scenario.tabs = 3\n"));
    assert_non_null(strstr(d1, "flush.enabled = true\n"));
    assert_non_null(strstr(d1, "scenario.name = bad\n"));

    /* The dump is complete: setting every line on a fresh default scenario
     * reproduces it exactly. */
    sim_scenario *copy = sim_scenario_new_default();
    char **lines = g_strsplit(d1, "\n", -1);
    int n = 0;
    for (char **l = lines; *l && **l; l++, n++) {
        char *dot = strchr(*l, '.');
        char *eq = strstr(*l, " = ");
        assert_non_null(dot);
        assert_non_null(eq);
        char *group = g_strndup(*l, (gsize)(dot - *l));
        char *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
        GError *error = NULL;
        if (!sim_scenario_set(copy, group, key, eq + 3, &error))
            fail_msg("dump line \"%s\" does not load back: %s", *l, error->message);
        g_free(group);
        g_free(key);
    }
    g_strfreev(lines);
    assert_true(n > 30);
    char *d3 = sim_scenario_dump(copy);
    assert_string_equal(d1, d3);
    assert_int_equal(sim_scenario_hash(copy), sim_scenario_hash(s));
    g_free(d3);
    sim_scenario_free(copy);
    g_free(d1);
    g_free(d2);
    sim_scenario_free(s);
}

static void test_hash(void **state)
{
    (void)state;
    const char *base = "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n";
    sim_scenario *a = load(base), *b = load(base);
    uint32_t h = sim_scenario_hash(a);
    assert_int_equal(h, sim_scenario_hash(b));
    assert_int_equal(h, sim_scenario_hash(a));
    sim_scenario_free(b);

    /* Not changed by what does not change a run. */
    static const char *const same[] = {
        "[scenario]\nname = other\ntabs = 2\n[seed]\ntimeout_ms = 500\n",
        "[scenario]\ndescription = words\ntabs = 2\n[seed]\ntimeout_ms = 500\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[check]\nruns = 7\nseed = 99\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[expect]\nviolation = lost-event\n",
        "# comment\n[seed]\ntimeout_ms = 500\n\n[scenario]\ntabs = 2\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(same); i++) {
        sim_scenario *s = load(same[i]);
        if (sim_scenario_hash(s) != h)
            fail_msg("hash changed by a key that does not change a run:\n%s", same[i]);
        sim_scenario_free(s);
    }
    /* Changed by each key that changes a run. */
    static const char *const differ[] = {
        "[scenario]\ntabs = 3\n[seed]\ntimeout_ms = 500\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 501\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\nunlock = clear-y\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[storage]\nlatency_us_max = 101\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[flush]\nenabled = false\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[run]\ndrain_ms = 1\n",
        "[scenario]\ntabs = 2\n[seed]\ntimeout_ms = 500\n[server]\nerror_pct = 1\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(differ); i++) {
        sim_scenario *s = load(differ[i]);
        if (sim_scenario_hash(s) == h)
            fail_msg("hash not changed by a key that changes a run:\n%s", differ[i]);
        sim_scenario_free(s);
    }
    sim_scenario_free(a);
}

static void test_invariant_names(void **state)
{
    (void)state;
    assert_string_equal(sim_invariant_name(SIM_INV_MUTUAL_EXCLUSION), "mutual-exclusion");
    assert_string_equal(sim_invariant_name(SIM_INV_LOST_EVENT), "lost-event");
    assert_string_equal(sim_invariant_name(SIM_INV_DUPLICATE), "duplicate");
    assert_string_equal(sim_invariant_name(SIM_INV_PROGRESS), "progress");
    char *t = sim_invariant_set_text(0);
    assert_string_equal(t, "none");
    g_free(t);
    t = sim_invariant_set_text(SIM_INV_PROGRESS | SIM_INV_MUTUAL_EXCLUSION);
    assert_string_equal(t, "mutual-exclusion,progress");
    g_free(t);
    /* The set text loads back as the same set. */
    t = sim_invariant_set_text(SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE);
    char *text = g_strdup_printf("[expect]\nviolation = %s\n", t);
    sim_scenario *s = load(text);
    assert_int_equal(s->expect_violations, SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE);
    sim_scenario_free(s);
    g_free(text);
    g_free(t);
}

static void test_reference(void **state)
{
    (void)state;
    char *md = sim_scenario_reference_markdown();
    static const char *const groups[] = {"scenario", "mutex", "seed", "lamport", "web-locks", "bucketeer-branch",
                                         "browser-tabs-lock", "storage", "workload", "flush", "server", "run",
                                         "check", "expect"};
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
        char *h = g_strdup_printf("## [%s]", groups[i]);
        if (!strstr(md, h))
            fail_msg("reference lacks %s", h);
        g_free(h);
    }
    /* Every key of the dump has a row. */
    sim_scenario *s = sim_scenario_new_default();
    char *dump = sim_scenario_dump(s);
    char **lines = g_strsplit(dump, "\n", -1);
    for (char **l = lines; *l && **l; l++) {
        char *dot = strchr(*l, '.');
        char *eq = strstr(*l, " = ");
        char *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
        char *row = g_strdup_printf("| `%s` |", key);
        if (!strstr(md, row))
            fail_msg("reference lacks a row for %s", key);
        g_free(row);
        g_free(key);
    }
    g_strfreev(lines);
    g_free(dump);
    sim_scenario_free(s);
    g_free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_minimal_file_is_defaults),
        cmocka_unit_test(test_values_parsed),
        cmocka_unit_test(test_unknown_group),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_bad_enum),
        cmocka_unit_test(test_bad_invariant_set),
        cmocka_unit_test(test_min_greater_than_max),
        cmocka_unit_test(test_percentages_over_100),
        cmocka_unit_test(test_not_an_ini),
        cmocka_unit_test(test_invalid_utf8_value),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_set_failure_changes_nothing),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_keys_mean_one_thing),
        cmocka_unit_test(test_hash_stable_across_groups),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_invariant_names),
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
