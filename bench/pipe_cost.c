/*
 * pipe_cost.c - the least a JavaScript tab's round trip can cost: two
 * processes passing one byte back and forth through two pipes, as tabsim
 * and a tab's node process pass frames (sim/js/js_host.c), bench/bench_js.sh
 * prints it beside the storage operations per second it measures.
 *
 *   pipe_cost ROUND_TRIPS
 *
 * Prints the mean microseconds a round trip, wall clock (CLOCK_MONOTONIC),
 * twice: both processes bound to one CPU (as js_host.c binds a thread and
 * its node processes), then free to run on any.  A figure, never an
 * assertion: standalone (no tabsim code), Linux only (sched_setaffinity).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The mean round trip, microseconds; -1 when a pipe or fork fails. */
static double round_trip_us(long n, int pinned)
{
    if (pinned) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(sched_getcpu(), &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            return -1;
    }
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    char c = 'x';
    if (pid == 0) {
        for (long i = 0; i < n; i++)
            if (read(to[0], &c, 1) != 1 || write(from[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
            return -1;
    double us = (now_us() - t0) / (double)n;
    waitpid(pid, NULL, 0);
    close(to[0]), close(to[1]), close(from[0]), close(from[1]);
    return us;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    if (argc != 2 || n <= 0) {
        fprintf(stderr, "usage: pipe_cost ROUND_TRIPS\n");
        return 2;
    }
    /* Free first: pinning this process also pins the children it forks later. */
    double free_us = round_trip_us(n, 0);
    double pinned_us = round_trip_us(n, 1);
    if (free_us < 0 || pinned_us < 0) {
        perror("pipe_cost");
        return 1;
    }
    printf("pipe round trip (two processes, one byte each way): %.2f us on one CPU, %.2f us free to migrate\n",
           pinned_us, free_us);
    return 0;
}
