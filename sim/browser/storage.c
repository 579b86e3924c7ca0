/*
 * storage.c - linearizable localStorage; see sim/browser/storage.h.
 *
 * Values are GStrings reused in place, so the steady state of a mutex loop
 * (the same few keys rewritten) allocates nothing.  The byte count is kept
 * incrementally and always equals the sum over entries (checked in tests).
 *
 * Lookups go through a small cache keyed by the caller's key pointer: the
 * code under test passes the same few key strings again and again, so a hit
 * costs a pointer compare and a strcmp instead of hashing.  An entry is
 * always confirmed by strcmp (a pointer may be reused for other text), and
 * is dropped when its key is removed, so it never names a freed value.
 *
 * Digests (the stateful search's state digests) are kept as the map
 * changes, not computed from it: each entry has a 128-bit hash of its key
 * and value (fully mixed), and the map's digest is their sum, lane by lane,
 * modulo 2^64.  A sum does not depend on the order the entries were
 * written in or sit in the table, so equal maps have equal digests; a set
 * subtracts the old entry's hash and adds the new one's.  The sum is kept
 * from a map's first digest on (summing), so that random runs, which never
 * digest, do not hash what they write.  Before, every state sorted the
 * keys and ran FNV-1a over every byte of the map twice (3.7 % of a
 * Lamport 4 x 1 search, 6 % with the sort's strcmp).
 */
#include "sim/browser/storage.h"

#include <stdlib.h>
#include <string.h>

#include "sim/world/world_digest.h"
#include "xt/error.h"

#define STORAGE_CACHE 8 /* a power of two */

typedef struct cache_entry {
    const char *key_ptr;  /* the caller's pointer */
    const char *map_key;  /* the map's own copy of the key */
    GString *value;
} cache_entry;

struct sim_storage {
    GHashTable *map; /* char* -> GString* */
    cache_entry cache[STORAGE_CACHE];
    int64_t quota_bytes;
    int64_t bytes;
    gboolean unavailable;
    uint64_t changes; /* sim_storage_changes: only ever grows */
    GString *previous; /* the old value of the last change (sim_storage_previous) */
    gboolean previous_null; /* ... absent: the key was new */
    gboolean summing; /* sum is kept: set by the first digest, so runs that never digest pay nothing */
    sim_digest sum;   /* while summing: the entries' hashes summed, lane by lane (entry_add) */
};

static void value_free(gpointer p)
{
    g_string_free(p, TRUE);
}

sim_storage *sim_storage_new(int64_t quota_bytes, gboolean unavailable)
{
    sim_storage *s = g_new0(sim_storage, 1);
    s->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
    s->previous = g_string_new(NULL);
    s->previous_null = TRUE;
    s->quota_bytes = quota_bytes;
    s->unavailable = unavailable;
    return s;
}

void sim_storage_free(sim_storage *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->map);
    g_string_free(s->previous, TRUE);
    g_free(s);
}

void sim_storage_reset(sim_storage *s, int64_t quota_bytes, gboolean unavailable)
{
    g_hash_table_remove_all(s->map);
    memset(s->cache, 0, sizeof s->cache);
    s->bytes = 0;
    s->changes = 0;
    s->summing = FALSE;
    memset(&s->sum, 0, sizeof s->sum);
    s->quota_bytes = quota_bytes;
    s->unavailable = unavailable;
}

/* An entry's hash: its key and value, each with its length, mixed fully
 * (a sum of weakly mixed hashes could cancel). */
static sim_digest entry_hash(const char *key, const char *value)
{
    sim_digest h;
    sim_digest_init(&h, UINT64_C(0x656e747279)); /* "entry" */
    sim_digest_str(&h, key);
    sim_digest_str(&h, value);
    sim_digest out;
    sim_digest_finish(&h, &out);
    return out;
}

/* Adds (sign 1) or takes away (sign -1) an entry from the map's digest. */
static void entry_add(sim_storage *s, const char *key, const char *value, int sign)
{
    if (!s->summing)
        return;
    sim_digest e = entry_hash(key, value);
    if (sign < 0) {
        s->sum.lo -= e.lo;
        s->sum.hi -= e.hi;
    } else {
        s->sum.lo += e.lo;
        s->sum.hi += e.hi;
    }
}

static cache_entry *cache_slot(sim_storage *s, const char *key)
{
    return &s->cache[((uintptr_t)key >> 4) & (STORAGE_CACHE - 1)];
}

static GString *storage_lookup(sim_storage *s, const char *key)
{
    cache_entry *c = cache_slot(s, key);
    if (c->key_ptr == key && c->value && strcmp(c->map_key, key) == 0)
        return c->value;
    gpointer map_key = NULL, value = NULL;
    if (!g_hash_table_lookup_extended(s->map, key, &map_key, &value))
        return NULL;
    c->key_ptr = key;
    c->map_key = map_key;
    c->value = value;
    return value;
}

static void cache_forget(sim_storage *s, const GString *value)
{
    for (int i = 0; i < STORAGE_CACHE; i++)
        if (s->cache[i].value == value)
            memset(&s->cache[i], 0, sizeof s->cache[i]);
}

int sim_storage_get(sim_storage *s, const char *key, GString *out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    GString *v = storage_lookup(s, key);
    if (!v)
        return XT_ENOTFOUND;
    g_string_assign(out, v->str);
    return XT_OK;
}

int sim_storage_set(sim_storage *s, const char *key, const char *value)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    int64_t klen = (int64_t)strlen(key), vlen = (int64_t)strlen(value);
    GString *old = storage_lookup(s, key);
    int64_t after = s->bytes + vlen + (old ? -(int64_t)old->len : klen);
    if (s->quota_bytes > 0 && after > s->quota_bytes)
        return XT_EQUOTA;
    if (!old || strcmp(old->str, value) != 0) {
        s->changes++;
        s->previous_null = !old;
        if (old) {
            g_string_assign(s->previous, old->str);
            entry_add(s, key, old->str, -1);
        }
        entry_add(s, key, value, 1);
    }
    if (old)
        g_string_assign(old, value);
    else
        g_hash_table_insert(s->map, g_strdup(key), g_string_new(value));
    s->bytes = after;
    return XT_OK;
}

int sim_storage_remove(sim_storage *s, const char *key)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    GString *old = storage_lookup(s, key);
    if (old) {
        s->changes++;
        s->previous_null = FALSE;
        g_string_assign(s->previous, old->str);
        entry_add(s, key, old->str, -1);
        cache_forget(s, old);
        s->bytes -= (int64_t)strlen(key) + (int64_t)old->len;
        g_hash_table_remove(s->map, key);
    }
    return XT_OK;
}

int sim_storage_length(sim_storage *s, size_t *length_out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    *length_out = g_hash_table_size(s->map);
    return XT_OK;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sim_storage_key(sim_storage *s, size_t index, GString *key_out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    if (index >= g_hash_table_size(s->map))
        return XT_ENOTFOUND;
    /* Sorted, never hash order: enumeration must not depend on the table. */
    guint n = 0;
    gpointer *ks = g_hash_table_get_keys_as_array(s->map, &n);
    qsort(ks, n, sizeof *ks, key_cmp);
    g_string_assign(key_out, ks[index]);
    g_free(ks);
    return XT_OK;
}

const char **sim_storage_keys(sim_storage *s, guint *n_out)
{
    gpointer *ks = g_hash_table_get_keys_as_array(s->map, n_out);
    qsort(ks, *n_out, sizeof *ks, key_cmp);
    return (const char **)ks;
}

const char *sim_storage_peek(sim_storage *s, const char *key)
{
    GString *v = storage_lookup(s, key); /* the snapshot model reads through here */
    return v ? v->str : NULL;
}

int64_t sim_storage_bytes(const sim_storage *s)
{
    return s->bytes;
}

uint64_t sim_storage_changes(const sim_storage *s)
{
    return s->changes;
}

const char *sim_storage_previous(const sim_storage *s)
{
    return s->previous_null ? NULL : s->previous->str;
}

/* FNV-1a over a string and a terminator, into a 64-bit state. */
uint64_t sim_digest_text(uint64_t h, const char *text)
{
    for (const char *c = text ? text : "\x01"; *c; c++)
        h = (h ^ (guint8)*c) * UINT64_C(1099511628211);
    return (h ^ 0xffu) * UINT64_C(1099511628211);
}

void sim_storage_digest(sim_storage *s, sim_digest *h)
{
    if (!s->summing) { /* the first digest of this map: its sum from its entries, kept from now on */
        s->summing = TRUE;
        memset(&s->sum, 0, sizeof s->sum);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, s->map);
        while (g_hash_table_iter_next(&it, &k, &v))
            entry_add(s, k, ((const GString *)v)->str, 1);
    }
    sim_digest_u64(h, s->sum.lo);
    sim_digest_u64(h, s->sum.hi);
    sim_digest_u64(h, (uint64_t)g_hash_table_size(s->map));
    sim_digest_u64(h, (uint64_t)s->unavailable);
}
