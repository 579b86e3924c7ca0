/*
 * sweep.c - grids of scenario variants and the uncontended cost check; see
 * sim/stats/sweep.h for the model and docs/statistics.md for the data file.
 *
 * Invariants:
 *  - each point is rebuilt from the scenario text read once at the start,
 *    with its values applied in axis order, so no point sees another's
 *    settings and a file edited during the sweep changes nothing;
 *  - every output line is a function of (text, axes, runs, seed): points in
 *    grid order, statistics in sim_stat_id order, distinct costs in order
 *    of first appearance (a hash set is only asked "seen?");
 *  - every point is built and checked before any run, so bad input fails
 *    before time is spent;
 *  - a run that reaches the history bound (sim/world/stop.h) fails the
 *    sweep: statistics of a run cut short would be silently different.
 */
#include "sim/stats/sweep.h"
#include "sim/programs/algorithms.h"
#include "sim/stats/bootstrap.h"
#include "sim/scenario/scenario_keys.h"

#include <string.h>

#include "sim/error.h"
#include "sim/input.h"
#include "sim/explore/run.h"
#include "sim/js/js_host.h"

sim_sweep *sim_sweep_new(const char *path, gint64 runs, gint64 seed, GError **error)
{
    sim_scenario *s = sim_scenario_load(path, error);
    if (!s)
        return NULL;
    sim_sweep *sw = g_new0(sim_sweep, 1);
    sw->path = g_strdup(path);
    if (!sim_input_read(path, "scenario file", "a scenario .ini file", SIM_INPUT_SCENARIO_BYTES_MAX, &sw->text,
                        &sw->text_len, error)) {
        sim_scenario_free(s);
        sim_sweep_free(sw);
        return NULL;
    }
    sw->axes = g_ptr_array_new();
    sw->runs = runs > 0 ? runs : s->runs; /* 0: the scenario's [check] runs */
    runs = sw->runs;
    sw->seed = seed >= 0 ? (uint64_t)seed : (uint64_t)s->seed;
    sim_scenario_free(s);
    /* A point's runs have seeds seed .. seed + runs - 1, each printed. */
    char *why = sim_scenario_seeds_refused(sw->seed, runs, seed >= 0 ? "--seed" : "[check] seed", "runs a point");
    if (why) {
        g_set_error_literal(error, SIM_ERROR, SIM_ERROR_USAGE, why);
        g_free(why);
        sim_sweep_free(sw);
        return NULL;
    }
    return sw;
}

static void axis_free(sim_sweep_axis *a)
{
    g_free(a->group);
    g_free(a->key);
    g_strfreev(a->values);
    g_free(a);
}

void sim_sweep_free(sim_sweep *sw)
{
    if (!sw)
        return;
    if (sw->axes) {
        for (guint i = 0; i < sw->axes->len; i++)
            axis_free(sw->axes->pdata[i]);
        g_ptr_array_free(sw->axes, TRUE);
    }
    g_free(sw->path);
    g_free(sw->text);
    g_free(sw->command);
    g_free(sw);
}

static sim_scenario *scenario_fresh(const sim_sweep *sw, GError **error)
{
    return sim_scenario_load_data(sw->path, sw->text, sw->text_len, error);
}

/* "allowed: scenario.name, scenario.tabs, ..." from the canonical dump, so
 * the list is the loader's own key table. */
static char *keys_allowed(const sim_scenario *s, const char *group)
{
    char *dump = sim_scenario_dump(s);
    char **lines = g_strsplit(dump, "\n", -1);
    GString *in_group = g_string_new(NULL), *all = g_string_new(NULL);
    char *prefix = g_strconcat(group, ".", NULL);
    for (int i = 0; lines[i] && *lines[i]; i++) {
        char *sp = strchr(lines[i], ' ');
        if (sp)
            *sp = '\0';
        g_string_append_printf(all, "%s%s", all->len ? ", " : "", lines[i]);
        if (g_str_has_prefix(lines[i], prefix))
            g_string_append_printf(in_group, "%s%s", in_group->len ? ", " : "", lines[i]);
    }
    char *text = g_strdup(in_group->len ? in_group->str : all->str);
    g_free(prefix);
    g_string_free(in_group, TRUE);
    g_string_free(all, TRUE);
    g_strfreev(lines);
    g_free(dump);
    return text;
}

static gboolean spec_error(GError **error, const char *spec, const char *why)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                "--vary %s: %s; expected GROUP.KEY=V1,V2,... (for example scenario.tabs=1,2,4,8)", spec, why);
    return FALSE;
}

/* Applies one value to s; errors say which --vary and what is allowed. */
static gboolean axis_apply(sim_scenario *s, const sim_sweep_axis *a, const char *value, const char *spec,
                           GError **error)
{
    GError *e = NULL;
    if (sim_scenario_set(s, a->group, a->key, value, &e))
        return TRUE;
    if (g_error_matches(e, SIM_ERROR, SIM_ERROR_KEY)) {
        char *allowed = keys_allowed(s, a->group);
        g_set_error(error, SIM_ERROR, SIM_ERROR_KEY, "--vary %s: unknown key %s.%s; allowed: %s", spec, a->group,
                    a->key, allowed);
        g_free(allowed);
    } else {
        g_set_error(error, SIM_ERROR, e->code, "--vary %s: %s", spec, e->message);
    }
    g_error_free(e);
    return FALSE;
}

/* A value the data file cannot hold as one field of one line. */
static gboolean value_unfit(const char *value)
{
    for (const char *c = value; *c; c++)
        if ((guchar)*c <= ' ' || *c == 0x7f || *c == '"' || *c == '#')
            return TRUE;
    return FALSE;
}

gboolean sim_sweep_add_axis(sim_sweep *sw, const char *spec, GError **error)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return spec_error(error, spec, "no KEY=VALUES");
    char *name = g_strndup(spec, (gsize)(eq - spec));
    char *dot = strchr(name, '.');
    if (!dot || dot == name || !dot[1]) {
        g_free(name);
        return spec_error(error, spec, "the key must be GROUP.KEY");
    }
    sim_sweep_axis *a = g_new0(sim_sweep_axis, 1);
    a->group = g_strndup(name, (gsize)(dot - name));
    a->key = g_strdup(dot + 1);
    g_free(name);
    a->values = g_strsplit(eq + 1, ",", -1);
    a->n = g_strv_length(a->values);
    /* g_strsplit("") is no values at all: a sweep of 0 points, not an error. */
    gboolean ok = a->n > 0 || spec_error(error, spec, "no values after the =");
    for (guint i = 0; ok && i < sw->axes->len; i++) {
        const sim_sweep_axis *b = sw->axes->pdata[i];
        if (strcmp(b->group, a->group) == 0 && strcmp(b->key, a->key) == 0)
            ok = spec_error(error, spec, "this key is already varied by an earlier --vary");
    }
    sim_scenario *s = ok ? scenario_fresh(sw, error) : NULL;
    ok = ok && s;
    for (guint i = 0; ok && i < a->n; i++) {
        g_strstrip(a->values[i]);
        if (!*a->values[i])
            ok = spec_error(error, spec, "a value is empty");
        else if (value_unfit(a->values[i]))
            ok = spec_error(error, spec, "a value contains a space, quote, # or control character, which the data "
                                         "file cannot hold");
        else
            ok = axis_apply(s, a, a->values[i], spec, error);
    }
    sim_scenario_free(s);
    if (!ok) {
        axis_free(a);
        return FALSE;
    }
    g_ptr_array_add(sw->axes, a);
    return TRUE;
}

guint sim_sweep_points(const sim_sweep *sw)
{
    guint64 n = 1;
    for (guint i = 0; i < sw->axes->len; i++) {
        n *= ((const sim_sweep_axis *)sw->axes->pdata[i])->n;
        if (n > SIM_SWEEP_POINTS_MAX)
            return SIM_SWEEP_POINTS_MAX + 1;
    }
    return (guint)n;
}

/* Value index of each axis at point p (first axis outermost). */
static void point_digits(const sim_sweep *sw, guint p, guint *digits)
{
    for (guint i = sw->axes->len; i-- > 0;) {
        const sim_sweep_axis *a = sw->axes->pdata[i];
        digits[i] = p % a->n;
        p /= a->n;
    }
}

static char *point_label(const sim_sweep *sw, const guint *digits, const char *sep);

/* The rules of a file for the keys the sweep varies: each must have an
 * effect at the point (a freeze duration needs freezes, [lamport] keys
 * the Lamport algorithm), as in a file, and the point's keys must agree
 * (background tabs no more than tabs).  The file's own keys passed the
 * loader; those another axis makes unused (a [seed] group when the
 * algorithm is varied) are the file's, not the point's. */
static gboolean axes_used(const sim_sweep *sw, const sim_scenario *s, GError **error)
{
    GKeyFile *kf = g_key_file_new();
    const char **groups = g_new0(const char *, sw->axes->len + 1);
    for (guint i = 0; i < sw->axes->len; i++) {
        const sim_sweep_axis *a = sw->axes->pdata[i];
        g_key_file_set_value(kf, a->group, a->key, "-");
        groups[i] = a->group;
    }
    gboolean ok = sim_scenario_groups_used(s, groups, error) && sim_scenario_keys_used(s, kf, error);
    g_free(groups);
    g_key_file_free(kf);
    return ok;
}

static sim_scenario *point_scenario(const sim_sweep *sw, const guint *digits, GError **error)
{
    sim_scenario *s = scenario_fresh(sw, error);
    for (guint i = 0; s && i < sw->axes->len; i++) {
        const sim_sweep_axis *a = sw->axes->pdata[i];
        char *spec = g_strdup_printf("%s.%s=%s", a->group, a->key, a->values[digits[i]]);
        gboolean ok = axis_apply(s, a, a->values[digits[i]], spec, error);
        g_free(spec);
        if (!ok) {
            sim_scenario_free(s);
            s = NULL;
        }
    }
    GError *e = NULL;
    if (s && (!sim_scenario_check(s, &e) || !axes_used(sw, s, &e))) {
        char *label = point_label(sw, digits, " ");
        g_set_error(error, SIM_ERROR, e->code, "the point %s of the sweep is not a valid scenario: %s", label,
                    e->message);
        g_free(label);
        g_error_free(e);
        sim_scenario_free(s);
        s = NULL;
    }
    return s;
}

/* "scenario.tabs=4;mutex.algorithm=seed" (or "-" with no axes). */
static char *point_label(const sim_sweep *sw, const guint *digits, const char *sep)
{
    GString *l = g_string_new(NULL);
    for (guint i = 0; i < sw->axes->len; i++) {
        const sim_sweep_axis *a = sw->axes->pdata[i];
        g_string_append_printf(l, "%s%s.%s=%s", i ? sep : "", a->group, a->key, a->values[digits[i]]);
    }
    if (l->len == 0)
        g_string_append_c(l, '-');
    return g_string_free(l, FALSE);
}

/* ---- uncontended cost ------------------------------------------------- */

void sim_cost_measure(sim_scenario *s, sim_stack_pool *pool, uint64_t seed, sim_cost_measured *out)
{
    static const char *const variant[][3] = {
        {"scenario", "tabs", "1"},           {"workload", "mode", "lock"},
        {"workload", "locks_per_tab", "1"},  {"workload", "hold_ms_min", "0"},
        {"workload", "hold_ms_max", "0"},    {"workload", "interval_ms_min", "0"},
        {"workload", "interval_ms_max", "0"}};
    for (size_t i = 0; i < G_N_ELEMENTS(variant); i++) {
        gboolean ok = sim_scenario_set(s, variant[i][0], variant[i][1], variant[i][2], NULL);
        g_assert(ok); /* constant, valid values */
    }
    memset(out, 0, sizeof *out);
    sim_stats *st = sim_stats_new();
    sim_run_spec spec = {.seed = seed, .tail = SIM_TAIL_RANDOM, .stats = st};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    sim_run_clear(&run);
    for (guint i = 0; i < st->samples->len; i++) {
        const sim_sample *x = &g_array_index(st->samples, sim_sample, i);
        if (x->kind == SIM_SAMPLE_LOCK_REQUEST && x->outcome == SIM_OUTCOME_GRANTED && !out->granted) {
            out->granted = TRUE;
            out->acquire_ops = (int)x->storage_ops;
        } else if (x->kind == SIM_SAMPLE_LOCK_RELEASE && !out->released) {
            out->released = TRUE;
            out->release_ops = (int)x->storage_ops;
        }
    }
    sim_stats_free(st);
}

/* "seed (unlock clear-x)" or "none": whose declared cost a line checks. */
static char *cost_subject(const sim_scenario *s)
{
    sim_cost c;
    sim_cost_expected(s, &c);
    const char *alg = sim_scenario_algorithm(s)->name;
    return c.variant ? g_strdup_printf("%s (%s)", alg, c.variant) : g_strdup(alg);
}

/* Every algorithm declares its cost (xt_mutex_algorithm.cost), so a
 * measured cost is always compared with a declared one. */
char *sim_cost_text(const sim_scenario *s, const sim_cost_measured *m, gboolean *matches)
{
    sim_cost c;
    sim_cost_expected(s, &c);
    GString *t = g_string_new(NULL);
    if (c.acquire_ops < 0) {
        /* Not declared (a JavaScript module's): measured, not judged. */
        g_string_printf(t, "acquire %d ops, release %d ops (not declared: %s)", m->acquire_ops, m->release_ops,
                        c.definition);
        *matches = TRUE;
        return g_string_free(t, FALSE);
    }
    if (m->granted)
        g_string_append_printf(t, "acquire %d ops", m->acquire_ops);
    else
        g_string_append(t, "acquire not granted");
    g_string_append_printf(t, " (expected %d)", c.acquire_ops);
    if (m->released)
        g_string_append_printf(t, ", release %d ops", m->release_ops);
    else
        g_string_append(t, ", no release");
    g_string_append_printf(t, " (expected %d)", c.release_ops);
    *matches = m->granted && m->released && m->acquire_ops == c.acquire_ops && m->release_ops == c.release_ops;
    return g_string_free(t, FALSE);
}

/* One cost line per distinct subject, in order of first appearance. */
static void sweep_costs(const sim_sweep *sw, sim_stack_pool *pool, guint n_points, sim_sweep_output *out)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint *digits = g_new0(guint, sw->axes->len + 1);
    g_string_append(out->dat, "# uncontended cost (one tab, one acquisition; storage calls):\n");
    for (guint p = 0; p < n_points; p++) {
        point_digits(sw, p, digits);
        sim_scenario *s = point_scenario(sw, digits, NULL);
        g_assert(s); /* checked before */
        char *subject = cost_subject(s);
        if (g_hash_table_contains(seen, subject)) {
            g_free(subject);
            sim_scenario_free(s);
            continue;
        }
        g_hash_table_add(seen, subject);
        sim_cost_measured m;
        sim_cost_measure(s, pool, sw->seed, &m);
        gboolean ok = FALSE;
        char *text = sim_cost_text(s, &m, &ok);
        const char *verdict = ok ? "" : "  -- NOT what the algorithm defines";
        g_string_append_printf(out->report, "uncontended cost: %s: %s%s\n", subject, text, verdict);
        g_string_append_printf(out->dat, "#   %s: %s%s\n", subject, text, verdict);
        if (!ok)
            out->cost_mismatches++;
        g_free(text);
        sim_scenario_free(s);
    }
    g_free(digits);
    g_hash_table_destroy(seen);
}

/* ---- the grid ----------------------------------------------------------- */

static void fmt_figure(GString *row, double v, gboolean integral)
{
    g_string_append_printf(row, integral ? " %.0f" : " %.3f", v);
}

static void dat_header(const sim_sweep *sw, GString *dat)
{
    char *path = sim_input_escape(sw->path, FALSE); /* a newline in it would end the comment */
    g_string_append_printf(dat, "# tabsim sweep of %s\n", path);
    g_free(path);
    if (sw->command)
        g_string_append_printf(dat, "# command: %s\n", sw->command);
    g_string_append_printf(dat,
                           "# each point: %" G_GINT64_FORMAT " runs, seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                           "; percentiles are nearest-rank; \"-\" = no sample\n",
                           sw->runs, sw->seed, sw->seed + (uint64_t)sw->runs - 1);
}

static void dat_columns(const sim_sweep *sw, GString *dat)
{
    g_string_append(dat, "# statistics (one block each, in this order):\n");
    for (int id = 0; id < SIM_STAT_COUNT; id++)
        g_string_append_printf(dat, "#   %-17s %s\n", sim_stat_name((sim_stat_id)id), sim_stat_doc((sim_stat_id)id));
    g_string_append(dat, "# columns:");
    for (guint i = 0; i < sw->axes->len; i++) {
        const sim_sweep_axis *a = sw->axes->pdata[i];
        g_string_append_printf(dat, " %s.%s", a->group, a->key);
    }
    g_string_append(dat, " statistic p50 p90 p99 max mean n p50_lo p50_hi p99_lo p99_hi violated invariants\n");
}

/* What broke at one point: runs with any violation, and per invariant. */
typedef struct point_violations {
    guint runs;                   /* runs with at least one violation */
    guint by_inv[SIM_INV_COUNT];  /* runs that violated invariant bit i */
} point_violations;

/* "mutual-exclusion:20,lost-event:3" in invariant order, or "-". */
static void violations_text(const point_violations *v, GString *out)
{
    gsize start = out->len;
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (v->by_inv[i])
            g_string_append_printf(out, "%s%s:%u", out->len > start ? "," : "", sim_invariant_names[i],
                                   v->by_inv[i]);
    if (out->len == start)
        g_string_append_c(out, '-');
}

/* The row of one statistic at one point. */
static void dat_row(const sim_sweep *sw, const guint *digits, sim_stat_id id, const sim_stat_summary *sum,
                    const sim_stat_interval *ci, const point_violations *v, GString *row)
{
    for (guint i = 0; i < sw->axes->len; i++)
        g_string_append_printf(row, "%s ", ((const sim_sweep_axis *)sw->axes->pdata[i])->values[digits[i]]);
    g_string_append(row, sim_stat_name(id));
    gboolean integral = sim_stat_integral(id);
    if (sum->n == 0) {
        g_string_append(row, " - - - - - 0");
    } else {
        fmt_figure(row, sum->p50, integral);
        fmt_figure(row, sum->p90, integral);
        fmt_figure(row, sum->p99, integral);
        fmt_figure(row, sum->max, integral);
        g_string_append_printf(row, " %.3f %u", sum->mean, sum->n);
    }
    if (ci->resamples == 0) {
        g_string_append(row, " - - - -");
    } else {
        fmt_figure(row, ci->p50_lo, integral);
        fmt_figure(row, ci->p50_hi, integral);
        fmt_figure(row, ci->p99_lo, integral);
        fmt_figure(row, ci->p99_hi, integral);
    }
    g_string_append_printf(row, " %u ", v->runs);
    violations_text(v, row);
    g_string_append_c(row, '\n');
}

static void point_report(const sim_sweep *sw, guint p, guint n_points, const guint *digits,
                         const point_violations *v, const sim_stat_summary *sums, GString *report)
{
    char *label = point_label(sw, digits, " ");
    g_string_append_printf(report, "point %u/%u  %s: %" G_GINT64_FORMAT " runs, %u with a violation", p + 1,
                           n_points, label, sw->runs, v->runs);
    if (v->runs) {
        g_string_append(report, " (");
        violations_text(v, report);
        g_string_append_c(report, ')');
    }
    static const sim_stat_id shown[] = {SIM_STAT_LOCK_LATENCY_MS, SIM_STAT_EVENT_LATENCY_MS};
    for (size_t i = 0; i < G_N_ELEMENTS(shown); i++) {
        const sim_stat_summary *s = &sums[shown[i]];
        if (s->n)
            g_string_append_printf(report, "; %s p50 %.3f p99 %.3f max %.3f (n %u)", sim_stat_name(shown[i]), s->p50,
                                   s->p99, s->max, s->n);
    }
    g_string_append_c(report, '\n');
    g_free(label);
}

/* Blank line before a row whose outer axes differ from the previous row's. */
static gboolean outer_changed(const sim_sweep *sw, guint p)
{
    if (p == 0 || sw->axes->len < 2)
        return FALSE;
    const sim_sweep_axis *inner = sw->axes->pdata[sw->axes->len - 1];
    return p % inner->n == 0;
}

gboolean sim_sweep_run(sim_sweep *sw, sim_stack_pool *pool, gboolean want_csv, sim_sweep_output *out,
                       GError **error)
{
    memset(out, 0, sizeof *out);
    guint n_points = sim_sweep_points(sw);
    if (n_points > SIM_SWEEP_POINTS_MAX) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "the sweep has more than %d points; allowed: at most %d",
                    SIM_SWEEP_POINTS_MAX, SIM_SWEEP_POINTS_MAX);
        return FALSE;
    }
    guint *digits = g_new0(guint, sw->axes->len + 1);
    for (guint p = 0; p < n_points; p++) { /* fail fast: every point valid */
        point_digits(sw, p, digits);
        sim_scenario *s = point_scenario(sw, digits, error);
        if (!s) {
            g_free(digits);
            return FALSE;
        }
        sim_scenario_free(s);
    }
    out->dat = g_string_new(NULL);
    out->report = g_string_new(NULL);
    out->csv = want_csv ? g_string_new(NULL) : NULL;
    dat_header(sw, out->dat);
    sweep_costs(sw, pool, n_points, out);
    dat_columns(sw, out->dat);
    GString *blocks[SIM_STAT_COUNT];
    for (int id = 0; id < SIM_STAT_COUNT; id++)
        blocks[id] = g_string_new(NULL);
    for (guint p = 0; p < n_points; p++) {
        point_digits(sw, p, digits);
        sim_scenario *s = point_scenario(sw, digits, NULL);
        sim_stats *st = sim_stats_new();
        point_violations v = {0};
        sim_stop stopped = SIM_STOP_NONE;
        for (gint64 i = 0; i < sw->runs && !stopped; i++) {
            sim_run_spec spec = {.seed = sw->seed + (uint64_t)i, .tail = SIM_TAIL_RANDOM, .stats = st};
            sim_run run;
            sim_run_exec(s, pool, &spec, &run);
            v.runs += run.monitor.violated != 0;
            for (int b = 0; b < SIM_INV_COUNT; b++)
                v.by_inv[b] += (run.monitor.violated >> b) & 1u;
            stopped = run.stopped;
            sim_run_clear(&run);
        }
        char *js_error = stopped == SIM_STOP_BAD_INPUT ? sim_js_error_take(s->path) : NULL;
        if (js_error) {
            /* The tabs' JavaScript could not run: bad input, as check says. */
            g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s", js_error);
            g_free(js_error);
        } else if (stopped) {
            /* Samples of a run cut short would skew every statistic. */
            g_set_error(error, SIM_ERROR, SIM_ERROR_BOUND,
                        "a run of the sweep reached %" G_GUINT64_FORMAT " steps, the most a run whose samples are "
                        "kept may take (SIM_HISTORY_STEPS_MAX); a smaller workload fits",
                        (guint64)SIM_HISTORY_STEPS_MAX);
        }
        if (stopped) {
            sim_stats_free(st);
            sim_scenario_free(s);
            for (int id = 0; id < SIM_STAT_COUNT; id++)
                g_string_free(blocks[id], TRUE);
            g_free(digits);
            sim_sweep_output_clear(out);
            return FALSE;
        }
        sim_stat_summary sums[SIM_STAT_COUNT];
        for (int id = 0; id < SIM_STAT_COUNT; id++) {
            sim_stat_interval ci;
            sim_stats_summarize(st, 0, (sim_stat_id)id, &sums[id]);
            sim_stats_bootstrap(st, (sim_stat_id)id, &ci);
            if (outer_changed(sw, p))
                g_string_append_c(blocks[id], '\n');
            dat_row(sw, digits, (sim_stat_id)id, &sums[id], &ci, &v, blocks[id]);
        }
        point_report(sw, p, n_points, digits, &v, sums, out->report);
        if (out->csv) {
            char *label = point_label(sw, digits, ";");
            char *csv = sim_stats_csv(st, label, p == 0);
            g_string_append(out->csv, csv);
            g_free(csv);
            g_free(label);
        }
        sim_stats_free(st);
        sim_scenario_free(s);
    }
    for (int id = 0; id < SIM_STAT_COUNT; id++) {
        g_string_append_printf(out->dat, "%s# statistic %s\n%s", id ? "\n\n" : "", sim_stat_name((sim_stat_id)id),
                               blocks[id]->str);
        g_string_free(blocks[id], TRUE);
    }
    g_free(digits);
    return TRUE;
}

void sim_sweep_output_clear(sim_sweep_output *out)
{
    if (out->dat)
        g_string_free(out->dat, TRUE);
    if (out->csv)
        g_string_free(out->csv, TRUE);
    if (out->report)
        g_string_free(out->report, TRUE);
    memset(out, 0, sizeof *out);
}
