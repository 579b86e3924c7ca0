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

void sim_split_begin(sim_split *sp, gint64 depth, gboolean counting)
{
    memset(sp, 0, sizeof *sp);
    sp->depth = depth;
    sp->counting = counting;
    sp->root = -1;
}

static gboolean owned(const sim_split *sp, const sim_explore_options *o, gint64 k)
{
    return !sp->counting && k % o->shard_count == o->shard_index;
}

gboolean sim_split_deal(sim_split *sp, const sim_explore_options *o, size_t pos)
{
    gint64 k = sp->next++;
    sp->roots++;
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

gboolean sim_split_run_owned(sim_split *sp, const sim_explore_options *o, gboolean abandoned)
{
    if (sp->depth < 0 || sp->root >= 0)
        return TRUE;
    sp->shared_runs++;
    if (sp->skipped)
        return FALSE;
    if (abandoned)
        return !sp->counting && o->shard_index == 0;
    gint64 k = sp->next++;
    sp->cur = k;
    sp->owned += owned(sp, o, k);
    return owned(sp, o, k);
}
