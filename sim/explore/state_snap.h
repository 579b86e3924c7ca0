/*
 * sim/explore/state_snap.h - the exhaustive searches' saved states: the run's
 * world in an arena (sim/world/arena.h), saved at the choices of the path
 * that have a way left, and restored to start a branch there instead of
 * replaying it from the root.
 *
 * Invariant: the entries are the path's, in chooser-position order; an
 * entry at position p holds the world as it was when the choice at p was
 * about to be made, and the search's view of the run then (the stateful
 * search's state_view, the stateless search's dfs_view).
 * A branch whose last choice is at p starts from the deepest entry at or
 * above p; the entries below it are dropped, for the path has left them.
 */
#ifndef SIM_STATE_SNAP_H
#define SIM_STATE_SNAP_H

#include "sim/explore/explore.h"
#include "sim/world/arena.h"
#include "sim/world/world.h"

/* The stateful search's view of a run where it is (explore_state.c);
 * with it, a snapshot keeps the per-tab accesses of the sleeping steps. */
typedef struct state_view {
    guint8 sleep;            /* tabs asleep in the state the run is in */
    /* Tabs whose steps from the state the run is in were explored at an
     * earlier visit of that state, looked up at chooser position skip_pos
     * (they apply only to a step that begins there: no choice between). */
    guint8 skip;
    size_t skip_pos;
    guint cq_next;           /* the run's next collapse question */
    guint path_len;          /* the run's steps in the path's log (explore_state.h sdfs.path) */
    gboolean have_last;
    sim_digest last;         /* the state after the run's last step */
} state_view;

typedef struct state_snap {
    size_t pos;              /* the choice's chooser position */
    uint64_t steps;          /* the run's steps before it */
    sim_arena_snap mem;
    void *view;              /* the explorer's view of the run: view_len bytes */
    sim_access *acc;         /* n_tabs accesses the explorer keeps with it */
} state_snap;

typedef struct state_snaps {
    sim_arena *arena;        /* NULL: no snapshots (the search replays) */
    int n_tabs;
    size_t view_len;
    sim_run *run;            /* the run in the arena */
    sim_world *world;
    GArray *entries;         /* state_snap; the first n are the path's */
    guint n;
    size_t bytes;            /* what the first n hold (STATE_SNAPS_BYTES_MAX at most) */
} state_snaps;

/* A save copies the world: it is made only where the steps since the last
 * one are worth it (a step costs about what copying 4 KB does; a search
 * that restores every save, the stateful one, values a step more), and
 * the path's saves hold at most STATE_SNAPS_BYTES_MAX: a long run's world
 * grows with its records. */
#define STATE_SNAPS_BYTES_MAX ((size_t)128 << 20)

/* An arena for the search's runs, if one can be made (not for JavaScript
 * tabs, whose state lives in node); FALSE if not.  The explorer's view of
 * a run is view_len bytes and n_tabs accesses. */
gboolean state_snaps_init(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool, size_t view_len);
void state_snaps_clear(state_snaps *sn);
/* Save the world as it is, with the explorer's view, for the choice at
 * pos, if it is worth it: at least min_steps steps since the last save,
 * and enough that they are worth step_bytes each of the world's bytes.
 * FALSE: not saved. */
gboolean state_snaps_push(state_snaps *sn, size_t pos, guint min_steps, size_t step_bytes, const void *view,
                          const sim_access *acc);
/* The entry a branch whose prefix has len choices starts from, or NULL. */
const state_snap *state_snaps_nearest(state_snaps *sn, size_t len);
/* Put e back: the world, the view (into view and acc), the chooser's prefix. */
sim_run *state_snaps_restore(state_snaps *sn, const state_snap *e, const GArray *prefix, void *view, sim_access *acc);
/* Run the restored world to the run's end. */
void state_snaps_steps(state_snaps *sn, const sim_run_spec *spec);
/* A run from the root in the emptied arena. */
sim_run *state_snaps_fresh(state_snaps *sn, const sim_scenario *s, sim_stack_pool *pool, const sim_run_spec *spec);

#endif
