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
/* A state: its digest, the fewest steps it was reached with and the sleep
 * set it was explored with (bit t-1: tab t), packed in 21 bytes, in one
 * array so that a lookup touches one place in memory, not three. */
typedef struct __attribute__((packed)) state_entry {
    sim_digest key;
    uint32_t steps;
    guint8 sleep;
} state_entry;

#define STATE_SET_ENTRY sizeof(state_entry)
G_STATIC_ASSERT(sizeof(state_entry) == 21);


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
    v->slots = g_try_new0(state_entry, v->cap);
    return v->slots != NULL;
}

static inline gboolean slot_empty(const state_entry *e)
{
    return e->key.lo == 0 && e->key.hi == 0;
}

static gboolean state_set_grow(state_set *v)
{
    size_t cap = v->cap * 2;
    state_entry *slots = g_try_new0(state_entry, cap);
    if (!slots)
        return FALSE;
    for (size_t i = 0; i < v->cap; i++) {
        if (slot_empty(&v->slots[i]))
            continue;
        size_t j = v->slots[i].key.lo & (cap - 1);
        while (!slot_empty(&slots[j]))
            j = (j + 1) & (cap - 1);
        slots[j] = v->slots[i];
    }
    g_free(v->slots);
    v->slots = slots;
    v->cap = cap;
    return TRUE;
}

size_t state_set_bytes(const state_set *v)
{
    return v->bitstate ? v->cap / 8 : v->max_cap * STATE_SET_ENTRY;
}

void state_set_clear(state_set *v)
{
    g_free(v->slots);
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
        state_entry *e = &v->slots[i];
        if (slot_empty(e)) {
            if ((double)(v->count + 1) > STATE_SET_LOAD * (double)v->cap) {
                if (v->cap >= v->max_cap || !state_set_grow(v)) {
                    v->full = TRUE;
                    return FALSE;
                }
                return state_set_visit(v, d, steps, sleep, explore);
            }
            e->key = d;
            e->steps = s;
            e->sleep = sleep;
            v->count++;
            return FALSE;
        }
        if (sim_digest_equal(e->key, d)) {
            gboolean steps_ok = !v->exact_steps || e->steps <= s;
            if (steps_ok && (e->sleep & ~sleep) == 0)
                return TRUE;
            /* Explored again: with fewer steps left, or waking a tab that
             * was asleep then.  What both visits leave out is left out.
             * With the steps as good, the tabs awake then were explored
             * then: only those asleep then are owed. */
            if (steps_ok)
                *explore = e->sleep;
            e->steps = MIN(e->steps, s);
            e->sleep &= sleep;
            return FALSE;
        }
    }
}
