/*
 * explore_races.c - the race analysis of source-DPOR (Abdulla, Aronis,
 * Jonsson, Sagonas, POPL 2014) and the canonical form of a trace.
 *
 * After each run the explorer (explore_dfs.c) asks here which orders of its
 * steps could be reversed.  Two steps are dependent when they are of one
 * tab, or one writes an object the other reads or writes
 * (sim_access_dependent).  Happens-before is tracked with vector clocks;
 * for a race e -> e' (dependent, of different tabs, not ordered through
 * another step) some tab that can start the reversed order (an initial of
 * notdep(e).e') must be in the backtrack set of the node before e.
 *
 * Invariant: only backtrack sets grow here; the path and the run are read.
 */
#include <string.h>

#include "sim/explore/explore_dfs.h"

/* Vector clocks: one row of n_tabs counters per step (vc + k * n);
 * idx[k] is step k's number among its tab's steps, from 1. */
#define VC(d, k) ((d)->vc + (size_t)(k) * (guint)(d)->n_tabs)

static void add_backtrack(dfs *d, const dfs_step *steps, guint i, guint k)
{
    const dfs_step *ei = &steps[i];
    if (ei->choice_pos < 0)
        return; /* nothing else could have run there */
    const uint32_t *idx = d->vc_idx;
    dfs_node *node = &g_array_index(d->nodes, dfs_node, ei->choice_pos);
    /* v = notdep(e_i).e_k; its initials: steps with no hb-predecessor in v. */
    uint64_t initials = 0;
    guint v[512];
    guint nv = 0;
    for (guint x = i + 1; x <= k && nv < G_N_ELEMENTS(v); x++) {
        const uint32_t *vx = VC(d, x);
        if (x < k && vx[ei->tab - 1] >= idx[i])
            continue; /* happens after e_i */
        gboolean initial = TRUE;
        for (guint m = 0; m < nv && initial; m++)
            if (vx[steps[v[m]].tab - 1] >= idx[v[m]])
                initial = FALSE;
        if (initial)
            initials |= UINT64_C(1) << (steps[x].tab - 1);
        v[nv++] = x;
    }
    if (initials & (node->backtrack | node->done))
        return;
    uint64_t want = initials & node->enabled;
    uint64_t kbit = UINT64_C(1) << (steps[k].tab - 1);
    if (want & kbit)
        node->backtrack |= kbit;
    else if (want)
        node->backtrack |= want & -want; /* the lowest tab */
    else
        node->backtrack |= node->enabled; /* not enabled there: be safe */
}

/* FALSE when a stop struck first: the analysis of a long run is quadratic
 * in its steps (262144 steps: minutes), so it polls the stop word too.
 *
 * Incremental: the steps before d->vc_valid are the last analysed run's
 * (explore_dfs.c keeps them when the next run replays them), with their
 * clocks.  Their races were handled then, and handling a race again
 * changes nothing (its backtrack entry is there, or the node's whole
 * enabled set is), so only the steps from vc_valid on are analysed. */
gboolean sim_dfs_race_analysis(dfs *d)
{
    guint m = d->steps->len;
    guint n = (guint)d->n_tabs;
    const dfs_step *steps = (const dfs_step *)d->steps->data;
    if (m > d->vc_cap) {
        d->vc_cap = MAX(m, d->vc_cap * 2);
        d->vc = g_renew(uint32_t, d->vc, (gsize)d->vc_cap * n);
        d->vc_idx = g_renew(uint32_t, d->vc_idx, d->vc_cap);
    }
    uint32_t *idx = d->vc_idx;
    uint32_t count[SIM_TABS_MAX] = {0};
    int last[SIM_TABS_MAX];
    for (int t = 0; t < SIM_TABS_MAX; t++)
        last[t] = -1;
    guint start = MIN(d->vc_valid, m);
    for (guint k = 0; k < start; k++) {
        count[steps[k].tab - 1] = idx[k];
        last[steps[k].tab - 1] = (int)k;
    }
    guint *preds = g_new(guint, m + 1);
    gboolean stopped = FALSE;
    guint k;
    for (k = start; k < m; k++) {
        if ((k & 63) == 63 && sim_stop_read(d->o->stop)) {
            stopped = TRUE;
            break;
        }
        int tk = steps[k].tab - 1;
        uint32_t *vk = VC(d, k);
        guint np = 0;
        if (last[tk] >= 0) {
            memcpy(vk, VC(d, last[tk]), n * sizeof *vk);
            preds[np++] = (guint)last[tk];
        } else
            memset(vk, 0, n * sizeof *vk);
        for (guint i = 0; i < k; i++)
            if (steps[i].tab != steps[k].tab && sim_access_dependent(steps[i].acc, steps[k].acc)) {
                const uint32_t *vi = VC(d, i);
                for (guint t = 0; t < n; t++)
                    vk[t] = MAX(vk[t], vi[t]);
                preds[np++] = i;
            }
        idx[k] = ++count[tk];
        vk[tk] = idx[k];
        last[tk] = (int)k;
        /* A race: a dependent predecessor of another tab not ordered
         * before e_k through any other predecessor. */
        for (guint a = 0; a < np; a++) {
            guint i = preds[a];
            if (steps[i].tab == steps[k].tab)
                continue;
            gboolean direct = TRUE;
            for (guint b = 0; b < np && direct; b++)
                if (b != a && VC(d, preds[b])[steps[i].tab - 1] >= idx[i])
                    direct = FALSE;
            if (direct)
                add_backtrack(d, steps, i, k);
        }
    }
    d->vc_valid = k;
    g_free(preds);
    return !stopped;
}

static gboolean steps_dependent(const dfs_step *a, const dfs_step *b)
{
    return a->tab == b->tab || sim_access_dependent(a->acc, b->acc);
}

/* Mazurkiewicz trace of the run: canonical (Foata-like) linearisation that
 * always emits the lowest tab among the steps whose predecessors are out. */
uint64_t sim_dfs_trace_hash(const dfs *d)
{
    guint m = d->steps->len;
    const dfs_step *steps = (const dfs_step *)d->steps->data;
    gboolean *out = g_new0(gboolean, m);
    uint64_t h = 1469598103934665603ULL;
    for (guint emitted = 0; emitted < m; emitted++) {
        guint best = m;
        for (guint k = 0; k < m; k++) {
            if (out[k])
                continue;
            gboolean ready = TRUE;
            for (guint i = 0; i < k && ready; i++)
                if (!out[i] && steps_dependent(&steps[i], &steps[k]))
                    ready = FALSE;
            if (ready && (best == m || steps[k].tab < steps[best].tab))
                best = k;
        }
        out[best] = TRUE;
        h = (h ^ (uint64_t)steps[best].tab) * 1099511628211ULL;
        h = (h ^ steps[best].data_hash) * 1099511628211ULL;
    }
    g_free(out);
    return h;
}

