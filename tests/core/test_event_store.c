/*
 * test_event_store.c - EventStorageImpl: codec, read-modify-write, faults.
 *
 * Goal: the entity round-trips with the exact JSON shape; a malformed entity
 * reads as empty with a warning; storage errors come back unchanged and a
 * failed add leaves the previous value; delete removes only the given ids
 * and writes nothing when none match; and the seed's root cause, the lost
 * update, happens when two stores interleave get/set by hand.
 * Method: a fresh mem_env per test; interleavings through its storage hook,
 * which runs a second store's add in the middle of the first one's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "xt/event_store.h"

#define KEY "u1_events"

typedef struct fixture {
    mem_env *m;
    xt_event_store *store;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->m = mem_env_new();
    f->store = xt_event_store_new(&f->m->env, "u1", KEY);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    xt_event_store_free(f->store);
    mem_env_free(f->m);
    g_free(f);
    return 0;
}

static void add(xt_event_store *store, const char *id, int64_t ts, int expect)
{
    xt_event *e = xt_event_new(id, ts, "p");
    assert_int_equal(xt_event_store_add(store, e), expect);
    xt_event_free(e);
}

static GPtrArray *get_all(xt_event_store *store)
{
    GPtrArray *events = NULL;
    assert_int_equal(xt_event_store_get_all(store, &events), XT_OK);
    assert_non_null(events);
    return events;
}

static const char *id_at(GPtrArray *events, guint i)
{
    return ((xt_event *)g_ptr_array_index(events, i))->id;
}

static void test_roundtrip_and_shape(void **state)
{
    fixture *f = *state;
    assert_string_equal(xt_event_store_key(f->store), KEY);
    xt_event *e = xt_event_new("e1", 1700000000000, "{\"k\":\"v\"}");
    assert_int_equal(xt_event_store_add(f->store, e), XT_OK);
    xt_event_free(e);
    add(f->store, "e2", 5, XT_OK);
    assert_string_equal(mem_env_peek(f->m, KEY),
                        "{\"userId\":\"u1\",\"events\":["
                        "{\"id\":\"e1\",\"timestamp\":1700000000000,\"payload\":\"{\\\"k\\\":\\\"v\\\"}\"},"
                        "{\"id\":\"e2\",\"timestamp\":5,\"payload\":\"p\"}]}");
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 2);
    xt_event *got = g_ptr_array_index(events, 0);
    assert_string_equal(got->id, "e1");
    assert_int_equal(got->timestamp_ms, 1700000000000);
    assert_string_equal(got->payload, "{\"k\":\"v\"}");
    g_ptr_array_unref(events);

    const char *ids[] = { "e1" };
    assert_int_equal(xt_event_store_delete_by_ids(f->store, ids, 1), XT_OK);
    events = get_all(f->store);
    assert_int_equal(events->len, 1);
    assert_string_equal(id_at(events, 0), "e2");
    g_ptr_array_unref(events);
}

static void test_steps_and_ops(void **state)
{
    fixture *f = *state;
    add(f->store, "e1", 1, XT_OK);
    const char *ids[] = { "e1" };
    assert_int_equal(xt_event_store_delete_by_ids(f->store, ids, 1), XT_OK);
    char *steps = mem_env_steps(f->m);
    char *ops = mem_env_op_names(f->m);
    assert_string_equal(steps, "read events|save events|read events|delete events");
    assert_string_equal(ops, "get " KEY "|set " KEY "|get " KEY "|set " KEY);
    g_free(steps);
    g_free(ops);
}

static void test_absent_is_empty(void **state)
{
    fixture *f = *state;
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 0);
    g_ptr_array_unref(events);
    assert_int_equal(f->m->logs->len, 0);
}

static void test_malformed_is_empty_with_warning(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "not json", "[]", "{\"events\":5}",
        "{\"events\":[{\"id\":1,\"timestamp\":1,\"payload\":\"p\"}]}",
        "{\"events\":[{\"id\":\"a\",\"timestamp\":\"1\",\"payload\":\"p\"}]}",
        "{\"events\":[{\"id\":\"a\",\"timestamp\":1.5,\"payload\":\"p\"}]}",
        "{\"events\":[{\"id\":\"a\",\"timestamp\":1}]}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        mem_env_put(f->m, KEY, bad[i]);
        g_ptr_array_set_size(f->m->logs, 0);
        GPtrArray *events = get_all(f->store);
        assert_int_equal(events->len, 0);
        g_ptr_array_unref(events);
        assert_int_equal(f->m->logs->len, 1);
        assert_true(mem_env_logged(f->m, "WARN: Failed to parse stored events"));
    }
    /* add overwrites the malformed entity with a valid one, as the SDK does. */
    add(f->store, "e1", 1, XT_OK);
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 1);
    g_ptr_array_unref(events);
}

static void test_delete_nothing_matches_skips_set(void **state)
{
    fixture *f = *state;
    add(f->store, "e1", 1, XT_OK);
    mem_env_clear_records(f->m);
    const char *ids[] = { "zz" };
    assert_int_equal(xt_event_store_delete_by_ids(f->store, ids, 1), XT_OK);
    assert_int_equal(mem_env_count_ops(f->m, "set"), 0);
    assert_int_equal(xt_event_store_delete_by_ids(f->store, NULL, 0), XT_OK);
    assert_int_equal(mem_env_count_ops(f->m, "set"), 0);
}

static void test_delete_several_keeps_order(void **state)
{
    fixture *f = *state;
    add(f->store, "a", 1, XT_OK);
    add(f->store, "b", 2, XT_OK);
    add(f->store, "c", 3, XT_OK);
    add(f->store, "d", 4, XT_OK);
    const char *ids[] = { "d", "b", "a" };
    assert_int_equal(xt_event_store_delete_by_ids(f->store, ids, 3), XT_OK);
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 1);
    assert_string_equal(id_at(events, 0), "c");
    g_ptr_array_unref(events);
}

static void test_quota_leaves_previous_value(void **state)
{
    fixture *f = *state;
    add(f->store, "e1", 1, XT_OK);
    char *before = g_strdup(mem_env_peek(f->m, KEY));
    f->m->quota_bytes = strlen(KEY) + strlen(before) + 10;
    add(f->store, "e2-with-a-long-id", 2, XT_EQUOTA);
    assert_string_equal(mem_env_peek(f->m, KEY), before);
    g_free(before);
}

static void test_storage_errors_returned(void **state)
{
    fixture *f = *state;
    add(f->store, "e1", 1, XT_OK);
    f->m->fail_get_at = 1;
    f->m->fail_get_err = XT_EUNAVAILABLE;
    add(f->store, "e2", 2, XT_EUNAVAILABLE);
    GPtrArray *events = (GPtrArray *)0x1;
    f->m->fail_get_at = 1;
    f->m->fail_get_err = XT_ECANCELLED;
    assert_int_equal(xt_event_store_get_all(f->store, &events), XT_ECANCELLED);
    assert_null(events);
    f->m->fail_set_at = 1;
    f->m->fail_set_err = XT_EUNAVAILABLE;
    const char *ids[] = { "e1" };
    assert_int_equal(xt_event_store_delete_by_ids(f->store, ids, 1), XT_EUNAVAILABLE);
    events = get_all(f->store);
    assert_int_equal(events->len, 1);
    g_ptr_array_unref(events);
}

/* The root cause: A reads, B adds (read+write), A writes => B's event lost. */
typedef struct interleave {
    xt_event_store *other;
    gboolean done;
} interleave;

static void run_other_before_first_set(mem_env *m, const char *op, const char *key, void *data)
{
    (void)m;
    interleave *il = data;
    if (il->done || strcmp(op, "set") != 0 || strcmp(key, KEY) != 0)
        return;
    il->done = TRUE; /* B's own set must not recurse */
    add(il->other, "from-B", 2, XT_OK);
}

static void test_lost_update_reproduced(void **state)
{
    fixture *f = *state;
    xt_event_store *b = xt_event_store_new(&f->m->env, "u1", KEY);
    interleave il = { .other = b };
    f->m->hook = run_other_before_first_set;
    f->m->hook_data = &il;
    add(f->store, "from-A", 1, XT_OK);
    f->m->hook = NULL;
    assert_true(il.done);
    char *ops = mem_env_op_names(f->m);
    /* A get, B get, B set, A set */
    assert_string_equal(ops, "get " KEY "|get " KEY "|set " KEY "|set " KEY);
    g_free(ops);
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 1);
    assert_string_equal(id_at(events, 0), "from-A"); /* B's event is gone */
    g_ptr_array_unref(events);
    xt_event_store_free(b);
}

static void test_sequential_adds_keep_both(void **state)
{
    fixture *f = *state;
    xt_event_store *b = xt_event_store_new(&f->m->env, "u1", KEY);
    add(f->store, "from-A", 1, XT_OK);
    add(b, "from-B", 2, XT_OK);
    GPtrArray *events = get_all(f->store);
    assert_int_equal(events->len, 2);
    g_ptr_array_unref(events);
    xt_event_store_free(b);
}

static void test_batch_codec(void **state)
{
    (void)state;
    GPtrArray *events = g_ptr_array_new_with_free_func((GDestroyNotify)xt_event_free);
    g_ptr_array_add(events, xt_event_new("a", 1, "x"));
    g_ptr_array_add(events, xt_event_new("b", 2, "y"));
    char *body = xt_event_batch_serialize(events);
    assert_string_equal(body, "{\"events\":[{\"id\":\"a\",\"timestamp\":1,\"payload\":\"x\"},"
                              "{\"id\":\"b\",\"timestamp\":2,\"payload\":\"y\"}]}");
    GPtrArray *ids = NULL;
    assert_int_equal(xt_event_batch_parse_ids(body, &ids), XT_OK);
    assert_int_equal(ids->len, 2);
    assert_string_equal(g_ptr_array_index(ids, 0), "a");
    assert_string_equal(g_ptr_array_index(ids, 1), "b");
    g_ptr_array_unref(ids);
    g_free(body);

    char *entity = xt_event_entity_serialize("u", events);
    GPtrArray *back = NULL;
    assert_int_equal(xt_event_entity_parse(entity, &back), XT_OK);
    assert_int_equal(back->len, 2);
    g_ptr_array_unref(back);
    g_free(entity);

    ids = (GPtrArray *)0x1;
    assert_int_equal(xt_event_batch_parse_ids("{\"nope\":1}", &ids), XT_EPARSE);
    assert_null(ids);
    assert_int_equal(xt_event_entity_parse("{", &back), XT_EPARSE);
    assert_null(back);

    char *empty = xt_event_batch_serialize(NULL);
    assert_string_equal(empty, "{\"events\":[]}");
    g_free(empty);
    g_ptr_array_unref(events);
}

static void test_event_copy_and_null_payload(void **state)
{
    (void)state;
    xt_event *e = xt_event_new("id", 9, NULL);
    assert_string_equal(e->payload, "");
    xt_event *c = xt_event_copy(e);
    assert_ptr_not_equal(c->id, e->id);
    assert_string_equal(c->id, "id");
    assert_int_equal(c->timestamp_ms, 9);
    xt_event_free(e);
    xt_event_free(c);
    xt_event_free(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_roundtrip_and_shape),
        T(test_steps_and_ops),
        T(test_absent_is_empty),
        T(test_malformed_is_empty_with_warning),
        T(test_delete_nothing_matches_skips_set),
        T(test_delete_several_keeps_order),
        T(test_quota_leaves_previous_value),
        T(test_storage_errors_returned),
        T(test_lost_update_reproduced),
        T(test_sequential_adds_keep_both),
        T(test_batch_codec),
        T(test_event_copy_and_null_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
