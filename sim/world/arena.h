/*
 * sim/world/arena.h - a world's memory in one place, so that a state can be
 * saved and put back in-process (the stateful search's snapshots).
 *
 * A run's world is the production code's heap objects, glib's containers
 * and the tasks' coroutine stacks, all full of pointers.  Copied aside and
 * restored at the same addresses, those pointers stay right.  So while an
 * arena is entered on a thread, every malloc of that thread (the process's
 * malloc is interposed: arena.c) comes from the arena's heap, one region
 * at a fixed address, whose allocator keeps all its own state inside the
 * region; and the world's stacks come from the arena's stack region.  A
 * snapshot is the heap up to its high-water mark plus the live part of
 * each stack in use; restoring it puts back every byte a run could read.
 *
 * Invariant: memory reachable from the world is allocated while the arena
 * is entered and freed only by the world; code outside the world runs
 * with the arena left (sim_arena_leave) so its allocations survive a
 * restore: the explorers' hooks, left at their call sites (chooser.c,
 * world_step, env_eager.c's collapse, run.c's world_ready), and the marks'
 * record (env_digest.c).  A pointer freed
 * anywhere goes back to whoever made it (free checks the address).
 *
 * Not available (sim_arena_usable is FALSE) under AddressSanitizer, which
 * interposes malloc itself, under valgrind, with TABSIM_NO_ARENA set, or
 * where GLib's slice allocator keeps caches of its own; the search then
 * replays.
 */
#ifndef SIM_ARENA_H
#define SIM_ARENA_H

#include <glib.h>
#include <stddef.h>

typedef struct sim_arena sim_arena;

/* The allocator used outside an arena (glibc's by default); the CLI puts
 * its out-of-memory handling there (sim/cli/oom.c).  Call before threads. */
typedef struct sim_alloc_fns {
    void *(*malloc)(size_t n);
    void *(*calloc)(size_t n, size_t m);
    void *(*realloc)(void *p, size_t n);
    void *(*memalign)(size_t align, size_t n);
} sim_alloc_fns;
void sim_arena_set_outside(const sim_alloc_fns *fns);

/* First thing in main: where GLib's slice allocator keeps caches of its
 * own (GLib < 2.76), runs the program again with G_SLICE=always-malloc
 * (arena.c); returns if there is nothing to do or that failed. */
void sim_arena_process_init(char **argv);

/* Whether arenas work in this process (built in, no sanitizer or valgrind). */
gboolean sim_arena_usable(void);

/* A new, empty arena whose stacks are stack_size bytes; NULL if !usable. */
sim_arena *sim_arena_new(size_t stack_size);
void sim_arena_free(sim_arena *a);
/* Empty again: every block and stack free (what pointed into it is gone). */
void sim_arena_reset(sim_arena *a);

/* Make a the thread's current arena (NULL: none); returns the previous. */
sim_arena *sim_arena_enter(sim_arena *a);
/* The thread's current arena, or NULL. */
sim_arena *sim_arena_current(void);
#define sim_arena_leave() sim_arena_enter(NULL)

/* Bytes of the heap in use up to its high-water mark. */
size_t sim_arena_heap_used(const sim_arena *a);

/* A coroutine stack (usable bytes above a guard page) and its return. */
void *sim_arena_stack_take(sim_arena *a);
void sim_arena_stack_give(sim_arena *a, void *stack);
gboolean sim_arena_owns(const sim_arena *a, const void *p);

/* A saved state: the heap and the given stack segments. */
typedef struct sim_arena_snap {
    size_t heap_len;
    char *heap;                 /* heap_len bytes */
    guint n_segs;
    char **seg_at;              /* where each stack segment lives */
    size_t *seg_len;
    char **seg;                 /* its bytes */
    guint segs_cap;
    size_t bytes;               /* all of the above */
} sim_arena_snap;

/* Save the heap and the stack segments [lo[i], hi[i]) into snap (its
 * buffers are reused). */
void sim_arena_save(const sim_arena *a, sim_arena_snap *snap, guint n, char *const *lo, char *const *hi);
/* Put a saved state back. */
void sim_arena_restore(sim_arena *a, const sim_arena_snap *snap);
void sim_arena_snap_clear(sim_arena_snap *snap);

#endif
