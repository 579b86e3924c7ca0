/*
 * sim/explore/explore_dfs.h - the state of one exhaustive search, shared by
 * the depth-first walk (explore_dfs.c) and its race analysis
 * (explore_races.c).  Private to sim/explore/.
 *
 * The search keeps the current path of the choice tree as a stack of
 * nodes indexed by chooser position (one node per choice, SCHED or DATA),
 * and the steps of the run being made.  A node's backtrack set is what the
 * search still has to explore from it; the race analysis adds to it.
 */
#ifndef SIM_EXPLORE_DFS_H
#define SIM_EXPLORE_DFS_H

#include "sim/explore/explore.h"
#include "sim/explore/split.h"
#include "sim/explore/state_snap.h"
#include "sim/world/world.h"


typedef struct dfs_node {
    guint8 kind;           /* sim_choice_kind */
    uint32_t n, chosen;
    /* SCHED only */
    int *cand;             /* n tabs, answer order */
    uint64_t enabled, backtrack, done, sleep;
    sim_access *sleep_acc; /* per tab (index tab-1): access of the sleeping step */
    sim_access *child_acc; /* per tab: access of the step explored from here */
    gboolean last_enabled;
    int preemptions_before;
    gboolean top;          /* above the split depth: fully expanded, shared by every shard */
} dfs_node;

typedef struct dfs_step {
    int tab;
    sim_access acc;
    int64_t choice_pos;
    size_t data_end;       /* chooser position after the step */
    uint32_t data_hash;
} dfs_step;

typedef struct dfs {
    const sim_scenario *s;
    const sim_explore_options *o;
    int n_tabs;
    gboolean reduce;
    gint64 preemption_bound;  /* -1 = none */
    GArray *nodes;            /* dfs_node, the current path */
    GArray *prefix;           /* uint32 answers of the path */
    size_t replay_len;        /* prefix length of the run being made */
    GArray *steps;            /* dfs_step of the run being made */
    uint64_t cur_sleep;
    sim_access *cur_sleep_acc;
    int preemptions;
    gint64 cut_preemptions;   /* branches skipped because of the preemption bound */
    GHashTable *traces;       /* canonical-form hashes (reduction off) */
    sim_chooser *chooser;     /* of the run being made */
    /* The next run replays the path down to a backtrack point: the steps
     * before it are the last run's, kept with their vector clocks, so the
     * race analysis only looks at the steps after it (explore_races.c). */
    guint steps_kept;         /* leading steps of d->steps the run being made repeats */
    guint step_count;         /* steps of the run being made so far */
    uint32_t *vc;             /* per step, n_tabs clocks */
    uint32_t *vc_idx;         /* per step: its number among its tab's steps, from 1 */
    guint vc_cap;             /* steps the two arrays hold */
    guint vc_valid;           /* leading steps whose clocks are computed and whose races are known */
    /* Sharding (explore_dfs.c): the shared top above the split depth and
     * the work items below it. */
    sim_split split;
    gboolean data_roots;      /* a value may be an item's root (no sleep sets kept) */
    /* o->final_digests: the world of the run being made and its state
     * after its last step (sim/world/world_digest.h) */
    sim_world *world;
    sim_digest last;
    /* The run's world saved at its scheduling choices: a branch starts
     * from the deepest one at or above its choice (state_snap.h). */
    state_snaps snaps;
} dfs;

/* What the search knows of a run where it is, kept with a saved world. */
typedef struct dfs_view {
    uint64_t cur_sleep;
    int preemptions;
    guint step_count;
    sim_digest last;
} dfs_view;

/* Source-DPOR: adds to the backtrack sets of the path the reversals of the
 * races of the run just made (d->steps).  FALSE when a stop struck first. */
gboolean sim_dfs_race_analysis(dfs *d);
/* The run's Mazurkiewicz trace, as a hash of its canonical linearisation. */
uint64_t sim_dfs_trace_hash(const dfs *d);

#endif
