/*
 * sim/world/digest_map.h - a map from 128-bit digests to 128-bit digests:
 * the marks' record of a stateful search (env_digest.c, marks_seen).
 *
 * Why not a GHashTable: the record is asked about at every output of a
 * marked task (every storage call of a lock loop), and GLib's lookup
 * calls its hash and equality through pointers and its keys and values
 * are two blocks each; here an entry is 40 bytes in one array, found by
 * an inlined probe (Lamport 4 x 1 spent 4 % of its search in the
 * GHashTable's lookup and key comparison).
 *
 * Invariants: keys are never removed and a key's value never changes
 * (the first insert wins), so the map only grows; a pointer lookup
 * returns is valid until the next insert.  The map's memory comes from
 * whatever allocator is current: callers insert with the arena left
 * (sim/world/arena.h), as the record outlives the worlds.
 */
#ifndef SIM_DIGEST_MAP_H
#define SIM_DIGEST_MAP_H

#include <stddef.h>

#include "sim/world/world_digest.h"

typedef struct sim_digest_map sim_digest_map;

sim_digest_map *sim_digest_map_new(void);
void sim_digest_map_free(sim_digest_map *map);
/* The value of key, or NULL. */
const sim_digest *sim_digest_map_lookup(const sim_digest_map *map, const sim_digest *key);
/* key -> value, unless key has a value already (then nothing changes). */
void sim_digest_map_insert(sim_digest_map *map, const sim_digest *key, const sim_digest *value);
size_t sim_digest_map_size(const sim_digest_map *map);

#endif
