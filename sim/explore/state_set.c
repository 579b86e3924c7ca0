/*
 * state_set.c - the visited set of the stateful search; see
 * sim/explore/state_set.h.
 *
 * Invariants: a compaction entry is {0, 0} exactly when empty (a digest
 * {0, 0} is stored as {1, 0}); the table is at most STATE_SET_LOAD full,
 * and grows (rehashing) before it would be more; an entry's sleep set only
 * shrinks and its step count only falls, so a prune is never undone by a
 * later visit.
 */
#include "sim/explore/state_set.h"

#include <math.h>
#include <string.h>

/* A compaction entry: digest, step count, sleep set. */
#define STATE_SET_ENTRY (sizeof(sim_digest) + sizeof(uint32_t) + sizeof(guint8))


#define STATE_SET_LOAD 0.9

/* Compaction: the table starts at STATE_SET_START entries and doubles
 * (rehashing) up to the largest power of two that fits in bytes, so that
 * memory follows the states stored, not the cap. */
#define STATE_SET_START (1u << 16)

gboolean state_set_init(state_set *v, size_t bytes, gboolean bitstate)
{
    memset(v, 0, sizeof *v);
    v->bitstate = bitstate;
    if (bitstate) {
        size_t words = MAX(bytes / 8, (size_t)1);
        v->cap = words * 64;
        v->bits = g_try_new0(uint64_t, words);
        return v->bits != NULL;
    }
    size_t max = 1;
    while (max * 2 * STATE_SET_ENTRY <= bytes)
        max *= 2;
    v->max_cap = max;
    v->cap = MIN(max, (size_t)STATE_SET_START);
    v->keys = g_try_new0(sim_digest, v->cap);
    v->steps = g_try_new0(uint32_t, v->cap);
    v->sleep = g_try_new0(guint8, v->cap);
    return v->keys && v->steps && v->sleep;
}

static gboolean state_set_grow(state_set *v)
{
    size_t cap = v->cap * 2;
    sim_digest *keys = g_try_new0(sim_digest, cap);
    uint32_t *steps = g_try_new0(uint32_t, cap);
    guint8 *sleep = g_try_new0(guint8, cap);
    if (!keys || !steps || !sleep) {
        g_free(keys);
        g_free(steps);
        g_free(sleep);
        return FALSE;
    }
    for (size_t i = 0; i < v->cap; i++) {
        if (v->keys[i].lo == 0 && v->keys[i].hi == 0)
            continue;
        size_t j = v->keys[i].lo & (cap - 1);
        while (keys[j].lo != 0 || keys[j].hi != 0)
            j = (j + 1) & (cap - 1);
        keys[j] = v->keys[i];
        steps[j] = v->steps[i];
        sleep[j] = v->sleep[i];
    }
    g_free(v->keys);
    g_free(v->steps);
    g_free(v->sleep);
    v->keys = keys;
    v->steps = steps;
    v->sleep = sleep;
    v->cap = cap;
    return TRUE;
}

size_t state_set_bytes(const state_set *v)
{
    return v->bitstate ? v->cap / 8 : v->max_cap * STATE_SET_ENTRY;
}

void state_set_clear(state_set *v)
{
    g_free(v->keys);
    g_free(v->steps);
    g_free(v->sleep);
    g_free(v->bits);
    memset(v, 0, sizeof *v);
}

gboolean state_set_visit(state_set *v, sim_digest d, uint64_t steps, guint8 sleep, guint8 *explore)
{
    guint8 all = 0xff;
    if (!explore)
        explore = &all;
    *explore = 0xff;
    if (v->bitstate) {
        gboolean seen = TRUE;
        for (uint64_t i = 0; i < BITSTATE_K; i++) {
            uint64_t bit = (d.lo + i * d.hi) % v->cap;
            if (!(v->bits[bit / 64] >> (bit % 64) & 1)) {
                seen = FALSE;
                v->bits[bit / 64] |= UINT64_C(1) << (bit % 64);
            }
        }
        if (!seen) {
            v->count++;
            v->fp_sum += pow(1.0 - exp(-(double)BITSTATE_K * (double)v->count / (double)v->cap), BITSTATE_K);
        }
        return seen;
    }
    if (d.lo == 0 && d.hi == 0)
        d.lo = 1; /* {0, 0} marks an empty slot */
    uint32_t s = (uint32_t)MIN(steps, (uint64_t)UINT32_MAX);
    for (size_t i = d.lo & (v->cap - 1);; i = (i + 1) & (v->cap - 1)) {
        if (v->keys[i].lo == 0 && v->keys[i].hi == 0) {
            if ((double)(v->count + 1) > STATE_SET_LOAD * (double)v->cap) {
                if (v->cap >= v->max_cap || !state_set_grow(v)) {
                    v->full = TRUE;
                    return FALSE;
                }
                return state_set_visit(v, d, steps, sleep, explore);
            }
            v->keys[i] = d;
            v->steps[i] = s;
            v->sleep[i] = sleep;
            v->count++;
            return FALSE;
        }
        if (sim_digest_equal(v->keys[i], d)) {
            gboolean steps_ok = !v->exact_steps || v->steps[i] <= s;
            if (steps_ok && (v->sleep[i] & ~sleep) == 0)
                return TRUE;
            /* Explored again: with fewer steps left, or waking a tab that
             * was asleep then.  What both visits leave out is left out.
             * With the steps as good, the tabs awake then were explored
             * then: only those asleep then are owed. */
            if (steps_ok)
                *explore = v->sleep[i];
            v->steps[i] = MIN(v->steps[i], s);
            v->sleep[i] &= sleep;
            return FALSE;
        }
    }
}
