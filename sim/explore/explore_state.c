/*
 * explore_state.c - exhaustive, stateful exploration: depth-first over the
 * choice tree, fully expanded, pruning a run where it reaches a state
 * seen before.
 *
 * Every SCHED and DATA choice is expanded fully (no partial-order
 * reduction: combining a visited set with source-DPOR and sleep sets is
 * unsound unless done with care, Yang, Chen, Gopalakrishnan and Kirby,
 * SPIN 2008; plain DFS with a visited set is sound for safety).  After
 * each step of a run beyond its replayed prefix, the world's digest
 * (sim/world/world_digest.h) is looked up: a state stored at this step
 * count or fewer has had (or, on the current path, will have) every
 * continuation explored within the step bound, so the run is abandoned
 * (a revisit, counted as pruned).  Storing the step count keeps the
 * [run] steps_max bound exact: a state reached again with more steps
 * left is explored again.  Equal digests mean equal futures, judged
 * alike, so a violation reachable from a pruned state is reachable from
 * the stored one.  Preemptions are unbounded: the preemption count is not
 * part of the state, and a bound is not applied.
 *
 * Reaching a state: each branch replays the production code from the
 * start with its prefix, as the stateless search does (the world has no
 * snapshots; the code under test runs on coroutine stacks that hold
 * pointers).  Only the new steps are digested.
 *
 * The visited set is hash compaction: 128-bit digests in an open-
 * addressing table with the step count (20 bytes a state), doubling as
 * it fills up to --state-memory MB; when it is full, the verdict is incomplete, naming
 * that bound.  Two different states collide with probability about
 * n^2 / 2^129 for n states, said with the verdict.  Bitstate (SPIN's
 * -DBITSTATE): a bit array of the same memory, k = 3 bits per state and
 * no step count; a state whose bits are all set is taken as seen, which
 * may omit states: the verdict is never "verified", it says the
 * estimated coverage.
 *
 * Marks are checked (env_digest.c): a conflict makes the verdict
 * incomplete, naming the mark and the algorithm.
 */
#include <math.h>
#include <string.h>

#include "sim/explore/explore.h"
#include "sim/programs/algorithms.h"
#include "sim/world/world.h"

/* ---- the visited set ---- */

typedef struct state_set {
    gboolean bitstate;
    size_t cap;          /* entries (a power of 2), or bits */
    size_t max_cap;      /* compaction: the most entries --state-memory allows */
    gboolean exact_steps; /* a state reached with fewer steps than stored is explored again */
    sim_digest *keys;    /* compaction: {0, 0} = empty */
    uint32_t *steps;     /* compaction: fewest steps it was reached with */
    uint64_t *bits;      /* bitstate */
    size_t count;        /* states stored */
    double fp_sum;       /* bitstate: sum of the false-positive chance at each insertion */
    gboolean full;
} state_set;

#define BITSTATE_K 3
#define STATE_SET_LOAD 0.9

/* Compaction: the table starts at STATE_SET_START entries and doubles
 * (rehashing) up to the largest power of two that fits in bytes, so that
 * memory follows the states stored, not the cap. */
#define STATE_SET_START (1u << 16)

static void state_set_init(state_set *v, size_t bytes, gboolean bitstate)
{
    memset(v, 0, sizeof *v);
    v->bitstate = bitstate;
    if (bitstate) {
        size_t words = MAX(bytes / 8, (size_t)1);
        v->cap = words * 64;
        v->bits = g_try_new0(uint64_t, words);
        return;
    }
    size_t max = 1;
    while (max * 2 * (sizeof(sim_digest) + sizeof(uint32_t)) <= bytes)
        max *= 2;
    v->max_cap = max;
    v->cap = MIN(max, (size_t)STATE_SET_START);
    v->keys = g_try_new0(sim_digest, v->cap);
    v->steps = g_try_new0(uint32_t, v->cap);
}

static gboolean state_set_grow(state_set *v)
{
    size_t cap = v->cap * 2;
    sim_digest *keys = g_try_new0(sim_digest, cap);
    uint32_t *steps = g_try_new0(uint32_t, cap);
    if (!keys || !steps) {
        g_free(keys);
        g_free(steps);
        return FALSE;
    }
    for (size_t i = 0; i < v->cap; i++) {
        if (v->keys[i].lo == 0 && v->keys[i].hi == 0)
            continue;
        size_t j = v->keys[i].lo & (cap - 1);
        while (keys[j].lo != 0 || keys[j].hi != 0)
            j = (j + 1) & (cap - 1);
        keys[j] = v->keys[i];
        steps[j] = v->steps[i];
    }
    g_free(v->keys);
    g_free(v->steps);
    v->keys = keys;
    v->steps = steps;
    v->cap = cap;
    return TRUE;
}

/* The memory the set may use (the cap), and what it uses. */
static size_t state_set_bytes(const state_set *v)
{
    return v->bitstate ? v->cap / 8 : v->max_cap * (sizeof(sim_digest) + sizeof(uint32_t));
}

static void state_set_clear(state_set *v)
{
    g_free(v->keys);
    g_free(v->steps);
    g_free(v->bits);
}

/* TRUE: seen before with no more steps than now (prune).  FALSE: new, or
 * seen with more steps (explore again); stored either way unless full. */
static gboolean state_set_visit(state_set *v, sim_digest d, uint64_t steps)
{
    if (v->bitstate) {
        gboolean seen = TRUE;
        for (uint64_t i = 0; i < BITSTATE_K; i++) {
            uint64_t bit = (d.lo + i * d.hi) % v->cap;
            if (!(v->bits[bit / 64] >> (bit % 64) & 1)) {
                seen = FALSE;
                v->bits[bit / 64] |= UINT64_C(1) << (bit % 64);
            }
        }
        if (!seen) {
            v->count++;
            v->fp_sum += pow(1.0 - exp(-(double)BITSTATE_K * (double)v->count / (double)v->cap), BITSTATE_K);
        }
        return seen;
    }
    if (d.lo == 0 && d.hi == 0)
        d.lo = 1; /* {0, 0} marks an empty slot */
    uint32_t s = (uint32_t)MIN(steps, (uint64_t)UINT32_MAX);
    for (size_t i = d.lo & (v->cap - 1);; i = (i + 1) & (v->cap - 1)) {
        if (v->keys[i].lo == 0 && v->keys[i].hi == 0) {
            if ((double)(v->count + 1) > STATE_SET_LOAD * (double)v->cap) {
                if (v->cap >= v->max_cap || !state_set_grow(v)) {
                    v->full = TRUE;
                    return FALSE;
                }
                return state_set_visit(v, d, steps);
            }
            v->keys[i] = d;
            v->steps[i] = s;
            v->count++;
            return FALSE;
        }
        if (sim_digest_equal(v->keys[i], d)) {
            if (!v->exact_steps || v->steps[i] <= s)
                return TRUE;
            v->steps[i] = s;
            return FALSE;
        }
    }
}

/* ---- the search ---- */

typedef struct snode {
    uint32_t n, chosen;
} snode;

typedef struct sdfs {
    const sim_explore_options *o;
    sim_world *world;        /* of the run being made */
    sim_chooser *chooser;
    size_t prefix_len;
    state_set visited;
    gboolean have_last;
    sim_digest last;         /* the state after the run's last step */
} sdfs;

static void sdfs_world_ready(void *ctx, sim_world *w)
{
    sdfs *d = ctx;
    d->world = w;
    d->chooser = w->chooser;
}

static void sdfs_step_done(void *ctx, const sim_step_info *st)
{
    (void)st;
    sdfs *d = ctx;
    sim_world *w = d->world;
    if (d->chooser->pos < d->prefix_len && !d->o->final_digests)
        return; /* replaying the path: states seen already */
    sim_digest dg;
    sim_world_digest(w, &dg);
    d->last = dg;
    d->have_last = TRUE;
    if (d->chooser->pos < d->prefix_len)
        return;
    if (state_set_visit(&d->visited, dg, w->monitor->c.steps))
        d->chooser->abandoned = TRUE;
}

static void sdfs_progress(const sim_explore_options *o, const sim_explore_result *r, const sdfs *d, double t0)
{
    if (!o->progress || (r->runs + r->pruned) % 4096 != 0 || !o->clock_s)
        return;
    char *line = g_strdup_printf("stateful: %" G_GINT64_FORMAT " executions, %" G_GINT64_FORMAT " revisits, %zu states, %.1f s",
                                 r->runs, r->pruned, d->visited.count, o->clock_s() - t0);
    o->progress(o->progress_ctx, line);
    g_free(line);
}

/* The next branch: the deepest choice with an answer left.  FALSE when done. */
static gboolean sdfs_backtrack(GArray *nodes, GArray *prefix)
{
    while (nodes->len > 0) {
        snode *n = &g_array_index(nodes, snode, nodes->len - 1);
        if (n->chosen + 1 < n->n) {
            n->chosen++;
            g_array_set_size(prefix, nodes->len);
            for (guint i = 0; i < nodes->len; i++)
                g_array_index(prefix, uint32_t, i) = g_array_index(nodes, snode, i).chosen;
            return TRUE;
        }
        g_array_set_size(nodes, nodes->len - 1);
    }
    return FALSE;
}

static guint set_hash(gconstpointer p)
{
    return (guint)((const sim_digest *)p)->lo;
}

static gboolean set_equal(gconstpointer a, gconstpointer b)
{
    return sim_digest_equal(*(const sim_digest *)a, *(const sim_digest *)b);
}

GHashTable *sim_digest_set_new(void)
{
    return g_hash_table_new_full(set_hash, set_equal, g_free, NULL);
}

static void final_add(GHashTable *set, sim_digest d)
{
    sim_digest *copy = g_memdup2(&d, sizeof d);
    if (!g_hash_table_contains(set, copy))
        g_hash_table_add(set, copy);
    else
        g_free(copy);
}

static char *stateful_bounds(const sim_scenario *s, const sdfs *d)
{
    const state_set *v = &d->visited;
    double mb = (double)state_set_bytes(v) / (1024.0 * 1024.0);
    char *set = v->bitstate
                    ? g_strdup_printf("bitstate, %d bits a state in %.0f MB", BITSTATE_K, mb)
                    : g_strdup_printf("hash compaction, 128-bit digests (at most %.0f MB), omission probability about %.0e",
                                      mb, (double)v->count * (double)v->count / ldexp(1.0, 129));
    char *t = g_strdup_printf("(stateful, %zu states) every execution of at most %" G_GINT64_FORMAT
                              " steps; preemptions unbounded%s; untimed time; ranges at both ends; reduction off; %s",
                              v->count, s->steps_max,
                              s->preemptions_max >= 0 ? " (the scenario's preemptions_max is not applied)" : "", set);
    g_free(set);
    return t;
}

/* One depth-first search from the root; TRUE when it went through the
 * whole tree.  *cut_steps: a run was cut by [run] steps_max. */
static gboolean stateful_pass(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                              sim_explore_result *r, sdfs *d, GHashTable *marks_seen, double t0,
                              char **conflict, gboolean *cut_steps)
{
    GArray *nodes = g_array_new(FALSE, FALSE, sizeof(snode));
    GArray *prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean finished = FALSE;
    for (;;) {
        if (sim_explore_exhaustive_budget(o, r, t0))
            break;
        sim_run_spec spec = {.seed = 0, .tail = SIM_TAIL_ZERO, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                             .prefix = (const uint32_t *)prefix->data, .prefix_len = prefix->len,
                             .step_done = sdfs_step_done, .hook_ctx = d, .access_unused = TRUE, .stop = o->stop, .digests = TRUE,
                             .marks_seen = marks_seen, .marks_prefix_checked = TRUE, .world_ready = sdfs_world_ready};
        d->prefix_len = prefix->len;
        d->have_last = FALSE;
        sim_run run;
        sim_run_exec(s, pool, &spec, &run);
        d->world = NULL;
        if (run.stopped) {
            sim_explore_exhaustive_stopped(o, r, run.stopped);
            sim_run_clear(&run);
            break;
        }
        /* Every choice it made beyond the path is a node with answers left. */
        for (guint pos = nodes->len; pos < run.chooser.record->len; pos++) {
            snode n = {g_array_index(run.chooser.record_n, uint32_t, pos), g_array_index(run.chooser.record, uint32_t, pos)};
            g_array_append_val(nodes, n);
        }
        if (run.mark_conflict && !*conflict)
            *conflict = sim_explore_mark_conflict_text(&run);
        if (run.monitor.c.cut & SIM_CUT_STEPS)
            *cut_steps = TRUE;
        if (run.chooser.abandoned) {
            r->pruned++;
        } else {
            r->runs++;
            sim_explore_count_run(r, &run.monitor);
            if (o->final_digests && d->have_last)
                final_add(o->final_digests, d->last);
            if (run.monitor.violated) {
                sim_run_spec found = {.seed = 0, .tail = SIM_TAIL_ZERO, .untimed = TRUE, .discrete = TRUE};
                if (sim_explore_found(r, o, s, &run, &found, TRUE, TRUE)) {
                    sim_run_clear(&run);
                    break;
                }
            }
        }
        sim_run_clear(&run);
        if (*conflict || d->visited.full)
            break;
        sdfs_progress(o, r, d, t0);
        if (!sdfs_backtrack(nodes, prefix)) {
            finished = TRUE;
            break;
        }
    }
    g_array_free(nodes, TRUE);
    g_array_free(prefix, TRUE);
    return finished;
}

void sim_explore_stateful(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o,
                          sim_explore_result *r)
{
    double t0 = o->clock_s ? o->clock_s() : 0;
    r->verdict = SIM_VERDICT_VERIFIED;
    sdfs d = {.o = o};
    gint64 mb = o->state_memory_mb > 0 ? o->state_memory_mb : SIM_STATE_MEMORY_MB_DEFAULT;
    state_set_init(&d.visited, (size_t)mb * 1024 * 1024, o->bitstate);
    if ((!o->bitstate && (!d.visited.keys || !d.visited.steps)) || (o->bitstate && !d.visited.bits)) {
        r->verdict = SIM_VERDICT_INCOMPLETE;
        r->incomplete_reason = g_strdup_printf("could not allocate the visited set (--state-memory %" G_GINT64_FORMAT
                                               " MB)", mb);
        state_set_clear(&d.visited);
        return;
    }
    GHashTable *marks_seen = sim_marks_seen_new();
    char *conflict = NULL;
    gboolean cut_steps = FALSE;
    /* First a state counts as seen whatever the steps it was reached
     * with: sound when no run meets the step bound, for the set is then
     * closed under successors and holds every reachable state.  If one
     * does, the search starts over keeping the fewest steps of each state
     * (and a state reached with more steps left is explored again). */
    gboolean finished = stateful_pass(s, pool, o, r, &d, marks_seen, t0, &conflict, &cut_steps);
    if (finished && cut_steps && !o->bitstate && !conflict && r->verdict != SIM_VERDICT_VIOLATION) {
        state_set_clear(&d.visited);
        state_set_init(&d.visited, (size_t)mb * 1024 * 1024, FALSE);
        d.visited.exact_steps = TRUE;
        finished = d.visited.keys && d.visited.steps &&
                   stateful_pass(s, pool, o, r, &d, marks_seen, t0, &conflict, &cut_steps);
    }
    r->states = (gint64)d.visited.count;
    r->revisits = r->pruned;
    r->state_bytes = state_set_bytes(&d.visited);
    r->bitstate_coverage = d.visited.count ? 1.0 - d.visited.fp_sum / (double)d.visited.count : 1.0;
    r->bounds_text = stateful_bounds(s, &d);
    if (conflict) {
        g_free(r->incomplete_reason);
        r->incomplete_reason = g_strdup_printf("%s, in %s: the stateful search's assumption failed after %"
                                               G_GINT64_FORMAT " executions",
                                               conflict, sim_algorithms[s->algorithm]->name, r->runs);
        finished = FALSE;
    } else if (d.visited.full) {
        g_free(r->incomplete_reason);
        r->incomplete_reason = g_strdup_printf("the visited set is full (--state-memory %" G_GINT64_FORMAT
                                               " MB, %zu states) after %" G_GINT64_FORMAT " executions",
                                               mb, d.visited.count, r->runs);
        finished = FALSE;
    } else if (finished && o->bitstate && r->verdict != SIM_VERDICT_VIOLATION) {
        r->incomplete_reason = g_strdup_printf("no violation, bitstate coverage about %.1f %% (%zu states, %" G_GINT64_FORMAT
                                               " executions); bitstate search never verifies",
                                               100.0 * r->bitstate_coverage, d.visited.count, r->runs);
        finished = FALSE;
    }
    else if (!finished && r->incomplete_reason) {
        char *t = g_strdup_printf("%s (stateful, %zu states)", r->incomplete_reason, d.visited.count);
        g_free(r->incomplete_reason);
        r->incomplete_reason = t;
    }
    if (r->verdict != SIM_VERDICT_VIOLATION && !finished)
        r->verdict = SIM_VERDICT_INCOMPLETE;
    g_free(conflict);
    g_hash_table_destroy(marks_seen);
    state_set_clear(&d.visited);
    r->elapsed_s = o->clock_s ? o->clock_s() - t0 : 0;
}
