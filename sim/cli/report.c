/*
 * report.c - what tabsim prints about a run: summary, violation, timeline,
 * verdict.  Output is a pure function of the run (no wall clock, no
 * addresses, no hash order), so two runs of one token print the same bytes.
 * Text that could hold control characters (the scenario's name and path,
 * timeline lines and violation messages, which quote storage data) is
 * printed escaped (sim_input_escape): a newline in a name cannot forge an
 * output line, nor an ESC reach the terminal.
 */
#include "cli.h"
#include "sim/programs/algorithms.h"
#include "sim/input.h"
#include "sim/stats/stats.h"

static const char *algorithm_name(const sim_scenario *s)
{
    return sim_algorithm_name(s->algorithm);
}

void report_summary(FILE *out, const sim_scenario *s, const sim_run *run, const char *token)
{
    const sim_counters *c = &run->monitor.c;
    char *name = sim_input_escape(s->name, FALSE), *path = sim_input_escape(s->path, FALSE);
    fprintf(out, "scenario    %s (%s): %" G_GINT64_FORMAT " tabs, mutex %s, storage %s, time %s\n"
                 "mutex       %s: %s\n",
            name, path, s->tabs, algorithm_name(s),
            sim_storage_models[s->storage_model]->name,
            run->monitor.untimed ? "untimed" : "timed", algorithm_name(s), sim_scenario_algorithm(s)->summary);
    g_free(name);
    g_free(path);
    fprintf(out, "run         seed %" G_GUINT64_FORMAT ", token %s\n", run->chooser.seed, token);
    if (sim_programs[s->workload_mode]->events_key || sim_programs[s->workload_mode]->events_key_of)
        fprintf(out,
                "events      tracked %" G_GUINT64_FORMAT ", added %" G_GUINT64_FORMAT
                ", delivered %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " deliveries), stored at end %" G_GUINT64_FORMAT "\n",
                c->events_tracked, c->events_added, c->events_delivered, c->deliveries, c->events_stored);
    fprintf(out,
            "lock        requests %" G_GUINT64_FORMAT ", acquired %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT
            ", fall-backs %" G_GUINT64_FORMAT ", longest wait %.3f ms\n",
            c->lock_requests, c->lock_acquired, c->lock_failed, c->fallbacks, c->lock_wait_us_max / 1000.0);
    if (sim_programs[s->workload_mode]->events_key || sim_programs[s->workload_mode]->events_key_of)
        fprintf(out, "server      sends %" G_GUINT64_FORMAT ", errors %" G_GUINT64_FORMAT ", timeouts %" G_GUINT64_FORMAT "\n",
                c->sends, c->send_errors, c->send_timeouts);
    fprintf(out, "time        virtual %.3f ms, %" G_GUINT64_FORMAT " steps, %" G_GUINT64_FORMAT " storage ops%s%s%s\n",
            c->end_time_us / 1000.0, c->steps, c->storage_ops,
            (c->cut & SIM_CUT_STEPS) ? " (stopped by [run] steps_max)" : "",
            (c->cut & SIM_CUT_TIME) ? " (stopped by [run] time_limit_ms)" : "",
            (c->cut & SIM_CUT_FAULTS) ? " (a [faults] budget was used up)" : "");
    if (c->warnings > 0) { /* the code under test complained, whatever the invariants say */
        char *first = sim_input_escape(run->monitor.warn_first, FALSE);
        fprintf(out, "warnings    %" G_GUINT64_FORMAT " logged by the code; the first: %s%s\n", c->warnings, first,
                run->monitor.tracing ? "" : " (--trace shows them all)");
        g_free(first);
    }
    fprintf(out, "invariants ");
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        sim_invariant inv = 1u << i;
        const char *state = !(sim_program_claims(s) & inv) ? "n/a"
                            : (run->monitor.violated & inv)                 ? "VIOLATED"
                                                                            : "ok";
        fprintf(out, " %s %s%s", sim_invariant_name(inv), state,
                i + 1 < SIM_INV_COUNT ? "," : "\n");
    }
}

void report_stats(FILE *out, const sim_stats *st)
{
    sim_stats_print_summary(out, st);
}

const sim_violation *report_first_violation(const sim_run *run)
{
    GPtrArray *vs = run->monitor.violations;
    return vs->len ? vs->pdata[0] : NULL;
}

void report_violation(FILE *out, const sim_violation *v)
{
    /* A violation judged when the run ended is dated at the end, which can
     * be long after the last step shown: say so, or the time reads wrong. */
    fprintf(out, "violation   %s %s%.3f ms%s", sim_invariant_name(v->invariant),
            v->at_end ? "judged at the end of the run (" : "at ", v->time_us / 1000.0, v->at_end ? ")" : "");
    if (v->tab_a && v->tab_b && v->tab_a == v->tab_b)
        fprintf(out, ", two tasks of tab%d", v->tab_a); /* one tab's tasks share its identity */
    else if (v->tab_a && v->tab_b)
        fprintf(out, ", tabs tab%d and tab%d", v->tab_a, v->tab_b);
    else if (v->tab_a)
        fprintf(out, ", tab tab%d", v->tab_a);
    char *message = sim_input_escape(v->message, FALSE);
    fprintf(out, "\n            %s\n", message);
    g_free(message);
}

static void marker(FILE *out, const sim_violation *v)
{
    char *message = sim_input_escape(v->message, FALSE);
    fprintf(out, "  >>> VIOLATION of %s %s%.3f ms%s: %s\n", sim_invariant_name(v->invariant),
            v->at_end ? "judged at the end of the run (" : "at ", v->time_us / 1000.0, v->at_end ? ")" : "", message);
    g_free(message);
}

const sim_violation *report_erased_by(const sim_run *run, const sim_violation *only, guint line)
{
    if (only)
        return only->erased_line == line ? only : NULL;
    GPtrArray *vs = run->monitor.violations;
    for (guint j = 0; j < vs->len; j++)
        if (((const sim_violation *)vs->pdata[j])->erased_line == line)
            return vs->pdata[j];
    return NULL;
}

void report_timeline(FILE *out, const sim_run *run, const sim_violation *only, unsigned context)
{
    GPtrArray *trace = run->monitor.trace;
    GPtrArray *vs = run->monitor.violations;
    if (!trace)
        return;
    guint end = only ? (guint)MIN(only->step, trace->len) : trace->len;
    guint start = (context && end > context) ? end - context : 0;
    if (start > 0)
        fprintf(out, "  ... %u earlier step%s (all of them: --context 0)\n", start, start == 1 ? "" : "s");
    for (guint i = start; i < end; i++) {
        /* Storage keys and values are the code's, but printed as data. */
        char *line = sim_input_escape(trace->pdata[i], FALSE);
        const sim_violation *erased = report_erased_by(run, only, i + 1);
        if (erased) {
            char *event = sim_input_escape(erased->erased_event, FALSE);
            fprintf(out, REPORT_ERASED_MARK "%s   " REPORT_ERASED_MARK " erased %s\n", line, event);
            g_free(event);
        } else
            fprintf(out, "  %s\n", line);
        g_free(line);
        for (guint j = 0; !only && j < vs->len; j++)
            if (((const sim_violation *)vs->pdata[j])->step == i + 1)
                marker(out, vs->pdata[j]);
    }
    if (only)
        marker(out, only);
}

void report_verdict(FILE *out, const sim_scenario *s, guint violated, gboolean ignore_expect)
{
    char *found = violated ? sim_invariant_set_text(violated) : NULL;
    char *expected = sim_expectation_text(s, ignore_expect);
    gboolean ok = sim_outcome_expected(s, violated, ignore_expect);
    if (found)
        fprintf(out, "verdict     violation (%s); expected %s: %s\n", found, expected,
                ok ? "as expected" : "NOT as expected");
    else
        fprintf(out, "verdict     holds; expected %s: %s\n", expected, ok ? "as expected" : "NOT as expected");
    g_free(found);
    g_free(expected);
}
