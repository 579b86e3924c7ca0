/*
 * sim/world/world_digest.h - a 128-bit digest of the world's whole state
 * at a choice point, for the stateful search (sim/explore/explore_state.c).
 *
 * Equal digests mean equal futures: every behaviour possible from one
 * world is possible from the other, and every invariant judges the two
 * alike.  What is in it, what is left out and why that is sound:
 * docs/model-checking.md, "State digests", and world_digest.c.
 *
 * A task's local state (its stack, its part of the tab's heap) is not
 * visible to the simulator: it is digested as a running hash of what the
 * environment returned to the tab's tasks (env_digest.c), restarted at
 * state marks (xt_env_mark) that a program places at its loop heads.
 *
 * The hash is two independent 64-bit lanes (128 bits); it is hash
 * compaction, not an exact state: two different states collide with
 * probability about 2^-128 per pair.
 */
#ifndef SIM_WORLD_DIGEST_H
#define SIM_WORLD_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_world sim_world;

typedef struct sim_digest { uint64_t lo, hi; } sim_digest;   /* 128-bit */

/* The digest of the world's whole state at a choice point (between steps). Equal digests mean
 * equal futures: every behaviour possible from one is possible from the other. */
void sim_world_digest(const sim_world *world, sim_digest *out);

/* The hash behind it, for the parts of the world that digest themselves
 * (monitor, Web Locks, env_digest.c).  sim_digest_init starts a hash with
 * a domain tag; the feeds are order-sensitive. */
void sim_digest_init(sim_digest *h, uint64_t tag);
void sim_digest_bytes(sim_digest *h, const void *data, size_t len);
void sim_digest_u64(sim_digest *h, uint64_t v);
/* A string and its end; NULL is distinct from "". */
void sim_digest_str(sim_digest *h, const char *text);
static inline int sim_digest_equal(sim_digest a, sim_digest b)
{
    return a.lo == b.lo && a.hi == b.hi;
}

#endif
