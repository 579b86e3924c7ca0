/*
 * xt/mutex_lamport.h - Lamport's fast mutual exclusion (1987, Algorithm 2)
 * over localStorage.
 *
 * The reference point the seed's two-key design falls short of: the same
 * x/y fast path (five storage calls uncontended, two on exit), plus the
 * b[1..n] flags and the wait for them that make it safe with atomic
 * registers.  Keys are "<prefix>_x", "<prefix>_y" and "<prefix>_b_<id>".
 * Two ways to know the other processes:
 *   fixed   ids 1..n known in advance (the paper's assumption);
 *   prefix  the id is a string (a tab's client id) and the b flags of the
 *           others are found by enumerating localStorage for keys starting
 *           with "<prefix>_b_", since tabs come and go with no numbering.
 * See mutex_lamport.c for the algorithm, the step labels, the assumptions,
 * why prefix mode is as safe as fixed mode, and the error contract.
 *
 * The omit variants drop one statement each, to show that the simulator
 * (and SPIN, bench/spin/lamport.pml) find the resulting violations.
 */
#ifndef XT_MUTEX_LAMPORT_H
#define XT_MUTEX_LAMPORT_H

#include "xt/mutex.h"

/* A bound on n so that per-process key arrays stay small and sane. */
#define XT_LAMPORT_N_MAX 1024

#ifdef XT_LAMPORT_MUTANTS
/* Mutants, for showing that a checker finds a real bug.  They are not in
 * libxt: only a translation unit built with XT_LAMPORT_MUTANTS (the
 * simulator's sim/programs/lamport_mutants.c, the core tests'
 * tests/core/lamport_mutants.c) has them, under its own symbol names. */
typedef enum xt_lamport_omit {
    XT_LAMPORT_OMIT_NONE = 0,   /* the full Algorithm 2 (default) */
    XT_LAMPORT_OMIT_B_WAIT,     /* drop "for j: await not b[j]": Algorithm 1
                                   with no delay; unsafe */
    XT_LAMPORT_OMIT_Y_RECHECK,  /* drop "if y != i then {await y = 0; goto
                                   start}" after the b-wait; unsafe */
    XT_LAMPORT_OMIT_Y_WAIT      /* drop the fast path's "await y = 0" before
                                   "goto start": safe, but it spins; a run
                                   can go on for ever */
} xt_lamport_omit;
#endif

typedef enum xt_lamport_peers {
    XT_LAMPORT_PEERS_FIXED = 0, /* ids 1..n known in advance (default) */
    XT_LAMPORT_PEERS_PREFIX     /* string ids; flags found by key enumeration */
} xt_lamport_peers;

typedef struct xt_lamport_mutex_options {
    const char *key_prefix;   /* default "lamport"; copied */
    xt_lamport_peers peers;   /* default XT_LAMPORT_PEERS_FIXED */
    int id;                   /* fixed: this process, 1..n; required */
    int n;                    /* fixed: number of processes, 1..XT_LAMPORT_N_MAX;
                                 required */
    const char *client_id;    /* prefix: this process's id, unique among the
                                 processes, non-empty and not "0" (y's free
                                 value); required; copied */
    int64_t wait_interval_ms; /* poll interval of an await where the env cannot
                                 wait for a key to change; default 50 */
    int retries_max;          /* waits one lock() may spend in awaits before
                                 XT_ELOCKTIMEOUT; -1: no bound; default 100000 */
#ifdef XT_LAMPORT_MUTANTS
    xt_lamport_omit omit;     /* default XT_LAMPORT_OMIT_NONE */
#endif
} xt_lamport_mutex_options;

/* Fills the defaults above; id and n (fixed) or client_id (prefix) are
 * left 0 / NULL and must be set. */
void xt_lamport_mutex_options_init(xt_lamport_mutex_options *options);
/* options must not be NULL (the ids have no default). */
xt_mutex *xt_lamport_mutex_new(xt_env *env, const xt_lamport_mutex_options *options);

#endif
