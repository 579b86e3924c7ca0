/*
 * sim/explore/ahead.h - what the two halves of the stateful search's
 * helpers share: explore_ahead.c (the helpers and their runs) and
 * explore_ahead_take.c (the walk's side: handing out branches, taking a
 * record).  Private to sim/explore/; explore_ahead.c says why and how.
 */
#ifndef SIM_EXPLORE_AHEAD_H
#define SIM_EXPLORE_AHEAD_H

#include "sim/explore/explore_state.h"

#define AHEAD_QUEUED 4 /* jobs waiting, per helper */
#define SPARE_MAX 64   /* jobs kept for reuse */
#define SPIN_MAX 4096 /* spin_pause()s a thread spins before it sleeps (tens of microseconds) */

static inline void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The lock is held for a lookup or an insert at a time: a thread that
 * finds it taken spins a little before it asks the kernel to wait (a
 * system call, slow here). */
void sim_ahead_lock_spin(GMutex *lock);

enum { EV_PICK, EV_STEP };

typedef struct ahead_event {
    guint8 kind;
    gboolean ok;            /* STEP: the sleep sets let it be (sdfs_sleep_after) */
    gboolean digested;      /* STEP: dg and steps are set */
    guint8 sleep;           /* STEP: the tabs asleep after it */
    uint32_t n, pick;       /* PICK: its answers and the one taken (n: every tab asleep) */
    guint cand_at;          /* PICK: its candidates, in job->cands */
    size_t pos;             /* PICK: the chooser's position at it; STEP: after it */
    sim_step_info info;     /* STEP */
    sim_digest dg;          /* STEP: the state it reached */
    uint64_t steps;
} ahead_event;

typedef struct ahead_collapse {
    size_t pos;
    gboolean bit;
} ahead_collapse;

enum { MK_CHECK, MK_PREDICT };

typedef struct ahead_mark {
    guint8 kind;
    gboolean said;          /* PREDICT: the answer */
    sim_digest key, out;    /* out: the output (CHECK) or the wait (PREDICT) */
} ahead_mark;

typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;

typedef struct ahead_job {
    gint state;             /* job_state; read without the lock by a spinning walk */
    gboolean orphan;        /* its node left the path while it ran: the helper frees it */
    guint at;               /* the node whose branch it runs */
    /* What the run depends on. */
    GArray *prefix;         /* uint32: the choices of nodes 0..at */
    GByteArray *path;       /* nodes 0..at, serialized (path_write) */
    GArray *cq_pos, *cq_bit;
    /* What it saw. */
    GArray *events, *cands, *collapses, *marks;
    GArray *rec, *rec_n, *rec_kind; /* the chooser's record */
    GHashTable *overlay;    /* while it runs: outputs it recorded, not yet in the walk's record */
} ahead_job;

struct sim_ahead {
    GMutex lock;
    GCond cond;
    GQueue queue;           /* JOB_QUEUED */
    GThread **threads;
    int n_threads;
    gboolean quit;
    gint quitting;          /* quit, for spinners */
    gint queued;            /* the queue's length, for spinners */
    int idle;               /* helpers waiting for a job */
    gboolean walk_waits;    /* the walk waits for a job a helper runs */
    const sim_scenario *s;
    const sim_explore_options *o;
    sdfs *walk;
    GHashTable *marks_seen;
    GByteArray *scratch;    /* the walk's: its path, serialized, to compare */
    GPtrArray *spare;       /* ahead_job: emptied, for reuse */
    gint64 posted, used, made_again, taken_back, waited, mismatched, dropped;
    gint64 made, made_steps;   /* by the helpers */
    gint64 throttled;          /* hand-outs held back (sim_ahead_post) */
    gint64 used_events;        /* of the records taken */
    double helper_cpu_s;       /* the helpers' CPU time */
};

/* Nodes 0..at of d's path, node at taking branch alt, as bytes. */
void sim_ahead_path_write(GByteArray *b, const sdfs *d, guint at, int alt);
/* A job for node at's branch alt (the path copied), from the spares. */
ahead_job *sim_ahead_job_new(sim_ahead *ah, const sdfs *d, guint at, int alt);
/* Back to the spares (the lock held, or not). */
void sim_ahead_job_recycle_locked(sim_ahead *ah, ahead_job *job);
void sim_ahead_job_recycle(sim_ahead *ah, ahead_job *job);
void sim_ahead_job_destroy(gpointer job);

#endif
