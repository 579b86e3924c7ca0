/*
 * sim/world/world.h - the deterministic world: tabs, tasks, virtual time.
 *
 * A tab is a JavaScript event loop: a small set of tasks (coroutines) that
 * share its identity, client id and storage.  One task of a tab runs at a
 * time; it keeps the tab through its storage calls (synchronous code) and
 * gives it up only at an await (sleep, send).  A task woken while its tab
 * is busy waits in the tab's FIFO of ready tasks, as a macrotask does.  A
 * spawned task (a promise nobody awaits) runs at once, synchronously, until
 * its first await, then its spawner continues: exactly JavaScript's order.
 *
 * Across tabs every storage call is a scheduling point: the task posts its
 * wake-up at now + a latency drawn by the chooser and yields; the queue then
 * decides which tab's call happens next (timed semantics: earliest first,
 * ties chosen).  core/ code runs unmodified on each task's stack.
 *
 * A Web Locks request (weblocks.c) is an await too: a queued request's task
 * is in no queue until the manager grants it and the world posts it.
 *
 * Faults ([faults], faults.c): where a task of a tab is about to take its
 * next step, the chooser may close the tab (a crash); where the tab yields
 * (between tasks), it may also reload or freeze it; at a storage call of
 * its running task (mid-task), stall it.  A closed tab's tasks
 * are unwound at once the way the end of a run unwinds all of them; a
 * frozen tab's tasks are held back until the freeze ends.
 *
 * At the end of a run the world cancels every task: from then on each env
 * call returns XT_ECANCELLED at once, so core/ code unwinds through its own
 * error paths and frees what it holds, and no effect reaches storage.
 * A run can also end early, before any step (sim/world/stop.h): stopped
 * from outside, or at the bound on a run that keeps its history; its tasks
 * are cancelled the same way and it is not judged.
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>
#include <stdint.h>

#include "sim/explore/chooser.h"
#include "sim/world/coro.h"
#include "sim/check/monitor.h"
#include "sim/world/digest_map.h"
#include "sim/world/env_wait.h"
#include "sim/world/queue.h"
#include "sim/world/stop.h"
#include "sim/scenario/scenario.h"
#include "sim/browser/storage.h"
#include "sim/browser/storage_model.h"
#include "sim/browser/weblocks.h"
#include "xt/env.h"
#include "sim/programs/program.h"
#include "sim/world/world_digest.h"

typedef struct sim_world sim_world;
typedef struct sim_tab sim_tab;
typedef struct sim_task sim_task;

/* What one step touched, for the dependence of steps (partial-order
 * reduction): bits of read and written objects.  A storage key maps to one
 * of SIM_OBJ_KEYS bits by hash: two keys sharing a bit only make steps look
 * dependent, which costs reduction, never soundness. */
#define SIM_TABS_MAX 64 /* [scenario] tabs allows at most this many */
#define SIM_OBJ_KEYS 59
G_STATIC_ASSERT(SIM_OBJ_KEYS == SIM_WAIT_BITS);
/* The key set, what length and key(i) read; written by a set that adds a
 * key or a remove that deletes one (env_sim.c).  Below SIM_OBJ_CLOCK, so
 * whatever touches "every key" (SIM_OBJ_CLOCK - 1) touches it too. */
#define SIM_OBJ_KEYSET (UINT64_C(1) << 59)
#define SIM_OBJ_CLOCK (UINT64_C(1) << 60)  /* read: now_ms; write: time advanced */
#define SIM_OBJ_CS (UINT64_C(1) << 61)     /* critical-section entry or exit */
#define SIM_OBJ_SERVER (UINT64_C(1) << 62) /* a delivery */
/* [storage] model = snapshot (model_snapshot.c): the datastore and the
 * checkpoints on their way to it.  Read: a snapshot; read and written: a
 * checkpoint landing; written: a checkpoint leaving (an append to its tab's
 * outbox, so two of them commute, like clock advances). */
#define SIM_OBJ_STORE (UINT64_C(1) << 63)
typedef struct sim_access {
    uint64_t r, w;
} sim_access;

/* Clock "writes" are advances to max(now, deadline): they commute with
 * each other and conflict only with reads of the clock.  So do checkpoints
 * leaving (SIM_OBJ_STORE), and changes of the key set (adding or deleting
 * two different keys commutes; the same key conflicts through its bit). */
static inline gboolean sim_access_dependent(sim_access a, sim_access b)
{
    return ((a.w & b.r) | (b.w & a.r) | (a.w & b.w & ~(SIM_OBJ_CLOCK | SIM_OBJ_STORE | SIM_OBJ_KEYSET))) != 0;
}

/* One step (one dispatch of a task, up to its next yield), as explorers see it. */
typedef struct sim_step_info {
    int tab;                /* 1-based */
    sim_access acc;
    int64_t choice_pos;     /* chooser position of its scheduling choice; -1 if forced */
    uint64_t enabled;       /* bit t-1 set: tab t could have stepped instead */
    gboolean last_enabled;  /* the previous step's tab could go on (answer 0 is it) */
    gboolean preemption;    /* the previous tab was enabled and another was chosen */
    size_t data_begin, data_end; /* chooser positions of the values it chose */
} sim_step_info;

typedef enum sim_yield {
    SIM_YIELD_STORAGE, /* waits for its storage call; keeps the tab */
    SIM_YIELD_AWAIT,   /* awaits (sleep, send); gives the tab up */
    SIM_YIELD_SPAWN    /* started a child that runs first */
} sim_yield;

struct sim_task {
    sim_coro coro;
    sim_tab *tab;
    int id;                 /* 1-based, in creation order, unique in the run */
    sim_yield reason;
    gboolean needs_tab;     /* its wake-up must take the tab */
    gboolean done;
    gboolean counted;       /* a spawned activity (an add): the workload waits for it */
    gboolean reply_due;     /* awaits the answer to its send (server.c): the drain never cuts it */
    gboolean parked;        /* in tab_wait, in no queue until its tab wakes it (env_promise.c) */
    sim_task *sync_parent;  /* spawner waiting for this task's first await */
    sim_task *sync_child;
    xt_task_fn fn;
    void *arg;
    const char *label;      /* from XT_OBS_STEP, for the next storage call */
    sim_digest label_dig;   /* digesting: label's hash, made when label is set (env_observe.c; only
                               a label, not NULL, is folded: world_digest.c) */
    const char *pending_read; /* the key of the get it is stopped before, or NULL (env_eager.c) */
    gboolean pending_eager;   /* stopped before it by its woken prefix, the get not yet begun (env_eager.c) */
    gboolean sleep_eager;     /* in a sleep of 0 ms whose wake-up runs its quiet prefix at once (env_eager.c) */
    /* The task's part of each concept, defined with it: */
    sim_task_record record;   /* lock request timing, storage calls (check/monitor.h) */
    sim_task_weblock weblock; /* its place in the Web Locks manager (browser/weblocks.h) */
    sim_task_view view;       /* its view of storage (browser/storage_model.h) */
    sim_task_wait wait;       /* its wait for keys or a deadline (world/env_wait.h) */
    GList link;             /* in world->live */
    /* State digests (world_digest.c, env_digest.c) */
    int ord;                /* 1-based, in creation order among its tab's tasks: its identity in a digest */
    int scoped;             /* lock requests it is inside (nested): what it reads goes to dig, not its tab's */
    sim_digest scope_base;  /* scoped: its tab's hash when the outermost request began */
    sim_digest dig;         /* scoped: the running hash of what it read since the scope or its last mark */
    const char *mark;       /* the label of the mark in force (its outputs are checked), or NULL */
    const char *last_mark;  /* the label of its last mark, in force or not, or NULL: its waits
                               must be for keys read since (env_mark_check.c) */
    uint32_t outputs;       /* outputs since its last result or mark: they are checked in sequence */
    /* Waits that bring it back to its read (env_mark_check.c, "Waits that
     * return"): the check key of its last output when that was a get with
     * a mark in force; the wait for that key it is in, begun right after. */
    struct {
        sim_digest get;     /* the get's check key (mark_key) */
        gboolean have_get;  /* its last output was that get */
        gboolean single;    /* set by its wait: one key, no deadline */
        gboolean armed;     /* waiting since that get: its next output tells */
        sim_digest from;    /* armed: the get's check key */
        sim_digest record;  /* armed: where marks_seen keeps what the wait did (back_record) */
        const char *mark;   /* armed: the mark in force then */
    } back;
    /* Its own running hash, kept when the program describes its shared
     * objects (env_digest.c, "Shared objects"): what it was spawned with,
     * what it read and the marks it made. */
    sim_digest own;
    sim_digest own_base;    /* scoped: own when the outermost request began */
};

/* The `storage` event of a tab whose program dispatches it itself
 * (env_wait.c calls these at every other tab's change, ctx = the tab's
 * storage_event_ctx): fired queues the event; kick wakes its dispatcher,
 * called when the live tasks are woken, at the place of the task anchor
 * returns (the task awaiting the program, as a C waiter would be; NULL:
 * after them), so that wake-ups are posted in the order a C port's are. */
typedef struct sim_storage_listener {
    void (*fired)(void *ctx, const char *key, const char *old_value, const char *new_value);
    sim_task *(*anchor)(void *ctx);
    void (*kick)(void *ctx);
} sim_storage_listener;

struct sim_tab {
    sim_world *world;
    int index;              /* 1-based */
    char *client_id;
    xt_env env;
    sim_task *owner;        /* task running (or in a storage call), or NULL */
    GQueue ready;           /* tasks woken while the tab was busy */
    GQueue handoff;         /* parked tasks that go on, in order, when the
                             * running task gives the tab up (the awaiting
                             * code a settlement, a notify, a tab_wake or
                             * one `storage` event resumes: microtasks of
                             * the same macrotask; digested) */
    uint64_t rng;           /* env random_u64's stream of identities (env_sim.c) */
    gboolean rng_seeded;    /* its seed was chosen (random runs, first draw) */
    int64_t random_outcomes;/* XT_OBS_RANDOM: outcomes of the next draw, or 0 */
    void *program_state;    /* the program's instance, built by the tab's main task */
    gboolean main_done;
    int64_t work_done;      /* events (or locks) the application has started,
                               across reloads: a new instance goes on from here */
    int64_t flushes_done;   /* [flush] count: flushes started, across reloads */
    int generation;         /* reloads of this tab so far */
    /* faults (faults.c) */
    gboolean closed;        /* crashed: every env call fails, no effect lands */
    int64_t frozen_until_us;/* frozen: none of its tasks runs before this */
    uint64_t storage_events; /* `storage` events for it so far: other tabs' changes (env_wait.c) */
    uint64_t key_seq[SIM_OBJ_KEYS]; /* world change_seq of the last change by another tab of a key
                                       of each object bit (env_wait.c) */
    /* State digests (world_digest.c, env_digest.c) */
    int tasks_made;         /* tasks of this tab so far (sim_task.ord) */
    const xt_env_methods *inner; /* digesting: the table env.m wraps (env_digest.c) */
    /* While its task runs a woken prefix (env_eager.c): env.m is eager_m,
     * a copy of eager_real whose visible methods stop the task first. */
    xt_env_methods eager_m;
    const xt_env_methods *eager_real;
    sim_task *mark_task;    /* the task whose tab-wide mark is in force, or NULL */
    sim_digest dig;         /* running hash of what the environment returned to its tasks (unscoped) */
    /* A program that dispatches the DOM `storage` event itself (a
     * JavaScript tab's listeners, sim/js/js_event.c); NULL = none. */
    const sim_storage_listener *storage_event;
    void *storage_event_ctx;
    /* Timed: the `storage` events that came while the tab was busy, one
     * task in its ready FIFO that dispatches them (env_wait.c), or NULL. */
    struct sim_tab_events *events_queued;
};

struct sim_world {
    const sim_scenario *scenario;
    sim_chooser *chooser;
    sim_stack_pool *pool;
    struct sim_arena *arena; /* the world lives in it (stateful snapshots, sim/world/arena.h), or NULL */
    sim_monitor *monitor;
    sim_storage *storage;   /* the browser's map: what it persists, what the checks read */
    const sim_storage_model_ops *model; /* [storage] model (sim/browser/storage_model.h) */
    void *model_state;      /* the model's own state beyond the map, or NULL */
    sim_weblocks *weblocks; /* navigator.locks of the origin */
    const sim_program_ops *program; /* what every tab runs ([workload] mode) */
    const char *events_key; /* where the program keeps its events, or NULL (sim_program_events_key) */
    sim_queue queue;
    sim_tab *tabs;
    int n_tabs;
    sim_task *current;
    sim_task *eager;        /* the task running a woken prefix (env_eager.c), or NULL */
    gboolean eager_on;      /* the rule applies to this run (sim_world_run) */
    gboolean collapse_reads; /* stateful safety search: reads that lead back to a wait are done at once (env_eager.c) */
    gboolean quiet_more;    /* ... and with no step bound set, more steps are quiet (env_sim.c "More quiet steps") */
    /* hook_ctx; NULL: the prediction.  predict(arg) is the marks'
     * prediction, asked only when the decision is not a replayed one. */
    gboolean (*collapse_decide)(void *ctx, gboolean (*predict)(void *arg), void *arg, int tab);
    GQueue live;            /* tasks not done, in creation order */
    int next_task_id;
    int64_t now_us;
    int64_t drain_end_us;   /* -1 until the workload is over */
    /* What the digest assumes no code does (SIM_DIGEST_*, world_digest.c,
     * "Time"), and what code did that breaks such an assumption: the
     * search that assumes checks broken after each step. */
    guint8 digest_assume;
    guint8 digest_broken;
    int spawned_live;       /* live counted tasks: adds, and bounded flush tasks ([flush] count) */
    int mains_live;         /* tabs' main tasks not finished */
    gboolean cancelling;
    gboolean untimed;       /* any enabled tab may step next (see world.c) */
    sim_access acc;         /* accesses of the step being run */
    gboolean step_entered;  /* the step being run observed a critical-section entry */
    gboolean step_touched;  /* the step being run performs a storage call or touches a key or Web Lock */
    gboolean step_flag_read; /* ... only read the debug flag, which kept it quiet (env_sim.c "More quiet steps") */
    int step_splits;        /* places where the step went on that a run without them would have ended it */
    sim_tab *last_tab;      /* the tab that ran the previous step */
    void (*step_done)(void *ctx, const sim_step_info *step);
    void *hook_ctx;
    gboolean access_unused; /* step_done ignores sim_step_info.acc: keys are not hashed for it */
    gboolean deadlock;      /* untimed: nothing enabled while a lock request waits */
    const volatile int *stop; /* polled before every step (sim/world/stop.h); NULL = none */
    sim_stop stopped;       /* why the run ended early, unjudged; SIM_STOP_NONE = it did not */
    gboolean input_broken;  /* the tabs' code cannot go on (sim_js_fail): stopped at the next step */
    int tab_closes, tab_freezes, tab_reloads, tab_stalls; /* faults injected so far ([faults]) */
    int64_t server_faults;   /* server faults injected so far (server.c) */
    GString *scratch;       /* reused by env calls for traces */
    int waiters;            /* tasks in wait (env_wait.c) */
    uint64_t wait_seq;      /* waits and tab_waits begun so far (sim_task_wait.begin) */
    uint64_t storage_changes; /* sim_storage_changes of the map before the current storage call */
    uint64_t change_seq;    /* changes of the map so far, as env_wait.c counts them */
    xt_task_fn tab_main;    /* what a tab's main task runs: sim_tab_main (tests may replace it) */
    /* State digests: the running hashes are kept when digesting is on
     * (set before sim_world_run, env_digest.c); marks checked against
     * marks_seen, borrowed from the search, which lives across runs. */
    gboolean digesting;
    sim_digest_map *marks_seen; /* check key -> output hash (env_digest.c) */
    const char *mark_conflict;  /* a mark that was incomplete: its label, or NULL */
    gboolean mark_conflict_wait; /* ... by a wait for a key not read since the mark */
    /* The outputs made before the chooser's prefix runs out were checked
     * by the earlier run of this search that chose that prefix (it made
     * them alike, by determinism): only their count is kept. */
    gboolean marks_prefix_checked;
    GPtrArray *spare_tasks; /* freed tasks' memory, reused by the next spawns (world_pool.c) */
    GPtrArray *woken;       /* scratch: the waits one event ends (env_wait.c wake_in_order) */
};

sim_world *sim_world_new(const sim_scenario *scenario, sim_chooser *chooser, sim_stack_pool *pool,
                         sim_monitor *monitor);
void sim_world_free(sim_world *world);
/* Runs to the end, cancels the tasks and makes the final checks. */
void sim_world_run(sim_world *world);
/* The same in two parts: the tabs' main tasks posted; then the steps to
 * the end.  In an arena, an abandoned run is not cancelled (the arena is
 * restored instead), and sim_world_steps may be called again on a world
 * put back by sim_world_restore. */
void sim_world_start(sim_world *world);
void sim_world_steps(sim_world *world);
/* An arena world's state between steps: its heap and its tasks' stacks. */
struct sim_arena_snap;
void sim_world_save(sim_world *world, struct sim_arena_snap *snap);

/* world_pool.c: the shell of a world (the world, its tabs, map, queue and
 * scratch, zeroed, the map and queue empty), taken from the pool's parked
 * one or new; parked again when the world is freed.  Tasks' memory is
 * reused the same way within and across runs. */
sim_world *sim_world_shell_take(sim_stack_pool *pool, int n_tabs, int64_t quota_bytes, gboolean unavailable);
void sim_world_shell_park(sim_world *world);
sim_task *sim_world_task_alloc(sim_world *world);
void sim_world_task_release(sim_world *world, sim_task *task);

/* For env_sim.c and tab.c */
sim_task *sim_world_spawn(sim_world *world, sim_tab *tab, xt_task_fn fn, void *arg, gboolean counted);
/* Whether what task starts is work under way: it is the tab's main task
 * or counted work itself (an add); a page's periodic or listening task
 * is not.  A task it spawns is counted (env_sim.c), and so is a
 * JavaScript timer set by a call it made (js_mutex.c). */
static inline gboolean sim_task_starts_work(const sim_world *w, const sim_task *t)
{
    return t->counted || t->fn == w->tab_main;
}
void sim_world_post(sim_world *world, sim_task *task, int64_t delay_us, gboolean needs_tab);
/* task, parked (an await with nothing posted) on a task of its tab that
 * is running, goes on in the same step when that task gives the tab up
 * (an await, or its end), before any other task of the tab: the code an
 * `await` resumes when the running JavaScript settles its promise, a
 * microtask of the same macrotask, with no scheduling point between.
 * Not for a tab that is gone (its tasks are unwound, not resumed).
 * JavaScript settlements hand off here; waits and tab_waits of C tabs
 * (env_wait.c, env_promise.c) push to tab->handoff themselves.  The
 * running task may make storage calls before it gives the tab up, so the
 * state digest (world_digest.c) covers tab->handoff. */
void sim_world_handoff(sim_world *world, sim_task *task);
void sim_task_yield(sim_task *task, sim_yield reason);
/* sim_weblocks_grant_fn of the world's manager (ctx = world, waiter = task). */
void sim_world_weblock_granted(void *ctx, void *waiter, uint64_t handle);
void sim_tab_env_init(sim_tab *tab);
/* env_digest.c: turn the running hashes on (before sim_world_run), with
 * what the digests assume (SIM_DIGEST_*, sim/world/world_digest.h). */
void sim_world_digest_enable(sim_world *world, sim_digest_map *marks_seen, guint8 assume);
/* mark_conflict when the description of a tab's shared objects left
 * something out (env_digest.c, "Shared objects"). */
#define SIM_MARK_SHARED "shared objects"
/* The description of the tab's shared objects (sim_program_ops.
 * heap_describe) in out; FALSE when the program cannot give all of it. */
gboolean sim_tab_heap_digest(const sim_tab *tab, sim_digest *out);
/* env_eager.c: after a step, woken tasks run their quiet prefix; a task
 * that returns while running one stops first. */
void sim_world_run_woken(sim_world *w);
void sim_env_eager_end(sim_task *t);
/* env_digest.c: do t's marks say that the get it is stopped before, of the
 * value its key holds now, leads straight back to a wait for that key? */
gboolean sim_env_read_leads_to_wait(sim_tab *tab, sim_task *t);
/* world.c: resume t (its tab free) or queue it for its tab. */
void sim_world_dispatch(sim_world *w, sim_task *t);
/* env_digest.c: the running task has returned (its last output). */
void sim_env_digest_task_end(sim_task *t);
/* For programs: the running task's frames are now described by label
 * alone (and the tab's fields): a state mark that restarts its own hash
 * even when its tab has other tasks (env_digest.c, "Shared objects"). */
void sim_tab_mark_frames(sim_tab *tab, const char *label);
/* The table of marks' outputs one search shares across its runs. */
sim_digest_map *sim_marks_seen_new(void);
/* Are the keys a step touches wanted (sim_step_info.acc)? */
static inline gboolean sim_world_tracks_access(const sim_world *w)
{
    return w->step_done && !w->access_unused;
}

/* The rule of quiet steps (untimed only): has the step being run made no
 * storage call, touched nothing another task could see, and told the
 * checks nothing but critical-section exits?  (step_touched says the
 * first two whether or not the explorer wants key bits, and whatever a
 * storage model marks: the snapshot model marks no access for a call
 * served from its snapshot.)  Then it is a task resuming from an await
 * (or starting) and running its own code, and its first storage call is
 * performed in the same step instead of being a step of its own.  Sound
 * because a step with no access commutes with every other step (the
 * dependence of sim_access_dependent, the one the reduction trusts): any
 * interleaving that runs other steps between it and the call is
 * equivalent to one that runs them before it.  An exit moved later only
 * keeps its task inside longer: every entry that was a mutual-exclusion
 * violation stays one, so no violation is lost (an entry is not quiet:
 * moved later, it could miss another task's stay).  It halves the steps
 * an await costs and the states a stateful search stores
 * (docs/model-checking.md, "Quiet steps"). */
static inline gboolean sim_world_step_quiet(const sim_world *w)
{
    return !w->step_touched && !w->step_entered && w->acc.r == 0 && (w->acc.w & ~SIM_OBJ_CS) == 0;
}

/* The step reads the clock (Date.now, a deadline compared, the instant a
 * wait ended, a time stamped on a write in flight): the clock is one of
 * the step's accesses, and what the clock reads is now part of what the
 * program knows, which a digest relative to now does not keep
 * (world_digest.c, "Time"). */
/* Code did what the digest assumes no code does (SIM_DIGEST_* bits). */
static inline void sim_world_digest_break(sim_world *w, guint8 bits)
{
    if (!w->cancelling) /* a run's teardown leaves no state to digest */
        w->digest_broken |= bits;
}

/* What a tab's running hash and its tasks' own hashes start from: its
 * index, for its code may depend on it, unless the tabs are assumed
 * interchangeable (SIM_DIGEST_SYMMETRIC, world_digest.c "Symmetry"). */
static inline uint64_t sim_tab_digest_seed(const sim_tab *tab)
{
    return tab->world->digest_assume & SIM_DIGEST_SYMMETRIC ? 0 : (uint64_t)tab->index;
}

static inline void sim_world_clock_read(sim_world *w)
{
    w->acc.r |= SIM_OBJ_CLOCK;
    sim_world_digest_break(w, SIM_DIGEST_CLOCK_UNREAD);
}

/* The tab can no longer act: the run is being cancelled or the tab crashed. */
static inline gboolean sim_tab_gone(const sim_tab *tab)
{
    return tab->closed || tab->world->cancelling;
}
void sim_tab_main(void *arg);
/* Frees the tab's SDK instance and client id (tab.c): at the end, or when
 * a reload replaces the instance. */
void sim_tab_instance_free(sim_tab *tab);
/* Runs t and whatever must run synchronously after it (a spawned child
 * first, then its spawner at the child's first await); for faults.c. */
void sim_world_task_run(sim_world *world, sim_task *task);
/* env_sim.c: "ok", "QuotaExceededError", ... for traces. */
const char *sim_result_text(int rc);
/* server.c: the env's transport_send. */
int sim_env_send(void *ctx, const char *body);

#endif
