/*
 * explore_shrink.c - shorter counterexamples.
 *
 * A counterexample is a sequence of chooser answers (a prefix) followed by
 * the "zero" tail, whose scheduling answer 0 means "let the tab that just
 * stepped go on" (no preemption) and whose value answer 0 means "the low
 * end of the range".  Shrinking searches for another prefix whose run
 * violates the same invariant and is better: fewer steps to the end of the
 * run, then fewer preemptions, then fewer non-zero answers (fewer faults,
 * fewer tabs involved).  Passes, repeated while any improves, within a
 * budget of runs (length is the number of timeline lines up to the step
 * that broke the invariant, as the user reads it):
 *   - cut: keep only the first L answers (zero tail after them);
 *   - zero: set one answer to 0, or lower it by one;
 *   - drop: delete one answer (later answers move up one choice);
 *   - branch: keep the first i answers, give choice i another value, and
 *     cut there (finds a different, shorter way to the same failure);
 *     branch2 does it at two places i < j, zeros between (two preemptions
 *     placed earlier), tried only while the budget lasts.
 * Every candidate is a full deterministic run, so what is kept is a real
 * execution of the production code, replayable from its token.  A random
 * run's counterexample is first re-run recording its answers, so timed
 * counterexamples shrink the same way.
 */
#include <string.h>

#include "sim/explore/explore.h"

/* Budget: runs, and simulated steps over all of them (a long timed run
 * costs as much as hundreds of short ones); about a second or two. */
#define SHRINK_RUNS_MAX 4000
#define SHRINK_STEPS_MAX 1000000

typedef struct shrink_score {
    gboolean violates;
    uint64_t steps;
    uint64_t preemptions;
    guint nonzero;
} shrink_score;

typedef struct shrinker {
    const sim_scenario *s;     /* a copy whose steps_max caps candidate runs */
    sim_stack_pool *pool;
    sim_run_spec base; /* flags of the counterexample: untimed, discrete */
    guint target;      /* the invariant to keep violating */
    gint64 runs;
    uint64_t steps;    /* simulated over all candidate runs */
    GArray *arity;     /* uint32: how many answers each choice of the best run had */
    GArray *arity_scratch; /* the same for the candidate being tried */
} shrinker;

static gboolean shrink_budget_left(const shrinker *k)
{
    return k->runs < SHRINK_RUNS_MAX && k->steps < SHRINK_STEPS_MAX;
}

static gboolean score_better(const shrink_score *a, const shrink_score *b)
{
    if (a->steps != b->steps)
        return a->steps < b->steps;
    if (a->preemptions != b->preemptions)
        return a->preemptions < b->preemptions;
    return a->nonzero < b->nonzero;
}

/* The run's violation of target, or NULL. */
static const sim_violation *violation_of(const sim_monitor *m, guint target)
{
    for (guint i = 0; i < m->violations->len; i++) {
        const sim_violation *v = m->violations->pdata[i];
        if (v->invariant & target)
            return v;
    }
    return NULL;
}

/* Runs a candidate; on a violation of the target, *normal gets its answers
 * with trailing zeros cut (they equal the zero tail). */
static shrink_score shrink_try(shrinker *k, const uint32_t *prefix, guint len, GArray *normal)
{
    sim_run_spec spec = k->base;
    spec.tail = SIM_TAIL_ZERO;
    spec.prefix = prefix;
    spec.prefix_len = len;
    spec.record = TRUE;
    spec.trace = TRUE; /* the length that matters is the timeline's up to the violation */
    sim_run run;
    sim_run_exec(k->s, k->pool, &spec, &run);
    k->runs++;
    k->steps += run.monitor.c.steps;
    shrink_score sc = {0};
    const sim_violation *v = violation_of(&run.monitor, k->target);
    if (v) {
        sc.violates = TRUE;
        sc.steps = v->step;
        sc.preemptions = run.monitor.c.preemptions;
        const GArray *rec = run.chooser.record;
        guint keep = rec->len;
        while (keep > 0 && g_array_index(rec, uint32_t, keep - 1) == 0)
            keep--;
        for (guint i = 0; i < keep; i++)
            sc.nonzero += g_array_index(rec, uint32_t, i) != 0;
        if (normal) {
            g_array_set_size(normal, 0);
            g_array_append_vals(normal, rec->data, keep);
            g_array_set_size(k->arity_scratch, 0);
            g_array_append_vals(k->arity_scratch, run.chooser.record_n->data, keep);
        }
    }
    sim_run_clear(&run);
    return sc;
}

/* Accepts cand if it is better; returns TRUE when it did. */
static gboolean shrink_accept(shrinker *k, GArray *cur, shrink_score *best, const uint32_t *cand, guint len)
{
    GArray *normal = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    shrink_score sc = shrink_try(k, cand, len, normal);
    gboolean better = sc.violates && score_better(&sc, best);
    if (better) {
        *best = sc;
        g_array_set_size(cur, 0);
        g_array_append_vals(cur, normal->data, normal->len);
        g_array_set_size(k->arity, 0);
        g_array_append_vals(k->arity, k->arity_scratch->data, k->arity_scratch->len);
    }
    g_array_free(normal, TRUE);
    return better;
}

static gboolean pass_cut(shrinker *k, GArray *cur, shrink_score *best)
{
    guint len = cur->len;
    /* Shortest first: the first cut that still fails is the one kept. */
    for (guint l = 0; l < len && shrink_budget_left(k); l = l < 8 ? l + 1 : l + l / 4)
        if (shrink_accept(k, cur, best, (const uint32_t *)cur->data, l))
            return TRUE;
    return FALSE;
}

static gboolean pass_branch(shrinker *k, GArray *cur, shrink_score *best)
{
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean any = FALSE;
    for (guint i = 0; i < cur->len && shrink_budget_left(k); i++) {
        uint32_t n = i < k->arity->len ? g_array_index(k->arity, uint32_t, i) : 2;
        for (uint32_t v = 0; v < n && v < 8 && shrink_budget_left(k); v++) {
            if (v == g_array_index(cur, uint32_t, i))
                continue;
            g_array_set_size(cand, 0);
            g_array_append_vals(cand, cur->data, i);
            g_array_append_val(cand, v);
            if (shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len)) {
                any = TRUE;
                break;
            }
        }
    }
    g_array_free(cand, TRUE);
    return any;
}

static gboolean pass_branch2(shrinker *k, GArray *cur, shrink_score *best)
{
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean any = FALSE;
    guint len = cur->len;
    for (guint i = 0; i < len && !any && shrink_budget_left(k); i++) {
        uint32_t ni = i < k->arity->len ? g_array_index(k->arity, uint32_t, i) : 2;
        for (uint32_t v = 1; v < ni && v < 4 && !any; v++) {
            for (guint j = i + 1; j < len && j < i + 48 && !any && shrink_budget_left(k); j++) {
                for (uint32_t w = 1; w < 3 && !any; w++) {
                    g_array_set_size(cand, 0);
                    g_array_append_vals(cand, cur->data, i);
                    g_array_append_val(cand, v);
                    uint32_t zero = 0;
                    for (guint z = i + 1; z < j; z++)
                        g_array_append_val(cand, zero);
                    g_array_append_val(cand, w);
                    any = shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len);
                }
            }
        }
    }
    g_array_free(cand, TRUE);
    return any;
}

static gboolean pass_edit(shrinker *k, GArray *cur, shrink_score *best, gboolean drop)
{
    gboolean any = FALSE;
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < cur->len && shrink_budget_left(k); i++) {
        uint32_t v = g_array_index(cur, uint32_t, i);
        if (!drop && v == 0)
            continue;
        g_array_set_size(cand, 0);
        g_array_append_vals(cand, cur->data, cur->len);
        if (drop)
            g_array_remove_index(cand, i);
        else
            g_array_index(cand, uint32_t, i) = 0;
        if (shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len)) {
            any = TRUE;
            continue;
        }
        if (!drop && v > 1) {
            g_array_index(cand, uint32_t, i) = v - 1;
            any |= shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len);
        }
    }
    g_array_free(cand, TRUE);
    return any;
}

/* Shrinks one counterexample c, keeping a violation of target. */
static void shrink_one(const sim_scenario *s, sim_stack_pool *pool, sim_explore_cex *c, guint target)
{
    /* A candidate that runs far longer than the counterexample cannot be
     * better, and a schedule that livelocks must not run to the scenario's
     * step bound: candidates are capped at a few times the found run. */
    sim_scenario capped = *s;
    shrinker k = {.s = &capped, .pool = pool, .base = c->spec, .target = target};
    k.arity = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    k.arity_scratch = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    k.base.sched_pick = NULL;
    k.base.step_done = NULL;
    k.base.hook_ctx = NULL;
    k.base.stats = NULL;
    sim_run_spec found = c->spec;
    found.record = TRUE;
    found.trace = TRUE;
    sim_run run;
    sim_run_exec(s, pool, &found, &run);
    GArray *cur = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_vals(cur, run.chooser.record->data, run.chooser.record->len);
    const sim_violation *v = violation_of(&run.monitor, target);
    c->shrink_from_steps = v ? v->step : run.monitor.c.steps;
    capped.steps_max = MIN(s->steps_max, MAX(1000, 4 * (int64_t)run.monitor.c.steps));
    sim_run_clear(&run);

    shrink_score best = shrink_try(&k, (const uint32_t *)cur->data, cur->len, cur);
    if (!best.violates) {
        /* Replaying the answers with a zero tail lost the failure (a random
         * tail cut short): keep the counterexample as found. */
        c->shrink_to_steps = c->shrink_from_steps;
        c->shrink_runs = k.runs;
        g_array_free(cur, TRUE);
        g_array_free(k.arity, TRUE);
        g_array_free(k.arity_scratch, TRUE);
        return;
    }
    g_array_append_vals(k.arity, k.arity_scratch->data, k.arity_scratch->len);
    gboolean improved = TRUE;
    while (improved && shrink_budget_left(&k)) {
        improved = pass_cut(&k, cur, &best);
        improved |= pass_edit(&k, cur, &best, FALSE);
        improved |= pass_edit(&k, cur, &best, TRUE);
        improved |= pass_branch(&k, cur, &best);
        if (!improved)
            improved = pass_branch2(&k, cur, &best);
    }
    g_array_free(k.arity, TRUE);
    g_array_free(k.arity_scratch, TRUE);
    if (c->prefix)
        g_array_free(c->prefix, TRUE);
    c->prefix = cur;
    c->spec = k.base;
    c->spec.tail = SIM_TAIL_ZERO;
    c->spec.prefix = (const uint32_t *)cur->data;
    c->spec.prefix_len = cur->len;
    c->spec.record = FALSE;
    c->spec.trace = FALSE;
    c->shrunk = TRUE;
    c->shrink_to_steps = best.steps;
    c->preemptions = (gint64)best.preemptions;
    c->shrink_runs = k.runs;
}

void sim_explore_shrink(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                        sim_explore_result *r)
{
    /* With --first only the primary counterexample is shown: the others
     * found in its run are not shrunk. */
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        guint inv = 1u << i;
        if ((r->violated & inv) && (!o->first || inv == r->primary))
            shrink_one(s, pool, &r->cex[i], inv);
    }
}
