/*
 * sim/explore/split.h - the work items of an exhaustive search split by
 * --shard K/N, shared by the stateless search (explore_dfs.c) and the
 * stateful one (explore_state.c).  Private to sim/explore/.
 *
 * Every shard walks the same top of the choice tree; the subtrees below
 * it are work items, numbered in depth-first order as the walk meets
 * them, and item k is shard k mod N's.  Where an item's root is (a depth,
 * a preemption) is each search's own rule; dealing the items and telling
 * whose a finished run is are the same for both.
 */
#ifndef SIM_EXPLORE_SPLIT_H
#define SIM_EXPLORE_SPLIT_H

#include "sim/explore/explore.h"

typedef struct sim_split {
    gint64 depth;        /* chooser position of the split; -1 = none (one shard) */
    gboolean counting;   /* choosing the depth: every item is skipped and counted */
    gint64 next;         /* work items met so far, in depth-first order */
    gint64 roots;        /* of those, subtrees (the rest are runs that ended in the top) */
    gint64 owned;        /* of those, this shard's */
    gint64 root;         /* chooser position of the root of the owned item being explored; -1 = in the top */
    gint64 cur;          /* the item the run being made belongs to */
    gboolean skipped;    /* the run met another shard's item and was abandoned */
    size_t skip_pos;     /* where */
    gint64 shared_runs;  /* runs of the top (not executions: they stop at an item) */
    GPtrArray *items;    /* borrowed: each item met is listed here (sim_explore_item*); NULL = none */
    gint64 bound;        /* the preemption bound the items are listed with; -1: none (sim_split_begin) */
} sim_split;

/* A walk of the search with the split at depth (-1: none), counting its
 * items or exploring this shard's.  Its items are listed in items (NULL:
 * not listed). */
void sim_split_begin(sim_split *sp, gint64 depth, gboolean counting, GPtrArray *items);

/* Is the run being made above every item (in the top every shard walks)? */
static inline gboolean sim_split_in_top(const sim_split *sp)
{
    return sp->depth >= 0 && sp->root < 0;
}

/* A choice at chooser position pos of run c (its record holds the choices
 * before it) is the root of the next item, with the tabs in asleep
 * asleep: TRUE when it is this shard's (the run goes on inside it), FALSE
 * when it is another shard's (the run is abandoned there). */
gboolean sim_split_deal(sim_split *sp, const sim_explore_options *o, size_t pos, const sim_chooser *c,
                        uint64_t asleep);

/* A run (its chooser c) is over: is it this shard's, to count and judge?
 * A run that ended in the top is an item of its own; one that sleep sets
 * blocked there is counted as pruned by shard 0 alone. */
gboolean sim_split_run_owned(sim_split *sp, const sim_explore_options *o, const sim_chooser *c);

/* The search backtracks to the node at chooser position at: above the
 * owned item's root, the item is done and the walk is back in the top. */
static inline void sim_split_backtrack(sim_split *sp, size_t at)
{
    if (sp->root > (gint64)at)
        sp->root = -1;
}

/* One walk of a search's top with the split at depth, counting its items
 * (and listing them in o->items_out when asked): counted says how many
 * and how many runs the walk made.  FALSE when a stop struck; scratch
 * then says which. */
typedef gboolean (*sim_split_walk_fn)(void *ctx, gint64 depth, sim_explore_result *scratch, sim_split *counted);

/* The split depth: the first of 1, 2, 3, ..., 8, 10, 12, 15, 18, 22, ...
 * (growing by a quarter: the number of items can jump tenfold when the
 * depth doubles; lamport 3 x 1: 411 items at 16, 26522 at 64) at which the
 * top has at least SIM_SHARD_ITEMS_MIN x N items, or that no run goes
 * below (the top is then the whole tree).  Each try walks the top only;
 * its runs are added to *shared_runs.  -1 when a stop struck (r says
 * which). */
gint64 sim_split_choose(const sim_explore_options *o, sim_explore_result *r, gint64 *shared_runs,
                        sim_split_walk_fn walk, void *ctx);

#endif
