/*
 * sim/explore/state_set.h - the visited set of the stateful search
 * (explore_state.c): state digests, 96 of their 128 bits kept by hash
 * compaction (16 bytes a state, four to a cache line), or as a bitstate
 * array.  Private to sim/explore/.
 *
 * Compaction: an open-addressing table of digests with, per state, the
 * fewest steps it was reached with (so that [run] steps_max stays exact)
 * and the sleep set it was explored with (the tabs whose steps from it
 * were left out because an equivalent order was explored elsewhere; a
 * bit per tab, tabs 1..8).  It doubles as it fills, up to the memory
 * given.  Bitstate (SPIN's -DBITSTATE): BITSTATE_K bits a state, no step
 * count, no sleep set; a state whose bits are all set counts as seen,
 * which may omit states.
 */
#ifndef SIM_EXPLORE_STATE_SET_H
#define SIM_EXPLORE_STATE_SET_H

#include <glib.h>
#include <stdint.h>

#include "sim/world/world_digest.h"

#define BITSTATE_K 3

typedef struct state_set {
    gboolean bitstate;
    size_t cap;           /* entries (a power of 2, in buckets of 4), or bits */
    size_t max_cap;       /* compaction: the most entries the memory allows */
    gboolean exact_steps; /* a state reached with fewer steps than stored is explored again */
    struct state_entry *slots; /* compaction: one entry a slot, {0, 0} = empty (state_set.c) */
    uint64_t *bits;       /* bitstate */
    size_t count;         /* states stored */
    double fp_sum;        /* bitstate: sum of the false-positive chance at each insertion */
    gboolean full;
} state_set;

/* bytes: the memory the set may grow to.  FALSE: it could not start. */
gboolean state_set_init(state_set *v, size_t bytes, gboolean bitstate);
void state_set_clear(state_set *v);
/* The memory the set may use (its cap). */
size_t state_set_bytes(const state_set *v);
/* Visit state d, reached after steps steps with sleep set sleep.  TRUE:
 * prune, everything a search from here must explore was explored from
 * its earlier visit (reached with no more steps, and every tab asleep then
 * is asleep now).  FALSE: new, or to be explored again; then the entry
 * keeps the fewest steps and the tabs asleep both times, and *explore
 * says which tabs' steps from here are still owed (Godefroid's rule for
 * sleep sets with a state cache): every tab for a new state or one reached
 * with more steps left, else only the tabs asleep at the earlier visit
 * (the others were explored from it then).  explore may be NULL. */
gboolean state_set_visit(state_set *v, sim_digest d, uint64_t steps, guint8 sleep, guint8 *explore);

#endif
