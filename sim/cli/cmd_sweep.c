/*
 * cmd_sweep.c - `tabsim sweep`: a grid of scenario variants, each run for N
 * seeds, reduced to one data file for gnuplot (sim/stats/sweep.h).
 *
 *   tabsim sweep FILE --vary GROUP.KEY=V1,V2,... [--vary ...] --out FILE.dat
 *                [--runs N] [--seed S] [--stats FILE.csv]
 *
 * It prints one line per point and the uncontended cost of every algorithm
 * met; the data file repeats the cost lines as comments.  Files are written
 * atomically and only after every run succeeded.  Exit codes: 0 done,
 * 1 an uncontended cost differs from what its algorithm defines, 2 bad
 * usage or input (an unknown key, a bad value, an unwritable file), 3 a
 * run reached the history bound (sim/world/stop.h).
 */
#include <string.h>

#include "cli.h"
#include "sim/input.h"
#include "sim/output.h"
#include "sim/error.h"
#include "sim/stats/sweep.h"

typedef struct sweep_options {
    char **vary;
    gint64 runs;
    gint64 seed;
    char *out;
    char *stats;
} sweep_options;

static void sweep_options_clear(sweep_options *o)
{
    g_strfreev(o->vary);
    g_free(o->out);
    g_free(o->stats);
}

/* The normalized command line shown in the data file (no output paths, so
 * it is the same wherever the file is written). */
static char *sweep_command(const char *path, const sweep_options *o, const sim_sweep *sw)
{
    GString *c = g_string_new("tabsim sweep ");
    char *quoted = sim_input_shell_quote(path);
    g_string_append(c, quoted);
    g_free(quoted);
    for (int i = 0; o->vary[i]; i++) {
        char *vary = sim_input_escape(o->vary[i], FALSE);
        g_string_append_printf(c, " --vary %s", vary);
        g_free(vary);
    }
    g_string_append_printf(c, " --runs %" G_GINT64_FORMAT " --seed %" G_GUINT64_FORMAT, sw->runs, sw->seed);
    return g_string_free(c, FALSE);
}

static int sweep_write(const char *path, const GString *text)
{
    GError *error = NULL;
    if (sim_output_write(path, text->str, (gssize)text->len, &error))
        return CLI_EXIT_EXPECTED;
    int rc = cli_usage_error("%s: cannot write it: %s", path, error->message);
    g_error_free(error);
    return rc;
}

static int sweep_exec(const char *path, const sweep_options *o)
{
    GError *error = NULL;
    sim_sweep *sw = sim_sweep_new(path, o->runs, o->seed, &error); /* 0 runs: the scenario's [check] runs */
    for (int i = 0; sw && o->vary[i]; i++)
        if (!sim_sweep_add_axis(sw, o->vary[i], &error)) {
            sim_sweep_free(sw);
            sw = NULL;
        }
    if (!sw) {
        int rc = cli_usage_error("%s", error->message);
        g_error_free(error);
        return rc;
    }
    sw->command = sweep_command(path, o, sw);
    char *shown = sim_input_escape(path, FALSE);
    printf("sweep       %s: %u points x %" G_GINT64_FORMAT " runs, seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
           "\n",
           shown, sim_sweep_points(sw), sw->runs, sw->seed, sw->seed + (uint64_t)sw->runs - 1);
    g_free(shown);
    fflush(stdout);
    sim_stack_pool *pool = sim_stack_pool_new(SIM_STACK_SIZE);
    sim_sweep_output out;
    int rc = CLI_EXIT_EXPECTED;
    if (!sim_sweep_run(sw, pool, o->stats != NULL, &out, &error)) {
        rc = cli_usage_error("%s", error->message);
        if (g_error_matches(error, SIM_ERROR, SIM_ERROR_BOUND))
            rc = CLI_EXIT_INCOMPLETE; /* not bad input: the history bound */
        g_error_free(error);
    } else {
        fputs(out.report->str, stdout);
        rc = sweep_write(o->out, out.dat);
        if (rc == CLI_EXIT_EXPECTED && o->stats)
            rc = sweep_write(o->stats, out.csv);
        if (rc == CLI_EXIT_EXPECTED) {
            char *out_shown = sim_input_escape(o->out, FALSE), *stats_shown = sim_input_escape(o->stats, FALSE);
            printf("wrote       %s%s%s\n", out_shown, o->stats ? ", " : "", stats_shown);
            g_free(out_shown);
            g_free(stats_shown);
            if (out.cost_mismatches) {
                printf("verdict     %u uncontended cost(s) differ from what the algorithm defines\n",
                       out.cost_mismatches);
                rc = CLI_EXIT_UNEXPECTED;
            }
        }
    }
    sim_sweep_output_clear(&out);
    sim_stack_pool_free(pool);
    sim_sweep_free(sw);
    return rc;
}

int cli_sweep(int argc, char **argv)
{
    sweep_options o = {.runs = 0, .seed = -1};
    GOptionEntry entries[] = {
        {"vary", 'v', 0, G_OPTION_ARG_STRING_ARRAY, &o.vary,
         "A key and its values, e.g. scenario.tabs=1,2,4 (repeat for a grid; the first is outermost)",
         "GROUP.KEY=V1,V2,..."},
        {"runs", 'n', 0, G_OPTION_ARG_INT64, &o.runs, "Runs per point (default: the scenario's [check] runs)", "N"},
        {"seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "First seed; run i uses seed S+i (default: [check] seed)", "S"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "The data file to write (docs/statistics.md)", "FILE.dat"},
        {"stats", 0, 0, G_OPTION_ARG_FILENAME, &o.stats, "Also write every raw sample as CSV", "FILE.csv"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("FILE --vary GROUP.KEY=V1,V2,... --out FILE.dat - a grid of variants");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    cli_args args;
    gboolean ok = cli_args_parse(&args, ctx, entries, argc, argv, &error);
    g_option_context_free(ctx);
    argc = args.argc;
    argv = args.argv;
    int rc = CLI_EXIT_USAGE;
    if (!ok) {
        cli_usage_error("%s (see tabsim sweep --help)", error->message);
        g_error_free(error);
    } else if (argc != 2) {
        cli_usage_error("sweep takes exactly one scenario FILE (see tabsim sweep --help)");
    } else if (!o.vary || !o.vary[0]) {
        cli_usage_error("sweep needs at least one --vary GROUP.KEY=V1,V2,... (e.g. --vary scenario.tabs=1,2,4,8)");
    } else if (!o.out) {
        cli_usage_error("sweep needs --out FILE.dat, the data file to write");
    } else if ((cli_args_given(&args, "runs") && o.runs < 1) || o.runs < 0) {
        /* 0 would silently mean the scenario's [check] runs */
        cli_usage_error("--runs %" G_GINT64_FORMAT ": out of range; allowed: 1 or more (absent: the scenario's "
                        "[check] runs)", o.runs);
    } else if ((cli_args_given(&args, "seed") && o.seed < 0) || o.seed < -1) {
        cli_usage_error("--seed %" G_GINT64_FORMAT ": out of range; allowed: 0 or more (absent: the scenario's "
                        "[check] seed)", o.seed);
    } else {
        const cli_output outputs[] = {{"--out", o.out}, {"--stats", o.stats}};
        const char *input = argv[1];
        rc = cli_outputs_check(outputs, G_N_ELEMENTS(outputs), &input, 1);
        if (rc == CLI_EXIT_EXPECTED)
            rc = sweep_exec(argv[1], &o);
    }
    sweep_options_clear(&o);
    cli_args_clear(&args);
    return rc;
}
