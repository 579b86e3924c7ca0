/*
 * test_storage_model.c - the storage-model interface and its registry
 * (sim/browser/storage_model.c) and the state digests the models keep.
 *
 * Goal: every registered model fills the required ops and has a unique
 * name, the scenario's [storage] model names are the registry's, and a
 * world dispatches to the model its scenario names; digests of equal
 * states are equal and change when the state does (a map's contents, a
 * cache's pending writes, a snapshot's checkpoint).  Method: the registry
 * directly, scenarios loaded from text, and the model data structures
 * driven by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/browser/storage_cached.h"
#include "sim/browser/storage_model.h"
#include "sim/browser/storage_snapshot.h"
#include "sim/explore/run.h"
#include "sim/scenario/scenario_keys.h"
#include "sim/world/world.h"
#include "sim/world/world_digest.h"

static void test_registry_complete(void **state)
{
    (void)state;
    int n = 0;
    const char *const *names = sim_storage_model_names();
    for (; sim_storage_models[n]; n++) {
        const sim_storage_model_ops *m = sim_storage_models[n];
        assert_non_null(m->name);
        assert_non_null(m->doc);
        assert_non_null(m->get);
        assert_non_null(m->set);
        assert_non_null(m->remove);
        assert_non_null(m->length);
        assert_non_null(m->key);
        assert_non_null(m->digest);
        assert_true((m->create == NULL) == (m->destroy == NULL));
        assert_string_equal(names[n], m->name);
        for (int j = 0; j < n; j++)
            assert_string_not_equal(sim_storage_models[j]->name, m->name);
    }
    assert_null(names[n]);
    assert_true(n >= 3);
    assert_string_equal(sim_storage_models[0]->name, "linearizable"); /* the default */
}

/* A model without a digest: the searches that store states do not run
 * on it (a wrong "verified" otherwise: states that differ in the model's
 * state would be one). */
static void test_undigested_model(void **state)
{
    (void)state;
    for (int i = 0; sim_storage_models[i]; i++)
        assert_null(sim_storage_model_undigested(sim_storage_models[i]));
    sim_storage_model_ops fake = {.name = "lossy"};
    char *why = sim_storage_model_undigested(&fake);
    assert_non_null(why);
    assert_non_null(strstr(why, "the storage model lossy gives no digest"));
    g_free(why);
}

/* The [storage] model key describes every registered model, from its own
 * doc (a model added to the registry is described where it is chosen). */
static void test_key_describes_models(void **state)
{
    (void)state;
    const key_spec *k = NULL;
    for (size_t i = 0; i < sim_scenario_keys_n; i++)
        if (strcmp(sim_scenario_keys[i].group, "storage") == 0 && strcmp(sim_scenario_keys[i].key, "model") == 0)
            k = &sim_scenario_keys[i];
    assert_non_null(k);
    for (int i = 0; sim_storage_models[i]; i++) {
        char *entry = g_strdup_printf("%s: %s", sim_storage_models[i]->name, sim_storage_models[i]->doc);
        assert_non_null(strstr(k->doc, entry));
        g_free(entry);
    }
}

static void test_scenario_selects_model(void **state)
{
    (void)state;
    for (int i = 0; sim_storage_models[i]; i++) {
        char *text = g_strdup_printf("[scenario]\ntabs = 2\n[storage]\nmodel = %s\n", sim_storage_models[i]->name);
        GError *error = NULL;
        sim_scenario *s = sim_scenario_load_data("model.ini", text, strlen(text), &error);
        assert_null(error);
        assert_int_equal(s->storage_model, i);
        sim_chooser ch;
        sim_chooser_init(&ch, 1, SIM_TAIL_RANDOM, NULL, 0, FALSE);
        sim_monitor mon;
        sim_monitor_init(&mon, s, FALSE);
        sim_stack_pool *pool = sim_stack_pool_new(64 * 1024);
        sim_world *w = sim_world_new(s, &ch, pool, &mon);
        assert_ptr_equal(w->model, sim_storage_models[i]);
        assert_true((w->model_state != NULL) == (w->model->create != NULL));
        sim_world_free(w);
        sim_stack_pool_free(pool);
        sim_monitor_clear(&mon);
        sim_chooser_clear(&ch);
        sim_scenario_free(s);
        g_free(text);
    }
    GError *error = NULL;
    const char *bad = "[storage]\nmodel = eventual\n";
    assert_null(sim_scenario_load_data("bad.ini", bad, strlen(bad), &error));
    assert_non_null(strstr(error->message, "linearizable, cached, snapshot"));
    g_error_free(error);
}

static uint64_t map_digest(sim_storage *s)
{
    sim_digest h;
    sim_digest_init(&h, 1);
    sim_storage_digest(s, &h);
    sim_digest out;
    sim_digest_finish(&h, &out);
    return out.lo ^ out.hi;
}

static void test_map_digest(void **state)
{
    (void)state;
    sim_storage *a = sim_storage_new(0, FALSE), *b = sim_storage_new(0, FALSE);
    assert_int_equal(map_digest(a), map_digest(b));
    sim_storage_set(a, "x", "1");
    sim_storage_set(a, "y", "2");
    sim_storage_set(b, "y", "2"); /* another order of writes, the same map */
    sim_storage_set(b, "x", "1");
    assert_int_equal(map_digest(a), map_digest(b));
    sim_storage_set(b, "x", "3");
    assert_int_not_equal(map_digest(a), map_digest(b));
    sim_storage_set(b, "x", "1");
    assert_int_equal(map_digest(a), map_digest(b));
    sim_storage_set(b, "xy", "");
    assert_int_not_equal(map_digest(a), map_digest(b)); /* "" is a value */
    sim_storage_remove(b, "xy");
    assert_int_equal(map_digest(a), map_digest(b));
    /* A key and a value are apart: ("x1", "") is not ("x", "1"). */
    sim_storage *c = sim_storage_new(0, FALSE), *d = sim_storage_new(0, FALSE);
    sim_storage_set(c, "x1", "");
    sim_storage_set(d, "x", "1");
    assert_int_not_equal(map_digest(c), map_digest(d));
    /* Two entries swapped between keys are another map. */
    sim_storage_set(c, "y", "1");
    sim_storage_remove(c, "x1");
    sim_storage_set(c, "x", "2");
    sim_storage_set(d, "y", "2");
    assert_int_not_equal(map_digest(c), map_digest(d));
    sim_storage_free(c);
    sim_storage_free(d);
    sim_storage_free(a);
    sim_storage_free(b);
}

/* The digest is kept as the map changes: after any sequence of sets and
 * removes (40 keys, each written several times, some removed, in two
 * orders) it is the digest of the map built afresh from what is left.
 * b is digested before its writes (its sum kept through them), a and
 * fresh only after (their sums made from their entries). */
static void test_map_digest_many(void **state)
{
    (void)state;
    sim_storage *a = sim_storage_new(0, FALSE), *b = sim_storage_new(0, FALSE), *fresh = sim_storage_new(0, FALSE);
    char key[16], value[16];
    (void)map_digest(b);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 40; i++) {
            g_snprintf(key, sizeof key, "k%02d", i);
            g_snprintf(value, sizeof value, "v%d", i * 7 + round);
            sim_storage_set(a, key, value);
            g_snprintf(key, sizeof key, "k%02d", 39 - i);
            g_snprintf(value, sizeof value, "v%d", (39 - i) * 7 + round);
            sim_storage_set(b, key, value);
            if (round == 1 && i % 3 == 0) {
                g_snprintf(key, sizeof key, "k%02d", i);
                sim_storage_remove(a, key);
                g_snprintf(key, sizeof key, "k%02d", 39 - i);
                sim_storage_remove(b, key);
            }
        }
    guint n = 0;
    const char **keys = sim_storage_keys(a, &n);
    assert_int_equal(n, 40);
    for (guint i = 0; i < n; i++)
        sim_storage_set(fresh, keys[i], sim_storage_peek(a, keys[i]));
    g_free(keys);
    uint64_t h = map_digest(fresh);
    assert_int_equal(map_digest(a), h);
    assert_int_equal(map_digest(b), h);
    sim_storage_set(b, "k17", "other");
    assert_int_not_equal(map_digest(b), h);
    sim_storage_set(b, "k17", "v121");
    assert_int_equal(map_digest(b), h);
    /* A reset empties the digest too; availability is in it. */
    sim_storage *empty = sim_storage_new(0, FALSE);
    sim_storage_reset(b, 0, FALSE);
    assert_int_equal(map_digest(b), map_digest(empty));
    sim_storage_reset(b, 0, TRUE);
    assert_int_not_equal(map_digest(b), map_digest(empty));
    sim_storage_free(empty);
    sim_storage_free(fresh);
    sim_storage_free(a);
    sim_storage_free(b);
}

static void test_cached_digest(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_cached *c = sim_cached_new(shared, 2, 0, FALSE);
    GString *v = g_string_new(NULL);
    (void)sim_cached_get(c, 1, "k", v); /* both caches exist */
    (void)sim_cached_get(c, 2, "k", v);
    uint64_t before = sim_cached_digest(c, 7);
    assert_int_equal(sim_cached_set(c, 1, 10, "k", "v"), 0);
    uint64_t pending = sim_cached_digest(c, 7);
    assert_int_not_equal(before, pending); /* a write on its way to tab 2 */
    sim_cached_deliver(c, 2, sim_cached_pending(c, 2), NULL, NULL);
    uint64_t arrived = sim_cached_digest(c, 7);
    assert_int_not_equal(pending, arrived);
    assert_int_equal(arrived, sim_cached_digest(c, 7));
    g_string_free(v, TRUE);
    sim_cached_free(c);
    sim_storage_free(shared);
}

static void test_snapshot_digest(void **state)
{
    (void)state;
    sim_storage *shared = sim_storage_new(0, FALSE);
    sim_snapshot *s = sim_snapshot_new(shared, 2, 0, FALSE);
    uint64_t idle = sim_snapshot_digest(s, 7);
    assert_int_equal(sim_snapshot_set(s, 1, "k", "v"), 0);
    uint64_t open = sim_snapshot_digest(s, 7);
    assert_int_not_equal(idle, open);
    assert_int_equal(sim_snapshot_end(s, 1, 0, NULL, NULL), 1);
    uint64_t in_flight = sim_snapshot_digest(s, 7);
    assert_int_not_equal(open, in_flight);
    assert_int_not_equal(idle, in_flight);
    sim_snapshot_apply(s, 1, NULL, NULL);
    assert_int_equal(sim_snapshot_digest(s, 7), idle); /* the model's own state is gone; the map has it */
    assert_string_equal(sim_storage_peek(shared, "k"), "v");
    sim_snapshot_free(s);
    sim_storage_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_complete),
        cmocka_unit_test(test_undigested_model),
        cmocka_unit_test(test_key_describes_models),
        cmocka_unit_test(test_scenario_selects_model),
        cmocka_unit_test(test_map_digest),
        cmocka_unit_test(test_map_digest_many),
        cmocka_unit_test(test_cached_digest),
        cmocka_unit_test(test_snapshot_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
