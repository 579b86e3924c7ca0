/*
 * digest_map.c - a map from 128-bit digests to 128-bit digests; see
 * sim/world/digest_map.h.
 *
 * Open addressing with linear probing in a power-of-two array, at most
 * half full, so that a probe ends within a few entries.  The keys are
 * digests, mixed already: their low word, masked, is the home slot.  An
 * entry says whether it is used, so that every key, {0, 0} included, is
 * a key.
 */
#include "sim/world/digest_map.h"

#include <glib.h>

typedef struct entry {
    sim_digest key, value;
    uint64_t used;
} entry;

struct sim_digest_map {
    entry *slots;
    size_t cap; /* a power of two */
    size_t count;
};

#define MAP_START 64

sim_digest_map *sim_digest_map_new(void)
{
    sim_digest_map *m = g_new0(sim_digest_map, 1);
    m->cap = MAP_START;
    m->slots = g_new0(entry, m->cap);
    return m;
}

void sim_digest_map_free(sim_digest_map *m)
{
    if (!m)
        return;
    g_free(m->slots);
    g_free(m);
}

static inline size_t home(const sim_digest *key, size_t cap)
{
    return (size_t)(key->lo ^ key->hi) & (cap - 1);
}

/* The slot of key, or the empty slot where it would go. */
static entry *probe(entry *slots, size_t cap, const sim_digest *key)
{
    for (size_t i = home(key, cap);; i = (i + 1) & (cap - 1))
        if (!slots[i].used || sim_digest_equal(slots[i].key, *key))
            return &slots[i];
}

const sim_digest *sim_digest_map_lookup(const sim_digest_map *m, const sim_digest *key)
{
    const entry *e = probe(m->slots, m->cap, key);
    return e->used ? &e->value : NULL;
}

static void grow(sim_digest_map *m)
{
    size_t cap = m->cap * 2;
    entry *slots = g_new0(entry, cap);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].used)
            *probe(slots, cap, &m->slots[i].key) = m->slots[i];
    g_free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void sim_digest_map_insert(sim_digest_map *m, const sim_digest *key, const sim_digest *value)
{
    entry *e = probe(m->slots, m->cap, key);
    if (e->used)
        return;
    if (2 * (m->count + 1) > m->cap) {
        grow(m);
        e = probe(m->slots, m->cap, key);
    }
    *e = (entry){.key = *key, .value = *value, .used = 1};
    m->count++;
}

size_t sim_digest_map_size(const sim_digest_map *m)
{
    return m->count;
}
