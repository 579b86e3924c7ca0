/*
 * split.c - the work items of a split exhaustive search; see
 * sim/explore/split.h.
 *
 * Items are dealt round robin in depth-first order: neighbouring items
 * have subtrees of similar size, so each shard gets a fair share of the
 * big ones and of the small ones.  Every shard deals alike, for every
 * shard walks the same top (explore_dfs.c, explore_state.c say why).
 */
#include <string.h>

#include "sim/explore/split.h"

void sim_split_begin(sim_split *sp, gint64 depth, gboolean counting, GPtrArray *items)
{
    memset(sp, 0, sizeof *sp);
    sp->depth = depth;
    sp->counting = counting;
    sp->root = -1;
    sp->items = items;
    sp->bound = -1;
}

/* Item k, whose root is after the first upto choices of c. */
static void item_list(sim_split *sp, const sim_explore_options *o, gint64 k, const sim_chooser *c, size_t upto,
                      uint64_t asleep, gboolean run)
{
    if (!sp->items)
        return;
    sim_explore_item *it = g_new0(sim_explore_item, 1);
    it->index = k;
    it->shard = (int)(k % o->shard_count);
    it->bound = sp->bound;
    it->prefix = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), (guint)upto);
    if (upto > 0 && c->record)
        g_array_append_vals(it->prefix, c->record->data, (guint)upto);
    it->asleep = asleep;
    it->run = run;
    g_ptr_array_add(sp->items, it);
}

static gboolean owned(const sim_split *sp, const sim_explore_options *o, gint64 k)
{
    return !sp->counting && k % o->shard_count == o->shard_index;
}

gboolean sim_split_deal(sim_split *sp, const sim_explore_options *o, size_t pos, const sim_chooser *c,
                        uint64_t asleep)
{
    gint64 k = sp->next++;
    sp->roots++;
    item_list(sp, o, k, c, pos, asleep, FALSE);
    if (owned(sp, o, k)) {
        sp->root = (gint64)pos;
        sp->cur = k;
        sp->owned++;
        return TRUE;
    }
    sp->skipped = TRUE;
    sp->skip_pos = pos;
    return FALSE;
}

gboolean sim_split_run_owned(sim_split *sp, const sim_explore_options *o, const sim_chooser *c)
{
    if (sp->depth < 0 || sp->root >= 0)
        return TRUE;
    sp->shared_runs++;
    if (sp->skipped)
        return FALSE;
    if (c->abandoned)
        return !sp->counting && o->shard_index == 0;
    gint64 k = sp->next++;
    item_list(sp, o, k, c, c->record ? c->record->len : 0, 0, TRUE);
    sp->cur = k;
    sp->owned += owned(sp, o, k);
    return owned(sp, o, k);
}

gint64 sim_split_choose(const sim_explore_options *o, sim_explore_result *r, gint64 *shared_runs,
                        sim_split_walk_fn walk, void *ctx)
{
    gint64 want = (gint64)SIM_SHARD_ITEMS_MIN * o->shard_count;
    for (gint64 depth = 1;; depth += MAX(depth / 4, 1)) {
        sim_explore_result scratch;
        memset(&scratch, 0, sizeof scratch);
        sim_split counted;
        sim_split_begin(&counted, depth, TRUE, NULL);
        if (o->items_out) /* --list-items: this depth's */
            g_ptr_array_set_size(o->items_out, 0);
        gboolean done = walk(ctx, depth, &scratch, &counted);
        if (!done) {
            r->stop_cause = scratch.stop_cause;
            r->incomplete_reason = scratch.incomplete_reason;
            scratch.incomplete_reason = NULL;
        }
        sim_explore_result_clear(&scratch);
        if (!done)
            return -1;
        *shared_runs += counted.shared_runs;
        if (counted.next >= want || counted.roots == 0)
            return depth;
    }
}
