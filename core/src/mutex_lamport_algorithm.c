/*
 * mutex_lamport_algorithm.c - Lamport's lock as a scenario names it: its
 * descriptor (xt/mutex_algorithm.h), with the settings a scenario's
 * [lamport] group takes, how they make a mutex, and its declared cost.
 *
 * Why a file of its own: the algorithm (mutex_lamport.c) is long enough
 * with the argument for its variants; how a host configures it is a
 * separate concern.  "tasks = serialised" wraps it in the in-tab serial
 * mutex (xt/mutex_serial.h).  sim/programs/lamport_mutants.c compiles this
 * file with the algorithm's, with XT_LAMPORT_MUTANTS defined, to add the
 * omit setting for the broken variants; libxt's build never has it.
 */
#include "xt/mutex_algorithm.h"
#include "xt/mutex_lamport.h"
#include "xt/mutex_serial.h"

/* ---- the descriptor (xt/mutex_algorithm.h) ------------------------------ */

/* Setting indices: lock_check_interval_ms, retries_max, [omit,] peers. */
#ifdef XT_LAMPORT_MUTANTS
enum { LAMPORT_SETTING_OMIT = 2, LAMPORT_SETTING_PEERS = 3, LAMPORT_SETTING_TASKS = 4 };
#else
enum { LAMPORT_SETTING_PEERS = 2, LAMPORT_SETTING_TASKS = 3 };
#endif

#ifdef XT_LAMPORT_MUTANTS
static const char *const lamport_omit_names[] = {"none", "b-wait", "y-recheck", "y-wait", NULL};
#endif
static const char *const lamport_peers_names[] = {"fixed", "prefix", NULL};
static const char *const lamport_tasks_names[] = {"shared", "serialised", NULL};
enum { LAMPORT_TASKS_SHARED = 0, LAMPORT_TASKS_SERIALISED = 1 };

#ifdef XT_LAMPORT_MUTANTS
static const char *const lamport_variants[] = {"omit", "peers", "tasks", NULL};
#else
static const char *const lamport_variants[] = {"peers", "tasks", NULL};
#endif

static const xt_setting lamport_settings[] = {
    {"lock_check_interval_ms", XT_SETTING_INT, "50", 0, 86400000, NULL,
     "Poll interval of an await where the environment cannot wait for a key to change (tabsim always can)."},
    {"retries_max", XT_SETTING_INT, "100", -1, 1000000, NULL,
     "Waits one lock() may spend in awaits before it fails and the caller falls back; -1: no bound (the "
     "paper's algorithm, which waits as long as it takes)."},
#ifdef XT_LAMPORT_MUTANTS
    {"omit", XT_SETTING_ENUM, "none", 0, 0, lamport_omit_names,
     "none (the full algorithm), or a statement left out to show why it is needed: b-wait (Algorithm 1 without "
     "its delay), y-recheck (the final y != i check) or y-wait (the fast path's await y = 0: safe, but a tab "
     "that finds y taken spins, and a run can go on for ever)."},
#endif
    {"peers", XT_SETTING_ENUM, "fixed", 0, 0, lamport_peers_names,
     "fixed (ids 1..tabs known in advance, the paper's assumption) or prefix (each tab registers its b flag "
     "under a key prefix and finds its peers by enumerating localStorage keys, since tabs come and go)."},
    {"tasks", XT_SETTING_ENUM, "shared", 0, 0, lamport_tasks_names,
     "shared (every task of a tab contends as the tab, with its one id: two tasks of one tab, an add and a "
     "flush, can both enter) or serialised (an in-tab FIFO async mutex before the cross-tab lock, as the SDK "
     "has: one task per tab contends at a time; xt/mutex_serial.h)."},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static xt_mutex *lamport_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                                const xt_mutex_host *host)
{
    (void)fallback_values;
    xt_lamport_mutex_options l;
    xt_lamport_mutex_options_init(&l);
    l.id = host->index;
    l.n = host->n;
    l.wait_interval_ms = v[0];
    l.retries_max = (int)v[1];
#ifdef XT_LAMPORT_MUTANTS
    l.omit = (xt_lamport_omit)v[LAMPORT_SETTING_OMIT];
#endif
    if (v[LAMPORT_SETTING_PEERS] == XT_LAMPORT_PEERS_PREFIX) {
        l.peers = XT_LAMPORT_PEERS_PREFIX;
        l.client_id = host->client_id;
    }
    xt_mutex *m = xt_lamport_mutex_new(env, &l);
    return v[LAMPORT_SETTING_TASKS] == LAMPORT_TASKS_SERIALISED ? xt_serial_mutex_new(env, m) : m;
}

/* Lamport 1987, "A Fast Mutual Exclusion Algorithm", contention-free path. */
static void lamport_cost(const int64_t *v, xt_mutex_cost *out)
{
    (void)v;
    *out = (xt_mutex_cost){5, 2,
                           "acquire: b[i] := true, x := i, read y, y := i, read x (3 writes, 2 reads); "
                           "release: y := 0, b[i] := false (2 writes)",
                           NULL};
}

const xt_mutex_algorithm xt_lamport_algorithm = {
    .name = "lamport",
    .summary = "Lamport's 1987 fast mutual exclusion algorithm (Algorithm 2, with b[i] flags) over localStorage",
    .settings = lamport_settings,
    .variants = lamport_variants,
    .create = lamport_create,
    .cost = lamport_cost,
};
