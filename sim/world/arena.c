/*
 * arena.c - the arena's heap, its stacks, snapshots, and the malloc that
 * sends a thread's allocations to its current arena; see sim/world/arena.h.
 *
 * Heaps are carved out of one reservation made once (ARENAS_MAX regions
 * of HEAP_BYTES, address space only), so free() tells an arena pointer
 * from libc's by one range check, whatever thread frees it.  A heap is a
 * bump region with free lists by size class (16-byte steps to 2 KiB, then
 * powers of two); every list head and the high-water mark live in the
 * region's first bytes (heap_hdr), so restoring the region's bytes
 * restores the allocator too.  Each block has a 16-byte header: its size,
 * and for an over-aligned block the distance back to the block it sits
 * in.
 *
 * The interposed functions cost outside an arena one thread-local load
 * and, in free, one comparison.  They are left out of sanitizer builds
 * (SIM_ARENA_OFF), whose runtime owns malloc.
 */
#include "sim/world/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define ARENAS_MAX 64
#define HEAP_BYTES ((size_t)256 << 20)
#define STACK_SLOTS 256
#define SMALL_MAX 2048
#define N_SMALL (SMALL_MAX / 16 + 1)
#define N_LARGE 40

typedef struct heap_hdr {
    size_t top;                        /* offset of the first byte never handed out */
    void *small[N_SMALL];              /* free lists by size / 16 */
    void *large[N_LARGE];              /* free lists by log2 size */
    uint64_t stacks_used[STACK_SLOTS / 64];
} heap_hdr;

#define HDR_BYTES ((sizeof(heap_hdr) + 15) & ~(size_t)15)

struct sim_arena {
    int index;           /* region in the reservation */
    char *heap;          /* heap_hdr first */
    char *stacks;        /* STACK_SLOTS slots: guard page, stack */
    size_t stack_size, page, slot;
};

static char *reserve_base;            /* ARENAS_MAX * HEAP_BYTES of address space */
static uint64_t regions_used;         /* bit i: region i belongs to an arena */
static GMutex regions_lock;
static __thread sim_arena *current;

#ifndef SIM_ARENA_OFF

static inline gboolean in_reserve(const void *p)
{
    return reserve_base && (uintptr_t)p - (uintptr_t)reserve_base < (uintptr_t)ARENAS_MAX * HEAP_BYTES;
}

static inline char *heap_of(const void *p)
{
    return reserve_base + ((uintptr_t)p - (uintptr_t)reserve_base) / HEAP_BYTES * HEAP_BYTES;
}

static void **free_list(heap_hdr *h, size_t *sz)
{
    if (*sz <= SMALL_MAX)
        return &h->small[*sz / 16];
    int k = 64 - __builtin_clzll(*sz - 1);
    *sz = (size_t)1 << k;
    if (k >= N_LARGE)
        return NULL;
    return &h->large[k];
}

static void *heap_alloc(char *heap, size_t n)
{
    heap_hdr *h = (heap_hdr *)heap;
    size_t sz = n <= 16 ? 16 : (n + 15) & ~(size_t)15;
    void **list = free_list(h, &sz);
    if (list && *list) {
        void *p = *list;
        *list = *(void **)p;
        return p;
    }
    if (h->top + 16 + sz > HEAP_BYTES) {
        static const char msg[] = "tabsim: a world outgrew its arena\n";
        (void)!write(2, msg, sizeof msg - 1);
        abort();
    }
    size_t *blk = (size_t *)(heap + h->top);
    h->top += 16 + sz;
    blk[0] = sz;
    blk[1] = 0;
    return blk + 2;
}

/* The block p is in (an over-aligned pointer sits inside one). */
static size_t *block_of(void *p, void **base)
{
    size_t *hdr = (size_t *)p - 2;
    if (hdr[1]) {
        p = (char *)p - hdr[1];
        hdr = (size_t *)p - 2;
    }
    *base = p;
    return hdr;
}

static void heap_free(void *p)
{
    heap_hdr *h = (heap_hdr *)heap_of(p);
    void *base;
    size_t sz = block_of(p, &base)[0];
    void **list = free_list(h, &sz);
    if (!list)
        return; /* too large to keep: stays unused until the arena is reset */
    *(void **)base = *list;
    *list = base;
}

/* Its bytes: the block's size, or an over-aligned pointer's request. */
static size_t heap_usable(void *p)
{
    return ((size_t *)p)[-2];
}

static void *heap_memalign(char *heap, size_t align, size_t n)
{
    if (align <= 16)
        return heap_alloc(heap, n);
    char *q = heap_alloc(heap, n + align + 16);
    uintptr_t r = ((uintptr_t)q + 16 + align - 1) & ~(uintptr_t)(align - 1);
    size_t *hdr = (size_t *)r - 2;
    hdr[0] = n;
    hdr[1] = r - (uintptr_t)q;
    return (void *)r;
}

extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

/* Where allocations outside an arena go: glibc's, or what the CLI puts in
 * front of it (sim/cli/oom.c). */
static sim_alloc_fns outside = {__libc_malloc, __libc_calloc, __libc_realloc, __libc_memalign};

void sim_arena_set_outside(const sim_alloc_fns *fns)
{
    outside = *fns;
}

/* GLib before 2.76 has a slice allocator that keeps blocks in per-thread
 * caches of its own (GQueue's and GHashTable's among them): a world's would
 * outlive a restore there.  With G_SLICE=always-malloc in the environment
 * when GLib loads, it calls malloc instead; GLib initialises it before any
 * code of ours runs, so sim_arena_process_init sets it and executes the
 * program again.  Read at load, after GLib's own constructors. */
static gboolean slices_by_malloc;

__attribute__((constructor)) static void slices_probe(void)
{
    const char *v = getenv("G_SLICE");
    slices_by_malloc = glib_check_version(2, 76, 0) == NULL || (v && strstr(v, "always-malloc"));
}

void sim_arena_process_init(char **argv)
{
    if (slices_by_malloc || RUNNING_ON_VALGRIND || getenv("TABSIM_NO_ARENA") || getenv("G_SLICE"))
        return; /* a G_SLICE of the user's is left alone (and arenas are not used) */
    setenv("G_SLICE", "always-malloc", 1);
    execv("/proc/self/exe", argv);
    unsetenv("G_SLICE"); /* not executed again: no arenas in this process */
}

static __thread size_t probe_size; /* slices_checked: the size of the slice asked for */
static __thread gboolean probe_seen;

void *malloc(size_t n)
{
    if (current)
        return heap_alloc(current->heap, n);
    if (G_UNLIKELY(probe_size) && n == probe_size)
        probe_seen = TRUE;
    return outside.malloc(n);
}

/* Whether GLib's slices really come from malloc in this process (checked
 * once: a slice of an odd size asked for, and malloc watched). */
static gboolean slices_checked(void)
{
    static gsize done = 0;
    static gboolean ok = FALSE;
    if (g_once_init_enter(&done)) {
        probe_size = 4072;
        probe_seen = FALSE;
        g_slice_free1(4072, g_slice_alloc(4072));
        ok = probe_seen;
        probe_size = 0;
        g_once_init_leave(&done, 1);
    }
    return ok;
}

void free(void *p)
{
    if (in_reserve(p))
        heap_free(p);
    else
        __libc_free(p);
}

void *calloc(size_t n, size_t m)
{
    if (!current)
        return outside.calloc(n, m);
    size_t bytes;
    if (__builtin_mul_overflow(n, m, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = heap_alloc(current->heap, bytes);
    memset(p, 0, bytes);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (!in_reserve(p))
        return outside.realloc(p, n);
    if (n == 0) {
        heap_free(p);
        return NULL;
    }
    size_t have = heap_usable(p);
    if (n <= have)
        return p;
    void *q = heap_alloc(heap_of(p), n);
    memcpy(q, p, have);
    heap_free(p);
    return q;
}

void *memalign(size_t align, size_t n)
{
    if (current)
        return heap_memalign(current->heap, align, n);
    return outside.memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 || align == 0)
        return EINVAL;
    void *p = memalign(align, n);
    if (!p && n > 0)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t n)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return memalign(page, (n + page - 1) / page * page);
}

size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (in_reserve(p))
        return heap_usable(p);
    /* glibc's: the chunk's size field, less its header (malloc/malloc.c). */
    size_t field = ((size_t *)p)[-1];
    size_t size = field & ~(size_t)7;
    return field & 2 ? size - 2 * sizeof(size_t) : size - sizeof(size_t);
}

gboolean sim_arena_usable(void)
{
    return slices_by_malloc && !RUNNING_ON_VALGRIND && !getenv("TABSIM_NO_ARENA") && slices_checked();
}

#else /* SIM_ARENA_OFF */

gboolean sim_arena_usable(void)
{
    return FALSE;
}

void sim_arena_set_outside(const sim_alloc_fns *fns)
{
    (void)fns;
}

void sim_arena_process_init(char **argv)
{
    (void)argv;
}

#endif

static void heap_reset(char *heap)
{
    memset(heap, 0, HDR_BYTES);
    ((heap_hdr *)heap)->top = HDR_BYTES;
}

sim_arena *sim_arena_new(size_t stack_size)
{
    if (!sim_arena_usable())
        return NULL;
    g_mutex_lock(&regions_lock);
    if (!reserve_base) {
        void *r = mmap(NULL, ARENAS_MAX * HEAP_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (r == MAP_FAILED) {
            g_mutex_unlock(&regions_lock);
            return NULL;
        }
        reserve_base = r;
    }
    int index = -1;
    for (int i = 0; i < ARENAS_MAX && index < 0; i++)
        if (!(regions_used >> i & 1))
            index = i;
    if (index >= 0)
        regions_used |= UINT64_C(1) << index;
    g_mutex_unlock(&regions_lock);
    if (index < 0)
        return NULL;
    sim_arena *a = g_new0(sim_arena, 1);
    a->index = index;
    a->heap = reserve_base + (size_t)index * HEAP_BYTES;
    if (mprotect(a->heap, HEAP_BYTES, PROT_READ | PROT_WRITE) != 0) {
        sim_arena_free(a);
        return NULL;
    }
    heap_reset(a->heap);
    a->page = (size_t)sysconf(_SC_PAGESIZE);
    a->stack_size = (stack_size + a->page - 1) / a->page * a->page;
    a->slot = a->stack_size + a->page;
    a->stacks = mmap(NULL, STACK_SLOTS * a->slot, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (a->stacks == MAP_FAILED) {
        a->stacks = NULL;
        sim_arena_free(a);
        return NULL;
    }
    for (size_t i = 0; i < STACK_SLOTS; i++)
        mprotect(a->stacks + i * a->slot, a->page, PROT_NONE);
    return a;
}

void sim_arena_free(sim_arena *a)
{
    if (!a)
        return;
    g_assert(current != a);
    if (a->stacks)
        munmap(a->stacks, STACK_SLOTS * a->slot);
    /* Back to address space only: the pages are returned. */
    mmap(a->heap, HEAP_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    g_mutex_lock(&regions_lock);
    regions_used &= ~(UINT64_C(1) << a->index);
    g_mutex_unlock(&regions_lock);
    g_free(a);
}

void sim_arena_reset(sim_arena *a)
{
    g_assert(current != a);
    heap_reset(a->heap);
}

sim_arena *sim_arena_enter(sim_arena *a)
{
    sim_arena *prev = current;
    current = a;
    return prev;
}

sim_arena *sim_arena_current(void)
{
    return current;
}

size_t sim_arena_heap_used(const sim_arena *a)
{
    return ((const heap_hdr *)a->heap)->top;
}

gboolean sim_arena_owns(const sim_arena *a, const void *p)
{
    return (uintptr_t)p - (uintptr_t)a->heap < HEAP_BYTES ||
           (uintptr_t)p - (uintptr_t)a->stacks < STACK_SLOTS * a->slot;
}

void *sim_arena_stack_take(sim_arena *a)
{
    heap_hdr *h = (heap_hdr *)a->heap;
    for (int w = 0; w < STACK_SLOTS / 64; w++)
        if (~h->stacks_used[w]) {
            int b = __builtin_ctzll(~h->stacks_used[w]);
            h->stacks_used[w] |= UINT64_C(1) << b;
            return a->stacks + (size_t)(w * 64 + b) * a->slot + a->page;
        }
    g_error("tabsim: more than %d live tasks in one world", STACK_SLOTS);
}

void sim_arena_stack_give(sim_arena *a, void *stack)
{
    size_t i = (size_t)((char *)stack - a->page - a->stacks) / a->slot;
    ((heap_hdr *)a->heap)->stacks_used[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

void sim_arena_save(const sim_arena *a, sim_arena_snap *snap, guint n, char *const *lo, char *const *hi)
{
    size_t len = ((const heap_hdr *)a->heap)->top;
    if (len > snap->heap_len || !snap->heap)
        snap->heap = g_realloc(snap->heap, len);
    snap->heap_len = len;
    memcpy(snap->heap, a->heap, len);
    snap->bytes = len;
    if (n > snap->segs_cap) {
        snap->seg_at = g_renew(char *, snap->seg_at, n);
        snap->seg_len = g_renew(size_t, snap->seg_len, n);
        snap->seg = g_renew(char *, snap->seg, n);
        for (guint i = snap->segs_cap; i < n; i++) {
            snap->seg[i] = NULL;
            snap->seg_len[i] = 0;
        }
        snap->segs_cap = n;
    }
    for (guint i = 0; i < n; i++) {
        size_t l = (size_t)(hi[i] - lo[i]);
        if (l > snap->seg_len[i] || !snap->seg[i])
            snap->seg[i] = g_realloc(snap->seg[i], l);
        snap->seg_at[i] = lo[i];
        snap->seg_len[i] = l;
        memcpy(snap->seg[i], lo[i], l);
        snap->bytes += l;
    }
    snap->n_segs = n;
}

void sim_arena_restore(sim_arena *a, const sim_arena_snap *snap)
{
    memcpy(a->heap, snap->heap, snap->heap_len);
    for (guint i = 0; i < snap->n_segs; i++)
        memcpy(snap->seg_at[i], snap->seg[i], snap->seg_len[i]);
}

void sim_arena_snap_clear(sim_arena_snap *snap)
{
    g_free(snap->heap);
    for (guint i = 0; i < snap->segs_cap; i++)
        g_free(snap->seg[i]);
    g_free(snap->seg_at);
    g_free(snap->seg_len);
    g_free(snap->seg);
    memset(snap, 0, sizeof *snap);
}
