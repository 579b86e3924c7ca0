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
#include <string.h>

typedef struct sim_world sim_world;

typedef struct sim_digest { uint64_t lo, hi; } sim_digest;   /* 128-bit */

/* Assumptions a digest may make about the code, each checked at run time
 * by the search that makes it (sim_world.digest_assume, digest_broken;
 * world_digest.c, "Time"):
 *  - CLOCK_UNREAD: no code reads the clock, so instants are folded as
 *    their distance from now: states equal up to a shift of the clock
 *    are one;
 *  - WAIT_END_UNREAD: no code asks when its last wait ended (Date.now()
 *    at the wake-up, xt_env_wait_ended_ms, or a sleep counted from it),
 *    so that instant is left out;
 *  - FLAG_UNWRITTEN: no step writes or removes the debug flag's key
 *    (XT_DEBUG_KEY), so a tab's read of it at its start commutes with
 *    every step and does not end a quiet step (env_sim.c, "More quiet
 *    steps"). */
#define SIM_DIGEST_CLOCK_UNREAD 1u
#define SIM_DIGEST_WAIT_END_UNREAD 2u
#define SIM_DIGEST_FLAG_UNWRITTEN 8u
#define SIM_DIGEST_ASSUME_ALL (SIM_DIGEST_CLOCK_UNREAD | SIM_DIGEST_WAIT_END_UNREAD | SIM_DIGEST_FLAG_UNWRITTEN)
/* Asked for, not assumed by default (--symmetry):
 *  - SYMMETRIC: the tabs are interchangeable (their code depends on its
 *    tab's id only through the world, which renames it), so a state and
 *    its image under a renaming of the tabs are one; broken by a write to
 *    storage, whose keys and values may name a tab (world_digest.c,
 *    "Symmetry"). */
#define SIM_DIGEST_SYMMETRIC 4u
/* [run] time_limit_ms (limit_ms) against states merged up to a shift of
 * the clock: SIM_DIGEST_CLOCK_UNREAD if assumed and broken by a search
 * whose latest clock was max_now_us and which found a state stored when
 * the clock read at most max_merged_us, else 0. */
unsigned char sim_digest_time_limit_broken(unsigned char assume, int64_t max_now_us, int64_t max_merged_us,
                                           int64_t limit_ms);

/* The digest of the world's whole state at a choice point (between steps). Equal digests mean
 * equal futures: every behaviour possible from one is possible from the other. */
void sim_world_digest(const sim_world *world, sim_digest *out);
/* The same, and with SIM_DIGEST_SYMMETRIC assumed the canonical place
 * (0-based) of each tab in it: canon[i] for tab i + 1, an array of the
 * world's tab count (the identity without the assumption). */
void sim_world_digest_canon(const sim_world *world, sim_digest *out, uint8_t *canon);
/* Why a digest under SIM_DIGEST_SYMMETRIC cannot serve scenario s (its
 * program's tabs are not interchangeable, sim_program_ops.asymmetric, or
 * the scenario sets tabs apart: background tabs, a storage model with
 * state of its own per tab), or NULL when it can. */
struct sim_scenario;
const char *sim_world_digest_asymmetric(const struct sim_scenario *s);

/* The hash behind it, for the parts of the world that digest themselves
 * (monitor, Web Locks, env_digest.c).  sim_digest_init starts a hash with
 * a domain tag; the feeds are order-sensitive. */
void sim_digest_init(sim_digest *h, uint64_t tag);
/* A hash fed so far, mixed fully into out (each output bit depends on
 * every input bit): what sim_world_digest returns, and a part's hash where
 * parts are summed rather than folded in order (storage.c). */
void sim_digest_finish(const sim_digest *h, sim_digest *out);
#define SIM_DIGEST_LANE_LO_K UINT64_C(0x9e3779b97f4a7c15)
#define SIM_DIGEST_LANE_HI_K UINT64_C(0xc2b2ae3d27d4eb4f)

static inline uint64_t sim_digest_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* One multiply and rotate per lane and word (the digest is mixed fully
 * once, by sim_world_digest): two lanes with different constants and
 * different ways of combining, so that one lane's collision is not the
 * other's.  The hi lane takes in the lo lane as it was before this word,
 * not after: the two multiplies then run side by side, not one after the
 * other (a state's digest is a chain of some 150 words). */
static inline void sim_digest_u64(sim_digest *h, uint64_t v)
{
    uint64_t lo = h->lo;
    h->lo = sim_digest_rotl64((lo ^ v) * SIM_DIGEST_LANE_LO_K, 31);
    h->hi = sim_digest_rotl64((h->hi + v) * SIM_DIGEST_LANE_HI_K, 27) ^ (lo >> 17);
}

static inline void sim_digest_bytes(sim_digest *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    sim_digest_u64(h, len);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        sim_digest_u64(h, w);
        p += 8;
        len -= 8;
    }
    if (len > 0) {
        /* The tail, little-endian and zero-padded, built in a register:
         * a memcpy of len bytes into a word on the stack, read back whole,
         * stalls the load on the byte stores (d_mark's hottest spot). */
        uint64_t w = 0;
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)p[i] << (8 * i);
        sim_digest_u64(h, w);
    }
}
/* A string and its end; NULL is distinct from "". */
void sim_digest_str(sim_digest *h, const char *text);
/* A task's step label as the world's digest folds it (sim_task.label_dig). */
void sim_digest_label(sim_digest *out, const char *label);
static inline int sim_digest_equal(sim_digest a, sim_digest b)
{
    return a.lo == b.lo && a.hi == b.hi;
}
/* A sim_digest* as a GHashTable key (GHashFunc, GEqualFunc). */
unsigned int sim_digest_key_hash(const void *key);
int sim_digest_key_equal(const void *a, const void *b);

#endif
