/*
 * sim/explore/state_snap.h - the stateful search's saved states: the run's
 * world in an arena (sim/world/arena.h), saved at the choices of the path
 * that have a way left, and restored to start a branch there instead of
 * replaying it from the root.
 *
 * Invariant: the entries are the path's, in chooser-position order; an
 * entry at position p holds the world as it was when the choice at p was
 * about to be made, and the search's view of the run then (state_view).
 * A branch whose last choice is at p starts from the deepest entry at or
 * above p; the entries below it are dropped, for the path has left them.
 */
#ifndef SIM_STATE_SNAP_H
#define SIM_STATE_SNAP_H

#include "sim/explore/explore.h"
#include "sim/world/arena.h"
#include "sim/world/world.h"

/* The search's view of a run where it is (explore_state.c). */
typedef struct state_view {
    guint8 sleep;            /* tabs asleep in the state the run is in */
    sim_access *sleep_acc;   /* per tab: the access of its sleeping step */
    /* Tabs whose steps from the state the run is in were explored at an
     * earlier visit of that state, looked up at chooser position skip_pos
     * (they apply only to a step that begins there: no choice between). */
    guint8 skip;
    size_t skip_pos;
    guint cq_next;           /* the run's next collapse question */
    gboolean have_last;
    sim_digest last;         /* the state after the run's last step */
} state_view;

typedef struct state_snap {
    size_t pos;              /* the choice's chooser position */
    sim_arena_snap mem;
    state_view v;            /* its sleep_acc owned */
} state_snap;

typedef struct state_snaps {
    sim_arena *arena;        /* NULL: no snapshots (the search replays) */
    int n_tabs;
    sim_run *run;            /* the run in the arena */
    sim_world *world;
    GArray *entries;         /* state_snap; the first n are the path's */
    guint n;
} state_snaps;

/* An arena for the search's runs, if one can be made; FALSE if not. */
gboolean state_snaps_init(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool);
void state_snaps_clear(state_snaps *sn);
/* Save the world as it is, with the view v, for the choice at pos. */
void state_snaps_push(state_snaps *sn, size_t pos, const state_view *v);
/* The entry a branch whose prefix has len choices starts from, or NULL. */
const state_snap *state_snaps_nearest(state_snaps *sn, size_t len);
/* Put e back: the world, the view (into v), the chooser's prefix. */
sim_run *state_snaps_restore(state_snaps *sn, const state_snap *e, const GArray *prefix, state_view *v);
/* Run the restored world to the run's end. */
void state_snaps_steps(state_snaps *sn, const sim_run_spec *spec);
/* A run from the root in the emptied arena. */
sim_run *state_snaps_fresh(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *spec);

#endif
