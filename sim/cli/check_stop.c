/*
 * check_stop.c - the stop word of `tabsim check`: Ctrl-C, SIGTERM and the
 * time budget.
 *
 * The world reads one int before every step of every run, and the
 * explorers read it between runs and in their long loops
 * (sim/world/stop.h).  Two parties write it, each once, with a
 * compare-and-swap from 0, so the first cause stays and every reader sees
 * the same one:
 *  - the SIGINT/SIGTERM handler (SIM_STOP_SIGNAL).  A lock-free atomic
 *    compare-and-swap is async-signal-safe.  The SIGINT handler is
 *    installed with SA_RESETHAND, so a second Ctrl-C terminates as usual;
 *    the SIGTERM one stays, to the command's exit once a signal stopped
 *    it: GNU timeout sends SIGTERM to the command and then to its process
 *    group, so a stopping check gets two, and the second would kill it
 *    before it printed its report, or after, with 143 instead of 3;
 *  - a watchdog thread that sleeps until the deadline of --time-budget on
 *    the monotonic clock (SIM_STOP_BUDGET).  Reading the clock in one
 *    thread, instead of before every step, costs the runs nothing, and a
 *    step that is slow (a tab parsing megabytes of stored events) does not
 *    delay the stop by more than itself.
 * So the time budget and the signals take effect within a step, and a
 * check that neither stops runs exactly as it would without them: the
 * clock decides whether to stop, never what a run does.
 */
#include <signal.h>
#include <string.h>

#include "check.h"

static volatile gint check_stop_word;
static struct sigaction check_old_int, check_old_term;

typedef struct check_watchdog {
    GThread *thread;
    GMutex lock;
    GCond wake;
    gboolean armed;     /* a deadline was given: lock and wake are initialised */
    gboolean done;      /* under lock: the command is over */
    gint64 deadline_us; /* monotonic */
} check_watchdog;

static check_watchdog watchdog;

static void on_signal(int sig)
{
    (void)sig;
    g_atomic_int_compare_and_exchange(&check_stop_word, SIM_STOP_NONE, SIM_STOP_SIGNAL);
}

static gpointer watchdog_main(gpointer data)
{
    check_watchdog *wd = data;
    g_mutex_lock(&wd->lock);
    /* g_cond_wait_until returns FALSE once the deadline has passed. */
    while (!wd->done)
        if (!g_cond_wait_until(&wd->wake, &wd->lock, wd->deadline_us)) {
            g_atomic_int_compare_and_exchange(&check_stop_word, SIM_STOP_NONE, SIM_STOP_BUDGET);
            break;
        }
    g_mutex_unlock(&wd->lock);
    return NULL;
}

const volatile int *check_stop_begin(double deadline_s)
{
    g_atomic_int_set(&check_stop_word, SIM_STOP_NONE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C kills as usual */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &check_old_int);
    sa.sa_flags = 0; /* a second SIGTERM (timeout's, to the process group) changes nothing */
    sigaction(SIGTERM, &sa, &check_old_term);
    memset(&watchdog, 0, sizeof watchdog);
    if (deadline_s > 0) {
        g_mutex_init(&watchdog.lock);
        g_cond_init(&watchdog.wake);
        watchdog.armed = TRUE;
        watchdog.deadline_us = (gint64)(deadline_s * 1e6);
        GError *error = NULL;
        watchdog.thread = g_thread_try_new("tabsim-budget", watchdog_main, &watchdog, &error);
        if (!watchdog.thread) {
            /* The explorers still read the clock between runs. */
            fprintf(stderr, "tabsim: cannot start the time-budget thread (%s); the budget is checked between "
                            "runs only, and may be overshot\n",
                    error->message);
            g_error_free(error);
        }
    }
    return (const volatile int *)&check_stop_word;
}

sim_stop check_stop_cause(void)
{
    return (sim_stop)g_atomic_int_get(&check_stop_word);
}

void check_stop_end(void)
{
    if (watchdog.thread) {
        g_mutex_lock(&watchdog.lock);
        watchdog.done = TRUE;
        g_cond_signal(&watchdog.wake);
        g_mutex_unlock(&watchdog.lock);
        g_thread_join(watchdog.thread);
        watchdog.thread = NULL;
    }
    if (watchdog.armed) {
        g_mutex_clear(&watchdog.lock);
        g_cond_clear(&watchdog.wake);
    }
    sigaction(SIGINT, &check_old_int, NULL);
    /* A check a signal stopped keeps its SIGTERM handler to its exit:
     * timeout's second SIGTERM can come after the reports are written,
     * and must not turn exit 3 into a kill (ci_signal_TERM under the
     * sanitizers: exit 143). */
    if (check_stop_cause() != SIM_STOP_SIGNAL)
        sigaction(SIGTERM, &check_old_term, NULL);
}
