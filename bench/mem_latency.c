/*
 * mem_latency.c - what one memory access at a random place costs on this
 * machine, by the size of the table it lands in: the price of a visited
 * set's lookup in the stateful search (docs/model-checking.md, "Against
 * SPIN"), which touches one bucket at a random place in a table of up to
 * hundreds of megabytes for each state it reaches.
 *
 * Usage: build/mem_latency [MB...]   (default 1 4 8 16 64 128)
 *
 * Each load's address depends on the value the one before read (a chain,
 * as one state's lookup waits for its digest), so the loads cannot
 * overlap: the time per load is the latency.  The table is mapped and
 * asks for huge pages, as the visited set's (sim/explore/state_set.c).
 * Standalone: no tabsim code.  Figures are printed, not asserted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LOADS 20000000L

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void measure(size_t mb)
{
    size_t bytes = mb << 20, words = bytes / 8;
    uint64_t *t = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(t, bytes, MADV_HUGEPAGE);
#endif
    for (size_t i = 0; i < words; i++)
        t[i] = i * UINT64_C(0x9e3779b97f4a7c15);
    uint64_t x = UINT64_C(88172645463325252), sum = 0;
    double t0 = now_s();
    for (long i = 0; i < LOADS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum += t[(x ^ sum) % words]; /* the next address waits for this load */
    }
    double ns = (now_s() - t0) * 1e9 / (double)LOADS;
    printf("mem_latency %6zu MB: %6.1f ns a dependent load (checksum %016llx)\n", mb, ns, (unsigned long long)sum);
    munmap(t, bytes);
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {1, 4, 8, 16, 64, 128};
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            measure((size_t)strtoull(argv[i], NULL, 10));
    else
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            measure(sizes[i]);
    return 0;
}
