/*
 * sim/browser/storage_snapshot.h - the "snapshot" localStorage model (Firefox).
 *
 * Every task of a tab works on a snapshot of the origin's datastore taken
 * at its first storage call; it reads the snapshot plus its own writes;
 * its writes leave as one checkpoint when the task ends and reach the
 * datastore later, all at once, last writer wins per key.  When a
 * checkpoint lands is the world's decision (env_snapshot.c): it calls
 * sim_snapshot_apply before another tab's snapshot and at the end of the
 * run.  See storage_snapshot.c for what this stands for and what it leaves
 * out.
 */
#ifndef SIM_STORAGE_SNAPSHOT_H
#define SIM_STORAGE_SNAPSHOT_H

#include <glib.h>
#include <stdint.h>

#include "sim/browser/storage.h"

typedef struct sim_snapshot sim_snapshot;

/* shared is the datastore (borrowed): checkpoints are applied to it. */
sim_snapshot *sim_snapshot_new(sim_storage *shared, int n_tabs, int64_t quota_bytes, gboolean unavailable);
void sim_snapshot_free(sim_snapshot *s);

/* One write of a checkpoint, for traces and the explorer (value NULL:
 * removeItem). */
typedef void (*sim_snapshot_write_fn)(void *ctx, int tab, const char *key, const char *value);

/* Whether tab (1-based) has a snapshot open: its current task has called
 * storage since it began. */
gboolean sim_snapshot_is_open(const sim_snapshot *s, int tab);
/* Open tab's snapshot of the datastore as it is now.  The tab's own
 * checkpoints still in flight land first (fn sees their writes): they
 * travel ahead of the snapshot request on the tab's one channel. */
void sim_snapshot_begin(sim_snapshot *s, int tab, sim_snapshot_write_fn fn, void *ctx);

/* localStorage calls of tab on its snapshot, opened if need be (without
 * trace callback); xt_err results. */
int sim_snapshot_get(sim_snapshot *s, int tab, const char *key, GString *value_out);
int sim_snapshot_set(sim_snapshot *s, int tab, const char *key, const char *value);
int sim_snapshot_remove(sim_snapshot *s, int tab, const char *key);
int sim_snapshot_length(sim_snapshot *s, int tab, size_t *length_out);
int sim_snapshot_key(sim_snapshot *s, int tab, size_t index, GString *key_out);

/* The task ended: the snapshot closes and its writes, if any, leave as
 * one checkpoint stamped now_us (fn sees each).  Returns how many. */
size_t sim_snapshot_end(sim_snapshot *s, int tab, int64_t now_us, sim_snapshot_write_fn fn, void *ctx);
/* The tab crashed mid-task: the snapshot and its writes are dropped. */
void sim_snapshot_discard(sim_snapshot *s, int tab);

/* Checkpoints of tab sent and not yet landed, and when the oldest left. */
size_t sim_snapshot_in_flight(const sim_snapshot *s, int tab);
int64_t sim_snapshot_in_flight_time_us(const sim_snapshot *s, int tab);
/* The oldest of them lands in the datastore, all its writes at once. */
/* Every open snapshot's writes and every checkpoint in flight folded into
 * h (times left out: the untimed adversary cannot observe them). */
uint64_t sim_snapshot_digest(const sim_snapshot *s, uint64_t h);
void sim_snapshot_apply(sim_snapshot *s, int tab, sim_snapshot_write_fn fn, void *ctx);

#endif
