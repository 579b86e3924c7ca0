/*
 * cmd_matrix.c - `tabsim matrix DIR`: which algorithm survives what.
 *
 * Prints a Markdown table: one row per mutex algorithm (and variant), one
 * column per condition (storage model or fault class), each cell the
 * verdicts of the scenarios that put that algorithm under that condition,
 * linked to their files.  A verdict is the scenario's [expect]: ctest
 * checks every scenario against its [expect], and ci_matrix checks that
 * docs/matrix.md is this command's output, so the table can drift neither
 * from the files nor from the code.  Loading only: it runs nothing, so it
 * is instant and deterministic (files in byte order, fixed row and column
 * order, no hash-table iteration).  Paths are printed escaped
 * (sim_input_escape).
 */
#include <string.h>

#include "cli.h"
#include "sim/programs/algorithms.h"
#include "sim/explore/explore.h"
#include "sim/input.h"

/* Columns: one per registered storage model (the first, linearizable,
 * is also "no fault"), then one per fault class. */
enum { COL_CLOSE, COL_FREEZE, COL_THROTTLE, COL_RELOAD, COL_SERVER, COL_QUOTA, COL_FAULTS };
#define COL_MODELS_MAX 16
#define COL_MAX (COL_MODELS_MAX + COL_FAULTS)
static const char *const fault_names[COL_FAULTS] = {"close", "freeze", "throttle", "reload", "server", "quota"};

static int col_models(void)
{
    int n = 0;
    while (sim_storage_models[n])
        n++;
    g_assert(n <= COL_MODELS_MAX);
    return n;
}

static const char *col_name(int c)
{
    int n = col_models();
    return c < n ? sim_storage_models[c]->name : fault_names[c - n];
}

/* The condition a scenario puts its algorithm under: a storage model other
 * than linearizable first, then the fault class; none = linearizable. */
static int matrix_column(const sim_scenario *s)
{
    int n = col_models();
    if (s->storage_model > 0)
        return (int)s->storage_model;
    if (s->tab_reload_max > 0)
        return n + COL_RELOAD;
    if (s->tab_close_max > 0)
        return n + COL_CLOSE;
    if (s->tab_freeze_max > 0 || s->tab_stall_max > 0)
        return n + COL_FREEZE; /* a stall is a freeze in the middle of a task */
    if (s->background_tabs > 0)
        return n + COL_THROTTLE;
    if (s->server_fault_max > 0 || s->server_error_pct > 0 || s->server_timeout_pct > 0)
        return n + COL_SERVER;
    /* Below the browsers' 5 MiB (the key's default); 0 is no quota at all. */
    if (s->storage_unavailable || (s->quota_bytes > 0 && s->quota_bytes < INT64_C(5242880)))
        return n + COL_QUOTA;
    return 0;
}

static void variant_add(GString *row, const sim_scenario *s, const char *group, const char *key,
                        const char *plain)
{
    char *value = sim_scenario_get(s, group, key, NULL);
    if (value && strcmp(value, plain) != 0)
        g_string_append_printf(row, ", %s = %s", key, value);
    g_free(value);
}

/* "lamport" or "lamport, lamport_omit = b-wait": the algorithm and every
 * option that changes which algorithm actually runs. */
static char *matrix_row(const sim_scenario *s)
{
    const xt_mutex_algorithm *alg = sim_scenario_algorithm(s);
    GString *row = g_string_new(alg->name);
    variant_add(row, s, "mutex", "cross_tab_safety", "auto");
    for (int i = 0; alg->variants && alg->variants[i]; i++) {
        const xt_setting *x = &alg->settings[xt_setting_index(alg, alg->variants[i])];
        variant_add(row, s, alg->name, x->key, x->def);
    }
    return g_string_free(row, FALSE);
}

/* The [run] time_limit_ms a scenario gets when its file does not say. */
static int64_t time_limit_default(void)
{
    sim_scenario *d = sim_scenario_new_default();
    int64_t ms = d->time_limit_ms;
    sim_scenario_free(d);
    return ms;
}

/* The bounds an exhaustive verdict holds within, as check's verdict line
 * names them: steps per run, the preemption bound, the fault budgets that
 * cut runs, and the time model with the time limit (a timed search stops
 * there; an untimed one cuts the runs that reach it, which check's verdict
 * names when one did: here, loading only, the limit is named when the file
 * sets one). */
static void bounds_append(GString *e, const sim_scenario *s)
{
    g_string_append_printf(e, "✓ verified within %" G_GINT64_FORMAT " steps", (gint64)s->steps_max);
    if (s->preemptions_max >= 0)
        g_string_append_printf(e, ", %" G_GINT64_FORMAT " preemptions", (gint64)s->preemptions_max);
    const struct { int64_t max; const char *one, *many; } faults[] = {
        {s->tab_close_max, "close", "closes"},   {s->tab_freeze_max, "freeze", "freezes"},
        {s->tab_stall_max, "stall", "stalls"},   {s->tab_reload_max, "reload", "reloads"},
        {s->server_fault_max, "server fault", "server faults"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(faults); i++)
        if (faults[i].max > 0)
            g_string_append_printf(e, ", %" G_GINT64_FORMAT " %s", (gint64)faults[i].max,
                                   faults[i].max == 1 ? faults[i].one : faults[i].many);
    if (s->explore_time == SIM_TIME_TIMED)
        g_string_append_printf(e, ", timed to %" G_GINT64_FORMAT " ms", (gint64)s->time_limit_ms);
    else if (s->time_limit_ms != time_limit_default())
        g_string_append_printf(e, ", untimed to %" G_GINT64_FORMAT " ms", (gint64)s->time_limit_ms);
    else
        g_string_append(e, ", untimed");
}

/* "✓ verified within ...", "✓ no violation in 3000 random runs" or
 * "✗ lost-event", then the linked file name.  A random or PCT cell says how
 * many runs found nothing: that is all it shows, not that the invariants
 * hold. */
static char *matrix_cell_entry(const sim_scenario *s, const char *path)
{
    GString *e = g_string_new(NULL);
    if (s->forever) { /* the starvation check judges it (check_live.c) */
        g_string_append(e, s->expect_starvation ? "✗ starvation" : "✓ no starvation, every state");
    } else if (s->expect_any) {
        g_string_append(e, "✗ a violation");
    } else if (s->expect_violations) {
        char *set = sim_invariant_set_text(s->expect_violations);
        g_string_append_printf(e, "✗ %s", set);
        g_free(set);
    } else if (s->explore_mode == 1 /* exhaustive */) {
        bounds_append(e, s);
    } else {
        g_string_append_printf(e, "✓ no violation in %" G_GINT64_FORMAT " %s runs", (gint64)s->runs,
                               s->explore_mode == 2 ? "PCT" : "random");
    }
    char *base = g_path_get_basename(path);
    /* A file given by name need not end in .ini. */
    char *stem = g_strndup(base, strlen(base) - (g_str_has_suffix(base, ".ini") ? strlen(".ini") : 0));
    /* Suite files "alg--cond--workload" are named by their workload: the
     * row and column already say the rest. */
    const char *shown = strrchr(stem, '-');
    shown = strstr(stem, "--") && shown ? shown + 1 : stem;
    /* Paths as given, relative to the repository root: docs/ links up. */
    char *shown_text = sim_input_escape(shown, FALSE), *path_text = sim_input_escape(path, FALSE);
    g_string_append_printf(e, " [%s](../%s)", shown_text, path_text);
    g_free(shown_text);
    g_free(path_text);
    g_free(stem);
    g_free(base);
    return g_string_free(e, FALSE);
}

typedef struct matrix_row_data {
    int64_t algorithm;
    char *name;
    GPtrArray *cells[COL_MAX]; /* char* entries, file order */
} matrix_row_data;

static void row_free(gpointer p)
{
    matrix_row_data *r = p;
    for (int c = 0; c < col_models() + COL_FAULTS; c++)
        g_ptr_array_free(r->cells[c], TRUE);
    g_free(r->name);
    g_free(r);
}

static matrix_row_data *row_find(GPtrArray *rows, const sim_scenario *s, char *name)
{
    for (guint i = 0; i < rows->len; i++) {
        matrix_row_data *r = rows->pdata[i];
        if (strcmp(r->name, name) == 0) {
            g_free(name);
            return r;
        }
    }
    matrix_row_data *r = g_new0(matrix_row_data, 1);
    r->algorithm = s->algorithm;
    r->name = name;
    for (int c = 0; c < col_models() + COL_FAULTS; c++)
        r->cells[c] = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(rows, r);
    return r;
}

/* Algorithm order first (as the key table lists them), then the plain
 * algorithm before its variants, then by name. */
static int row_compare(gconstpointer a, gconstpointer b)
{
    const matrix_row_data *x = *(matrix_row_data *const *)a, *y = *(matrix_row_data *const *)b;
    if (x->algorithm != y->algorithm)
        return x->algorithm < y->algorithm ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void matrix_print(FILE *out, GPtrArray *rows, const char *args)
{
    fprintf(out, "# Which algorithm survives what\n\n"
                 "Generated by `tabsim matrix %s` from the scenario files; do not edit by hand. Rows are\n"
                 "the `[mutex]` algorithms (with the options that change what runs), columns the conditions\n"
                 "(`[storage] model`, then the `[faults]` class), and each cell lists the scenarios that put\n"
                 "that algorithm under that condition: ✓ verified within the bounds named (exhaustive\n"
                 "search: every execution within them), ✓ no violation in N runs (random or PCT search: only\n"
                 "that those N runs found none; rarer schedules may still break it), ✗ the invariants that\n"
                 "break, with a shrunk counterexample in `tabsim check FILE`. Each verdict is the file's\n"
                 "`[expect]`; ctest runs every scenario against it, and `ci_matrix` checks that this page is\n"
                 "the command's output.\n\n",
            args);
    fputs("| algorithm |", out);
    for (int c = 0; c < col_models() + COL_FAULTS; c++)
        fprintf(out, " %s |", col_name(c));
    fputs("\n|---|", out);
    for (int c = 0; c < col_models() + COL_FAULTS; c++)
        fputs("---|", out);
    fputc('\n', out);
    for (guint i = 0; i < rows->len; i++) {
        const matrix_row_data *r = rows->pdata[i];
        fprintf(out, "| %s |", r->name);
        for (int c = 0; c < col_models() + COL_FAULTS; c++) {
            fputc(' ', out);
            if (r->cells[c]->len == 0)
                fputs("·", out);
            for (guint k = 0; k < r->cells[c]->len; k++)
                fprintf(out, "%s%s", k ? "<br>" : "", (const char *)r->cells[c]->pdata[k]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
}

int cli_matrix(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new("DIR|FILE... - the algorithm x condition table of scenarios");
    g_option_context_set_summary(ctx, "Prints docs/matrix.md: which algorithm keeps which invariant under which "
                                      "storage model and fault class, from the scenarios' [expect].");
    GError *error = NULL;
    cli_args args;
    gboolean ok = cli_args_parse(&args, ctx, NULL, argc, argv, &error);
    g_option_context_free(ctx);
    if (!ok) {
        int rc = cli_usage_error("%s", error->message);
        g_error_free(error);
        cli_args_clear(&args);
        return rc;
    }
    argc = args.argc;
    argv = args.argv;
    if (argc < 2) {
        cli_args_clear(&args);
        return cli_usage_error("matrix: give scenario directories or files, e.g. tabsim matrix scenarios/ "
                               "scenarios/suite/");
    }
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    for (int i = 1; i < argc; i++)
        cli_expand_arg(argv[i], files, errors);
    GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);
    int rc = CLI_EXIT_EXPECTED;
    for (guint i = 0; i < files->len && rc == CLI_EXIT_EXPECTED; i++) {
        const char *path = files->pdata[i];
        if (errors->pdata[i]) {
            rc = cli_usage_error("%s", (const char *)errors->pdata[i]);
            break;
        }
        sim_scenario *s = cli_scenario_load(path);
        if (!s) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        matrix_row_data *r = row_find(rows, s, matrix_row(s));
        g_ptr_array_add(r->cells[matrix_column(s)], matrix_cell_entry(s, path));
        sim_scenario_free(s);
    }
    if (rc == CLI_EXIT_EXPECTED) {
        g_ptr_array_sort(rows, row_compare);
        char *joined = g_strjoinv(" ", argv + 1);
        char *shown = sim_input_escape(joined, FALSE);
        g_free(joined);
        matrix_print(stdout, rows, shown);
        g_free(shown);
    }
    g_ptr_array_free(rows, TRUE);
    g_ptr_array_free(files, TRUE);
    g_ptr_array_free(errors, TRUE);
    cli_args_clear(&args);
    return rc;
}
