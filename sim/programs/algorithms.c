/*
 * algorithms.c - the registry of mutex algorithms ([mutex] algorithm).
 *
 * One line per algorithm: its descriptor from core/.  A new algorithm is
 * its core/ files (the mutex and its xt_mutex_algorithm) plus one line
 * here; its settings become the scenario group named after it, its
 * declared cost enters the sweeps' cost check, and the scenario reference
 * documents it, with no other edit in sim/ (docs/architecture.md, "How to
 * add an algorithm").  The order is the order of the [mutex] algorithm
 * names; append, so that existing scenarios keep their indices.  Two facts
 * the checks need and a descriptor does not say (its tabs' code is the
 * same whatever their ids; it is no lock at all) are listed here too.
 */
#include "sim/programs/algorithms.h"
#include "sim/js/js_mutex.h"

extern const xt_mutex_algorithm sim_lamport_algorithm;

const xt_mutex_algorithm *const sim_algorithms[] = {
    &xt_none_algorithm,
    &xt_seed_algorithm,
    &sim_lamport_algorithm, /* libxt's, plus the mutants [lamport] omit selects (lamport_mutants.c) */
    &xt_weblocks_algorithm,
    &xt_branch_algorithm,
    &xt_btl_algorithm,
    &xt_naive_algorithm,
    &sim_js_algorithm, /* a JavaScript lock, [js] module (sim/js/js_mutex.c) */
    NULL,
};

/* What the simulator knows of some algorithms beyond their descriptors
 * (which are configuration only, xt/mutex_algorithm.h): each fact defaults
 * to the cautious answer for an algorithm not listed. */
static const struct {
    const xt_mutex_algorithm *algorithm;
    gboolean anonymous; /* sim_algorithm_anonymous */
    gboolean no_lock;   /* sim_algorithm_excludes is FALSE */
} facts[] = {
    {&xt_none_algorithm, TRUE, TRUE},
    {&xt_weblocks_algorithm, TRUE, FALSE},
};

gboolean sim_algorithm_anonymous(const xt_mutex_algorithm *algorithm)
{
    for (size_t i = 0; i < G_N_ELEMENTS(facts); i++)
        if (facts[i].algorithm == algorithm)
            return facts[i].anonymous;
    return FALSE;
}

gboolean sim_algorithm_excludes(const xt_mutex_algorithm *algorithm)
{
    for (size_t i = 0; i < G_N_ELEMENTS(facts); i++)
        if (facts[i].algorithm == algorithm)
            return !facts[i].no_lock;
    return TRUE;
}

G_STATIC_ASSERT(G_N_ELEMENTS(sim_algorithms) <= SIM_ALGS_MAX + 1);
G_STATIC_ASSERT(SIM_SETTINGS_MAX == XT_SETTINGS_MAX);

const char *const *sim_algorithm_names(void)
{
    static const char *names[G_N_ELEMENTS(sim_algorithms)];
    static gsize built = 0;
    if (g_once_init_enter(&built)) {
        for (size_t i = 0; sim_algorithms[i]; i++)
            names[i] = sim_algorithms[i]->name;
        g_once_init_leave(&built, 1);
    }
    return names;
}

int sim_algorithm_index(const xt_mutex_algorithm *algorithm)
{
    for (int i = 0; sim_algorithms[i]; i++)
        if (sim_algorithms[i] == algorithm)
            return i;
    return -1;
}

const xt_mutex_algorithm *sim_scenario_algorithm(const sim_scenario *s)
{
    return sim_algorithms[s->algorithm];
}

xt_mutex *sim_algorithm_mutex_new(const sim_scenario *s, xt_env *env, const xt_mutex_host *host)
{
    const xt_mutex_algorithm *a = sim_scenario_algorithm(s);
    const int64_t *fallback = a->fallback ? s->alg_values[sim_algorithm_index(a->fallback)] : NULL;
    return a->create(env, s->alg_values[s->algorithm], fallback, host);
}
