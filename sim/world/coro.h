/*
 * sim/world/coro.h - asymmetric coroutines on fixed, reusable stacks.
 *
 * Every simulated JavaScript task (a tab's workload loop, its flush loop,
 * each fire-and-forget addAsync) is a coroutine running unmodified core/
 * code.  Switches are asymmetric: the scheduler resumes a coroutine, the
 * coroutine yields back.  A coroutine is entered once by pointing the stack
 * pointer at its stack (makecontext/setcontext where that is not written for
 * the CPU) and switched with _setjmp/_longjmp, about
 * 10 ns a switch against 200 ns for swapcontext, which saves the signal mask
 * with a system call (glibc: rt_sigprocmask).  Under AddressSanitizer every
 * switch is announced with __sanitizer_start/finish_switch_fiber.
 *
 * Stacks come from a pool and are reused between runs; each has a guard
 * page below it, so an overflow faults instead of corrupting a neighbour.
 * The pool is per thread (never shared), and so is what it parks.
 */
#ifndef SIM_CORO_H
#define SIM_CORO_H

#include <setjmp.h>
#include <stddef.h>
#include <ucontext.h>

typedef void (*sim_coro_fn)(void *arg);

/* GCC's and clang's __builtin_setjmp saves only the frame, stack pointer
 * and resume address (the compiler spills the rest around it): no signal
 * mask and no cleanup walk, unlike glibc's _longjmp. */
#if defined(__GNUC__)
typedef void *sim_jmp_buf[5];
#else
typedef jmp_buf sim_jmp_buf;
#endif

typedef struct sim_coro {
    sim_jmp_buf self;      /* where the coroutine continues */
    sim_jmp_buf *caller;   /* where the scheduler continues */
#if !defined(__x86_64__)
    ucontext_t start;      /* used once, to enter fn on the new stack (x86-64 needs none: coro.c) */
#endif
    void *stack;
    size_t stack_size;
    sim_coro_fn fn;
    void *arg;
    int started;
    int done;
    char *sp_low;                  /* its stack pointer at its last yield: its live frames are above (arena snapshots) */
    void *asan_fake;               /* ASan fake-stack handle of this fiber */
    const void *caller_bottom;     /* the scheduler's stack, for ASan */
    size_t caller_size;
} sim_coro;

typedef struct sim_stack_pool sim_stack_pool;

sim_stack_pool *sim_stack_pool_new(size_t stack_size);
void sim_stack_pool_free(sim_stack_pool *pool);
void *sim_stack_pool_take(sim_stack_pool *pool);
void sim_stack_pool_give(sim_stack_pool *pool, void *stack);
size_t sim_stack_pool_stack_size(const sim_stack_pool *pool);
size_t sim_stack_pool_allocated(const sim_stack_pool *pool);
/* The pool keeps one more thing a thread reuses between runs: one parked
 * object and the function that frees it (the last run's world, emptied:
 * world_pool.c).  Park hands it over (freeing what was parked before);
 * unpark takes it back, or NULL; the pool frees what is left. */
void sim_stack_pool_park(sim_stack_pool *pool, void *item, void (*free_fn)(void *));
void *sim_stack_pool_unpark(sim_stack_pool *pool);

void sim_coro_init(sim_coro *coro, void *stack, size_t stack_size, sim_coro_fn fn, void *arg);
/* Run the coroutine until it yields or returns from fn. */
void sim_coro_resume(sim_coro *coro);
/* From inside the coroutine: back to whoever resumed it. */
void sim_coro_yield(sim_coro *coro);

#endif
