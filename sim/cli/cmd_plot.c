/*
 * cmd_plot.c - `tabsim plot`: the charts of docs/charts.md, regenerated.
 *
 *   tabsim plot [--out DIR] [--scripts DIR] [--runs N] [--algorithms LIST]
 *               [--tabs LIST] [--cdf-tabs N] [--no-render]
 *
 * Runs the sweeps and the one timeline run the charts need, in process
 * (sim/stats/sweep.h), writes their data files under DIR/data/, then runs gnuplot
 * on every script of plots/ (SVG for the docs, PNG for quick viewing, both
 * into DIR).  The scenarios are the .ini files of plots/, so a chart
 * and what it was made from live together.  Everything but gnuplot itself
 * is deterministic: the same command writes the same data bytes.
 *
 * Exit codes: 0 done, 1 an uncontended cost differs from its definition,
 * 2 bad usage, a missing file, or gnuplot missing or failing.
 */
#include <string.h>

#include "cli.h"
#include "sim/output.h"
#include "sim/stats/stats.h"
#include "sim/stats/sweep.h"

#define PLOT_ALGORITHMS "none,seed,lamport,web-locks,bucketeer-branch"
#define PLOT_TABS "1,2,4,8,16"
#define PLOT_CDF_TABS "4"
#define PLOT_TIMELINE_SEED 3

/* The grid: --algorithms x --tabs for the charts against tabs, --algorithms
 * at --cdf-tabs for the distribution. */
typedef struct plot_options {
    char *out, *scripts, *algorithms, *tabs, *cdf_tabs;
    gint64 runs;
    gboolean no_render;
} plot_options;

/* One sweep: scenario, data file (and CSV when csv_name); cdf: at the
 * CDF's point, else over --tabs. */
typedef struct plot_sweep {
    const char *scenario, *dat_name, *csv_name;
    gboolean cdf;
} plot_sweep;

static const plot_sweep plot_sweeps[] = {
    {"contention.ini", "contention.dat", NULL, FALSE},
    {"contention.ini", "cdf.dat", "cdf.csv", TRUE},
    {"events.ini", "events.dat", NULL, FALSE},
};

/* One chart: script, data file, output name (.svg and .png). */
typedef struct plot_chart {
    const char *script, *data, *out;
} plot_chart;

static const plot_chart plot_charts[] = {
    {"latency.gp", "contention.dat", "lock-latency"},
    {"cdf.gp", "cdf.csv", "lock-latency-cdf"},
    {"timeline.gp", "timeline.dat", "lock-timeline"},
    {"events.gp", "events.dat", "event-latency"},
    {"throughput.gp", "events.dat", "throughput"},
};

static int write_text(const char *path, const char *text, gssize len)
{
    GError *error = NULL;
    if (sim_output_write(path, text, len, &error))
        return CLI_EXIT_EXPECTED;
    int rc = cli_usage_error("%s: cannot write it: %s", path, error->message);
    g_error_free(error);
    return rc;
}

static int plot_one_sweep(const plot_options *o, const plot_sweep *p, const char *data_dir, sim_stack_pool *pool)
{
    char *path = g_build_filename(o->scripts, p->scenario, NULL);
    char *vary_alg = g_strdup_printf("mutex.algorithm=%s", o->algorithms);
    char *vary_tabs = g_strdup_printf("scenario.tabs=%s", p->cdf ? o->cdf_tabs : o->tabs);
    GError *error = NULL;
    int rc = CLI_EXIT_EXPECTED;
    sim_sweep *sw = sim_sweep_new(path, o->runs, -1, &error);
    if (sw && (!sim_sweep_add_axis(sw, vary_alg, &error) || !sim_sweep_add_axis(sw, vary_tabs, &error)))
        g_clear_pointer(&sw, sim_sweep_free);
    sim_sweep_output out = {0};
    if (sw) {
        sw->command = g_strdup_printf("tabsim sweep plots/%s --vary %s --vary %s --runs %" G_GINT64_FORMAT
                                      " --seed %" G_GUINT64_FORMAT,
                                      p->scenario, vary_alg, vary_tabs, sw->runs, sw->seed);
        printf("plot        sweep %s\n", sw->command);
        fflush(stdout);
    }
    if (!sw || !sim_sweep_run(sw, pool, p->csv_name != NULL, &out, &error)) {
        rc = cli_usage_error("%s", error->message);
        g_error_free(error);
    } else {
        fputs(out.report->str, stdout);
        char *dat = g_build_filename(data_dir, p->dat_name, NULL);
        rc = write_text(dat, out.dat->str, (gssize)out.dat->len);
        g_free(dat);
        if (rc == CLI_EXIT_EXPECTED && p->csv_name) {
            char *csv = g_build_filename(data_dir, p->csv_name, NULL);
            rc = write_text(csv, out.csv->str, (gssize)out.csv->len);
            g_free(csv);
        }
        if (rc == CLI_EXIT_EXPECTED && out.cost_mismatches)
            rc = CLI_EXIT_UNEXPECTED;
    }
    sim_sweep_output_clear(&out);
    sim_sweep_free(sw);
    g_free(vary_alg);
    g_free(vary_tabs);
    g_free(path);
    return rc;
}

/* The Gantt chart's run: plots/timeline.ini at a fixed seed. */
static int plot_timeline(const plot_options *o, const char *data_dir, sim_stack_pool *pool)
{
    char *path = g_build_filename(o->scripts, "timeline.ini", NULL);
    sim_scenario *s = cli_scenario_load(path);
    g_free(path);
    if (!s)
        return CLI_EXIT_USAGE;
    sim_stats *st = sim_stats_new();
    sim_run_spec spec = {.seed = PLOT_TIMELINE_SEED, .tail = SIM_TAIL_RANDOM, .stats = st};
    sim_run run;
    sim_run_exec(s, pool, &spec, &run);
    char *title = g_strdup_printf("plots/timeline.ini, seed %d (tabsim run plots/timeline.ini --seed %d "
                                  "--timeline FILE)",
                                  PLOT_TIMELINE_SEED, PLOT_TIMELINE_SEED);
    char *text = sim_stats_timeline(st, &run.monitor, title);
    char *dat = g_build_filename(data_dir, "timeline.dat", NULL);
    printf("plot        run plots/timeline.ini --seed %d: %u violation(s)\n", PLOT_TIMELINE_SEED,
           run.monitor.violations->len);
    int rc = write_text(dat, text, -1);
    g_free(dat);
    g_free(text);
    g_free(title);
    sim_run_clear(&run);
    sim_stats_free(st);
    sim_scenario_free(s);
    return rc;
}

static int plot_render(const plot_options *o, const plot_chart *c, const char *data_dir)
{
    char *script = g_build_filename(o->scripts, c->script, NULL);
    char *data = g_build_filename(data_dir, c->data, NULL);
    char *out = g_build_filename(o->out, c->out, NULL);
    char *algs = g_strdelimit(g_strdup(o->algorithms), ",", ' ');
    /* Paths go into gnuplot strings: refuse a quote rather than escape it. */
    if (strchr(data, '\'') || strchr(out, '\'') || strchr(o->scripts, '\'')) {
        g_free(script), g_free(data), g_free(out), g_free(algs);
        return cli_usage_error("--out and --scripts must not contain a single quote (gnuplot strings)");
    }
    char *vars = g_strdup_printf("data='%s'; out='%s'; algs='%s'; dir='%s'; tabs='%s'; runs=%" G_GINT64_FORMAT
                                 "; seed=%d",
                                 data, out, algs, o->scripts, o->cdf_tabs, o->runs, PLOT_TIMELINE_SEED);
    char *argv[] = {"gnuplot", "-e", vars, script, NULL};
    char *err_text = NULL;
    gint status = 0;
    GError *error = NULL;
    int rc = CLI_EXIT_EXPECTED;
    fflush(stdout); /* a forked child must not inherit unwritten output */
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text,
                      &status, &error)) {
        rc = cli_usage_error("cannot run gnuplot (%s); install gnuplot (e.g. gnuplot-nox) or use --no-render",
                             error->message);
        g_error_free(error);
    } else if (!g_spawn_check_wait_status(status, &error)) {
        rc = cli_usage_error("gnuplot failed on %s: %s\n%s", script, error->message, err_text ? err_text : "");
        g_error_free(error);
    } else {
        printf("plot        %s.svg, %s.png\n", out, out);
        if (err_text && *err_text)
            fputs(err_text, stderr); /* gnuplot warnings: show them, they mean a chart reads badly */
    }
    g_free(err_text);
    g_free(vars);
    g_free(algs);
    g_free(script);
    g_free(data);
    g_free(out);
    return rc;
}

static int plot_exec(const plot_options *o)
{
    char *data_dir = g_build_filename(o->out, "data", NULL);
    if (g_mkdir_with_parents(data_dir, 0777) != 0) {
        int rc = cli_usage_error("cannot create the directory %s", data_dir);
        g_free(data_dir);
        return rc;
    }
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    int rc = CLI_EXIT_EXPECTED;
    for (size_t i = 0; i < G_N_ELEMENTS(plot_sweeps) && rc != CLI_EXIT_USAGE; i++) {
        int r = plot_one_sweep(o, &plot_sweeps[i], data_dir, pool);
        rc = MAX(rc, r);
    }
    if (rc != CLI_EXIT_USAGE) {
        int r = plot_timeline(o, data_dir, pool);
        rc = MAX(rc, r); /* MAX evaluates its arguments twice: never a call inside */
    }
    for (size_t i = 0; !o->no_render && i < G_N_ELEMENTS(plot_charts) && rc != CLI_EXIT_USAGE; i++) {
        int r = plot_render(o, &plot_charts[i], data_dir);
        rc = MAX(rc, r);
    }
    sim_stack_pool_free(pool);
    g_free(data_dir);
    return rc;
}

/* --tabs and --cdf-tabs: numbers of tabs as [scenario] tabs takes them
 * (1..64), checked before any sweep runs (a bad one was found only at its
 * sweep, named as the --vary it became).  FALSE: refused, said. */
static gboolean tabs_list_ok(const char *option, const char *list)
{
    char **items = g_strsplit(list, ",", -1);
    gboolean ok = items[0] != NULL;
    for (int i = 0; ok && items[i]; i++) {
        char *item = g_strstrip(items[i]);
        if (!g_ascii_string_to_unsigned(item, 10, 1, 64, NULL, NULL)) {
            cli_usage_error("%s %s: \"%s\" is not a number of tabs; allowed: whole numbers 1..64 ([scenario] tabs)",
                            option, list, item);
            ok = FALSE;
        }
    }
    if (!items[0])
        cli_usage_error("%s \"\": empty; allowed: whole numbers 1..64 ([scenario] tabs)", option);
    g_strfreev(items);
    return ok;
}

int cli_plot(int argc, char **argv)
{
    plot_options o = {.runs = 20};
    GOptionEntry entries[] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "Directory of the charts (default docs/charts)", "DIR"},
        {"scripts", 0, 0, G_OPTION_ARG_FILENAME, &o.scripts, "Directory of the .gp scripts and .ini scenarios "
                                                               "(default plots)", "DIR"},
        {"runs", 'n', 0, G_OPTION_ARG_INT64, &o.runs, "Runs per sweep point (default 20)", "N"},
        {"algorithms", 'a', 0, G_OPTION_ARG_STRING, &o.algorithms,
         "Values of [mutex] algorithm to compare (default " PLOT_ALGORITHMS ")", "A,B,..."},
        {"tabs", 't', 0, G_OPTION_ARG_STRING, &o.tabs,
         "Values of [scenario] tabs of the charts against tabs (default " PLOT_TABS ")", "N,M,..."},
        {"cdf-tabs", 0, 0, G_OPTION_ARG_STRING, &o.cdf_tabs,
         "Value of [scenario] tabs of the latency distribution (default " PLOT_CDF_TABS ")", "N"},
        {"no-render", 0, 0, G_OPTION_ARG_NONE, &o.no_render, "Write the data files only; do not run gnuplot", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("- regenerate the charts of docs/charts.md");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    cli_args args;
    gboolean ok = cli_args_parse(&args, ctx, entries, argc, argv, &error);
    g_option_context_free(ctx);
    int rc = CLI_EXIT_USAGE;
    if (!o.out)
        o.out = g_strdup("docs/charts");
    if (!o.scripts)
        o.scripts = g_strdup("plots");
    if (!o.algorithms)
        o.algorithms = g_strdup(PLOT_ALGORITHMS);
    if (!o.tabs)
        o.tabs = g_strdup(PLOT_TABS);
    if (!o.cdf_tabs)
        o.cdf_tabs = g_strdup(PLOT_CDF_TABS);
    if (!ok) {
        cli_usage_error("%s (see tabsim plot --help)", error->message);
        g_error_free(error);
    } else if (args.argc != 1) {
        cli_usage_error("plot takes no FILE; its scenarios are the .ini files in --scripts DIR");
    } else if (!*o.out || !*o.scripts) {
        cli_usage_error("%s '': an empty name; allowed: a directory", *o.out ? "--scripts" : "--out");
    } else if (o.runs < 1) {
        cli_usage_error("--runs takes a number >= 1");
    } else if (strchr(o.cdf_tabs, ',')) {
        cli_usage_error("--cdf-tabs takes one number of tabs (the distribution is drawn at one point)");
    } else if (!tabs_list_ok("--tabs", o.tabs) || !tabs_list_ok("--cdf-tabs", o.cdf_tabs)) {
        /* said */
    } else {
        rc = plot_exec(&o);
    }
    g_free(o.out);
    g_free(o.scripts);
    g_free(o.algorithms);
    g_free(o.tabs);
    g_free(o.cdf_tabs);
    cli_args_clear(&args);
    return rc;
}
