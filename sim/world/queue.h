/*
 * sim/world/queue.h - the event queue: pending task wake-ups in virtual time.
 *
 * A binary min-heap ordered by (time_us, seq).  seq is taken when an entry
 * is posted, so entries at one time pop in posting order, as libuv breaks
 * timer ties by a start counter; which of several simultaneous entries of
 * different tabs really goes first is left to the chooser by the world.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What an entry is: a task's wake-up, or the deadline of a wait that an
 * event already ended, still armed (sim/world/env_loop.c). */
enum { SIM_QUEUE_ANY = -1, SIM_QUEUE_WAKE, SIM_QUEUE_TIMER };

typedef struct sim_queue_entry {
    int64_t time_us;
    uint64_t seq;
    void *item;
    int kind; /* SIM_QUEUE_* */
} sim_queue_entry;

typedef struct sim_queue {
    sim_queue_entry *heap;
    size_t len, cap;
    uint64_t next_seq;
} sim_queue;

void sim_queue_init(sim_queue *q);
void sim_queue_clear(sim_queue *q);   /* empties it, keeps the memory */
void sim_queue_destroy(sim_queue *q);
void sim_queue_push(sim_queue *q, int64_t time_us, void *item);
/* The same, of another kind than a wake-up. */
void sim_queue_push_kind(sim_queue *q, int64_t time_us, void *item, int kind);
/* Re-insert an entry popped earlier, keeping its seq (for tie handling). */
void sim_queue_push_entry(sim_queue *q, sim_queue_entry entry);
sim_queue_entry sim_queue_pop(sim_queue *q);
/* The heap index of item's first entry of that kind (SIM_QUEUE_ANY: of
 * any), or -1. */
ssize_t sim_queue_find(const sim_queue *q, const void *item, int kind);
/* Remove and return the entry at heap index i (explorers pick any entry). */
sim_queue_entry sim_queue_remove_at(sim_queue *q, size_t i);
static inline size_t sim_queue_len(const sim_queue *q) { return q->len; }
static inline const sim_queue_entry *sim_queue_peek(const sim_queue *q) { return q->len ? &q->heap[0] : NULL; }

#endif
