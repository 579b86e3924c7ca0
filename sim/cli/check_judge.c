/*
 * check_judge.c - how `tabsim check` and `tabsim merge` judge one
 * scenario's outcome: which bounds cut its runs, whether the runs support
 * a verdict at all, what each invariant came to, and whether that is what
 * [expect] says.
 *
 * Each invariant the program claims is judged on its own: violated (a run
 * broke it; it has its own counterexample), held (every run made holds
 * it), or not judged (the program does not claim it, the search stopped
 * before a verdict, or the runs cannot support one).  [expect] violation =
 * a, b means exactly a and b are violated and the rest hold; `any` means
 * some violation; with --first the search stops at the first violation
 * and [expect] means "one of these", as before per-invariant judging.
 *
 * Honesty: a verdict says which bounds cut runs, and runs that prove
 * nothing prove nothing: no storage call at all, every run cut before its
 * end, or an exhaustive search whose reduction's assumption (the quota is
 * never reached) failed.  Then no invariant is held: they are not judged.
 * Nothing here reads a clock or a scenario file, so merge judges the same.
 */
#include "check.h"

check_outcome *check_outcome_new(const char *file)
{
    check_outcome *o = g_new0(check_outcome, 1);
    o->file = g_strdup(file);
    o->name = g_strdup(file);
    o->status = CHECK_BAD_INPUT;
    o->time = SIM_TIME_TIMED;
    o->shard_count = 1;
    o->cex_run = -1;
    o->erased_index = -1;
    o->verdict = SIM_VERDICT_INCOMPLETE;
    o->expectation = g_strdup("every invariant holds");
    o->preemptions_max = -1;
    o->lock_requests = o->lock_acquired = o->events_tracked = -1; /* not known until counted */
    return o;
}

void check_outcome_free(check_outcome *o)
{
    if (!o)
        return;
    g_free(o->file);
    g_free(o->name);
    g_free(o->error);
    g_free(o->algorithm);
    g_free(o->algorithm_summary);
    g_free(o->expectation);
    g_free(o->token);
    g_free(o->replay);
    g_free(o->shrink_text);
    g_free(o->mermaid);
    g_free(o->violation_text);
    if (o->timeline)
        g_ptr_array_free(o->timeline, TRUE);
    g_free(o->erased_event);
    for (int i = 0; i < SIM_INV_COUNT; i++)
        check_cex_free(o->inv_cex[i]);
    g_free(o->bounds);
    g_free(o->incomplete_reason);
    g_free(o->resume);
    g_free(o);
}

check_cex *check_cex_new(void)
{
    check_cex *c = g_new0(check_cex, 1);
    c->run = -1;
    c->erased_index = -1;
    return c;
}

void check_cex_free(check_cex *c)
{
    if (!c)
        return;
    g_free(c->token);
    g_free(c->replay);
    g_free(c->shrink_text);
    g_free(c->mermaid);
    g_free(c->violation_text);
    if (c->timeline)
        g_ptr_array_free(c->timeline, TRUE);
    g_free(c->erased_event);
    g_free(c);
}

const char *check_inv_status_name(check_inv_status status)
{
    switch (status) {
    case CHECK_INV_VIOLATED:
        return "violated";
    case CHECK_INV_HELD:
        return "held";
    case CHECK_INV_NOT_JUDGED:
        return "not-judged";
    }
    return "?";
}

char *check_cuts_text(const check_outcome *o)
{
    GString *t = g_string_new(NULL);
    if (o->cut_steps)
        g_string_append_printf(t, "%s%" G_GINT64_FORMAT " run%s at [run] steps_max = %" G_GINT64_FORMAT,
                               t->len ? ", " : "", o->cut_steps, o->cut_steps == 1 ? "" : "s", o->steps_max);
    if (o->cut_time)
        g_string_append_printf(t, "%s%" G_GINT64_FORMAT " run%s at [run] time_limit_ms = %" G_GINT64_FORMAT,
                               t->len ? ", " : "", o->cut_time, o->cut_time == 1 ? "" : "s", o->time_limit_ms);
    if (o->cut_faults)
        g_string_append_printf(t, "%s%" G_GINT64_FORMAT " run%s used up a [faults] budget", t->len ? ", " : "",
                               o->cut_faults, o->cut_faults == 1 ? "" : "s");
    if (o->cut_preemptions)
        g_string_append_printf(t, "%s%" G_GINT64_FORMAT " branch%s beyond the bound of %" G_GINT64_FORMAT
                               " preemptions not explored",
                               t->len ? ", " : "", o->cut_preemptions, o->cut_preemptions == 1 ? "" : "es",
                               o->preemptions_max);
    return g_string_free(t, t->len == 0);
}

/* The clauses a verdict's bounds get for the bounds that cut runs
 * without ending them all (steps_max is in every bounds text already). */
#define CUT_TIME_CLAUSE "; runs cut at [run] time_limit_ms = "
#define CUT_FAULTS_CLAUSE "; runs cut where they used up a [faults] budget ("

char *check_fault_budgets_text(const sim_scenario *s)
{
    GString *t = g_string_new(NULL);
    const struct { const char *key; int64_t value; } budgets[] = {
        {"tab_close_max", s->tab_close_max},   {"tab_freeze_max", s->tab_freeze_max},
        {"tab_reload_max", s->tab_reload_max}, {"tab_stall_max", s->tab_stall_max},
        {"[server] fault_max", s->server_fault_max}};
    for (size_t i = 0; i < G_N_ELEMENTS(budgets); i++)
        if (budgets[i].value > 0)
            g_string_append_printf(t, "%s%s = %" G_GINT64_FORMAT, t->len ? ", " : "", budgets[i].key,
                                   budgets[i].value);
    return g_string_free(t, FALSE);
}

/* A clause of text, from its marker to the next "; " or the end, or NULL. */
static char *clause_of(const char *text, const char *marker)
{
    const char *at = text ? strstr(text, marker) : NULL;
    if (!at)
        return NULL;
    const char *end = strstr(at + 2, "; ");
    return end ? g_strndup(at, (gsize)(end - at)) : g_strdup(at);
}

/* The first of texts' clauses that begin with marker, or NULL. */
static char *clause_in(const char *const *texts, guint n, const char *marker)
{
    char *clause = NULL;
    for (guint i = 0; !clause && i < n; i++)
        clause = clause_of(texts[i], marker);
    return clause;
}

void check_bounds_cuts(check_outcome *o, const char *fault_budgets, const char *const *others, guint n_others)
{
    if (!o->bounds)
        return;
    GString *b = g_string_new(o->bounds);
    if (o->cut_time > 0 && !strstr(b->str, CUT_TIME_CLAUSE))
        g_string_append_printf(b, CUT_TIME_CLAUSE "%" G_GINT64_FORMAT ": only their first %" G_GINT64_FORMAT
                               " ms of virtual time are covered",
                               o->time_limit_ms, o->time_limit_ms);
    if (o->cut_faults > 0 && !strstr(b->str, CUT_FAULTS_CLAUSE)) {
        char *clause = clause_in(others, n_others, CUT_FAULTS_CLAUSE);
        if (clause)
            g_string_append(b, clause);
        else
            g_string_append_printf(b, CUT_FAULTS_CLAUSE "%s): schedules with more faults are not explored",
                                   fault_budgets && *fault_budgets ? fault_budgets : "its budgets");
        g_free(clause);
    }
    /* A shard whose items hold a cycle says so; merged, the search does. */
    if (!strstr(b->str, SIM_EXPLORE_CYCLE_CLAUSE)) {
        char *cycle = clause_in(others, n_others, SIM_EXPLORE_CYCLE_CLAUSE);
        if (cycle)
            g_string_append(b, cycle);
        g_free(cycle);
    }
    g_free(o->bounds);
    o->bounds = g_string_free(b, FALSE);
}

void check_outcome_honest(check_outcome *o)
{
    if (o->verdict == SIM_VERDICT_INCOMPLETE)
        return;
    char *why = NULL;
    const guint lock_invs = SIM_INV_MUTUAL_EXCLUSION | SIM_INV_PROGRESS;
    const guint event_invs = SIM_INV_LOST_EVENT | SIM_INV_DUPLICATE;
    /* First the search's own assumption: its other verdicts stand on it. */
    if (o->reduction && o->quota_runs > 0) {
        why = g_strdup_printf("%" G_GINT64_FORMAT " execution%s met the storage quota (a set failed with "
                              "QuotaExceededError), but the reduction treats sets of different keys as "
                              "independent, which assumes it is never reached; check with --no-reduction "
                              "or --mode random",
                              o->quota_runs, o->quota_runs == 1 ? "" : "s");
    } else if (o->runs > 0 && o->storage_ops == 0) {
        why = g_strdup_printf("vacuous: %" G_GINT64_FORMAT " run%s made no storage call", o->runs,
                              o->runs == 1 ? "" : "s");
    } else if (o->runs > 0 && o->lock_requests == 0 && (o->claimed & lock_invs)) {
        /* A storage call is not enough: each tab's start reads storage. */
        why = g_strdup_printf("vacuous: no run requested the lock (%" G_GINT64_FORMAT " run%s), so mutual-exclusion "
                              "and progress had nothing to judge",
                              o->runs, o->runs == 1 ? "" : "s");
    } else if (o->runs > 0 && o->lock_acquired == 0 && (o->claimed & SIM_INV_MUTUAL_EXCLUSION)) {
        /* Every lock() failed (gave up, or a JavaScript lock() that threw):
         * no two tabs could have been inside. */
        why = g_strdup_printf("vacuous: no run acquired the lock (%" G_GINT64_FORMAT " request%s over %" G_GINT64_FORMAT
                              " run%s, every one failed), so mutual-exclusion had nothing to judge",
                              o->lock_requests, o->lock_requests == 1 ? "" : "s", o->runs, o->runs == 1 ? "" : "s");
    } else if (o->runs > 0 && o->events_tracked == 0 && (o->claimed & event_invs)) {
        why = g_strdup_printf("vacuous: no run added an event (%" G_GINT64_FORMAT " run%s), so lost-event and "
                              "duplicate had nothing to judge",
                              o->runs, o->runs == 1 ? "" : "s");
    } else if (o->runs > 0 && o->bound_hits >= o->runs) {
        char *cuts = check_cuts_text(o);
        why = g_strdup_printf("every run was cut before its end: %s", cuts ? cuts : "by a bound");
        g_free(cuts);
    }
    if (!why)
        return;
    /* Violations found are real runs: they stay; what held is not judged. */
    if (o->verdict != SIM_VERDICT_VIOLATION)
        o->verdict = SIM_VERDICT_INCOMPLETE;
    g_free(o->incomplete_reason);
    o->incomplete_reason = why;
    for (int i = 0; i < SIM_INV_COUNT; i++)
        if (o->inv_status[i] == CHECK_INV_HELD)
            o->inv_status[i] = CHECK_INV_NOT_JUDGED;
}

void check_outcome_statuses(check_outcome *o, guint claimed)
{
    /* The rest are judged when the search ran to its end without a reason
     * to doubt it; with --first it stopped at the first violation. */
    gboolean violation = o->verdict == SIM_VERDICT_VIOLATION;
    gboolean rest_judged = o->verdict != SIM_VERDICT_INCOMPLETE && !o->incomplete_reason && !(o->first && violation);
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        guint inv = 1u << i;
        if (violation && (o->violated & inv))
            o->inv_status[i] = CHECK_INV_VIOLATED;
        else if ((claimed & inv) && rest_judged)
            o->inv_status[i] = CHECK_INV_HELD;
        else
            o->inv_status[i] = CHECK_INV_NOT_JUDGED;
    }
}

/* "exactly lost-event violated, the rest hold", "a violation of lost-event" (--first), ... */
static char *expectation_text(const check_outcome *o)
{
    if (o->ignore_expect || (!o->expect_any && o->expect_violations == 0))
        return g_strdup("every invariant holds");
    if (o->expect_any)
        return g_strdup("some violation");
    char *set = sim_invariant_set_text(o->expect_violations);
    char *text = o->first ? g_strdup_printf("a violation of %s", set)
                          : g_strdup_printf("exactly %s violated, the rest hold", set);
    g_free(set);
    return text;
}

void check_outcome_judge(check_outcome *o)
{
    if (o->error) {
        o->status = CHECK_BAD_INPUT;
        return;
    }
    g_free(o->expectation);
    if (o->live) {
        /* The starvation check (check_live.c): a lasso found, or none. */
        o->expectation = g_strdup(o->expect_starvation ? "starvation" : "no starvation");
        if (o->verdict == SIM_VERDICT_INCOMPLETE)
            o->status = CHECK_INCOMPLETE;
        else
            o->status = (o->verdict == SIM_VERDICT_VIOLATION) == o->expect_starvation ? CHECK_EXPECTED
                                                                                      : CHECK_UNEXPECTED;
        return;
    }
    o->expectation = expectation_text(o);
    guint violated = 0, held = 0, unjudged = 0, claimed_unjudged = 0;
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        guint inv = 1u << i;
        if (o->inv_status[i] == CHECK_INV_VIOLATED)
            violated |= inv;
        else if (o->inv_status[i] == CHECK_INV_HELD)
            held |= inv;
        else
            unjudged |= inv;
    }
    /* An invariant nobody claims is never judged and never expected
     * ([expect] of an unclaimed invariant is refused when loading). */
    claimed_unjudged = unjudged & o->claimed;
    guint expect = o->ignore_expect ? 0 : o->expect_violations;
    gboolean any = !o->ignore_expect && o->expect_any;
    if (o->verdict == SIM_VERDICT_INCOMPLETE && !violated) {
        o->status = CHECK_INCOMPLETE;
        return;
    }
    if (any) {
        o->status = violated ? CHECK_EXPECTED : claimed_unjudged ? CHECK_INCOMPLETE : CHECK_UNEXPECTED;
        return;
    }
    /* A definite finding first: a violation nobody expected, or an
     * expected violation of an invariant that held. */
    if ((violated & ~expect) || (held & expect))
        o->status = CHECK_UNEXPECTED;
    else if (o->first && violated)
        o->status = CHECK_EXPECTED; /* --first: one of the expected ones */
    else if (claimed_unjudged)
        o->status = CHECK_INCOMPLETE;
    else
        o->status = CHECK_EXPECTED;
}
