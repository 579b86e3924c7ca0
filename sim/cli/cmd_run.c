/*
 * cmd_run.c - `tabsim run` (one run from a seed) and `tabsim replay` (one
 * run from a token).  Both print the summary, the timeline with --trace, the
 * violations found and the verdict against [expect].  Both collect the
 * run's latency samples (sim/stats/stats.h): the summary shows their percentiles,
 * --stats writes them as CSV and --timeline the lock timeline for gnuplot.
 * Samples and the timeline are a history of the run, so a run longer than
 * SIM_HISTORY_STEPS_MAX steps (sim/world/stop.h) stops there: it is
 * reported as incomplete (exit 3) instead of exhausting memory.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"
#include "sim/error.h"
#include "sim/input.h"
#include "sim/output.h"
#include "sim/js/js_host.h"
#include "sim/stats/stats.h"
#include "sim/explore/explore.h"
#include "sim/explore/explore_live.h"
#include "sim/explore/token.h"

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Messages quote input (paths, values): no control character reaches the terminal. */
    char *shown = sim_input_escape(msg, FALSE);
    fprintf(stderr, "tabsim: %s\n", shown);
    g_free(shown);
    g_free(msg);
    return CLI_EXIT_USAGE;
}

sim_scenario *cli_scenario_load(const char *path)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, &error);
    if (!s) {
        cli_usage_error("%s", error->message);
        g_error_free(error);
    }
    return s;
}

typedef struct run_files {
    char *stats;    /* --stats FILE.csv, or NULL */
    char *timeline; /* --timeline FILE.dat, or NULL */
    char *mermaid;  /* --mermaid FILE.mmd */
} run_files;

/* The output files must differ from each other and from the scenario. */
static int outputs_check(const run_files *files, const char *scenario)
{
    const cli_output outputs[] = {{"--stats", files->stats}, {"--timeline", files->timeline},
                                  {"--mermaid", files->mermaid}};
    return cli_outputs_check(outputs, G_N_ELEMENTS(outputs), &scenario, 1);
}

/* Writes the files asked for; FALSE (message printed) when one fails. */
static gboolean write_files(const run_files *files, const sim_scenario *s, const sim_run *run,
                            const sim_stats *st)
{
    GError *error = NULL;
    gboolean ok = TRUE;
    if (files->stats && !sim_stats_write_csv(st, files->stats, &error))
        ok = FALSE;
    if (ok && files->timeline) {
        char *name = sim_input_escape(s->name, FALSE);
        char *title = g_strdup_printf("%s, seed %" G_GUINT64_FORMAT, name, run->chooser.seed);
        g_free(name);
        char *text = sim_stats_timeline(st, &run->monitor, title);
        ok = sim_output_write(files->timeline, text, -1, &error);
        g_free(text);
        g_free(title);
    }
    if (!ok) {
        cli_usage_error("cannot write the output file: %s", error->message);
        g_error_free(error);
    }
    return ok;
}

/* Shared by run and replay: one run, everything printed, exit code. */
static int run_and_report(const sim_scenario *s, const sim_run_spec *spec_in, gboolean ignore_expect,
                          const run_files *files)
{
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_stats *st = sim_stats_new();
    sim_run_spec spec_stats = *spec_in;
    spec_stats.stats = st;
    gboolean print_trace = spec_in->trace;
    if (files->mermaid)
        spec_stats.trace = TRUE; /* the diagram is drawn from the timeline */
    const sim_run_spec *spec = &spec_stats;
    sim_run run;
    sim_run_exec(s, pool, spec, &run);
    char *js_error = sim_js_error_take(s->path); /* the tabs' JavaScript could not run: bad input */
    if (js_error) {
        cli_usage_error("%s", js_error);
        g_free(js_error);
        sim_stats_free(st);
        sim_run_clear(&run);
        sim_stack_pool_free(pool);
        return CLI_EXIT_USAGE;
    }
    char *token = sim_run_token(&run, spec);
    if (run.chooser.prefix_overrun)
        fprintf(stdout, "warning     the token's choices do not fit this scenario's run; it was replayed as "
                        "closely as possible\n");
    if (print_trace) {
        fprintf(stdout, "timeline    (virtual ms, tab, task, operation, key = value -> result ; step)\n");
        report_timeline(stdout, &run, NULL, 0);
    }
    report_summary(stdout, s, &run, token);
    report_stats(stdout, st);
    int rc;
    if (s->forever && run.chooser.abandoned && !run.stopped) {
        /* A lasso of the starvation check: its prefix and its cycle twice. */
        for (guint i = 0; i < run.monitor.violations->len; i++)
            report_violation(stdout, run.monitor.violations->pdata[i]);
        fprintf(stdout, "verdict     not judged: the tabs take the lock for ever ([workload] forever); the run "
                        "stopped where its token's choices end (tabsim check judges starvation)\n");
        rc = run.monitor.violated ? CLI_EXIT_UNEXPECTED : CLI_EXIT_EXPECTED;
    } else if (run.stopped) {
        /* At the history bound (sim/world/stop.h): cut short, not judged. */
        sim_explore_options none;
        sim_explore_options_init(&none);
        char *why = sim_explore_stop_text(run.stopped, &none);
        fprintf(stdout, "verdict     incomplete (%s; not judged)\n", why);
        g_free(why);
        rc = CLI_EXIT_INCOMPLETE;
    } else {
        for (guint i = 0; i < run.monitor.violations->len; i++)
            report_violation(stdout, run.monitor.violations->pdata[i]);
        report_verdict(stdout, s, run.monitor.violated, ignore_expect);
        rc = sim_outcome_expected(s, run.monitor.violated, ignore_expect) ? CLI_EXIT_EXPECTED : CLI_EXIT_UNEXPECTED;
    }
    if (!write_files(files, s, &run, st))
        rc = CLI_EXIT_USAGE;
    if (files->mermaid && !mermaid_write(files->mermaid, s, &run, NULL))
        rc = CLI_EXIT_USAGE;
    sim_stats_free(st);
    g_free(token);
    sim_run_clear(&run);
    sim_stack_pool_free(pool);
    return rc;
}

/* Parses the options into a; on error prints it and returns FALSE. */
static gboolean parse_options(cli_args *a, GOptionContext *ctx, const GOptionEntry *entries, int argc, char **argv)
{
    GError *error = NULL;
    if (!cli_args_parse(a, ctx, entries, argc, argv, &error)) {
        cli_usage_error("%s (see %s --help)", error->message, argv[0]);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

int cli_run(int argc, char **argv)
{
    gint64 seed = -1;
    gboolean trace = FALSE, ignore = FALSE;
    run_files files = {NULL, NULL, NULL};
    GOptionEntry entries[] = {
        {"seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the run (default: the scenario's [check] seed)", "N"},
        {"trace", 't', 0, G_OPTION_ARG_NONE, &trace, "Print the timeline of every step", NULL},
        {"ignore-expect", 0, 0, G_OPTION_ARG_NONE, &ignore, "Judge as if every invariant must hold", NULL},
        {"stats", 0, 0, G_OPTION_ARG_FILENAME, &files.stats, "Write the latency samples as CSV (docs/statistics.md)",
         "FILE.csv"},
        {"timeline", 0, 0, G_OPTION_ARG_FILENAME, &files.timeline,
         "Write the lock timeline for plots/timeline.gp (docs/statistics.md)", "FILE.dat"},
        {"mermaid", 0, 0, G_OPTION_ARG_FILENAME, &files.mermaid,
         "Write the run as a Mermaid sequenceDiagram", "FILE.mmd"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("FILE - one simulated run of a scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_args args;
    gboolean ok = parse_options(&args, ctx, entries, argc, argv);
    g_option_context_free(ctx);
    sim_scenario *s = NULL;
    int rc = CLI_EXIT_USAGE;
    if (ok && args.argc != 2)
        cli_usage_error("run takes exactly one scenario FILE (see tabsim run --help)");
    else if (ok && cli_args_given(&args, "seed") && seed < 0) /* -1 would silently mean the default */
        cli_usage_error("--seed %" G_GINT64_FORMAT ": out of range; allowed: 0..%" G_GINT64_FORMAT
                        " (absent: the scenario's [check] seed)", seed, G_MAXINT64);
    else if (ok && outputs_check(&files, args.argv[1]) == CLI_EXIT_EXPECTED)
        s = cli_scenario_load(args.argv[1]);
    if (s) {
        sim_run_spec spec = {.seed = seed >= 0 ? (uint64_t)seed : (uint64_t)s->seed, .tail = SIM_TAIL_RANDOM,
                             .trace = trace};
        rc = run_and_report(s, &spec, ignore, &files);
        sim_scenario_free(s);
    }
    g_free(files.stats);
    g_free(files.timeline);
    g_free(files.mermaid);
    cli_args_clear(&args);
    return rc;
}

int cli_replay(int argc, char **argv)
{
    char *token_text = NULL;
    gboolean trace = FALSE, ignore = FALSE;
    run_files files = {NULL, NULL, NULL};
    GOptionEntry entries[] = {
        {"token", 'k', 0, G_OPTION_ARG_STRING, &token_text, "Replay token printed by run or check", "TOKEN"},
        {"mermaid", 0, 0, G_OPTION_ARG_FILENAME, &files.mermaid,
         "Write the run as a Mermaid sequenceDiagram", "FILE.mmd"},
        {"trace", 't', 0, G_OPTION_ARG_NONE, &trace, "Print the timeline of every step", NULL},
        {"ignore-expect", 0, 0, G_OPTION_ARG_NONE, &ignore, "Judge as if every invariant must hold", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("FILE --token TOKEN - reproduce a run byte for byte");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_args args;
    gboolean ok = parse_options(&args, ctx, entries, argc, argv);
    g_option_context_free(ctx);
    sim_scenario *s = NULL;
    if (ok && (args.argc != 2 || !token_text))
        cli_usage_error("replay takes one scenario FILE and --token TOKEN (see tabsim replay --help)");
    else if (ok && outputs_check(&files, args.argv[1]) == CLI_EXIT_EXPECTED)
        s = cli_scenario_load(args.argv[1]);
    if (!s) {
        g_free(token_text);
        g_free(files.mermaid);
        cli_args_clear(&args);
        return CLI_EXIT_USAGE;
    }
    GError *error = NULL;
    sim_token token;
    int rc;
    if (!sim_token_decode(token_text, &token, &error)) {
        rc = cli_usage_error("%s", error->message);
        g_error_free(error);
    } else if (token.scenario_hash != sim_scenario_hash(s)) {
        rc = cli_usage_error("the token was made for another scenario (or another version of %s): its "
                             "scenario hash is %08x, this file's is %08x",
                             args.argv[1], token.scenario_hash, sim_scenario_hash(s));
        sim_token_clear(&token);
    } else {
        sim_run_spec spec = {.seed = token.seed, .tail = token.tail,
                             .prefix = (const uint32_t *)token.prefix->data,
                             .prefix_len = token.prefix->len, .trace = trace,
                             .untimed = token.untimed, .discrete = token.discrete};
        if (s->forever) /* a workload for ever: the run ends where the token's choices do */
            spec.sched_pick = spec.data_pick = sim_live_pick_end;
        rc = run_and_report(s, &spec, ignore, &files);
        sim_token_clear(&token);
    }
    g_free(token_text);
    g_free(files.mermaid);
    sim_scenario_free(s);
    cli_args_clear(&args);
    return rc;
}
