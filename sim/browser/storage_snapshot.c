/*
 * storage_snapshot.c - the "snapshot" localStorage model: Firefox's
 * LocalStorage NextGen (LSNG).
 *
 * What it stands for (docs/browser-model.md; Firefox's dom/localstorage,
 * read in LSDatabase.cpp, LSSnapshot.cpp/.h, LSWriteOptimizer.cpp,
 * ActorsParent.cpp and xpcom/base/CycleCollectedJSContext.cpp):
 *  - one Datastore per origin lives in the parent process; content
 *    processes reach it by IPC (LocalStorageCommon.h, "Implementation
 *    overview");
 *  - LSDatabase::EnsureSnapshot: a storage call with no snapshot open
 *    creates one with a synchronous IPC (the PBackgroundLSSnapshot
 *    constructor answers with its LSSnapshotInitInfo), so a snapshot is the
 *    datastore as the parent has it at that moment.  Values loaded lazily
 *    later are still the snapshot's: Datastore::NotifySnapshots calls
 *    Snapshot::SaveItem, which keeps the old value of every key another
 *    database's checkpoint changes;
 *  - LSSnapshot::SetItem/RemoveItem change the snapshot's values; a set to
 *    the value it already has, or a removal of an absent key, is no change
 *    and sends nothing; the SnapshotWriteOptimizer keeps one write per key
 *    (an insert then a removal in one task sends nothing);
 *  - LSSnapshot::Init schedules a stable-state callback
 *    (nsContentUtils::RunInStableState), which runs after the task and its
 *    microtasks (CycleCollectedJSContext::AfterProcessTask);
 *    LSSnapshot::Run then sends the writes (SendAsyncCheckpoint) and, since
 *    other processes use the origin (mHasOtherProcessDatabases), finishes
 *    the snapshot: the next task takes a new one;
 *  - Snapshot::Checkpoint in the parent applies one message's writes in one
 *    update batch: last writer wins per key, in the order the parent
 *    receives checkpoints;
 *  - the quota is checked in the child when a write grows the snapshot's
 *    usage (LSSnapshot::UpdateUsage).
 * The HTML standard defines nothing across processes and tells authors to
 * assume no locking (whatwg/html PR 342 removed the storage mutex); this
 * is one browser's behaviour, not a promise.
 *
 * The model:
 *  - shared: the Datastore; the end-of-run checks read it.  It must have
 *    no quota of its own: it takes every checkpoint.
 *  - per tab, at most one open snapshot: the datastore as of begin plus
 *    the task's own writes (a write set in first-write order, one entry
 *    per key).  It is kept as Firefox's parent keeps it, as the datastore
 *    plus "saved" values: the value at begin of every key a checkpoint
 *    changed since (NULL: absent then).  Opening one copies nothing.
 *  - end: the write set leaves as one checkpoint into the tab's outbox
 *    (its IPC channel: FIFO).  begin lands the tab's own checkpoints first:
 *    they travel ahead of its next snapshot request.
 *  - apply: the world (env_snapshot.c) lands the oldest checkpoint of a tab
 *    of its choice, when and in the order it decides.
 *  - quota: the snapshot's usage (the datastore's at begin plus the task's
 *    own changes) must stay within quota_bytes.
 *
 * What it does not cover: tabs sharing a content process (they share one
 * LSDatabase, hence one snapshot per task of that process); snapshot reuse
 * across tasks (dom.storage.snapshot_reusing, only while no other process
 * uses the origin) and MarkDirty (the storage event a landing fires is
 * env_snapshot.c's); the checkpoint-and-notify variant sent when other
 * processes observe it;
 * clear(); the peak-usage reservation in the parent (two tabs growing the
 * origin at once may take the datastore over quota here); explicit
 * snapshots (a chrome-only test API).
 *
 * Invariants: a tab with a snapshot open has none of its own checkpoints
 * in flight; saved holds only keys changed since begin; bytes is the
 * snapshot's keys plus values; keys enumerate sorted; a hash table is only
 * iterated to collect keys that are then sorted.
 */
#include "sim/browser/storage_snapshot.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "xt/error.h"

typedef struct write_entry {
    char *key;
    char *value;        /* NULL: removed */
    gboolean inserted;  /* the key was absent when the task first wrote it */
    gboolean dropped;   /* inserted, then removed: sends nothing */
} write_entry;

typedef struct checkpoint {
    int64_t time_us;    /* when it left (the end of its task) */
    GPtrArray *writes;  /* write_entry*, none dropped */
} checkpoint;

typedef struct tab_snap {
    gboolean open;
    int64_t bytes;
    GPtrArray *writes;  /* write_entry*, first-write order; owned here */
    GHashTable *index;  /* key -> live write_entry* (lookups only) */
    GHashTable *saved;  /* key -> value at begin (char*, NULL = absent) */
    GQueue outbox;      /* checkpoint*, oldest first */
} tab_snap;

struct sim_snapshot {
    sim_storage *shared;
    int n_tabs;
    int64_t quota_bytes;
    gboolean unavailable;
    tab_snap *tabs;
};

static void entry_free(gpointer p)
{
    write_entry *e = p;
    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

static void checkpoint_free(gpointer p)
{
    checkpoint *cp = p;
    g_ptr_array_free(cp->writes, TRUE);
    g_free(cp);
}

sim_snapshot *sim_snapshot_new(sim_storage *shared, int n_tabs, int64_t quota_bytes, gboolean unavailable)
{
    assert(shared && n_tabs >= 1);
    sim_snapshot *s = g_new0(sim_snapshot, 1);
    s->shared = shared;
    s->n_tabs = n_tabs;
    s->quota_bytes = quota_bytes;
    s->unavailable = unavailable;
    s->tabs = g_new0(tab_snap, n_tabs);
    for (int i = 0; i < n_tabs; i++) {
        tab_snap *ts = &s->tabs[i];
        ts->writes = g_ptr_array_new();
        ts->index = g_hash_table_new(g_str_hash, g_str_equal);
        ts->saved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_queue_init(&ts->outbox);
    }
    return s;
}

/* Drop the write set (entries freed, none sent). */
static void writes_clear(tab_snap *ts)
{
    g_hash_table_remove_all(ts->index);
    for (guint i = 0; i < ts->writes->len; i++)
        entry_free(ts->writes->pdata[i]);
    g_ptr_array_set_size(ts->writes, 0);
}

void sim_snapshot_free(sim_snapshot *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_tabs; i++) {
        tab_snap *ts = &s->tabs[i];
        writes_clear(ts);
        g_ptr_array_free(ts->writes, TRUE);
        g_hash_table_destroy(ts->index);
        g_hash_table_destroy(ts->saved);
        g_queue_clear_full(&ts->outbox, checkpoint_free);
    }
    g_free(s->tabs);
    g_free(s);
}

static tab_snap *tab_of(const sim_snapshot *s, int tab)
{
    assert(tab >= 1 && tab <= s->n_tabs);
    return &s->tabs[tab - 1];
}

gboolean sim_snapshot_is_open(const sim_snapshot *s, int tab)
{
    return tab_of(s, tab)->open;
}

size_t sim_snapshot_in_flight(const sim_snapshot *s, int tab)
{
    return tab_of(s, tab)->outbox.length;
}

int64_t sim_snapshot_in_flight_time_us(const sim_snapshot *s, int tab)
{
    const checkpoint *cp = g_queue_peek_head(&tab_of(s, tab)->outbox);
    assert(cp);
    return cp->time_us;
}

void sim_snapshot_apply(sim_snapshot *s, int tab, sim_snapshot_write_fn fn, void *ctx)
{
    checkpoint *cp = g_queue_pop_head(&tab_of(s, tab)->outbox);
    assert(cp);
    for (guint i = 0; i < cp->writes->len; i++) {
        const write_entry *e = cp->writes->pdata[i];
        /* Snapshots open elsewhere keep the value they began with
         * (Firefox: Snapshot::SaveItem).  The first change since begin is
         * the one whose old value is the snapshot's. */
        const char *old = sim_storage_peek(s->shared, e->key);
        for (int u = 0; u < s->n_tabs; u++) {
            tab_snap *other = &s->tabs[u];
            if (other->open && !g_hash_table_contains(other->saved, e->key))
                g_hash_table_insert(other->saved, g_strdup(e->key), g_strdup(old));
        }
        if (e->value)
            (void)sim_storage_set(s->shared, e->key, e->value);
        else
            (void)sim_storage_remove(s->shared, e->key);
        if (fn)
            fn(ctx, tab, e->key, e->value);
    }
    checkpoint_free(cp);
}

void sim_snapshot_begin(sim_snapshot *s, int tab, sim_snapshot_write_fn fn, void *ctx)
{
    tab_snap *ts = tab_of(s, tab);
    if (ts->open)
        return;
    while (ts->outbox.length > 0)
        sim_snapshot_apply(s, tab, fn, ctx);
    ts->open = TRUE;
    ts->bytes = sim_storage_bytes(s->shared);
}

static tab_snap *open_of(sim_snapshot *s, int tab)
{
    sim_snapshot_begin(s, tab, NULL, NULL);
    return tab_of(s, tab);
}

/* What the task sees for key: its own write, else the snapshot's value. */
static const char *view_value(const sim_snapshot *s, tab_snap *ts, const char *key)
{
    /* Most tasks write little and see nothing land: skip empty tables
     * (hashing the key is most of a read's cost). */
    if (g_hash_table_size(ts->index) > 0) {
        const write_entry *e = g_hash_table_lookup(ts->index, key);
        if (e)
            return e->value;
    }
    gpointer saved_key = NULL, saved = NULL;
    if (g_hash_table_size(ts->saved) > 0 && g_hash_table_lookup_extended(ts->saved, key, &saved_key, &saved))
        return saved;
    return sim_storage_peek(s->shared, key);
}

int sim_snapshot_get(sim_snapshot *s, int tab, const char *key, GString *value_out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    const char *v = view_value(s, open_of(s, tab), key);
    if (!v)
        return XT_ENOTFOUND;
    g_string_assign(value_out, v);
    return XT_OK;
}

/* Record a write (value NULL: removal) in the task's write set. */
static void record(tab_snap *ts, const char *key, const char *value, gboolean absent_before)
{
    write_entry *e = g_hash_table_lookup(ts->index, key);
    if (e && !value && e->inserted) {
        /* Inserted and removed in one task: LSWriteOptimizer::DeleteItem
         * forgets the insert, so the datastore's value is left alone. */
        g_hash_table_remove(ts->index, key);
        e->dropped = TRUE;
        return;
    }
    if (!e) {
        e = g_new0(write_entry, 1);
        e->key = g_strdup(key);
        e->inserted = absent_before;
        g_ptr_array_add(ts->writes, e);
        g_hash_table_insert(ts->index, e->key, e);
    }
    g_free(e->value);
    e->value = g_strdup(value);
}

int sim_snapshot_set(sim_snapshot *s, int tab, const char *key, const char *value)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    tab_snap *ts = open_of(s, tab);
    const char *old = view_value(s, ts, key);
    if (old && strcmp(old, value) == 0)
        return XT_OK; /* no change: nothing to send (LSSnapshot::SetItem) */
    int64_t after = ts->bytes + (int64_t)strlen(value) + (old ? -(int64_t)strlen(old) : (int64_t)strlen(key));
    if (s->quota_bytes > 0 && after > s->quota_bytes)
        return XT_EQUOTA;
    ts->bytes = after;
    record(ts, key, value, old == NULL);
    return XT_OK;
}

int sim_snapshot_remove(sim_snapshot *s, int tab, const char *key)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    tab_snap *ts = open_of(s, tab);
    const char *old = view_value(s, ts, key);
    if (!old)
        return XT_OK; /* nothing to remove, nothing to send */
    ts->bytes -= (int64_t)strlen(key) + (int64_t)strlen(old);
    record(ts, key, NULL, FALSE);
    return XT_OK;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The snapshot's keys as the task sees them, sorted (strings borrowed:
 * use before the next change). */
static GPtrArray *view_keys(const sim_snapshot *s, tab_snap *ts)
{
    guint n = 0;
    const char **shared_keys = sim_storage_keys(s->shared, &n);
    GPtrArray *all = g_ptr_array_sized_new(n + g_hash_table_size(ts->saved) + ts->writes->len);
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(all, (gpointer)shared_keys[i]);
    g_free(shared_keys);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, ts->saved);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(all, k); /* order does not matter: sorted below */
    for (guint i = 0; i < ts->writes->len; i++) {
        const write_entry *e = ts->writes->pdata[i];
        if (!e->dropped)
            g_ptr_array_add(all, e->key);
    }
    if (all->len > 1)
        qsort(all->pdata, all->len, sizeof(gpointer), str_cmp);
    guint kept = 0;
    for (guint i = 0; i < all->len; i++) {
        const char *key = all->pdata[i];
        if (kept > 0 && strcmp(all->pdata[kept - 1], key) == 0)
            continue;
        if (view_value(s, ts, key))
            all->pdata[kept++] = (gpointer)key;
    }
    g_ptr_array_set_size(all, kept);
    return all;
}

int sim_snapshot_length(sim_snapshot *s, int tab, size_t *length_out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    GPtrArray *keys = view_keys(s, open_of(s, tab));
    *length_out = keys->len;
    g_ptr_array_free(keys, TRUE);
    return XT_OK;
}

int sim_snapshot_key(sim_snapshot *s, int tab, size_t index, GString *key_out)
{
    if (s->unavailable)
        return XT_EUNAVAILABLE;
    GPtrArray *keys = view_keys(s, open_of(s, tab));
    int rc = XT_ENOTFOUND;
    if (index < keys->len) {
        g_string_assign(key_out, keys->pdata[index]);
        rc = XT_OK;
    }
    g_ptr_array_free(keys, TRUE);
    return rc;
}

size_t sim_snapshot_end(sim_snapshot *s, int tab, int64_t now_us, sim_snapshot_write_fn fn, void *ctx)
{
    tab_snap *ts = tab_of(s, tab);
    if (!ts->open)
        return 0;
    ts->open = FALSE;
    g_hash_table_remove_all(ts->saved);
    g_hash_table_remove_all(ts->index);
    checkpoint *cp = NULL;
    for (guint i = 0; i < ts->writes->len; i++) {
        write_entry *e = ts->writes->pdata[i];
        if (e->dropped) {
            entry_free(e);
            continue;
        }
        if (!cp) {
            cp = g_new0(checkpoint, 1);
            cp->time_us = now_us;
            cp->writes = g_ptr_array_new_with_free_func(entry_free);
        }
        g_ptr_array_add(cp->writes, e);
        if (fn)
            fn(ctx, tab, e->key, e->value);
    }
    g_ptr_array_set_size(ts->writes, 0); /* the entries moved or were freed */
    if (!cp)
        return 0;
    g_queue_push_tail(&ts->outbox, cp);
    return cp->writes->len;
}

void sim_snapshot_discard(sim_snapshot *s, int tab)
{
    tab_snap *ts = tab_of(s, tab);
    ts->open = FALSE;
    g_hash_table_remove_all(ts->saved);
    writes_clear(ts);
}

static uint64_t digest_writes(uint64_t h, const GPtrArray *writes)
{
    for (guint i = 0; i < writes->len; i++) {
        const write_entry *e = writes->pdata[i];
        h = sim_digest_text(sim_digest_text(h, e->key), e->value);
        h = (h ^ (uint64_t)(e->inserted * 2 + e->dropped)) * UINT64_C(1099511628211);
    }
    return sim_digest_text(h, "|");
}

uint64_t sim_snapshot_digest(const sim_snapshot *s, uint64_t h)
{
    for (int i = 0; i < s->n_tabs; i++) {
        const tab_snap *ts = &s->tabs[i];
        h = sim_digest_text(h, ts->open ? "open" : "closed");
        if (ts->open) {
            /* The values the snapshot saw, by key in sorted order, then its writes. */
            GList *keys = g_list_sort(g_hash_table_get_keys(ts->saved), (GCompareFunc)strcmp);
            for (GList *l = keys; l; l = l->next)
                h = sim_digest_text(sim_digest_text(h, l->data), g_hash_table_lookup(ts->saved, l->data));
            g_list_free(keys);
            h = digest_writes(h, ts->writes);
        }
        for (GList *l = ts->outbox.head; l; l = l->next)
            h = digest_writes(h, ((const checkpoint *)l->data)->writes);
        h = sim_digest_text(h, "#");
    }
    return h;
}
