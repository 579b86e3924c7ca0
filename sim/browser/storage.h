/*
 * sim/browser/storage.h - the simulated localStorage of one origin.
 *
 * Model "linearizable": one shared map and every call atomic at the moment
 * the world performs it; what interleaves is whole calls.  That is the
 * strongest model a browser could offer (a single-process browser, or tabs
 * sharing one renderer) and the one Lamport's algorithm assumes; weaker,
 * cached models are layered on this map.  Quota is counted as the bytes of
 * keys plus values; a set that would exceed it fails and changes nothing,
 * like QuotaExceededError.  Keys enumerate in sorted order so that key(i)
 * is deterministic (browsers leave the order unspecified).
 */
#ifndef SIM_STORAGE_H
#define SIM_STORAGE_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_storage sim_storage;

sim_storage *sim_storage_new(int64_t quota_bytes, gboolean unavailable);
void sim_storage_free(sim_storage *storage);
/* Empty again, as sim_storage_new makes it (its change count at 0 too),
 * keeping the map's memory: a world reused for the next run (world_pool.c). */
void sim_storage_reset(sim_storage *storage, int64_t quota_bytes, gboolean unavailable);

/* Results are xt_err codes. */
int sim_storage_get(sim_storage *storage, const char *key, GString *value_out);
int sim_storage_set(sim_storage *storage, const char *key, const char *value);
int sim_storage_remove(sim_storage *storage, const char *key);
int sim_storage_length(sim_storage *storage, size_t *length_out);
int sim_storage_key(sim_storage *storage, size_t index, GString *key_out);
/* Every key in sorted order: the array is the caller's (g_free), the keys
 * stay the map's and live until it changes. */
const char **sim_storage_keys(sim_storage *storage, guint *n_out);
/* Direct read for the final checks: NULL when absent. */
const char *sim_storage_peek(sim_storage *storage, const char *key);
int64_t sim_storage_bytes(const sim_storage *storage);
/* Calls so far that changed a value (a set of a new or different value, a
 * remove of a present key): HTML fires `storage` only for those. */
uint64_t sim_storage_changes(const sim_storage *storage);
/* The value the last change replaced or removed (the `storage` event's
 * oldValue), NULL when the key was new; valid until the next change. */
const char *sim_storage_previous(const sim_storage *storage);
/* The map's contents folded into h: equal maps give equal digests, in
 * whatever order their entries were written; kept as the map changes from
 * its first digest on, so this costs four words.  For the stateful
 * search's state digests. */
struct sim_digest;
void sim_storage_digest(sim_storage *storage, struct sim_digest *h);
/* One string (NULL allowed, distinct from "") folded into h, FNV-1a. */
uint64_t sim_digest_text(uint64_t h, const char *text);

#endif
