/*
 * explore_pct.c - probabilistic concurrency testing (Burckhardt, Kothari,
 * Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each run gives the n tabs distinct random priorities d..d+n-1 and picks
 * d-1 random change points among the first k steps; at every step the
 * enabled tab with the highest priority goes, and when the run reaches
 * change point j the tab that just stepped drops to priority j (below every
 * initial one).  A bug of depth d is then found by one run with probability
 * at least 1/(n k^(d-1)); the report prints that bound for the measured n
 * and k next to the runs made.  k is the most steps of a probe run (plain
 * untimed random, made first) and of the first PCT_CALIBRATION runs, each
 * of which draws its change points with k as measured before it; later
 * runs all use the k of those.  So run i is a function of the scenario,
 * the seed and i alone: every shard makes the calibration runs (counting
 * only its own), and the runs of N shards are exactly those of one search
 * (k was the most steps of the runs made so far, which in a shard were
 * other runs).  A run that goes on past k steps gets no change point
 * there; the report says so.
 *
 * PCT's own draws come from a PRNG seeded with the run's seed; every
 * scheduling answer it gives is recorded by the chooser, so the token of a
 * PCT counterexample replays it with no knowledge of PCT.  Time is untimed
 * (the scheduler is the adversary); values of ranges come from the seeded
 * chooser as in random mode.  Runs record their answers, so the history
 * bound of sim/world/stop.h applies to them.
 */
#include <math.h>
#include <string.h>

#include "sim/explore/explore.h"
#include "sim/world/world.h"

/* Runs that measure k, in every shard (see above). */
#define PCT_CALIBRATION 10

typedef struct pct {
    int n;
    int64_t prio[SIM_TABS_MAX];
    int64_t change_at[16]; /* step numbers, d-1 of them */
    int n_changes;
    int64_t step;
    int last_tab;
} pct;

static uint32_t pct_pick(void *ctx, uint32_t n, const int *cand)
{
    pct *p = ctx;
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (p->prio[cand[i] - 1] > p->prio[cand[best] - 1])
            best = i;
    return best;
}

static void pct_step(void *ctx, const sim_step_info *st)
{
    pct *p = ctx;
    p->step++;
    for (int j = 0; j < p->n_changes; j++)
        if (p->change_at[j] == p->step)
            p->prio[st->tab - 1] = j + 1; /* below every initial priority */
}

static void pct_setup(pct *p, int n, int depth, int64_t k, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    sim_chooser rng;
    sim_chooser_init(&rng, seed ^ 0x5043545043540000ULL, SIM_TAIL_RANDOM, NULL, 0, FALSE);
    /* A random permutation of d..d+n-1 (Fisher-Yates). */
    for (int i = 0; i < n; i++)
        p->prio[i] = depth + i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)sim_choose(&rng, (uint32_t)i + 1);
        int64_t t = p->prio[i];
        p->prio[i] = p->prio[j];
        p->prio[j] = t;
    }
    p->n_changes = MIN(depth - 1, (int)G_N_ELEMENTS(p->change_at));
    for (int j = 0; j < p->n_changes; j++)
        p->change_at[j] = 1 + sim_choose_range(&rng, 0, MAX(k - 1, 0));
    sim_chooser_clear(&rng);
}

/* Incomplete because of a stop (sim/world/stop.h); the run it cut is not counted. */
static void pct_stopped(const sim_explore_options *o, sim_explore_result *r, sim_stop cause)
{
    char *why = sim_explore_stop_text(cause, o);
    if (!r->violated) /* violations found stay found */
        r->verdict = SIM_VERDICT_INCOMPLETE;
    r->stop_cause = cause;
    r->incomplete_reason = g_strdup_printf("%s after %" G_GINT64_FORMAT " runs", why, r->runs);
    g_free(why);
}

void sim_explore_pct(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                     sim_explore_result *r)
{
    gint64 runs = o->runs > 0 ? o->runs : s->runs;
    uint64_t base = o->seed >= 0 ? (uint64_t)o->seed : (uint64_t)s->seed;
    int depth = (int)CLAMP(o->pct_depth, 1, 16);
    double t0 = o->clock_s ? o->clock_s() : 0;
    int64_t k = 0;
    r->verdict = SIM_VERDICT_PASSED;
    for (gint64 i = -1; i < runs; i++) {
        gboolean owned = i < 0 || o->shard_count <= 1 || i % o->shard_count == o->shard_index;
        if (!owned && i >= PCT_CALIBRATION)
            continue;
        sim_stop cause = sim_stop_read(o->stop);
        if (!cause && o->time_budget_s > 0 && o->clock_s && o->clock_s() - t0 >= o->time_budget_s)
            cause = SIM_STOP_BUDGET;
        if (cause) {
            pct_stopped(o, r, cause);
            break;
        }
        /* Run -1 is the probe that measures k (plain untimed random). */
        pct p;
        pct_setup(&p, (int)s->tabs, depth, k, base + (uint64_t)MAX(i, 0));
        sim_run_spec spec = {.seed = base + (uint64_t)MAX(i, 0), .tail = SIM_TAIL_RANDOM, .untimed = TRUE,
                             .record = i >= 0, .stop = o->stop};
        if (i >= 0) {
            spec.sched_pick = pct_pick;
            spec.step_done = pct_step;
            spec.hook_ctx = &p;
        }
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        if (run.stopped) {
            sim_run_clear(&run);
            pct_stopped(o, r, run.stopped);
            break;
        }
        if (i < PCT_CALIBRATION)
            k = MAX(k, (int64_t)run.monitor.c.steps);
        if (i < 0 || !owned) { /* made for k alone */
            sim_run_clear(&run);
            continue;
        }
        r->runs++;
        sim_explore_count_run(r, &run.monitor);
        if (run.monitor.violated) {
            sim_run_spec found = {.seed = spec.seed, .tail = SIM_TAIL_ZERO, .untimed = TRUE};
            if (sim_explore_found(r, o, s, &run, &found, TRUE, TRUE)) {
                sim_run_clear(&run);
                break;
            }
        }
        sim_run_clear(&run);
    }
    r->pct_n = s->tabs;
    r->pct_k = k;
    r->pct_bound = 1.0 / ((double)s->tabs * pow((double)MAX(k, 1), depth - 1));
    r->bounds_text = g_strdup_printf("PCT depth %d: each run finds a bug of depth <= %d within its first k steps with "
                                     "probability >= 1/(n k^(d-1)) = %.3g (n = %" G_GINT64_FORMAT
                                     " tabs, k = %" G_GINT64_FORMAT " steps, the most of a probe run and the first %d)",
                                     depth, depth, r->pct_bound, r->pct_n, r->pct_k, (int)MIN(runs, PCT_CALIBRATION));
    r->elapsed_s = o->clock_s ? o->clock_s() - t0 : 0;
}
