/*
 * explore_state_plain.c - a violation of the stateful search made again
 * as a run without collapsed reads; see sim/explore/explore_state.h.
 *
 * A replay (a token, the counterexample's timeline, shrinking) collapses
 * no read: it has no marks to predict with.  A violating run of this
 * search whose path collapsed a read is therefore made again as the run
 * that makes each collapsed get a step of its own, right after the step
 * that collapsed it (one order the scheduler could have picked, and the
 * same states: env_eager.c), following the path's log tab by tab and the
 * run's value answers in order.  Its choices are the counterexample.
 */
#include "sim/explore/explore_state.h"

typedef struct plain_guide {
    const int *path;         /* the path's log (sdfs.path) */
    guint len, at;           /* its length; the step to make next */
    const uint32_t *data;    /* the run's value answers, in order */
    guint n_data, data_at;
    gboolean lost;           /* the run left the path */
} plain_guide;

static uint32_t guide_sched(void *ctx, uint32_t n, const int *cand)
{
    plain_guide *g = ctx;
    for (uint32_t i = 0; g->at < g->len && i < n; i++)
        if (cand[i] == ABS(g->path[g->at]))
            return i;
    g->lost = TRUE;
    return n; /* abandoned */
}

static uint32_t guide_data(void *ctx, uint32_t n, const int *cand)
{
    (void)cand;
    plain_guide *g = ctx;
    if (g->data_at < g->n_data && g->data[g->data_at] < n)
        return g->data[g->data_at++];
    g->lost = TRUE;
    return n;
}

static void guide_step(void *ctx, const sim_step_info *st)
{
    plain_guide *g = ctx;
    if (g->at >= g->len || ABS(g->path[g->at]) != st->tab)
        g->lost = TRUE;
    g->at++;
}

gboolean sdfs_path_collapsed(const sdfs *d)
{
    for (guint i = 0; i < d->v.path_len; i++)
        if (g_array_index(d->path, int, i) < 0)
            return TRUE;
    return FALSE;
}

gboolean sdfs_plain(const sdfs *d, const sim_scenario *s, sim_stack_pool *pool, const sim_run *found,
                    sim_run *out)
{
    const sim_chooser *c = &found->chooser;
    GArray *data = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < c->record->len; i++)
        if (g_array_index(c->record_kind, guint8, i) == SIM_CHOICE_DATA)
            g_array_append_val(data, g_array_index(c->record, uint32_t, i));
    plain_guide g = {.path = (const int *)d->path->data, .len = d->v.path_len,
                     .data = (const uint32_t *)data->data, .n_data = data->len};
    sim_run_spec spec = {.seed = 0, .tail = SIM_TAIL_ZERO, .record = TRUE, .untimed = TRUE, .discrete = TRUE,
                         .stop = d->o->stop, .sched_pick = guide_sched, .data_pick = guide_data,
                         .step_done = guide_step, .hook_ctx = &g};
    sim_run_exec(s, pool, &spec, out);
    gboolean ok = !g.lost && !out->stopped && g.at == g.len && g.data_at == g.n_data &&
                  (out->monitor.violated & found->monitor.violated) == found->monitor.violated;
    g_array_free(data, TRUE);
    if (!ok)
        sim_run_clear(out);
    return ok;
}
