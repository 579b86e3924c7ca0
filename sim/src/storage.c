/*
 * storage.c - linearizable localStorage; see sim/storage.h.
 *
 * Values are GStrings reused in place, so the steady state of a mutex loop
 * (the same few keys rewritten) allocates nothing.  The byte count is kept
 * incrementally and always equals the sum over entries (checked in tests).
 */
#include "sim/storage.h"

#include <stdlib.h>
#include <string.h>

#include "xt/error.h"

struct sim_storage {
    GHashTable *map; /* char* -> GString* */
    int64_t quota_bytes;
    int64_t bytes;
    gboolean unavailable;
};

static void value_free(gpointer p)
{
    g_string_free(p, TRUE);
}

sim_storage *sim_storage_new(int64_t quota_bytes, gboolean unavailable)
{
    sim_storage *s = g_new0(sim_storage, 1);
    s->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
    s->quota_bytes = quota_bytes;
    s->unavailable = unavailable;
    return s;
}

void sim_storage_free(sim_storage *s)
{
    if (!s)
        return;
    g_hash_table_destroy(s->map);
    g_free(s);
}

void sim_storage_reset(sim_storage *s, int64_t quota_bytes, gboolean unavailable)
{
    g_hash_table_remove_all(s->map);
    s->bytes = 0;
    s->quota_bytes = quota_bytes;
    s->unavailable = unavailable;
}

int sim_storage_get(sim_storage *s, const char *key, GString *out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    GString *v = g_hash_table_lookup(s->map, key);
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
    GString *old = g_hash_table_lookup(s->map, key);
    int64_t after = s->bytes + vlen + (old ? -(int64_t)old->len : klen);
    if (s->quota_bytes > 0 && after > s->quota_bytes)
        return XT_EQUOTA;
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
    GString *old = g_hash_table_lookup(s->map, key);
    if (old) {
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

const char *sim_storage_peek(sim_storage *s, const char *key)
{
    GString *v = g_hash_table_lookup(s->map, key);
    return v ? v->str : NULL;
}

int64_t sim_storage_bytes(const sim_storage *s)
{
    return s->bytes;
}
