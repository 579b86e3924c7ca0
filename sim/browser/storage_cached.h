/*
 * sim/browser/storage_cached.h - the multi-process ("cached") localStorage model.
 *
 * Every tab reads and writes its own cached copy of the origin's map; its
 * writes reach the shared area (the browser process) at once, in the order
 * made, and the other tabs' caches later, in that order.  The world decides
 * how many of the writes not yet seen by a tab have arrived, at the first
 * storage call of each of the tab's tasks.  See storage_cached.c for what
 * this stands for and what it leaves out.
 */
#ifndef SIM_STORAGE_CACHED_H
#define SIM_STORAGE_CACHED_H

#include <glib.h>
#include <stdint.h>

#include "sim/browser/storage.h"

typedef struct sim_cached sim_cached;

/* shared is the browser's map (borrowed): writes are committed to it. */
sim_cached *sim_cached_new(sim_storage *shared, int n_tabs, int64_t quota_bytes, gboolean unavailable);
void sim_cached_free(sim_cached *c);

/* localStorage calls of tab (1-based) on its cache; xt_err results.  The
 * first call of a tab loads its cache from the shared map. */
int sim_cached_get(sim_cached *c, int tab, const char *key, GString *value_out);
int sim_cached_set(sim_cached *c, int tab, int64_t now_us, const char *key, const char *value);
int sim_cached_remove(sim_cached *c, int tab, int64_t now_us, const char *key);
int sim_cached_length(sim_cached *c, int tab, size_t *length_out);
int sim_cached_key(sim_cached *c, int tab, size_t index, GString *key_out);

/* Writes the tab has not received yet (its own included: they are the
 * browser's acknowledgements), oldest first; 0 before its cache exists. */
size_t sim_cached_pending(const sim_cached *c, int tab);
/* Write time of the i-th of them. */
int64_t sim_cached_pending_time_us(const sim_cached *c, int tab, size_t i);
/* Key of the i-th of them. */
const char *sim_cached_pending_key(const sim_cached *c, int tab, size_t i);
/* Key and value (NULL: a removal) of the first of them made by another
 * tab, else of the last (an acknowledgement); FALSE when none. */
gboolean sim_cached_pending_remote(const sim_cached *c, int tab, const char **key, const char **value);
/* What a delivery did, for traces and the explorer. */
typedef void (*sim_cached_arrival_fn)(void *ctx, int tab, int from_tab, const char *key, const char *value,
                                      gboolean applied);
/* The first n of them arrive, in order.  A remote write to a key that has
 * writes of the tab still unacknowledged is ignored (Chromium's rule). */
/* Every cache and every write on its way folded into h (write times left
 * out: the untimed adversary cannot observe them). */
uint64_t sim_cached_digest(const sim_cached *c, uint64_t h);
void sim_cached_deliver(sim_cached *c, int tab, size_t n, sim_cached_arrival_fn fn, void *ctx);

#endif
