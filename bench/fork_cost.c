/*
 * fork_cost.c - what resuming from a fork() checkpoint would cost the
 * stateful search (bench/bench_resume.sh builds and runs it).
 *
 *   fork_cost RESIDENT_MB DIRTY_PAGES ITERATIONS
 *
 * Makes a process of about RESIDENT_MB of touched heap (tabsim's peak
 * resident size for the workload), then times ITERATIONS rounds of: fork;
 * the child writes DIRTY_PAGES distinct pages of the heap (the copy-on-
 * write faults a resumed branch would take: its world, stacks and the
 * visited set it inserts into) and exits; the parent waits.  Prints the
 * mean microseconds a round, wall clock (CLOCK_MONOTONIC), so that the
 * figure is comparable with tabsim's CPU seconds per execution.  A figure,
 * never an assertion: standalone (no tabsim code), POSIX only.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fork_cost RESIDENT_MB DIRTY_PAGES ITERATIONS\n");
        return 2;
    }
    size_t mb = strtoul(argv[1], NULL, 10);
    size_t dirty = strtoul(argv[2], NULL, 10);
    long iterations = strtol(argv[3], NULL, 10);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t bytes = mb * 1024 * 1024;
    if (bytes < page)
        bytes = page;
    unsigned char *heap = malloc(bytes);
    if (!heap || iterations <= 0)
        return 1;
    memset(heap, 1, bytes);
    size_t pages = bytes / page;
    if (dirty > pages)
        dirty = pages;
    double t0 = now_us();
    for (long i = 0; i < iterations; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            for (size_t p = 0; p < dirty; p++)
                heap[(p * 7919 % pages) * page] = (unsigned char)p;
            _exit(0);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
            return 1;
    }
    double us = (now_us() - t0) / (double)iterations;
    printf("%zu %zu %.1f\n", mb, dirty, us);
    free(heap);
    return 0;
}
