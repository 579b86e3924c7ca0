/*
 * explore_shrink.c - shorter counterexamples.
 *
 * A counterexample is a sequence of chooser answers (a prefix) followed by
 * the "zero" tail, whose scheduling answer 0 means "let the tab that just
 * stepped go on" (no preemption) and whose value answer 0 means "the low
 * end of the range".  Shrinking searches for another prefix whose run
 * violates the same invariant, and none that the check found held (it
 * would contradict the report), and is better: fewer timeline lines up to
 * the step that broke the invariant (the length the user reads), then
 * fewer preemptions, then fewer non-zero answers (fewer faults, extreme
 * latencies, tabs involved; a shorter token).  Candidates run untraced;
 * one that could be better (fewer steps, preemptions or non-zero answers)
 * runs again with a monitor that counts the timeline's lines without
 * writing them (sim/check/monitor.h), at a third of full tracing's cost.
 * Passes, repeated while any improves, within a bound (below):
 *   - cut: keep only the first L answers (zero tail after them);
 *   - zero: set a block of non-zero answers to 0, halving the block while
 *     none can go (delta debugging over answers, so a timed run's hundreds
 *     of latencies are tried in halves, quarters, ... rather than one by
 *     one); a single answer that cannot be 0 is halved (a latency at its
 *     lower end is 0, nearer the lower end is smaller);
 *   - drop: delete one answer (later answers move up one choice);
 *   - branch: keep the first i answers, give choice i another value, and
 *     cut there (finds a different, shorter way to the same failure);
 *     branch2 does it at two places i < j, zeros between (two preemptions
 *     placed earlier), tried only while the budget lasts.
 * Every candidate is a full deterministic run, so what is kept is a real
 * execution of the production code, replayable from its token.  A random
 * run's counterexample is first re-run recording its answers, so timed
 * counterexamples shrink the same way.
 *
 * The bound: the candidates' work (steps, bytes of storage values read and
 * written, a charge per run; SHRINK_RUN_WORK) stays under the larger of
 * SHRINK_WORK_FLOOR (about 2 s) and the search's own work, so shrinking
 * costs about as much as finding did, or about two seconds at most for a
 * quick find.  Bytes count because a step's cost varies with them: a
 * workload that rewrites long event lists costs several times more per
 * step than default.ini's lock retries.  The bound is counted, not timed,
 * so the result is the same on every machine and with any --jobs; when it
 * cuts the passes short the result says so.
 *
 * A stop from outside (Ctrl-C, the time budget: sim/world/stop.h) ends
 * shrinking within a step, and so does the history bound on the re-run of
 * the counterexample: the result is then incomplete with the counterexample
 * as found, never a half-shrunk one, whose length would depend on the
 * wall clock.  A candidate that reaches the history bound is only a
 * candidate that failed.
 */
#include <string.h>

#include "sim/explore/explore.h"

/* The bound (see the top of the file), in work units: a run's steps plus
 * the bytes of storage values it read and wrote, plus SHRINK_RUN_WORK for
 * building and freeing its world; a run that counts its lines weighs
 * SHRINK_COUNTED_WORK times as much (tracing with text would weigh six).
 * Measured over six scenarios (a least-squares fit of CPU time): a unit
 * is about 30 ns, a world about 120 us; so the floor is about 2 s. */
#define SHRINK_WORK_FLOOR 60000000
#define SHRINK_RUN_WORK 4000
#define SHRINK_COUNTED_WORK 2

typedef struct shrink_score {
    gboolean violates;
    uint64_t steps;       /* timeline lines up to the violation */
    uint64_t run_steps;   /* simulated steps up to it (known without tracing) */
    uint64_t preemptions;
    guint nonzero;
} shrink_score;

typedef struct shrinker {
    const sim_scenario *s;     /* a copy whose steps_max caps candidate runs */
    sim_stack_pool *pool;
    sim_run_spec base; /* flags of the counterexample: untimed, discrete */
    guint target;      /* the invariant to keep violating */
    guint allowed;     /* the invariants the check found violated: a candidate
                          that violates another is no counterexample of
                          this check, which reports that one held */
    gint64 runs;
    uint64_t work;     /* over all candidate runs (SHRINK_RUN_WORK) */
    uint64_t work_max; /* the bound on work */
    gboolean cut;      /* the bound stopped a pass */
    GArray *arity;     /* uint32: how many answers each choice of the best run had */
    GArray *arity_scratch; /* the same for the candidate being tried */
    sim_stop stopped;  /* a stop from outside struck: give up */
} shrinker;

static gboolean shrink_budget_left(shrinker *k)
{
    if (k->stopped)
        return FALSE;
    if (k->work < k->work_max)
        return TRUE;
    k->cut = TRUE;
    return FALSE;
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

/* One run of prefix then zeros: untraced, or traced to count the lines. */
static shrink_score shrink_run(shrinker *k, const uint32_t *prefix, guint len, gboolean traced, GArray *normal)
{
    sim_run_spec spec = k->base;
    spec.tail = SIM_TAIL_ZERO;
    spec.prefix = prefix;
    spec.prefix_len = len;
    spec.record = normal != NULL;
    spec.trace = traced;
    spec.trace_count = traced;
    sim_run run;
    sim_run_exec(k->s, k->pool, &spec, &run);
    k->runs++;
    k->work += (run.monitor.c.steps + run.monitor.c.storage_bytes) * (traced ? SHRINK_COUNTED_WORK : 1)
               + SHRINK_RUN_WORK;
    shrink_score sc = {0};
    if (run.stopped && run.stopped != SIM_STOP_HISTORY)
        k->stopped = run.stopped;
    const sim_violation *v = run.stopped || (run.monitor.violated & ~k->allowed) ? NULL
                                                                                 : violation_of(&run.monitor, k->target);
    if (v) {
        sc.violates = TRUE;
        sc.steps = v->step;
        sc.run_steps = sc.steps;
        sc.preemptions = run.monitor.c.preemptions;
    }
    if (sc.violates && normal) {
        const GArray *rec = run.chooser.record;
        guint keep = rec->len;
        while (keep > 0 && g_array_index(rec, uint32_t, keep - 1) == 0)
            keep--;
        for (guint i = 0; i < keep; i++)
            sc.nonzero += g_array_index(rec, uint32_t, i) != 0;
        g_array_set_size(normal, 0);
        g_array_append_vals(normal, rec->data, keep);
        g_array_set_size(k->arity_scratch, 0);
        g_array_append_vals(k->arity_scratch, run.chooser.record_n->data, keep);
    }
    sim_run_clear(&run);
    return sc;
}

/* Runs a candidate untraced; on a violation of the target, *normal gets
 * its answers with trailing zeros cut (they equal the zero tail).  When
 * best is given, a candidate that could be better (fewer steps, or fewer
 * preemptions, or fewer non-zero answers: a run with none of these is
 * taken not to print fewer lines) is run again traced for its lines. */
static shrink_score shrink_try(shrinker *k, const uint32_t *prefix, guint len, GArray *normal,
                               const shrink_score *best)
{
    shrink_score sc = shrink_run(k, prefix, len, FALSE, normal);
    if (!sc.violates)
        return sc;
    if (best && sc.run_steps >= best->run_steps && sc.preemptions >= best->preemptions
        && sc.nonzero >= best->nonzero) {
        sc.violates = FALSE; /* not better: no need to count its lines */
        return sc;
    }
    shrink_score lines = shrink_run(k, (const uint32_t *)normal->data, normal->len, TRUE, NULL);
    g_assert(lines.violates); /* the same run: a run is a function of its answers */
    sc.steps = lines.steps;
    return sc;
}

/* Accepts cand if it is better; returns TRUE when it did. */
static gboolean shrink_accept(shrinker *k, GArray *cur, shrink_score *best, const uint32_t *cand, guint len)
{
    GArray *normal = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    shrink_score sc = shrink_try(k, cand, len, normal, best);
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

/* The positions of cur's non-zero answers. */
static void nonzero_positions(const GArray *cur, GArray *pos)
{
    g_array_set_size(pos, 0);
    for (guint i = 0; i < cur->len; i++)
        if (g_array_index(cur, uint32_t, i) != 0)
            g_array_append_val(pos, i);
}

/* Zeros a block of non-zero answers at a time, halving the block down to
 * one answer; a single answer that cannot be 0 is halved instead.  After an
 * accepted candidate cur is the new run's record, whose non-zero answers
 * are found again and the pass goes on from the same block index; when
 * the run got shorter, cut tries its tail first. */
static gboolean pass_zero(shrinker *k, GArray *cur, shrink_score *best)
{
    gboolean any = FALSE;
    GArray *pos = g_array_new(FALSE, FALSE, sizeof(guint));
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    nonzero_positions(cur, pos);
    uint64_t steps_before = best->steps;
    for (guint block = MAX(pos->len / 2, 1); pos->len > 0 && shrink_budget_left(k); block /= 2) {
        for (guint start = 0; start < pos->len && shrink_budget_left(k);) {
            g_array_set_size(cand, 0);
            g_array_append_vals(cand, cur->data, cur->len);
            guint end = MIN(start + block, pos->len);
            for (guint i = start; i < end; i++)
                g_array_index(cand, uint32_t, g_array_index(pos, guint, i)) = 0;
            gboolean ok = shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len);
            if (!ok && block == 1) {
                guint at = g_array_index(pos, guint, start);
                uint32_t half = g_array_index(cur, uint32_t, at) / 2;
                g_array_index(cand, uint32_t, at) = half;
                ok = half > 0 && shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len);
            }
            if (ok && best->steps < steps_before) {
                /* Shorter: its tail may go too, before zeroing more. */
                pass_cut(k, cur, best);
                steps_before = best->steps;
            }
            if (ok) {
                any = TRUE;
                nonzero_positions(cur, pos);
            } else {
                start = end;
            }
        }
        if (block == 1)
            break;
    }
    g_array_free(cand, TRUE);
    g_array_free(pos, TRUE);
    return any;
}

/* Deletes one answer at a time (later answers move up one choice). */
static gboolean pass_drop(shrinker *k, GArray *cur, shrink_score *best)
{
    gboolean any = FALSE;
    GArray *cand = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < cur->len && shrink_budget_left(k); i++) {
        g_array_set_size(cand, 0);
        g_array_append_vals(cand, cur->data, cur->len);
        g_array_remove_index(cand, i);
        any |= shrink_accept(k, cur, best, (const uint32_t *)cand->data, cand->len);
    }
    g_array_free(cand, TRUE);
    return any;
}

/* Shrinking could not finish: r keeps the counterexample as found (a real
 * run: the violation stays; the search's verdict is still a violation). */
static void shrink_give_up(sim_explore_result *r, sim_stop cause)
{
    r->stop_cause = cause;
    r->cex_unshrunk = TRUE;
}

/* Shrinks one counterexample c, keeping a violation of target, within
 * work_max; a stop from outside is returned (c then stays as found). */
static sim_stop shrink_one(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                           uint64_t work_max, sim_explore_cex *c, guint target, guint allowed)
{
    /* A candidate that runs far longer than the counterexample cannot be
     * better, and a schedule that livelocks must not run to the scenario's
     * step bound: candidates are capped at a few times the found run. */
    sim_scenario capped = *s;
    shrinker k = {.s = &capped, .pool = pool, .base = c->spec, .target = target, .allowed = allowed | target,
                  .work_max = work_max};
    k.arity = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    k.arity_scratch = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    k.base.sched_pick = NULL;
    k.base.step_done = NULL;
    k.base.hook_ctx = NULL;
    k.base.stats = NULL;
    k.base.stop = o->stop;
    k.base.trace = FALSE;
    sim_run_spec found = c->spec;
    found.record = TRUE;
    found.sched_pick = NULL;
    found.step_done = NULL;
    found.stats = NULL;
    found.stop = o->stop;
    found.trace = TRUE;
    sim_run run;
    sim_run_exec(s, pool, &found, &run);
    if (run.stopped) {
        sim_run_clear(&run);
        g_array_free(k.arity, TRUE);
        g_array_free(k.arity_scratch, TRUE);
        return run.stopped;
    }
    GArray *cur = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_vals(cur, run.chooser.record->data, run.chooser.record->len);
    const sim_violation *v = violation_of(&run.monitor, target);
    c->shrink_from_steps = v ? v->step : run.monitor.c.steps;
    capped.steps_max = MIN(s->steps_max, MAX(1000, 4 * (int64_t)run.monitor.c.steps));
    sim_run_clear(&run);

    shrink_score best = shrink_try(&k, (const uint32_t *)cur->data, cur->len, cur, NULL);
    if (!best.violates || k.stopped) {
        /* Replaying the answers with a zero tail lost the failure (a random
         * tail cut short): keep the counterexample as found. */
        c->shrink_to_steps = c->shrink_from_steps;
        c->shrink_runs = k.runs;
        g_array_free(cur, TRUE);
        g_array_free(k.arity, TRUE);
        g_array_free(k.arity_scratch, TRUE);
        return k.stopped;
    }
    g_array_append_vals(k.arity, k.arity_scratch->data, k.arity_scratch->len);
    gboolean improved = TRUE;
    while (improved && shrink_budget_left(&k)) {
        improved = pass_cut(&k, cur, &best);
        improved |= pass_zero(&k, cur, &best);
        improved |= pass_drop(&k, cur, &best);
        improved |= pass_branch(&k, cur, &best);
        if (!improved)
            improved = pass_branch2(&k, cur, &best);
    }
    g_array_free(k.arity, TRUE);
    g_array_free(k.arity_scratch, TRUE);
    if (k.stopped) {
        g_array_free(cur, TRUE);
        return k.stopped;
    }
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
    c->shrink_cut = k.cut;
    return SIM_STOP_NONE;
}

void sim_explore_shrink(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                        gint64 search_runs, uint64_t search_steps, guint violated, sim_explore_result *r)
{
    /* The search's work without its bytes (not counted): a lower bound. */
    uint64_t work_max = MAX(SHRINK_WORK_FLOOR, search_steps + (uint64_t)MAX(search_runs, 0) * SHRINK_RUN_WORK);
    r->shrink_work_max = work_max;
    /* With --first only the primary counterexample is shown: the others
     * found in its run are not shrunk.  The history bound is one run's
     * (the next counterexample may be short); a signal or the budget
     * stops every run from here on. */
    for (int i = 0; i < SIM_INV_COUNT; i++) {
        guint inv = 1u << i;
        if (!(r->violated & inv) || (o->first && inv != r->primary))
            continue;
        sim_stop stopped = shrink_one(s, pool, o, work_max, &r->cex[i], inv, violated | r->violated);
        if (stopped) {
            shrink_give_up(r, stopped);
            if (stopped != SIM_STOP_HISTORY)
                return;
            continue;
        }
        if (inv == r->primary)
            r->shrink_cut = r->cex[i].shrink_cut;
    }
}
