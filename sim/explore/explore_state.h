/*
 * sim/explore/explore_state.h - the stateful search's path and its helpers
 * that run ahead (explore_state.c, explore_ahead.c).  Private to
 * sim/explore/.
 *
 * The search (explore_state.c) is a depth-first walk of the choice tree:
 * its path is an array of nodes, one per choice of the run being made,
 * and each run replays the path from the root.  With --jobs N (N > 1) the
 * helpers of explore_ahead.c make, on other threads, the runs the walk is
 * certain to make later (a branch left at a node of the path), recording
 * what the walk's hooks saw; when the walk gets there it takes the record
 * instead of running, if everything the run depended on is still as it
 * was.  The walk's order, its visited set and its output are those of one
 * thread.
 */
#ifndef SIM_EXPLORE_STATE_H
#define SIM_EXPLORE_STATE_H

#include "sim/explore/explore.h"
#include "sim/explore/state_set.h"
#include "sim/world/world.h"

struct ahead_job;
typedef struct sim_ahead sim_ahead;

typedef struct snode {
    uint32_t n, chosen;
    guint8 kind;            /* sim_choice_kind */
    /* SCHED only */
    int *cand;              /* n tabs, answer order */
    guint8 sleep, done;     /* tabs asleep on arrival; tabs explored from here (bit t-1: tab t) */
    sim_access *sleep_acc;  /* per tab (index tab-1): access of the sleeping step */
    sim_access *child_acc;  /* per tab: access of the step explored from here, over all its values */
    struct ahead_job *ahead; /* the walk's: the run of this node's next branch, made ahead (or NULL) */
} snode;

/* Sleep sets are kept for at most this many tabs (a byte a state). */
#define SLEEP_TABS_MAX 8

typedef struct sdfs {
    const sim_explore_options *o;
    sim_world *world;        /* of the run being made */
    sim_chooser *chooser;
    size_t prefix_len;
    state_set visited;       /* the walk's (a helper's is unused) */
    gboolean have_last;
    sim_digest last;         /* the state after the run's last step */
    gboolean sleep_sets;     /* the reduction: sleep sets kept with the states */
    int n_tabs;
    GArray *nodes;           /* snode, the current path, by chooser position */
    guint8 cur_sleep;        /* tabs asleep in the state the run is in */
    sim_access *cur_sleep_acc;
    /* The world's collapse decisions along the path (sdfs_collapse), in
     * the order it asked, with the chooser position it asked at. */
    GArray *cq_pos;          /* size_t */
    GArray *cq_bit;          /* gboolean */
    guint cq_next;           /* the run's next question */
    sim_ahead *ahead;        /* the walk's helpers, or NULL (one thread) */
    size_t abandon_pos;      /* the chooser's position where the run was abandoned */
} sdfs;

void sdfs_node_clear(snode *n);
void sdfs_nodes_truncate(sdfs *d, guint len);
/* The value choices recorded (in c) before position upto that the path lacks. */
void sdfs_nodes_sync(sdfs *d, const sim_chooser *c, guint upto);
/* A scheduling choice beyond the prefix: appends its node, returns the
 * first candidate not asleep (n: every one is). */
uint32_t sdfs_node_push(sdfs *d, uint32_t n, const int *cand);
/* After a step: the sleep set of the state it reached; FALSE: a sleeper's
 * step (the run is abandoned). */
gboolean sdfs_sleep_after(sdfs *d, const sim_step_info *st);
/* The next answer left at node n (a value not tried, a tab neither
 * explored from there nor asleep), or -1. */
int sdfs_node_next(const snode *n);

/* ---- explore_ahead.c ---- */

/* Starts threads helpers for the walk d (its visited set and marks_seen
 * are then shared with them, behind the helpers' lock). */
sim_ahead *sim_ahead_start(const sim_scenario *s, const sim_explore_options *o, sdfs *d, GHashTable *marks_seen,
                           int threads);
/* Stops and joins the helpers; frees every run made ahead. */
void sim_ahead_stop(sim_ahead *ah);
/* The walk will next run node at's chosen branch: hands the helpers the
 * branches left at the path's nodes (at and above) that have none yet. */
void sim_ahead_post(sim_ahead *ah, sdfs *d, guint at);
/* The run of node at's chosen branch (the path is d's, the prefix set):
 * TRUE when a helper's record of it was taken as that run (a revisit:
 * *r counted it pruned, d's path, visited set and marks are as after it);
 * FALSE: the walk makes it. */
gboolean sim_ahead_use(sim_ahead *ah, sdfs *d, guint at, sim_explore_result *r);
/* Node n leaves the path: its run made ahead, if any, is dropped. */
void sim_ahead_drop(sim_ahead *ah, snode *n);
/* The walk's own runs: the visited set and marks_seen are shared. */
void sim_ahead_lock(sim_ahead *ah);
void sim_ahead_unlock(sim_ahead *ah);
extern const sim_marks_ops sim_ahead_walk_marks;
/* Counts for the benchmark (stderr with TABSIM_AHEAD_STATS set). */
void sim_ahead_report(const sim_ahead *ah);

#endif
