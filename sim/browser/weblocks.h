/*
 * sim/browser/weblocks.h - the browser's Web Locks manager for one origin.
 *
 * Keeps, per lock name, the holder and the FIFO queue of waiting requests
 * (exclusive mode only).  It knows nothing of tasks or time: a waiter is an
 * opaque pointer, and when a queued request is granted the manager calls
 * the grant callback, which the world uses to wake the waiting task.  What
 * it models and what it does not is in weblocks.c.
 */
#ifndef SIM_WEBLOCKS_H
#define SIM_WEBLOCKS_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_weblocks sim_weblocks;

/* A queued request of waiter was granted (handle is its lock). */
typedef void (*sim_weblocks_grant_fn)(void *ctx, void *waiter, uint64_t handle);

#define SIM_WEBLOCKS_QUEUED 1 /* sim_weblocks_request: wait for the grant callback */

sim_weblocks *sim_weblocks_new(sim_weblocks_grant_fn grant, void *ctx);
void sim_weblocks_free(sim_weblocks *wl);

/* navigator.locks.request(name, {mode: "exclusive", flags}) by tab (1-based)
 * on behalf of waiter.  XT_OK: granted now (*handle_out set);
 * SIM_WEBLOCKS_QUEUED: *handle_out set, granted later through the callback;
 * XT_ELOCKTIMEOUT: XT_LOCK_IF_AVAILABLE and not grantable now.  With
 * XT_LOCK_STEAL the holder (if any) loses the lock; its release will
 * return XT_EABORTED.  *stolen_tab_out (may be NULL): the tab it was stolen
 * from, 0 if none. */
int sim_weblocks_request(sim_weblocks *wl, const char *name, int flags, int tab, void *waiter,
                         uint64_t *handle_out, int *stolen_tab_out);
/* The callback of handle settled.  XT_OK; XT_EABORTED if it had been stolen;
 * XT_ENOTFOUND for a handle that holds nothing.  Grants the next queued
 * request of the name, if any (the grant callback runs before this returns). */
int sim_weblocks_release(sim_weblocks *wl, uint64_t handle);
/* Withdraw a queued request (its task was cancelled).  FALSE if waiter had none. */
gboolean sim_weblocks_withdraw(sim_weblocks *wl, void *waiter);
/* The tab's document went away: its locks are released (next requests
 * granted) and its queued requests dropped.  Returns how many locks it held. */
int sim_weblocks_tab_closed(sim_weblocks *wl, int tab);

/* Inspection (tests, traces): the holding tab of name (0 = free) and the
 * number of queued requests. */
int sim_weblocks_holder(const sim_weblocks *wl, const char *name);
guint sim_weblocks_queued(const sim_weblocks *wl, const char *name);
/* The name a held or stolen handle is for; NULL if it holds nothing. */
const char *sim_weblocks_name_of(const sim_weblocks *wl, uint64_t handle);

/* Folds the manager's state into a state digest (sim/world/world_digest.h):
 * per lock by name its name, holder and queue, and the stolen
 * handles; a waiter is folded by waiter_fold (the world's task identity),
 * a handle only as held or not (code passes it back, never compares it). */
struct sim_digest;
void sim_weblocks_digest(const sim_weblocks *wl, struct sim_digest *h,
                         void (*waiter_fold)(struct sim_digest *h, const void *waiter, void *ctx), void *ctx,
                         const int *tab_rename);
/* tab_rename: NULL, or the index a request's tab is folded as (entry
 * tab - 1), for a digest under symmetry.  And one tab's part, its requests'
 * places (holder, place in the queue, stolen) by lock name, with no tab
 * named: what tells interchangeable tabs apart (world_digest.c, "Symmetry"). */
void sim_weblocks_tab_digest(const sim_weblocks *wl, int tab, struct sim_digest *h);

/* A task's part of the manager (sim_task.weblock). */
typedef struct sim_task_weblock {
    gboolean queued; /* its request waits in the manager, not in the world's queue */
} sim_task_weblock;

#endif
