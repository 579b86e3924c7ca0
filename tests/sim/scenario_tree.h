/*
 * tests/sim/scenario_tree.h - loading a scenario file of the source tree
 * (scenarios/, TABSIM_SCENARIOS) for the differential tests that run the
 * real files (test_explore_state.c, test_quiet_steps.c), and the options
 * they compare under: the whole exhaustive search, no preemption bound,
 * no shrinking, final-state digests collected.  A file that does not load
 * fails the test, naming it.
 */
#ifndef TESTS_SIM_SCENARIO_TREE_H
#define TESTS_SIM_SCENARIO_TREE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/explore/explore.h"
#include "sim/scenario/scenario.h"

static G_GNUC_UNUSED sim_scenario *tree_scenario_load(const char *name)
{
    char *path = g_build_filename(TABSIM_SCENARIOS, name, NULL);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, &error);
    if (!s)
        fail_msg("%s: %s", path, error->message);
    g_free(path);
    return s;
}

static G_GNUC_UNUSED void tree_exhaustive_options(sim_explore_options *o, GHashTable *final)
{
    sim_explore_options_init(o);
    o->mode = SIM_MODE_EXHAUSTIVE;
    o->mode_set = TRUE;
    o->preemptions_max = -1;
    o->preemptions_set = TRUE;
    o->shrink = FALSE;
    o->final_digests = final;
}

/* The differential tests of the stateful search: the whole search, its
 * final states' digests made under the assumptions assume (as a stateful
 * search's whose result says them), a 16 MB visited set. */
static G_GNUC_UNUSED void tree_stateful_options(sim_explore_options *o, GHashTable *final, gboolean stateful,
                                                guint8 assume)
{
    tree_exhaustive_options(o, final);
    o->final_digest_assume = assume;
    o->stateful = stateful;
    o->stateful_set = TRUE;
    o->state_memory_mb = 16;
}

/* Two sets of digests (sim_digest_set_new) are equal. */
static G_GNUC_UNUSED void tree_assert_same_sets(GHashTable *a, GHashTable *b)
{
    assert_int_equal(g_hash_table_size(a), g_hash_table_size(b));
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &key, NULL))
        assert_true(g_hash_table_contains(b, key));
}

#endif
