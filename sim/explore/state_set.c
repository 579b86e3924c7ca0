/*
 * state_set.c - the visited set of the stateful search; see
 * sim/explore/state_set.h.
 *
 * Invariants: a compaction entry is {0, 0} exactly when empty (a key
 * {0, 0} is stored as {1, 0}); a bucket's entries fill from its first and
 * none is removed; the table is at most STATE_SET_LOAD full, and grows
 * (rehashing) before it would be more; an entry's sleep set only shrinks
 * and its step count only falls, so a prune is never undone by a later
 * visit.
 */
#include "sim/explore/state_set.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>

/* A state: 96 bits of its digest (lo and the top half of hi), the fewest
 * steps it was reached with (24 bits) and the sleep set it was explored
 * with (bit t-1: tab t), in 16 bytes; four to a 64-byte bucket, one cache
 * line, so that a lookup touches one line where it can.  A table of
 * 21-byte entries probed one entry at a time touched 7.2 entries a visit
 * at Lamport 4 x 2 (77.6 M for 10.7 M visits), two or three lines, each a
 * miss in a table of hundreds of megabytes: a fifth of the search. */
typedef struct state_entry {
    uint64_t lo;
    uint32_t hi;          /* the digest's hi >> 32 */
    uint32_t steps_sleep; /* steps << 8 | sleep */
} state_entry;

G_STATIC_ASSERT(sizeof(state_entry) == 16);

#define STATE_SET_ENTRY sizeof(state_entry)
#define BUCKET 4 /* entries a bucket: 64 bytes */
/* Steps are kept up to this; a state reached with more is never pruned
 * for its steps when they count (state_set_visit). */
#define STEPS_SAT ((UINT32_C(1) << 24) - 1)

#define STATE_SET_LOAD 0.9

/* Compaction: the table starts at STATE_SET_START entries and doubles
 * (rehashing) up to the largest power of two that fits in bytes, so that
 * memory follows the states stored, not the cap. */
#define STATE_SET_START (1u << 16)

/* The tables are mapped, not malloc'ed: page-aligned, so a bucket is a
 * cache line, and they can ask for huge pages (a lookup lands anywhere
 * in a table of hundreds of megabytes).  Mapped memory is zero. */
static void *table_new(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

static void table_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes);
}

gboolean state_set_init(state_set *v, size_t bytes, gboolean bitstate)
{
    memset(v, 0, sizeof *v);
    v->bitstate = bitstate;
    if (bitstate) {
        size_t words = MAX(bytes / 8, (size_t)1);
        v->cap = words * 64;
        v->bits = table_new(words * 8);
        return v->bits != NULL;
    }
    size_t max = BUCKET;
    while (max * 2 * STATE_SET_ENTRY <= bytes)
        max *= 2;
    v->max_cap = max;
    v->cap = MIN(max, (size_t)STATE_SET_START);
    v->slots = table_new(v->cap * STATE_SET_ENTRY);
    return v->slots != NULL;
}

static inline gboolean slot_empty(const state_entry *e)
{
    return e->lo == 0 && e->hi == 0;
}

/* The first entry of the bucket lo falls in, in a table of cap entries. */
static inline size_t bucket_of(uint64_t lo, size_t cap)
{
    return (size_t)(lo & (cap / BUCKET - 1)) * BUCKET;
}

/* Buckets fill from their first entry and nothing is removed, so a key's
 * probe ends at the first empty entry. */
static void place(state_entry *slots, size_t cap, const state_entry *e)
{
    for (size_t i = bucket_of(e->lo, cap);; i = (i + 1) & (cap - 1))
        if (slot_empty(&slots[i])) {
            slots[i] = *e;
            return;
        }
}

static gboolean state_set_grow(state_set *v)
{
    size_t cap = v->cap * 2;
    state_entry *slots = table_new(cap * STATE_SET_ENTRY);
    if (!slots)
        return FALSE;
    for (size_t i = 0; i < v->cap; i++)
        if (!slot_empty(&v->slots[i]))
            place(slots, cap, &v->slots[i]);
    table_free(v->slots, v->cap * STATE_SET_ENTRY);
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
    table_free(v->slots, v->cap * STATE_SET_ENTRY);
    table_free(v->bits, v->bitstate ? v->cap / 8 : 0);
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
    state_entry key = {.lo = d.lo, .hi = (uint32_t)(d.hi >> 32)};
    if (slot_empty(&key))
        key.lo = 1; /* {0, 0} marks an empty slot */
    uint32_t s = (uint32_t)MIN(steps, (uint64_t)STEPS_SAT);
    for (size_t i = bucket_of(key.lo, v->cap);; i = (i + 1) & (v->cap - 1)) {
        state_entry *e = &v->slots[i];
        if (slot_empty(e)) {
            if ((double)(v->count + 1) > STATE_SET_LOAD * (double)v->cap) {
                if (v->cap >= v->max_cap || !state_set_grow(v)) {
                    v->full = TRUE;
                    return FALSE;
                }
                return state_set_visit(v, d, steps, sleep, explore);
            }
            e->lo = key.lo;
            e->hi = key.hi;
            e->steps_sleep = s << 8 | sleep;
            v->count++;
            return FALSE;
        }
        if (e->lo == key.lo && e->hi == key.hi) {
            uint32_t e_steps = e->steps_sleep >> 8;
            guint8 e_sleep = (guint8)e->steps_sleep;
            /* A step count at the cap is not known to be the fewer. */
            gboolean steps_ok = !v->exact_steps || (e_steps <= s && e_steps < STEPS_SAT);
            if (steps_ok && (e_sleep & ~sleep) == 0)
                return TRUE;
            /* Explored again: with fewer steps left, or waking a tab that
             * was asleep then.  What both visits leave out is left out.
             * With the steps as good, the tabs awake then were explored
             * then: only those asleep then are owed. */
            if (steps_ok)
                *explore = e_sleep;
            e->steps_sleep = MIN(e_steps, s) << 8 | (guint8)(e_sleep & sleep);
            return FALSE;
        }
    }
}
