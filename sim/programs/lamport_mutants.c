/*
 * lamport_mutants.c - Lamport's mutex with its mutants, for the simulator.
 *
 * libxt ships Lamport's algorithm only.  The mutants that leave out one
 * statement ([lamport] omit = b-wait or y-recheck: the broken variants a
 * model checker must catch; y-wait: a safe one that spins) are compiled here, from the same source file
 * (and its descriptor's, mutex_lamport_algorithm.c) with
 * XT_LAMPORT_MUTANTS defined and the entry points renamed, so they
 * never reach production code.  The registered "lamport" (below) runs
 * libxt's own build whenever omit = none, and this mutant build only for
 * a mutant: what is verified is the shipped code.
 */
#define XT_LAMPORT_MUTANTS 1
#define xt_lamport_mutex_new sim_lamport_mutant_new
#define xt_lamport_mutex_options_init sim_lamport_mutant_options_init
#define xt_lamport_algorithm sim_lamport_mutant_algorithm
#include "../../core/src/mutex_lamport.c"
#include "../../core/src/mutex_lamport_algorithm.c"
#undef xt_lamport_algorithm

#include "sim/programs/algorithms.h"

/* libxt's own Lamport (settings without omit). */
extern const xt_mutex_algorithm xt_lamport_algorithm;

static xt_mutex *lamport_with_mutants_create(xt_env *env, const int64_t *v, const int64_t *fallback_values,
                                             const xt_mutex_host *host)
{
    if (v[LAMPORT_SETTING_OMIT] != XT_LAMPORT_OMIT_NONE)
        return lamport_create(env, v, fallback_values, host); /* the mutant build */
    /* The shipped build takes every setting but omit. */
    int64_t shipped[SIM_SETTINGS_MAX];
    int n = 0;
    for (int i = 0; lamport_settings[i].key; i++)
        if (i != LAMPORT_SETTING_OMIT)
            shipped[n++] = v[i];
    return xt_lamport_algorithm.create(env, shipped, fallback_values, host);
}

const xt_mutex_algorithm sim_lamport_algorithm = {
    .name = "lamport",
    .summary = "Lamport's 1987 fast mutual exclusion algorithm (Algorithm 2, with b[i] flags) over localStorage",
    .settings = lamport_settings,
    .variants = lamport_variants,
    .create = lamport_with_mutants_create,
    .cost = lamport_cost,
};
