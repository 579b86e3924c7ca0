/*
 * sim/explore/explore_state.h - the state of one stateful search, shared by
 * its depth-first pass (explore_state.c: the hooks that pick, digest and
 * prune, the backtracking) and its driver (explore_state_passes.c: the
 * passes, starting over when an assumption breaks, the split's top and
 * the verdict) and the remake of a violation without collapsed reads
 * (explore_state_plain.c).  Private to sim/explore/.
 *
 * The search keeps the current path of the choice tree as a stack of
 * nodes by chooser position (snode: one per choice, SCHED or DATA), the
 * visited set (state_set.h) and the run's world saved along the path
 * (state_snap.h).
 */
#ifndef SIM_EXPLORE_STATE_H
#define SIM_EXPLORE_STATE_H

#include "sim/explore/explore.h"
#include "sim/explore/split.h"
#include "sim/explore/state_set.h"
#include "sim/explore/state_snap.h"
#include "sim/world/world.h"

typedef struct snode {
    uint32_t n, chosen;
    guint8 kind;            /* sim_choice_kind */
    /* SCHED only */
    int *cand;              /* n tabs, answer order */
    /* Sets of tabs, bit t-1 for tab t: as wide as [scenario] tabs can be
     * (sleep and skip only ever name the first SLEEP_TABS_MAX, done all). */
    uint64_t sleep;         /* tabs asleep on arrival */
    uint64_t done;          /* tabs explored from here */
    uint64_t skip;          /* tabs explored from this state at an earlier visit (state_set_visit) */
    sim_access *sleep_acc;  /* per tab (index tab-1): access of the sleeping step */
    sim_access *child_acc;  /* per tab: access of the step explored from here, over all its values */
} snode;

/* Every save here is restored (it is made at a choice with a way left), so
 * a step of the path is worth more of the world's bytes than in the
 * stateless search (state_snap.h). */
#define SNAP_STEP_BYTES 65536

/* Sleep sets are kept for at most this many tabs (a byte a state). */
#define SLEEP_TABS_MAX 8

typedef struct sdfs {
    const sim_explore_options *o;
    sim_world *world;        /* of the run being made */
    sim_chooser *chooser;
    size_t prefix_len;
    state_set visited;
    state_view v;            /* the run where it is (what a snapshot keeps, state_snap.h) */
    sim_access *sleep_acc;   /* per tab: the access of its sleeping step (kept with v) */
    gboolean sleep_sets;     /* the reduction: sleep sets kept with the states */
    int n_tabs;
    GArray *nodes;           /* snode, the current path, by chooser position */
    GPtrArray *spare;        /* node blocks free for reuse (node_block_take) */
    /* The world's collapse decisions along the path (sdfs_collapse), in
     * the order it asked, with the chooser position it asked at. */
    GArray *cq_pos;          /* size_t */
    GArray *cq_bit;          /* gboolean */
    size_t abandon_pos;      /* the chooser's position where the run was abandoned */
    sim_split split;         /* sharding: the top every shard walks, the work items below */
    guint8 assume;           /* what the digests assume of the code (SIM_DIGEST_*, world_digest.c) */
    const char *asymmetric;  /* --symmetry asked for and not applied: why (sim_world_digest_asymmetric) */
    gboolean symmetry_broken; /* --symmetry applied, then given up: a tab wrote storage */
    guint8 broken;           /* ... and a step broke: the pass is void */
    int64_t max_now_us;      /* the latest clock of the pass's steps */
    int64_t max_merged_us;   /* the latest clock at which a state was found stored */
    state_snaps snaps;       /* the run's world saved along the path, or no arena: replay */
    /* The run's steps from the root, as a run without collapsed reads
     * makes them: each step's tab, and after it the tabs whose reads it
     * collapsed (-tab), in the order done; v.path_len long.  A violation
     * found is made again from it as such a run, whose choices are the
     * token (a replay collapses nothing: explore_state_plain.c sdfs_plain). */
    GArray *path;            /* int */
    GArray *collapsed;       /* int: tabs whose reads the step under way collapsed */
    gboolean as_found;       /* TABSIM_STATEFUL_AS_FOUND: a violating run is not made again (tests) */
    /* Cycles: the states of the run's path by step count (path_dig[k],
     * the state after step k, for k = 1..path_n) and a set of them (open
     * addressing, a slot holds k, 0 = empty; entries leave it in the
     * reverse of their order, so clearing a slot keeps every probe
     * right).  A state found stored that is an earlier state of its own
     * run closes a cycle: that run can go on for ever. */
    GArray *path_dig;        /* sim_digest */
    guint64 path_n;
    guint32 *on_path;
    guint32 on_path_cap;     /* a power of two, at least twice path_n */
    gboolean cycle;          /* a cycle was found */
} sdfs;

/* One depth-first search from the root; TRUE when it went through the
 * whole tree.  *conflict: a mark's assumption failed (its text, to free);
 * *cut_steps: a run was cut by [run] steps_max. */
gboolean sdfs_pass(const sim_scenario *s, sim_stack_pool *pool, const sim_explore_options *o, sim_explore_result *r,
                   sdfs *d, sim_digest_map *marks_seen, double t0, char **conflict, gboolean *cut_steps);

/* Did the run's path collapse a read (explore_state_plain.c)? */
gboolean sdfs_path_collapsed(const sdfs *d);
/* found's run made again without collapsed reads, into out: TRUE when it
 * followed the path to its end and violates what found violates. */
gboolean sdfs_plain(const sdfs *d, const sim_scenario *s, sim_stack_pool *pool, const sim_run *found,
                    sim_run *out);

#endif
