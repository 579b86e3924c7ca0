/*
 * weblocks.c - the simulated browser's Web Locks manager; see sim/browser/weblocks.h.
 *
 * Fault model and sources.  The W3C Web Locks specification and MDN
 * (w3c.github.io/web-locks) say: a lock manager per origin
 * (here: per world; tabsim simulates one origin); a request of an
 * exclusive lock is grantable when no one holds the name and no earlier
 * request for it waits, so grants are FIFO; the lock is held until the
 * callback's promise settles; a document that goes away releases its
 * locks and drops its pending requests; {ifAvailable: true} is answered
 * at once (callback with null) when not grantable; {steal: true} releases
 * every held lock of the name (the holder's request promise rejects with
 * AbortError) and is granted at once, ahead of queued requests.
 *
 * Modelled: exclusive mode, FIFO grant, ifAvailable, steal, release on
 * tab close.  A stolen holder is not interrupted (no browser can stop
 * running JavaScript): the manager remembers its handle, and its release
 * returns XT_EABORTED, the moment its code can see the rejection.
 * Not modelled: shared mode, AbortSignal (timeouts on a request),
 * navigator.locks.query(), locks of other origins or of workers, and the
 * browser losing a lock it promised (it does not).  A request is atomic:
 * it is queued or granted in the step that makes it, as the spec runs it
 * on the lock manager's own task queue.
 *
 * Invariants: a name has at most one holder; a handle is in at most one
 * place (holder, queue or stolen list); handles are never reused in a run.
 * Entries live in arrays searched linearly in creation order: a run has few
 * names, and no hash order can leak into a decision.
 */
#include "sim/browser/weblocks.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/world/world_digest.h"
#include "xt/env.h"

typedef struct wl_request {
    const char *name;  /* the wl_lock's, which lives as long as the manager */
    uint64_t handle;
    int tab;
    void *waiter;
} wl_request;

typedef struct wl_lock {
    char *name;
    wl_request holder; /* handle 0 = free */
    GQueue queue;      /* wl_request*, oldest first */
} wl_lock;

struct sim_weblocks {
    GPtrArray *locks;   /* wl_lock*, in creation order */
    GArray *stolen;     /* wl_request whose lock was stolen, not yet released */
    uint64_t next_handle;
    sim_weblocks_grant_fn grant;
    void *ctx;
};

static void lock_free(gpointer p)
{
    wl_lock *l = p;
    g_queue_clear_full(&l->queue, g_free);
    g_free(l->name);
    g_free(l);
}

sim_weblocks *sim_weblocks_new(sim_weblocks_grant_fn grant, void *ctx)
{
    sim_weblocks *wl = g_new0(sim_weblocks, 1);
    wl->locks = g_ptr_array_new_with_free_func(lock_free);
    wl->stolen = g_array_new(FALSE, FALSE, sizeof(wl_request));
    wl->next_handle = 1;
    wl->grant = grant;
    wl->ctx = ctx;
    return wl;
}

void sim_weblocks_free(sim_weblocks *wl)
{
    if (!wl)
        return;
    g_ptr_array_free(wl->locks, TRUE);
    g_array_free(wl->stolen, TRUE);
    g_free(wl);
}

static wl_lock *lock_find(const sim_weblocks *wl, const char *name)
{
    for (guint i = 0; i < wl->locks->len; i++) {
        wl_lock *l = wl->locks->pdata[i];
        if (strcmp(l->name, name) == 0)
            return l;
    }
    return NULL;
}

static wl_lock *lock_get(sim_weblocks *wl, const char *name)
{
    wl_lock *l = lock_find(wl, name);
    if (!l) {
        l = g_new0(wl_lock, 1);
        l->name = g_strdup(name);
        g_queue_init(&l->queue);
        g_ptr_array_add(wl->locks, l);
    }
    return l;
}

/* The lock is free: grant it to the oldest queued request, if any. */
static void lock_grant_next(sim_weblocks *wl, wl_lock *l)
{
    assert(l->holder.handle == 0);
    wl_request *next = g_queue_pop_head(&l->queue);
    if (!next)
        return;
    l->holder = *next;
    g_free(next);
    if (wl->grant)
        wl->grant(wl->ctx, l->holder.waiter, l->holder.handle);
}

int sim_weblocks_request(sim_weblocks *wl, const char *name, int flags, int tab, void *waiter,
                         uint64_t *handle_out, int *stolen_tab_out)
{
    assert(wl && name && handle_out && tab >= 1);
    wl_lock *l = lock_get(wl, name);
    gboolean grantable = l->holder.handle == 0 && l->queue.length == 0;
    if (stolen_tab_out)
        *stolen_tab_out = 0;
    if (!grantable && (flags & XT_LOCK_IF_AVAILABLE))
        return XT_ELOCKTIMEOUT;
    wl_request req = {.name = l->name, .handle = wl->next_handle++, .tab = tab, .waiter = waiter};
    *handle_out = req.handle;
    if (flags & XT_LOCK_STEAL) {
        if (l->holder.handle != 0) {
            if (stolen_tab_out)
                *stolen_tab_out = l->holder.tab;
            g_array_append_val(wl->stolen, l->holder);
        }
        l->holder = req;
        return XT_OK;
    }
    if (grantable) {
        l->holder = req;
        return XT_OK;
    }
    g_queue_push_tail(&l->queue, g_memdup2(&req, sizeof req));
    return SIM_WEBLOCKS_QUEUED;
}

int sim_weblocks_release(sim_weblocks *wl, uint64_t handle)
{
    assert(wl);
    for (guint i = 0; i < wl->stolen->len; i++)
        if (g_array_index(wl->stolen, wl_request, i).handle == handle) {
            g_array_remove_index(wl->stolen, i);
            return XT_EABORTED;
        }
    for (guint i = 0; i < wl->locks->len; i++) {
        wl_lock *l = wl->locks->pdata[i];
        if (handle != 0 && l->holder.handle == handle) {
            memset(&l->holder, 0, sizeof l->holder);
            lock_grant_next(wl, l);
            return XT_OK;
        }
    }
    return XT_ENOTFOUND;
}

gboolean sim_weblocks_withdraw(sim_weblocks *wl, void *waiter)
{
    assert(wl);
    for (guint i = 0; i < wl->locks->len; i++) {
        wl_lock *l = wl->locks->pdata[i];
        for (GList *e = l->queue.head; e; e = e->next) {
            wl_request *r = e->data;
            if (r->waiter == waiter) {
                g_queue_delete_link(&l->queue, e);
                g_free(r);
                return TRUE;
            }
        }
    }
    return FALSE;
}

int sim_weblocks_tab_closed(sim_weblocks *wl, int tab)
{
    assert(wl);
    int released = 0;
    for (guint i = wl->stolen->len; i-- > 0;)
        if (g_array_index(wl->stolen, wl_request, i).tab == tab)
            g_array_remove_index(wl->stolen, i);
    /* Drop the queued requests first: a release below must not grant the
     * lock to a request of the closing tab. */
    for (guint i = 0; i < wl->locks->len; i++) {
        wl_lock *l = wl->locks->pdata[i];
        for (GList *e = l->queue.head; e;) {
            GList *next = e->next;
            wl_request *r = e->data;
            if (r->tab == tab) {
                g_queue_delete_link(&l->queue, e);
                g_free(r);
            }
            e = next;
        }
    }
    for (guint i = 0; i < wl->locks->len; i++) {
        wl_lock *l = wl->locks->pdata[i];
        if (l->holder.handle != 0 && l->holder.tab == tab) {
            memset(&l->holder, 0, sizeof l->holder);
            released++;
            lock_grant_next(wl, l);
        }
    }
    return released;
}

int sim_weblocks_holder(const sim_weblocks *wl, const char *name)
{
    const wl_lock *l = lock_find(wl, name);
    return l && l->holder.handle != 0 ? l->holder.tab : 0;
}

guint sim_weblocks_queued(const sim_weblocks *wl, const char *name)
{
    const wl_lock *l = lock_find(wl, name);
    return l ? l->queue.length : 0;
}

const char *sim_weblocks_name_of(const sim_weblocks *wl, uint64_t handle)
{
    for (guint i = 0; i < wl->stolen->len; i++)
        if (g_array_index(wl->stolen, wl_request, i).handle == handle)
            return g_array_index(wl->stolen, wl_request, i).name;
    for (guint i = 0; i < wl->locks->len; i++) {
        const wl_lock *l = wl->locks->pdata[i];
        if (handle != 0 && l->holder.handle == handle)
            return l->name;
    }
    return NULL;
}

static void request_digest(const wl_request *r, sim_digest *h,
                           void (*waiter_fold)(sim_digest *h, const void *waiter, void *ctx), void *ctx,
                           const int *tab_rename)
{
    sim_digest_u64(h, r->handle != 0);
    sim_digest_u64(h, (uint64_t)(tab_rename && r->tab >= 1 ? tab_rename[r->tab - 1] : r->tab));
    waiter_fold(h, r->waiter, ctx);
}

static int lock_cmp(const void *a, const void *b)
{
    return strcmp((*(const wl_lock *const *)a)->name, (*(const wl_lock *const *)b)->name);
}

/* The locks by name, in buf when they fit (else a new array: free it when
 * it is not buf). */
static const wl_lock **sorted_locks(const sim_weblocks *wl, const wl_lock **buf, guint buf_len)
{
    guint n = wl->locks->len;
    const wl_lock **sorted = n <= buf_len ? buf : g_new(const wl_lock *, n);
    if (n > 0)
        memcpy(sorted, wl->locks->pdata, n * sizeof *sorted);
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, lock_cmp);
    return sorted;
}

void sim_weblocks_tab_digest(const sim_weblocks *wl, int tab, sim_digest *h)
{
    const wl_lock *buf[16], **sorted = sorted_locks(wl, buf, G_N_ELEMENTS(buf));
    for (guint i = 0; i < wl->locks->len; i++) {
        const wl_lock *l = sorted[i];
        uint64_t place = 1; /* 0: holds it */
        sim_digest_u64(h, l->holder.handle != 0 && l->holder.tab == tab ? 0 : UINT64_MAX);
        for (const GList *q = l->queue.head; q; q = q->next, place++)
            if (((const wl_request *)q->data)->tab == tab)
                sim_digest_u64(h, place);
    }
    if (sorted != buf)
        g_free(sorted);
    for (guint i = 0; i < wl->stolen->len; i++)
        if (g_array_index(wl->stolen, wl_request, i).tab == tab)
            sim_digest_u64(h, UINT64_MAX - 1 - i);
}

void sim_weblocks_digest(const sim_weblocks *wl, sim_digest *h,
                         void (*waiter_fold)(sim_digest *h, const void *waiter, void *ctx), void *ctx,
                         const int *tab_rename)
{
    /* By name: the order in which names were first requested is no state
     * (a name is found by its text).  Sorted on the stack when they fit
     * (a world has a few names, a Lamport one none): this runs at every
     * state of a stateful search. */
    guint n = wl->locks->len;
    const wl_lock *buf[16], **sorted = sorted_locks(wl, buf, G_N_ELEMENTS(buf));
    for (guint i = 0; i < n; i++) {
        const wl_lock *l = sorted[i];
        sim_digest_str(h, l->name);
        request_digest(&l->holder, h, waiter_fold, ctx, tab_rename);
        sim_digest_u64(h, l->queue.length);
        for (const GList *q = l->queue.head; q; q = q->next)
            request_digest(q->data, h, waiter_fold, ctx, tab_rename);
    }
    if (sorted != buf)
        g_free(sorted);
    sim_digest_u64(h, wl->stolen->len);
    for (guint i = 0; i < wl->stolen->len; i++)
        request_digest(&g_array_index(wl->stolen, wl_request, i), h, waiter_fold, ctx, tab_rename);
}
