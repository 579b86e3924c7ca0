/*
 * coro.c - coroutines for simulated tasks; see sim/world/coro.h.
 *
 * Invariant: only the scheduler resumes and only the running coroutine
 * yields, so at most one coroutine runs and every switch pairs a _setjmp
 * with a _longjmp to a frame that is still live.  A finished coroutine is
 * never resumed again (asserted).  This file is built without
 * _FORTIFY_SOURCE, whose checked longjmp rejects jumps between stacks.
 */
#include "sim/world/coro.h"

#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif

#if defined(__GNUC__)
#define coro_setjmp(buf) __builtin_setjmp(buf)
/* __builtin_longjmp may not share a function with __builtin_setjmp. */
static __attribute__((noinline, noreturn)) void coro_longjmp(void **buf)
{
    __builtin_longjmp(buf, 1);
}
#else
#define coro_setjmp(buf) _setjmp(buf)
#define coro_longjmp(buf) _longjmp(buf, 1)
#endif

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SIM_VALGRIND_REGISTER(lo, hi) VALGRIND_STACK_REGISTER(lo, hi)
#else
#define SIM_VALGRIND_REGISTER(lo, hi) 0
#endif

#ifdef SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#define fiber_start(save, bottom, size) __sanitizer_start_switch_fiber(save, bottom, size)
#define fiber_finish(save, bottom, size) __sanitizer_finish_switch_fiber(save, bottom, size)
#else
#define fiber_start(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define fiber_finish(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#endif

struct sim_stack_pool {
    size_t stack_size;
    size_t page;
    GPtrArray *free_stacks; /* mapping bases, guard page first */
    size_t allocated;
    void *parked;                 /* sim_stack_pool_park */
    void (*parked_free)(void *);
};

sim_stack_pool *sim_stack_pool_new(size_t stack_size)
{
    sim_stack_pool *pool = g_new0(sim_stack_pool, 1);
    pool->page = (size_t)sysconf(_SC_PAGESIZE);
    pool->stack_size = (stack_size + pool->page - 1) / pool->page * pool->page;
    pool->free_stacks = g_ptr_array_new();
    return pool;
}

void sim_stack_pool_free(sim_stack_pool *pool)
{
    if (!pool)
        return;
    if (pool->parked)
        pool->parked_free(pool->parked);
    for (guint i = 0; i < pool->free_stacks->len; i++)
        munmap(pool->free_stacks->pdata[i], pool->stack_size + pool->page);
    g_ptr_array_free(pool->free_stacks, TRUE);
    g_free(pool);
}

/* Returns the usable stack (above its guard page). */
void *sim_stack_pool_take(sim_stack_pool *pool)
{
    if (pool->free_stacks->len > 0) {
        char *base = g_ptr_array_steal_index_fast(pool->free_stacks, pool->free_stacks->len - 1);
        return base + pool->page;
    }
    char *base = mmap(NULL, pool->stack_size + pool->page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) /* "failed to allocate": the CLI ends out of memory cleanly (sim/cli/oom.c) */
        g_error("tabsim: failed to allocate a coroutine stack of %zu bytes", pool->stack_size);
    mprotect(base, pool->page, PROT_NONE);
    /* Tell valgrind this is a stack, so switching onto it is not an error.
     * The registration lives as long as the mapping (the pool's). */
    (void)SIM_VALGRIND_REGISTER(base + pool->page, base + pool->page + pool->stack_size);
    pool->allocated++;
    return base + pool->page;
}

void sim_stack_pool_give(sim_stack_pool *pool, void *stack)
{
    g_ptr_array_add(pool->free_stacks, (char *)stack - pool->page);
}

size_t sim_stack_pool_stack_size(const sim_stack_pool *pool)
{
    return pool->stack_size;
}

size_t sim_stack_pool_allocated(const sim_stack_pool *pool)
{
    return pool->allocated;
}

void sim_stack_pool_park(sim_stack_pool *pool, void *item, void (*free_fn)(void *))
{
    if (pool->parked)
        pool->parked_free(pool->parked);
    pool->parked = item;
    pool->parked_free = free_fn;
}

void *sim_stack_pool_unpark(sim_stack_pool *pool)
{
    void *item = pool->parked;
    pool->parked = NULL;
    return item;
}

/* makecontext passes only ints; the coroutine being entered is handed over
 * here.  Thread-local so that parallel worlds on threads stay independent. */
static __thread sim_coro *coro_entering;

static void coro_trampoline(void)
{
    sim_coro *coro = coro_entering;
    fiber_finish(NULL, &coro->caller_bottom, &coro->caller_size);
    coro->fn(coro->arg);
    coro->done = 1;
    /* NULL save: this fiber's fake stack may be destroyed. */
    fiber_start(NULL, coro->caller_bottom, coro->caller_size);
    coro_longjmp(*coro->caller);
}

/* Enter coro_trampoline on the coroutine's own stack.  On x86-64 two
 * instructions do it; elsewhere makecontext/setcontext, which cost a
 * signal-mask system call each (once per task, not per switch). */
static void coro_boot(sim_coro *coro)
{
#if defined(__x86_64__)
    /* 16-byte aligned top; the call pushes the return address the ABI expects. */
    uintptr_t top = ((uintptr_t)coro->stack + coro->stack_size) & ~(uintptr_t)15;
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "call *%1\n\t"
                     "ud2"
                     :
                     : "r"(top), "r"(coro_trampoline)
                     : "memory");
    __builtin_unreachable();
#else
    getcontext(&coro->start);
    coro->start.uc_stack.ss_sp = coro->stack;
    coro->start.uc_stack.ss_size = coro->stack_size;
    coro->start.uc_link = NULL;
    makecontext(&coro->start, coro_trampoline, 0);
    setcontext(&coro->start);
#endif
}

void sim_coro_init(sim_coro *coro, void *stack, size_t stack_size, sim_coro_fn fn, void *arg)
{
    coro->stack = stack;
    coro->stack_size = stack_size;
    coro->fn = fn;
    coro->arg = arg;
    coro->started = 0;
    coro->done = 0;
    coro->caller = NULL;
    coro->asan_fake = NULL;
}

void sim_coro_resume(sim_coro *coro)
{
    sim_jmp_buf here;
    void *fake = NULL;

    assert(!coro->done);
    coro->caller = &here;
    if (coro_setjmp(here) == 0) {
        fiber_start(&fake, coro->stack, coro->stack_size);
        if (!coro->started) {
            coro->started = 1;
            coro_entering = coro;
            coro_boot(coro);
        }
        coro_longjmp(coro->self);
    }
    fiber_finish(fake, NULL, NULL);
}

void sim_coro_yield(sim_coro *coro)
{
#if defined(__x86_64__)
    __asm__ volatile("mov %%rsp, %0" : "=r"(coro->sp_low));
#else
    char here;
    coro->sp_low = &here - 512; /* this frame's other locals may lie below */
#endif
    if (coro_setjmp(coro->self) == 0) {
        fiber_start(&coro->asan_fake, coro->caller_bottom, coro->caller_size);
        coro_longjmp(*coro->caller);
    }
    fiber_finish(coro->asan_fake, &coro->caller_bottom, &coro->caller_size);
}
