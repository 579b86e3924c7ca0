/*
 * test_digest_map.c - the map from digests to digests keeps what it is
 * given (sim/world/digest_map.h).
 *
 * Goal: a key inserted is found with its value, a key never inserted is
 * not; the first insert of a key wins; {0, 0} is a key like any other;
 * keys whose home slot is the same (equal low words, equal xor of their
 * words) are told apart; every key survives the map's growth (100,000
 * keys).  Method: drive the map directly and compare with what was put in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/world/digest_map.h"

static sim_digest key_of(uint64_t i)
{
    sim_digest k;
    sim_digest_init(&k, i);
    return k;
}

static void test_insert_lookup(void **state)
{
    (void)state;
    sim_digest_map *m = sim_digest_map_new();
    sim_digest zero = {0, 0}, one = {1, 0}, v1 = {11, 12}, v2 = {21, 22};
    assert_null(sim_digest_map_lookup(m, &zero));
    sim_digest_map_insert(m, &zero, &v1);
    assert_non_null(sim_digest_map_lookup(m, &zero));
    assert_true(sim_digest_equal(*sim_digest_map_lookup(m, &zero), v1));
    assert_null(sim_digest_map_lookup(m, &one));
    /* The first insert wins. */
    sim_digest_map_insert(m, &zero, &v2);
    assert_true(sim_digest_equal(*sim_digest_map_lookup(m, &zero), v1));
    assert_int_equal(sim_digest_map_size(m), 1);
    /* Same home slot, different keys: {5, 0}, {5, 64 * k} and {0, 5}. */
    sim_digest a = {5, 0}, b = {5, 64 * 3}, c = {0, 5};
    sim_digest_map_insert(m, &a, &v1);
    sim_digest_map_insert(m, &b, &v2);
    assert_null(sim_digest_map_lookup(m, &c));
    sim_digest_map_insert(m, &c, &v2);
    assert_true(sim_digest_equal(*sim_digest_map_lookup(m, &a), v1));
    assert_true(sim_digest_equal(*sim_digest_map_lookup(m, &b), v2));
    assert_true(sim_digest_equal(*sim_digest_map_lookup(m, &c), v2));
    assert_int_equal(sim_digest_map_size(m), 4);
    sim_digest_map_free(m);
}

static void test_growth(void **state)
{
    (void)state;
    sim_digest_map *m = sim_digest_map_new();
    const uint64_t n = 100000;
    for (uint64_t i = 0; i < n; i++) {
        sim_digest k = key_of(i), v = {i, ~i};
        assert_null(sim_digest_map_lookup(m, &k));
        sim_digest_map_insert(m, &k, &v);
    }
    assert_int_equal(sim_digest_map_size(m), n);
    for (uint64_t i = 0; i < n; i++) {
        sim_digest k = key_of(i), v = {i, ~i};
        const sim_digest *got = sim_digest_map_lookup(m, &k);
        assert_non_null(got);
        assert_true(sim_digest_equal(*got, v));
    }
    for (uint64_t i = n; i < n + 1000; i++) {
        sim_digest k = key_of(i);
        assert_null(sim_digest_map_lookup(m, &k));
    }
    sim_digest_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_lookup),
        cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
