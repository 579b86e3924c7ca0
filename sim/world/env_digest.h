/*
 * env_digest.h - what env_digest.c (the running hashes) shares with
 * env_mark_check.c (the check of state marks).  Private to sim/world/.
 */
#ifndef SIM_ENV_DIGEST_H
#define SIM_ENV_DIGEST_H

#include "sim/world/world.h"

/* Kinds of results and outputs. */
enum { OP_GET = 1, OP_SET, OP_REMOVE, OP_LENGTH, OP_KEY, OP_NOW, OP_SLEEP, OP_RANDOM, OP_SEND, OP_SPAWN,
       OP_LOCK, OP_RELEASE, OP_WAIT, OP_NOTIFY, OP_TAB_WAIT, OP_TAB_WAKE, OP_PASSED, OP_MARK,
       OP_DRAWN, OP_END, OP_WAIT_ENDED };

static inline sim_task *sim_env_current_task(sim_tab *tab)
{
    sim_task *t = tab->world->current;
    return t && t->tab == tab ? t : NULL;
}

/* Where t's results go. */
static inline sim_digest *sim_env_results_of(sim_task *t)
{
    return t->scoped ? &t->dig : &t->tab->dig;
}

/* Does the tab's program describe its shared objects at all? */
static inline gboolean sim_env_keeps_own(const sim_tab *tab)
{
    return tab->world->program->heap_describe != NULL;
}

/* How a result of t begins in h, where its results go (tagged with t
 * outside a scope, where they join its tab's hash). */
static inline void sim_env_result_start(const sim_task *t, sim_digest *h, uint64_t op)
{
    if (!t->scoped)
        sim_digest_u64(h, (uint64_t)t->ord);
    sim_digest_u64(h, op);
}

/* An output of the running task (a storage call, an await, a mark, its
 * end): checked while a mark is in force, and under its own hash when it
 * keeps one (env_mark_check.c). */
void sim_env_check_output(sim_tab *tab, uint64_t op, const char *key, const char *value, int64_t arg);

#endif
