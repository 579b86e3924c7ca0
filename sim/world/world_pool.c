/*
 * world_pool.c - worlds reused between runs instead of rebuilt.
 *
 * An exhaustive search makes hundreds of thousands of short runs, and each
 * used to build its world from scratch: the world, its tabs, its storage
 * map, its queue and a task (a coroutine context of about a kilobyte) per
 * spawn, allocated and freed again (callgrind, Lamport 2 x 2: about a
 * tenth of the instructions).  So the parts whose memory can be kept are:
 * when a run's world is freed, its shell (the world, the tab array, the
 * map, the queue's heap, the scratch string, the freed tasks' memory and the
 * woken-waits scratch array)
 * is parked in the thread's stack pool (coro.h), and the next world on
 * that thread is made from it.
 *
 * Invariant: a world made from a shell is byte for byte a fresh one in
 * everything a run can observe.  The shell is zeroed as g_new0 would give
 * it and every field is set by sim_world_new as for a new world; the map is
 * reset to empty with its change count at 0, the queue to empty with its
 * sequence at 0.  What survives is capacity only (hash buckets, heap and
 * string sizes), and addresses, which no run may depend on anyway (malloc
 * reuses them too).  tests/sim/world/test_world_pool.c compares the
 * timelines of fresh and pooled runs.
 *
 * Pools are per thread (one per worker), so shells never cross threads.
 */
#include <string.h>

#include "sim/world/world.h"

#define SPARE_TASKS_MAX 64 /* task shells kept; a run rarely has more live at once */

static void shell_free(void *p)
{
    sim_world *w = p;
    sim_storage_free(w->storage);
    sim_queue_destroy(&w->queue);
    g_string_free(w->scratch, TRUE);
    g_free(w->tabs);
    g_ptr_array_free(w->spare_tasks, TRUE);
    g_ptr_array_free(w->woken, TRUE);
    g_free(w);
}

sim_world *sim_world_shell_take(sim_stack_pool *pool, int n_tabs, int64_t quota_bytes, gboolean unavailable)
{
    sim_world *w = pool ? sim_stack_pool_unpark(pool) : NULL; /* NULL: in an arena, nothing reused */
    if (!w) {
        w = g_new0(sim_world, 1);
        w->storage = sim_storage_new(quota_bytes, unavailable);
        sim_queue_init(&w->queue);
        w->scratch = g_string_new(NULL);
        w->tabs = g_new0(sim_tab, n_tabs);
        w->n_tabs = n_tabs;
        w->spare_tasks = g_ptr_array_new_with_free_func(g_free);
        w->woken = g_ptr_array_new();
        return w;
    }
    sim_world kept = *w;
    memset(w, 0, sizeof *w);
    w->storage = kept.storage;
    sim_storage_reset(w->storage, quota_bytes, unavailable);
    w->queue = kept.queue;
    sim_queue_clear(&w->queue);
    w->scratch = kept.scratch;
    g_string_truncate(w->scratch, 0);
    w->tabs = kept.n_tabs == n_tabs ? kept.tabs : g_renew(sim_tab, kept.tabs, n_tabs);
    memset(w->tabs, 0, (size_t)n_tabs * sizeof *w->tabs);
    w->n_tabs = n_tabs;
    w->spare_tasks = kept.spare_tasks;
    w->woken = kept.woken;
    g_ptr_array_set_size(w->woken, 0);
    return w;
}

void sim_world_shell_park(sim_world *w)
{
    sim_stack_pool_park(w->pool, w, shell_free);
}

sim_task *sim_world_task_alloc(sim_world *w)
{
    if (w->spare_tasks->len == 0)
        return g_new0(sim_task, 1);
    sim_task *t = g_ptr_array_steal_index_fast(w->spare_tasks, w->spare_tasks->len - 1);
    memset(t, 0, sizeof *t);
    return t;
}

void sim_world_task_release(sim_world *w, sim_task *t)
{
    if (w->spare_tasks->len < SPARE_TASKS_MAX)
        g_ptr_array_add(w->spare_tasks, t);
    else
        g_free(t);
}
