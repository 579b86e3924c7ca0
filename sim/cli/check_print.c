/*
 * check_print.c - one scenario's outcome as text (its block: header,
 * counterexamples with their timelines and replay commands, statistics,
 * invariants, verdict), the summary table and total line of `tabsim
 * check` and `tabsim merge`, and their exit code.
 *
 * Every text field is printed escaped (sim_input_escape): names and paths
 * come from scenario files, and in merge every field comes from a report
 * file.  Nothing here reads a clock: wall-clock times are printed only
 * when the caller asks (timing).
 */
#include <string.h>

#include "check.h"
#include "sim/input.h"

/* Appends text escaped (sim_input_escape): outcomes carry text from
 * scenario files and, in merge, from report files. */
static void append_escaped(GString *out, const char *text, gboolean keep_newlines)
{
    char *e = sim_input_escape(text, keep_newlines);
    g_string_append(out, e);
    g_free(e);
}

static void header_print(GString *out, const check_outcome *o)
{
    g_string_append(out, "check       ");
    append_escaped(out, o->name, FALSE);
    g_string_append(out, " (");
    append_escaped(out, o->file, FALSE);
    g_string_append(out, "): ");
    guint64 last = o->seed_base + (guint64)(o->runs_requested > 0 ? o->runs_requested - 1 : 0);
    switch (o->mode) {
    case SIM_MODE_RANDOM:
        g_string_append_printf(out, "%" G_GINT64_FORMAT " random runs, seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                               o->runs_requested, o->seed_base, last);
        break;
    case SIM_MODE_PCT:
        g_string_append_printf(out, "pct, %" G_GINT64_FORMAT " runs, seeds %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                               o->runs_requested, o->seed_base, last);
        break;
    case SIM_MODE_EXHAUSTIVE:
        g_string_append(out, "exhaustive search");
        break;
    }
    g_string_append_printf(out, ", time %s", check_time_name(o->time));
    if (o->shard_count > 1)
        g_string_append_printf(out, ", shard %d/%d", o->shard_index, o->shard_count);
    g_string_append_c(out, '\n');
}

/* Appends prefix, text escaped, suffix. */
static void append_field(GString *out, const char *prefix, const char *text, const char *suffix)
{
    g_string_append(out, prefix);
    append_escaped(out, text, FALSE);
    g_string_append(out, suffix);
}

/* One counterexample: found, shrunk, violation, timeline, replay. */
static void cex_print(GString *out, const check_outcome *o, const check_cex *c, const char *invariant)
{
    g_string_append(out, "found       ");
    if (invariant)
        g_string_append_printf(out, "%s ", invariant);
    if (c->run >= 0 && o->mode == SIM_MODE_PCT) /* a PCT run is its seed and the search's k: its token replays it */
        g_string_append_printf(out, "in PCT run %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "\n", c->run + 1,
                               o->runs_requested);
    else if (c->run >= 0)
        g_string_append_printf(out, "in run %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " (seed %" G_GUINT64_FORMAT ")\n",
                               c->run + 1, o->runs_requested, c->seed);
    else if (o->first)
        g_string_append_printf(out, "after %" G_GINT64_FORMAT " runs\n", o->runs); /* the search stopped there */
    else /* the search went on for the other invariants: o->runs is its total */
        g_string_append_printf(out, "in a search of %" G_GINT64_FORMAT " runs\n", o->runs);
    if (c->shrink_text)
        append_field(out, "", c->shrink_text, "\n");
    if (c->violation_text) /* two lines by design: "violation ...\n            message\n" */
        append_escaped(out, c->violation_text, TRUE);
    if (c->timeline && c->timeline->len) {
        g_string_append(out, "timeline    (virtual ms, tab, task, operation, key = value -> result ; step)\n");
        for (guint i = 0; i < c->timeline->len; i++)
            append_field(out, "", c->timeline->pdata[i], "\n");
    }
    if (c->replay)
        append_field(out, "replay      ", c->replay, "\n");
}

/* "invariants  mutual-exclusion held, lost-event violated, ..." */
static void invariants_print(GString *out, const check_outcome *o)
{
    g_string_append(out, "invariants ");
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        guint inv = 1u << i;
        const char *state = !(o->claimed & inv) ? "n/a" : check_inv_status_name(o->inv_status[i]);
        g_string_append_printf(out, "%s %s %s", i ? "," : "", sim_invariant_name(inv), state);
    }
    g_string_append_c(out, '\n');
}

void check_outcome_print(GString *out, const check_outcome *o)
{
    if (o->status == CHECK_BAD_INPUT) {
        /* The message itself is printed once, on stderr, by the command. */
        append_field(out, "check       ", o->file, ": bad input (the error is on stderr)\n");
        return;
    }
    if (o->live) {
        check_live_print(out, o);
        return;
    }
    header_print(out, o);
    /* What was checked, as run's summary says it: a user who forgot
     * [mutex] algorithm (the default is seed, a lock known to break) sees
     * it here. */
    if (o->algorithm) {
        append_field(out, "mutex       ", o->algorithm, ": ");
        append_field(out, "", o->algorithm_summary ? o->algorithm_summary : "", "\n");
    }
    if (o->verdict == SIM_VERDICT_VIOLATION) {
        gboolean per_invariant = FALSE;
        for (int i = 0; i < SIM_INV_COUNT; i++)
            if (o->inv_cex[i]) {
                cex_print(out, o, o->inv_cex[i], sim_invariant_name(1u << i));
                per_invariant = TRUE;
            }
        if (!per_invariant) { /* a merged report of schema 1: one counterexample */
            check_cex top = {.run = o->cex_run, .seed = o->cex_seed, .replay = o->replay,
                             .shrink_text = o->shrink_text, .violation_text = o->violation_text,
                             .timeline = o->timeline};
            cex_print(out, o, &top, NULL);
        }
    }
    g_string_append_printf(out, "explored    %" G_GINT64_FORMAT " runs, %" G_GUINT64_FORMAT " steps, %" G_GUINT64_FORMAT
                                " storage ops",
                           o->runs, o->steps, o->storage_ops);
    if (o->pruned)
        g_string_append_printf(out, ", %" G_GINT64_FORMAT " pruned", o->pruned);
    if (o->bound_hits)
        g_string_append_printf(out, ", %" G_GINT64_FORMAT " cut by a bound", o->bound_hits);
    g_string_append_c(out, '\n');
    char *cuts = check_cuts_text(o);
    if (cuts)
        g_string_append_printf(out, "cut         %s\n", cuts);
    g_free(cuts);
    if (o->warn_runs > 0) { /* the code under test complained, whatever the invariants say */
        g_string_append_printf(out,
                               "warnings    the code logged warnings in %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                               " runs; the first: ",
                               o->warn_runs, o->runs);
        append_escaped(out, o->warn_first[0] ? o->warn_first : "(its text was not kept)", FALSE);
        g_string_append_c(out, '\n');
    }
    invariants_print(out, o);
    const char *judged = o->status == CHECK_EXPECTED     ? "as expected"
                         : o->status == CHECK_INCOMPLETE ? "no verdict"
                                                         : "NOT as expected";
    char *expectation = sim_input_escape(o->expectation, FALSE);
    switch (o->verdict) {
    case SIM_VERDICT_VIOLATION: {
        /* Violations found stay; what was not judged says why. */
        if (o->incomplete_reason)
            append_field(out, "not judged  the rest: ", o->incomplete_reason, "\n");
        char *set = sim_invariant_set_text(o->violated);
        g_string_append_printf(out, "verdict     violation (%s); expected %s: %s\n", set, expectation, judged);
        g_free(set);
        if (o->resume)
            append_field(out, "resume      ", o->resume, "  (plus the other options you gave)\n");
        break;
    }
    case SIM_VERDICT_PASSED:
        if (o->bounds)
            append_field(out, "bounds      ", o->bounds, "\n");
        g_string_append_printf(out, "verdict     holds; expected %s: %s\n", expectation, judged);
        break;
    case SIM_VERDICT_VERIFIED:
        g_string_append(out, "verdict     verified");
        if (o->bounds)
            append_field(out, " ", o->bounds, "");
        g_string_append_printf(out, "; expected %s: %s\n", expectation, judged);
        break;
    case SIM_VERDICT_INCOMPLETE:
        append_field(out, "verdict     incomplete (", o->incomplete_reason ? o->incomplete_reason : "a budget ran out",
                     "); expected ");
        g_string_append_printf(out, "%s: no verdict\n", expectation);
        if (o->resume)
            append_field(out, "resume      ", o->resume, "  (plus the other options you gave)\n");
        break;
    }
    g_free(expectation);
}

int check_exit_code(check_outcome *const *outcomes, guint n)
{
    gboolean bad = FALSE, unexpected = FALSE, incomplete = FALSE;
    for (guint i = 0; i < n; i++) {
        bad |= outcomes[i]->status == CHECK_BAD_INPUT;
        unexpected |= outcomes[i]->status == CHECK_UNEXPECTED;
        incomplete |= outcomes[i]->status == CHECK_INCOMPLETE;
    }
    /* Bad input outranks everything: a CI job must not pass a suite it could
     * not read.  A wrong verdict outranks a missing one. */
    if (bad)
        return CLI_EXIT_USAGE;
    if (unexpected)
        return CLI_EXIT_UNEXPECTED;
    if (incomplete)
        return CLI_EXIT_INCOMPLETE;
    return CLI_EXIT_EXPECTED;
}

void check_summary_print(GString *out, check_outcome *const *outcomes, guint n, gboolean timing, double wall_s,
                         int exit_code)
{
    guint count[4] = {0, 0, 0, 0};
    gint64 runs = 0;
    double elapsed = 0;
    int width = 8;
    char **names = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++) {
        names[i] = sim_input_escape(outcomes[i]->name, FALSE);
        width = MAX(width, (int)strlen(names[i]));
    }
    g_string_append_printf(out, "summary     %-*s  %-10s  %-10s  %-10s  %10s%s\n", width, "scenario", "mode", "verdict",
                           "outcome", "runs", timing ? "        time" : "");
    for (guint i = 0; i < n; i++) {
        const check_outcome *o = outcomes[i];
        count[o->status]++;
        runs += o->runs;
        elapsed += o->elapsed_s;
        gboolean bad = o->status == CHECK_BAD_INPUT;
        g_string_append_printf(out, "            %-*s  %-10s  %-10s  %-10s  %10" G_GINT64_FORMAT, width, names[i],
                               bad ? "-" : o->live ? "liveness" : check_mode_name(o->mode), bad ? "-" : sim_verdict_name(o->verdict),
                               check_status_name(o->status), o->runs);
        if (timing)
            g_string_append_printf(out, "  %8.2f s", o->elapsed_s);
        g_string_append_c(out, '\n');
    }
    g_strfreev(names);
    g_string_append_printf(out, "total       %u scenario%s: %u expected, %u unexpected, %u incomplete, %u bad input; "
                                "%" G_GINT64_FORMAT " runs",
                           n, n == 1 ? "" : "s", count[CHECK_EXPECTED], count[CHECK_UNEXPECTED],
                           count[CHECK_INCOMPLETE], count[CHECK_BAD_INPUT], runs);
    if (timing)
        g_string_append_printf(out, ", %.2f s", wall_s >= 0 ? wall_s : elapsed);
    g_string_append_printf(out, "; exit %d\n", exit_code);
}
