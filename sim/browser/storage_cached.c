/*
 * storage_cached.c - the "cached" localStorage model: a cache per tab.
 *
 * What it stands for (docs/browser-model.md, from Chromium's
 * third_party/blink/renderer/modules/storage/cached_storage_area.h): each
 * renderer keeps a full cached copy of the origin's map, loaded on first
 * access; its own writes apply to the cache at once and go to the browser
 * process asynchronously, with a pending queue per key; other processes'
 * writes arrive as observer callbacks, delivered as tasks, so they never
 * land in the middle of a task; while a key's pending queue is non-empty,
 * arriving remote writes to that key are ignored.  The HTML standard gives
 * no cross-process guarantee at all, so this is one browser's behaviour,
 * not a promise.
 *
 * The model:
 *  - shared: the browser process's map.  A write of any tab is committed
 *    to it at once and appended to one log, so the log's order is the order
 *    writes were made (the browser's order).  The end-of-run checks read it.
 *  - cache: one per tab, created by the tab's first call as a copy of the
 *    shared map; reads, length and key(i) see only the cache.
 *  - a write applies to the writer's cache (quota checked there, as the
 *    renderer does) and counts as pending for its key until the writer
 *    receives its own log entry back (the acknowledgement).
 *  - delivery: each tab has a cursor in the log; the world (env_sim.c)
 *    decides at the first storage call of each task how many further log
 *    entries have arrived (one chooser decision; timed runs bound it with
 *    [storage] delivery_us_min/max after the write).  Entries arrive in log
 *    order; a remote entry for a key with pending own writes is ignored,
 *    otherwise it is applied to the cache.
 *
 * What it does not cover: reordering between renderers on their way to the
 * browser (commit order is write order); tabs that share a renderer (and
 * so a cache and a main thread: Chromium puts some same-origin tabs in one
 * process); the storage event at delivery (env_wait.c fires it when a
 * write reaches the shared map); quota in the browser process (only the
 * writer's cache is checked); Firefox (storage_snapshot.c) and WebKit.  A
 * write's own latency is the [storage] latency_us range, as for the
 * linearizable model.
 *
 * Invariants: the shared map equals the log applied in order; entries are
 * dropped once every tab's cursor has passed them (each cache already holds
 * or has ignored them); caches enumerate keys in sorted order as
 * storage.c does; no hash table is ever iterated.
 */
#include "sim/browser/storage_cached.h"

#include <assert.h>
#include <string.h>

#include "sim/world/world_digest.h"
#include "xt/error.h"

#define CACHED_LOG_COMPACT_MIN 256 /* entries consumed by all before compaction */

typedef struct log_entry {
    int tab;
    char *key;
    char *value; /* NULL: removeItem */
    int64_t time_us;
} log_entry;

typedef struct tab_cache {
    sim_storage *map;     /* NULL until the tab's first call */
    GHashTable *pending;  /* key -> own writes not yet acknowledged (GUINT) */
    size_t cursor;        /* next log entry to receive (absolute index) */
} tab_cache;

struct sim_cached {
    sim_storage *shared;
    int n_tabs;
    int64_t quota_bytes;
    gboolean unavailable;
    tab_cache *tabs;
    GPtrArray *log;       /* log_entry*, absolute index = base + i */
    size_t base;
};

static void entry_free(gpointer p)
{
    log_entry *e = p;
    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

sim_cached *sim_cached_new(sim_storage *shared, int n_tabs, int64_t quota_bytes, gboolean unavailable)
{
    assert(shared && n_tabs >= 1);
    sim_cached *c = g_new0(sim_cached, 1);
    c->shared = shared;
    c->n_tabs = n_tabs;
    c->quota_bytes = quota_bytes;
    c->unavailable = unavailable;
    c->tabs = g_new0(tab_cache, n_tabs);
    c->log = g_ptr_array_new_with_free_func(entry_free);
    return c;
}

void sim_cached_free(sim_cached *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_tabs; i++) {
        sim_storage_free(c->tabs[i].map);
        if (c->tabs[i].pending)
            g_hash_table_destroy(c->tabs[i].pending);
    }
    g_free(c->tabs);
    g_ptr_array_free(c->log, TRUE);
    g_free(c);
}

/* The tab's cache, loaded from the shared map on first use. */
static tab_cache *cache_of(sim_cached *c, int tab)
{
    assert(tab >= 1 && tab <= c->n_tabs);
    tab_cache *tc = &c->tabs[tab - 1];
    if (tc->map)
        return tc;
    /* The cache has no quota of its own: sim_cached_set checks it, so that
     * remote writes the browser accepted always apply. */
    tc->map = sim_storage_new(0, FALSE);
    tc->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GString *k = g_string_new(NULL), *v = g_string_new(NULL);
    size_t n = 0;
    (void)sim_storage_length(c->shared, &n);
    for (size_t i = 0; i < n; i++) {
        (void)sim_storage_key(c->shared, i, k);
        (void)sim_storage_get(c->shared, k->str, v);
        (void)sim_storage_set(tc->map, k->str, v->str);
    }
    g_string_free(k, TRUE);
    g_string_free(v, TRUE);
    tc->cursor = c->base + c->log->len; /* everything so far is in the copy */
    return tc;
}

int sim_cached_get(sim_cached *c, int tab, const char *key, GString *value_out)
{
    if (c->unavailable)
        return XT_EUNAVAILABLE;
    return sim_storage_get(cache_of(c, tab)->map, key, value_out);
}

int sim_cached_length(sim_cached *c, int tab, size_t *length_out)
{
    if (c->unavailable)
        return XT_EUNAVAILABLE;
    return sim_storage_length(cache_of(c, tab)->map, length_out);
}

int sim_cached_key(sim_cached *c, int tab, size_t index, GString *key_out)
{
    if (c->unavailable)
        return XT_EUNAVAILABLE;
    return sim_storage_key(cache_of(c, tab)->map, index, key_out);
}

/* Commit to the shared map, log it, count it pending for the writer. */
static void write_publish(sim_cached *c, tab_cache *tc, int tab, int64_t now_us, const char *key, const char *value)
{
    if (value)
        (void)sim_storage_set(c->shared, key, value);
    else
        (void)sim_storage_remove(c->shared, key);
    log_entry *e = g_new0(log_entry, 1);
    e->tab = tab;
    e->key = g_strdup(key);
    e->value = g_strdup(value);
    e->time_us = now_us;
    g_ptr_array_add(c->log, e);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(tc->pending, key));
    g_hash_table_insert(tc->pending, g_strdup(key), GUINT_TO_POINTER(n + 1));
}

int sim_cached_set(sim_cached *c, int tab, int64_t now_us, const char *key, const char *value)
{
    if (c->unavailable)
        return XT_EUNAVAILABLE;
    tab_cache *tc = cache_of(c, tab);
    const char *old = sim_storage_peek(tc->map, key);
    int64_t after = sim_storage_bytes(tc->map) + (int64_t)strlen(value) +
                    (old ? -(int64_t)strlen(old) : (int64_t)strlen(key));
    if (c->quota_bytes > 0 && after > c->quota_bytes)
        return XT_EQUOTA;
    (void)sim_storage_set(tc->map, key, value);
    write_publish(c, tc, tab, now_us, key, value);
    return XT_OK;
}

int sim_cached_remove(sim_cached *c, int tab, int64_t now_us, const char *key)
{
    if (c->unavailable)
        return XT_EUNAVAILABLE;
    tab_cache *tc = cache_of(c, tab);
    (void)sim_storage_remove(tc->map, key);
    write_publish(c, tc, tab, now_us, key, NULL);
    return XT_OK;
}

size_t sim_cached_pending(const sim_cached *c, int tab)
{
    assert(tab >= 1 && tab <= c->n_tabs);
    const tab_cache *tc = &c->tabs[tab - 1];
    return tc->map ? c->base + c->log->len - tc->cursor : 0;
}

int64_t sim_cached_pending_time_us(const sim_cached *c, int tab, size_t i)
{
    const tab_cache *tc = &c->tabs[tab - 1];
    assert(i < sim_cached_pending(c, tab));
    const log_entry *e = c->log->pdata[tc->cursor - c->base + i];
    return e->time_us;
}

const char *sim_cached_pending_key(const sim_cached *c, int tab, size_t i)
{
    const tab_cache *tc = &c->tabs[tab - 1];
    assert(i < sim_cached_pending(c, tab));
    const log_entry *e = c->log->pdata[tc->cursor - c->base + i];
    return e->key;
}

gboolean sim_cached_pending_remote(const sim_cached *c, int tab, const char **key, const char **value)
{
    const tab_cache *tc = &c->tabs[tab - 1];
    size_t n = sim_cached_pending(c, tab);
    for (size_t i = 0; i < n; i++) {
        const log_entry *e = c->log->pdata[tc->cursor - c->base + i];
        if (e->tab != tab || i + 1 == n) {
            *key = e->key;
            *value = e->value;
            return TRUE;
        }
    }
    return FALSE;
}

/* Drop the log prefix every tab has received (tabs without a cache will
 * copy the shared map and need none of it). */
static void log_compact(sim_cached *c)
{
    size_t min = c->base + c->log->len;
    for (int i = 0; i < c->n_tabs; i++)
        if (c->tabs[i].map && c->tabs[i].cursor < min)
            min = c->tabs[i].cursor;
    size_t drop = min - c->base;
    if (drop < CACHED_LOG_COMPACT_MIN)
        return;
    g_ptr_array_remove_range(c->log, 0, (guint)drop);
    c->base += drop;
}

void sim_cached_deliver(sim_cached *c, int tab, size_t n, sim_cached_arrival_fn fn, void *ctx)
{
    assert(n <= sim_cached_pending(c, tab));
    tab_cache *tc = &c->tabs[tab - 1];
    for (size_t i = 0; i < n; i++) {
        const log_entry *e = c->log->pdata[tc->cursor - c->base];
        tc->cursor++;
        gboolean applied = FALSE;
        if (e->tab == tab) {
            /* The browser's acknowledgement of my own write. */
            guint left = GPOINTER_TO_UINT(g_hash_table_lookup(tc->pending, e->key));
            assert(left > 0);
            if (left > 1)
                g_hash_table_insert(tc->pending, g_strdup(e->key), GUINT_TO_POINTER(left - 1));
            else
                g_hash_table_remove(tc->pending, e->key);
        } else if (!g_hash_table_contains(tc->pending, e->key)) {
            if (e->value)
                (void)sim_storage_set(tc->map, e->key, e->value);
            else
                (void)sim_storage_remove(tc->map, e->key);
            applied = TRUE;
        }
        if (fn)
            fn(ctx, tab, e->tab, e->key, e->value, applied);
    }
    log_compact(c);
}

uint64_t sim_cached_digest(const sim_cached *c, uint64_t h)
{
    for (int i = 0; i < c->n_tabs; i++) {
        const tab_cache *tc = &c->tabs[i];
        if (!tc->map) {
            h = sim_digest_text(h, NULL);
            continue;
        }
        sim_digest m; /* the map's own 128-bit digest, fed into the 64-bit fold */
        sim_digest_init(&m, h);
        sim_storage_digest(tc->map, &m);
        sim_digest_finish(&m, &m);
        h = ((h ^ m.lo) * UINT64_C(1099511628211)) ^ m.hi;
        /* What is on its way to this tab, in order (own writes included:
         * they are the acknowledgements that decide what it ignores). */
        for (size_t a = tc->cursor; a < c->base + c->log->len; a++) {
            const log_entry *e = c->log->pdata[a - c->base];
            h = (h ^ (uint64_t)e->tab) * UINT64_C(1099511628211);
            h = sim_digest_text(sim_digest_text(h, e->key), e->value);
        }
        h = sim_digest_text(h, "|");
    }
    return h;
}
