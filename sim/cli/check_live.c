/*
 * check_live.c - `tabsim check` on a scenario whose tabs take the lock for
 * ever ([workload] forever): the starvation check's outcome, judged and
 * printed.
 *
 * The check itself is sim/explore/explore_live.c; this file turns its
 * result into a check_outcome (so the summary, the exit code and the JSON
 * and JUnit reports see a verdict like any other) and prints its block:
 * the lasso (prefix, then the cycle twice, marked) with its replay
 * command, the size of the graph, the fairness it assumed, the verdict.
 *
 * Judging: [expect] violation = starvation expects a starving lasso; none
 * (or --ignore-expect) expects none.  A lasso found is a verdict even in a
 * graph that was cut (it replayed); "no starvation" needs the whole graph.
 */
#include <string.h>

#include "check.h"
#include "sim/input.h"
#include "sim/programs/algorithms.h"

static const char fairness_text[] =
    "weak: a tab enabled in every state from some point on steps again and again (a tab whose task waits "
    "for a key to change or for a Web Lock is not enabled)";

void check_live_fill(check_outcome *o, const sim_scenario *s, const check_request *req, const sim_live_result *r)
{
    check_outcome_name(o, s);
    o->live = TRUE;
    o->mode = SIM_MODE_EXHAUSTIVE; /* every state of the graph */
    o->time = SIM_TIME_UNTIMED;
    o->ignore_expect = req->ignore_expect;
    o->expect_starvation = s->expect_starvation && !req->ignore_expect;
    o->steps_max = req->explore.steps_max > 0 ? req->explore.steps_max : s->steps_max;
    o->search = CHECK_SEARCH_STATEFUL; /* a graph of states */
    /* Not split: under --shard K/N every shard checks it whole (merge
     * takes one shard's). */
    o->shard_index = req->explore.shard_count > 1 ? req->explore.shard_index : 0;
    o->shard_count = req->explore.shard_count > 1 ? req->explore.shard_count : 1;
    o->time_limit_ms = s->time_limit_ms;
    o->preemptions_max = -1;
    o->claimed = 0; /* no safety invariant is judged here */
    o->runs = (gint64)r->runs;
    o->steps = r->steps;
    o->live_states = r->states;
    o->states = (gint64)r->states;
    o->live_edges = r->edges;
    o->live_expanded = r->expanded;
    gboolean found = r->verdict == SIM_LIVE_STARVATION;
    if (found) {
        o->verdict = SIM_VERDICT_VIOLATION;
        o->token = g_strdup(r->token);
        char *file = sim_input_escape(o->file, FALSE);
        o->replay = g_strdup_printf("tabsim replay '%s' --token %s --trace", file, r->token);
        g_free(file);
        o->violation_text = g_strdup_printf(
            "violation   starvation of tab%d: its lock request is pending in every state of the cycle, which "
            "repeats for ever, while another tab acquires the lock on it\n"
            "            a lasso: %" G_GUINT64_FORMAT " steps to the cycle, a cycle of %" G_GUINT64_FORMAT
            " steps in a fair component of %u states; replayed: the state after the prefix and after each "
            "round of the cycle is the same (one digest)\n",
            r->tab, r->prefix_steps, r->cycle_steps, r->component_states);
        o->timeline = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < r->timeline->len; i++)
            g_ptr_array_add(o->timeline, g_strdup(r->timeline->pdata[i]));
        o->live_tab = r->tab;
    } else if (r->verdict == SIM_LIVE_NONE) {
        o->verdict = SIM_VERDICT_VERIFIED;
        o->bounds = g_strdup_printf("no starvation over every state (%" G_GUINT64_FORMAT " states, %" G_GUINT64_FORMAT
                                    " edges); untimed time; ranges at both ends; weak fairness",
                                    r->states, r->edges);
    } else {
        o->verdict = SIM_VERDICT_INCOMPLETE;
        o->incomplete_reason = g_strdup(r->incomplete_reason);
    }
    check_outcome_judge(o);
    o->elapsed_s = r->elapsed_s;
}

void check_live_print(GString *out, const check_outcome *o)
{
    char *name = sim_input_escape(o->name, FALSE), *file = sim_input_escape(o->file, FALSE);
    g_string_append_printf(out, "check       %s (%s): starvation check over the state graph, time untimed", name,
                           file);
    if (o->shard_count > 1)
        g_string_append_printf(out, ", shard %d/%d (not split: every shard checks it whole)", o->shard_index,
                               o->shard_count);
    g_string_append_c(out, '\n');
    g_free(name);
    g_free(file);
    if (o->algorithm) {
        char *summary = sim_input_escape(o->algorithm_summary ? o->algorithm_summary : "", FALSE);
        g_string_append_printf(out, "mutex       %s: %s\n", o->algorithm, summary);
        g_free(summary);
    }
    if (o->verdict == SIM_VERDICT_VIOLATION) {
        g_string_append_printf(out, "found       starvation of tab%d after %" G_GUINT64_FORMAT " states\n", o->live_tab,
                               o->live_states);
        g_string_append(out, o->violation_text);
        g_string_append(out, "timeline    (virtual ms, tab, task, operation, key = value -> result ; step)\n");
        for (guint i = 0; o->timeline && i < o->timeline->len; i++) {
            char *line = sim_input_escape(o->timeline->pdata[i], FALSE);
            g_string_append_printf(out, "%s\n", line);
            g_free(line);
        }
        char *replay = sim_input_escape(o->replay, FALSE);
        g_string_append_printf(out, "replay      %s\n", replay);
        g_free(replay);
    }
    g_string_append_printf(out,
                           "explored    %" G_GUINT64_FORMAT " states, %" G_GUINT64_FORMAT " edges, %" G_GUINT64_FORMAT
                           " expanded; %" G_GINT64_FORMAT " replays, %" G_GUINT64_FORMAT " steps\n",
                           o->live_states, o->live_edges, o->live_expanded, o->runs, o->steps);
    g_string_append_printf(out, "fairness    %s\n", fairness_text);
    const char *judged = o->status == CHECK_EXPECTED     ? "as expected"
                         : o->status == CHECK_INCOMPLETE ? "no verdict"
                                                         : "NOT as expected";
    switch (o->verdict) {
    case SIM_VERDICT_VIOLATION:
        g_string_append_printf(out, "verdict     starvation (tab%d); expected %s: %s\n", o->live_tab, o->expectation,
                               judged);
        break;
    case SIM_VERDICT_VERIFIED:
    case SIM_VERDICT_PASSED:
        g_string_append_printf(out, "verdict     verified: %s; expected %s: %s\n", o->bounds, o->expectation, judged);
        break;
    case SIM_VERDICT_INCOMPLETE: {
        char *why = sim_input_escape(o->incomplete_reason ? o->incomplete_reason : "a budget ran out", FALSE);
        g_string_append_printf(out, "verdict     incomplete (%s); expected %s: %s\n", why, o->expectation, judged);
        g_free(why);
        break;
    }
    }
}
