/*
 * queue.c - binary min-heap of wake-ups; see sim/world/queue.h.
 *
 * The heap array is kept between runs (sim_queue_clear), so a check of
 * thousands of runs allocates it once.
 */
#include "sim/world/queue.h"

#include <assert.h>
#include <glib.h>

static inline int entry_less(const sim_queue_entry *a, const sim_queue_entry *b)
{
    return a->time_us < b->time_us || (a->time_us == b->time_us && a->seq < b->seq);
}

void sim_queue_init(sim_queue *q)
{
    q->heap = NULL;
    q->len = q->cap = 0;
    q->next_seq = 0;
}

void sim_queue_clear(sim_queue *q)
{
    q->len = 0;
    q->next_seq = 0;
}

void sim_queue_destroy(sim_queue *q)
{
    g_free(q->heap);
    sim_queue_init(q);
}

void sim_queue_push_entry(sim_queue *q, sim_queue_entry e)
{
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->heap = g_renew(sim_queue_entry, q->heap, q->cap);
    }
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!entry_less(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
}

void sim_queue_push(sim_queue *q, int64_t time_us, void *item)
{
    sim_queue_push_kind(q, time_us, item, SIM_QUEUE_WAKE);
}

void sim_queue_push_kind(sim_queue *q, int64_t time_us, void *item, int kind)
{
    sim_queue_entry e = {time_us, q->next_seq++, item, kind};
    sim_queue_push_entry(q, e);
}

ssize_t sim_queue_find(const sim_queue *q, const void *item, int kind)
{
    for (size_t i = 0; i < q->len; i++)
        if (q->heap[i].item == item && (kind == SIM_QUEUE_ANY || q->heap[i].kind == kind))
            return (ssize_t)i;
    return -1;
}

sim_queue_entry sim_queue_remove_at(sim_queue *q, size_t i)
{
    assert(i < q->len);
    sim_queue_entry removed = q->heap[i];
    /* Lower the entry to the top (ahead of everything), then pop it. */
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[0] = removed;
    return sim_queue_pop(q);
}

sim_queue_entry sim_queue_pop(sim_queue *q)
{
    assert(q->len > 0);
    sim_queue_entry top = q->heap[0];
    sim_queue_entry last = q->heap[--q->len];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= q->len)
            break;
        if (child + 1 < q->len && entry_less(&q->heap[child + 1], &q->heap[child]))
            child++;
        if (!entry_less(&q->heap[child], &last))
            break;
        q->heap[i] = q->heap[child];
        i = child;
    }
    if (q->len > 0)
        q->heap[i] = last;
    return top;
}
