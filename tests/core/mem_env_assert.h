/*
 * mem_env_assert.h - cmocka assertions over what a mem_env recorded, shared
 * by the mutex tests (include after <cmocka.h>).  Each compares the whole
 * record, so a call added or dropped anywhere fails the test.
 */
#ifndef MEM_ENV_ASSERT_H
#define MEM_ENV_ASSERT_H

#include "mem_env.h"

/* The storage calls made, "set K|get K|...". */
static inline void assert_ops(mem_env *m, const char *expected)
{
    char *ops = mem_env_op_names(m);
    assert_string_equal(ops, expected);
    g_free(ops);
}

/* The step labels announced before them, "write ClientID to X|...". */
static inline void assert_steps(mem_env *m, const char *expected)
{
    char *steps = mem_env_steps(m);
    assert_string_equal(steps, expected);
    g_free(steps);
}

#endif
