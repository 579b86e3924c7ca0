/*
 * test_coro.c - coroutines switch, finish and reuse their stacks.
 *
 * Goal: resume runs a coroutine until it yields or returns, yield comes back
 * to the resumer, each coroutine keeps its own locals across switches,
 * done is set when fn returns, many coroutines interleave, and the pool
 * hands out page-rounded stacks and reuses returned ones instead of mapping
 * new ones.  Method: a shared log that each side appends to, checked for
 * the exact ping-pong order; pool counters before and after many runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "sim/world/coro.h"

#define STACK 65536

typedef struct pingpong {
    sim_coro coro;
    int id;
    int rounds;
    GString *log;
    uint64_t checksum; /* computed from locals across yields */
} pingpong;

static void pingpong_fn(void *arg)
{
    pingpong *p = arg;
    volatile uint64_t local = (uint64_t)p->id * 1000; /* lives on this stack */
    for (int i = 0; i < p->rounds; i++) {
        g_string_append_printf(p->log, "c%d:%d ", p->id, i);
        local += (uint64_t)i;
        sim_coro_yield(&p->coro);
    }
    g_string_append_printf(p->log, "c%d:end ", p->id);
    p->checksum = local;
}

static void test_ping_pong(void **state)
{
    (void)state;
    sim_stack_pool *pool = sim_stack_pool_new(STACK);
    pingpong p = {.id = 1, .rounds = 3, .log = g_string_new(NULL)};
    void *stack = sim_stack_pool_take(pool);
    sim_coro_init(&p.coro, stack, sim_stack_pool_stack_size(pool), pingpong_fn, &p);
    assert_false(p.coro.started);
    assert_false(p.coro.done);
    for (int i = 0; i < 3; i++) {
        g_string_append_printf(p.log, "m%d ", i);
        sim_coro_resume(&p.coro);
        assert_true(p.coro.started);
        assert_false(p.coro.done);
    }
    g_string_append(p.log, "m3 ");
    sim_coro_resume(&p.coro);
    assert_true(p.coro.done);
    assert_string_equal(p.log->str, "m0 c1:0 m1 c1:1 m2 c1:2 m3 c1:end ");
    assert_int_equal(p.checksum, 1000 + 0 + 1 + 2);
    sim_stack_pool_give(pool, stack);
    g_string_free(p.log, TRUE);
    sim_stack_pool_free(pool);
}

static void immediate_fn(void *arg)
{
    (*(int *)arg)++;
}

static void test_finish_without_yield(void **state)
{
    (void)state;
    sim_stack_pool *pool = sim_stack_pool_new(STACK);
    int calls = 0;
    sim_coro c;
    void *stack = sim_stack_pool_take(pool);
    sim_coro_init(&c, stack, sim_stack_pool_stack_size(pool), immediate_fn, &calls);
    sim_coro_resume(&c);
    assert_int_equal(calls, 1);
    assert_true(c.done);
    /* The same stack serves a fresh coroutine after init. */
    sim_coro_init(&c, stack, sim_stack_pool_stack_size(pool), immediate_fn, &calls);
    assert_false(c.done);
    sim_coro_resume(&c);
    assert_int_equal(calls, 2);
    assert_true(c.done);
    sim_stack_pool_give(pool, stack);
    sim_stack_pool_free(pool);
}

static void test_interleaved(void **state)
{
    (void)state;
    enum { N = 16, ROUNDS = 5 };
    sim_stack_pool *pool = sim_stack_pool_new(STACK);
    GString *log = g_string_new(NULL);
    pingpong *ps = g_new0(pingpong, N);
    for (int i = 0; i < N; i++) {
        ps[i] = (pingpong){.id = i, .rounds = ROUNDS, .log = log};
        sim_coro_init(&ps[i].coro, sim_stack_pool_take(pool), sim_stack_pool_stack_size(pool), pingpong_fn,
                      &ps[i]);
    }
    assert_int_equal(sim_stack_pool_allocated(pool), N);
    /* Round robin, each coroutine resumed ROUNDS + 1 times. */
    GString *expect = g_string_new(NULL);
    for (int r = 0; r <= ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            /* in reverse order on odd rounds: order of resumes is free */
            int k = (r % 2) ? N - 1 - i : i;
            sim_coro_resume(&ps[k].coro);
            if (r < ROUNDS)
                g_string_append_printf(expect, "c%d:%d ", k, r);
            else
                g_string_append_printf(expect, "c%d:end ", k);
        }
    }
    assert_string_equal(log->str, expect->str);
    for (int i = 0; i < N; i++) {
        assert_true(ps[i].coro.done);
        /* each coroutine's local survived the others running */
        assert_int_equal(ps[i].checksum, (uint64_t)i * 1000 + 0 + 1 + 2 + 3 + 4);
        sim_stack_pool_give(pool, ps[i].coro.stack);
    }
    g_string_free(expect, TRUE);
    g_string_free(log, TRUE);
    g_free(ps);
    sim_stack_pool_free(pool);
}

static void test_pool_reuses_stacks(void **state)
{
    (void)state;
    sim_stack_pool *pool = sim_stack_pool_new(STACK);
    /* Many short coroutines one after another: one stack is enough. */
    GString *log = g_string_new(NULL);
    for (int i = 0; i < 1000; i++) {
        pingpong p = {.id = i, .rounds = 2, .log = log};
        sim_coro_init(&p.coro, sim_stack_pool_take(pool), sim_stack_pool_stack_size(pool), pingpong_fn, &p);
        while (!p.coro.done)
            sim_coro_resume(&p.coro);
        assert_int_equal(p.checksum, (uint64_t)i * 1000 + 1);
        sim_stack_pool_give(pool, p.coro.stack);
        g_string_truncate(log, 0);
    }
    assert_int_equal(sim_stack_pool_allocated(pool), 1);
    /* Eight live at once need eight; giving them back and taking eight
     * again maps none. */
    void *stacks[8];
    for (int i = 0; i < 8; i++)
        stacks[i] = sim_stack_pool_take(pool);
    assert_int_equal(sim_stack_pool_allocated(pool), 8);
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < i; j++)
            assert_ptr_not_equal(stacks[i], stacks[j]);
        sim_stack_pool_give(pool, stacks[i]);
    }
    for (int i = 0; i < 8; i++)
        stacks[i] = sim_stack_pool_take(pool);
    assert_int_equal(sim_stack_pool_allocated(pool), 8);
    for (int i = 0; i < 8; i++)
        sim_stack_pool_give(pool, stacks[i]);
    g_string_free(log, TRUE);
    sim_stack_pool_free(pool);
}

static void test_stack_size_rounded(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    sim_stack_pool *pool = sim_stack_pool_new(page * 3 + 1);
    assert_int_equal(sim_stack_pool_stack_size(pool), page * 4);
    assert_int_equal(sim_stack_pool_allocated(pool), 0);
    /* The whole stack is writable. */
    char *stack = sim_stack_pool_take(pool);
    memset(stack, 0xab, sim_stack_pool_stack_size(pool));
    sim_stack_pool_give(pool, stack);
    sim_stack_pool_free(pool);
    sim_stack_pool_free(NULL);
}

/* Uses a good part of the stack, as json-glib under ASan does. */
static int deep(int depth, GString *log)
{
    volatile char frame[1024];
    memset((char *)frame, depth & 0xff, sizeof frame);
    if (depth == 0)
        return frame[0];
    int below = deep(depth - 1, log);
    return below + (frame[sizeof frame - 1] == (char)(depth & 0xff));
}

typedef struct deep_arg {
    sim_coro coro;
    int result;
} deep_arg;

static void deep_fn(void *arg)
{
    deep_arg *d = arg;
    sim_coro_yield(&d->coro);
    d->result = deep(100, NULL);
}

static void test_deep_stack(void **state)
{
    (void)state;
    sim_stack_pool *pool = sim_stack_pool_new(512 * 1024);
    deep_arg d = {.result = -1};
    sim_coro_init(&d.coro, sim_stack_pool_take(pool), sim_stack_pool_stack_size(pool), deep_fn, &d);
    sim_coro_resume(&d.coro);
    sim_coro_resume(&d.coro);
    assert_true(d.coro.done);
    assert_int_equal(d.result, 100);
    sim_stack_pool_give(pool, d.coro.stack);
    sim_stack_pool_free(pool);
}

/* The scheduler resumes from varying call depths: each yield must come
 * back to the frame of the latest resume. */
static void resume_from(pingpong *p, int depth)
{
    if (depth > 0) {
        resume_from(p, depth - 1);
        return;
    }
    sim_coro_resume(&p->coro);
}

static void test_resume_from_different_depths(void **state)
{
    (void)state;
    sim_stack_pool *pool = sim_stack_pool_new(STACK);
    pingpong p = {.id = 3, .rounds = 4, .log = g_string_new(NULL)};
    sim_coro_init(&p.coro, sim_stack_pool_take(pool), sim_stack_pool_stack_size(pool), pingpong_fn, &p);
    for (int i = 0; !p.coro.done; i++)
        resume_from(&p, (i * 7) % 5);
    assert_string_equal(p.log->str, "c3:0 c3:1 c3:2 c3:3 c3:end ");
    assert_int_equal(p.checksum, 3000 + 6);
    sim_stack_pool_give(pool, p.coro.stack);
    g_string_free(p.log, TRUE);
    sim_stack_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_finish_without_yield),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_pool_reuses_stacks),
        cmocka_unit_test(test_stack_size_rounded),
        cmocka_unit_test(test_deep_stack),
        cmocka_unit_test(test_resume_from_different_depths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
