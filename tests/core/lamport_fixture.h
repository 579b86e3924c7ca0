/*
 * lamport_fixture.h - what the Lamport mutex tests share (test_mutex_lamport.c
 * for the fixed ids of the paper, test_mutex_lamport_prefix.c for peers
 * found by key prefix): a mem_env per test with a 3-process mutex as tab 1,
 * and a scripted "other process" that writes keys just before the Nth call
 * of a given kind.  Static, for inclusion by one test file each.
 */
#ifndef TESTS_LAMPORT_FIXTURE_H
#define TESTS_LAMPORT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mem_env.h"
#include "mem_env_assert.h"
#include "xt/mutex_lamport.h"

#define X "lamport_x"
#define Y "lamport_y"
#define B1 "lamport_b_1"
#define B2 "lamport_b_2"
#define B3 "lamport_b_3"

#define FAST_OPS "set " B1 "|set " X "|get " Y "|set " Y "|get " X
#define FAST_STEPS "b[i] := true|x := i|read y (y != 0?)|y := i|read x (x != i?)"

typedef struct fixture {
    mem_env *m;
    xt_lamport_mutex_options options;
    xt_mutex *mutex;
} fixture;

static G_GNUC_UNUSED int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->m = mem_env_new();
    xt_lamport_mutex_options_init(&f->options);
    f->options.id = 1;
    f->options.n = 3;
    f->options.wait_interval_ms = 25;
    *state = f;
    return 0;
}

static G_GNUC_UNUSED int teardown(void **state)
{
    fixture *f = *state;
    xt_mutex_free(f->mutex);
    mem_env_free(f->m);
    g_free(f);
    return 0;
}

static G_GNUC_UNUSED xt_mutex *make(fixture *f)
{
    f->mutex = xt_lamport_mutex_new(&f->m->env, &f->options);
    mem_env_clear_records(f->m);
    return f->mutex;
}


static G_GNUC_UNUSED void assert_sleeps(mem_env *m, int64_t ms, guint n)
{
    assert_int_equal(m->sleeps->len, n);
    for (guint i = 0; i < n; i++)
        assert_int_equal(g_array_index(m->sleeps, int64_t, i), ms);
}

static G_GNUC_UNUSED const mem_obs *last_obs(mem_env *m)
{
    return mem_env_obs_at(m, m->obs->len - 1);
}

/* Another process, scripted: before the at-th call of kind op on key (key
 * NULL matches any; op "sleep" has no key), write put_key := put_value
 * (NULL value: remove). */
typedef struct action {
    const char *op;
    const char *key;
    int at;
    const char *put_key;
    const char *put_value;
    int seen;
} action;

typedef struct script {
    action *actions;
    size_t n;
} script;

static G_GNUC_UNUSED void script_hook(mem_env *m, const char *op, const char *key, void *data)
{
    script *s = data;
    for (size_t i = 0; i < s->n; i++) {
        action *a = &s->actions[i];
        if (strcmp(op, a->op) != 0 || (a->key && (!key || strcmp(key, a->key) != 0)))
            continue;
        if (++a->seen != a->at)
            continue;
        if (a->put_value)
            g_hash_table_insert(m->storage, g_strdup(a->put_key), g_strdup(a->put_value));
        else
            g_hash_table_remove(m->storage, a->put_key);
    }
}

static G_GNUC_UNUSED void install(fixture *f, script *s)
{
    f->m->hook = script_hook;
    f->m->hook_data = s;
}

#endif
