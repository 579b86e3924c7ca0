/*
 * env_mark_check.c - the check of state marks: the search relies on
 * marks (sim/world/env_digest.c), so it checks them at run time.
 *
 * While a mark is in force, each output of the task (a storage call with
 * its key and value, an await with its arguments, and the label of its
 * step) is recorded under the hash it was made from.  Two different
 * outputs from one hash mean the mark left out something the task's
 * future depends on: world->mark_conflict names the mark, and the search
 * is not complete.  marks_seen lives across the runs of one search.
 *
 * Waits that return: a marked task's wait for one key with no deadline,
 * begun right after its get of that key, is followed to the task's next
 * output (not counting step labels): if that is the same get under the
 * same check key, the wait brought the task back to where it read, as it
 * was; otherwise (a counter of waits spent in its live values, a give-up)
 * it did not.  The answer is recorded in marks_seen under the get's check
 * key and the key, and checked as outputs are (two answers from one key
 * are a mark conflict).  Collapsing a read that leads to a wait
 * (env_eager.c) needs the answer "back": only then is waiting the same
 * state as being about to read.
 *
 * The rule of waits (xt/env.h): a task that has made a mark waits only for
 * keys it read since its last mark, so the digest keeps its pending
 * unseen changes (env_wait.c) of those keys alone.  Every wait of such a
 * task is checked: a wait for another key, or for any key, sets
 * mark_conflict (mark_conflict_wait) and the search is not complete.
 */
#include <string.h>

#include "sim/world/arena.h"
#include "sim/world/env_digest.h"

sim_digest_map *sim_marks_seen_new(void)
{
    return sim_digest_map_new();
}

/* What an output is: its kind, key, value, argument and step label. */
static void output_digest(sim_digest *out, uint64_t op, const char *key, const char *value, int64_t arg,
                          const char *label)
{
    sim_digest_init(out, op);
    sim_digest_str(out, key);
    sim_digest_str(out, value);
    sim_digest_u64(out, (uint64_t)arg);
    sim_digest_str(out, label);
}

/* The key a marked task's n-th output since its last result is checked
 * under, from the hash h its results made. */
static void mark_key(const sim_task *t, sim_digest h, uint32_t n, sim_digest *key)
{
    *key = h;
    sim_digest_u64(key, n);
    if (t->scoped) {
        sim_digest_u64(key, t->scope_base.lo);
        sim_digest_u64(key, t->scope_base.hi);
    }
}

static void check_output(sim_world *w, const sim_digest *key_h, const sim_digest *out, const char *label)
{
    const sim_digest *seen = sim_digest_map_lookup(w->marks_seen, key_h);
    if (!seen) {
        struct sim_arena *in = sim_arena_leave(); /* the record outlives the world */
        sim_digest_map_insert(w->marks_seen, key_h, out);
        sim_arena_enter(in);
    }
    else if (!sim_digest_equal(*seen, *out) && !w->mark_conflict)
        w->mark_conflict = label;
}

/* Where the record of what a wait for key did, begun right after the get
 * checked under get_key, is kept in marks_seen. */
static void back_record(sim_digest get_key, const char *key, sim_digest *record)
{
    *record = get_key;
    sim_digest_u64(record, UINT64_C(0x6261636b)); /* "back" */
    sim_digest_str(record, key);
}

static const sim_digest BACK_YES = {1, 0}, BACK_NO = {2, 0};

/* Waits that return (see the file comment): each output of t that is not
 * a step label, before it is checked (k: its check key, {0, 0} without a
 * mark in force).  A wait for one key with no
 * deadline, right after a get of that key, arms t; its next output says
 * whether the wait brought it back to that get as it was (the same get
 * under the same check key) or changed it (a counter of waits spent), and
 * that is recorded under the get's key.  Two different answers from one
 * key are a mark that left something out. */
static void back_note(sim_world *w, sim_task *t, uint64_t op, const char *key, sim_digest k)
{
    if (op == OP_MARK)
        return; /* a step label: it names the call that follows */
    if (t->back.armed) {
        t->back.armed = FALSE;
        gboolean back = op == OP_GET && t->mark && sim_digest_equal(k, t->back.from);
        check_output(w, &t->back.record, back ? &BACK_YES : &BACK_NO, t->back.mark);
    }
    if (op == OP_WAIT && t->back.single && t->back.have_get) {
        t->back.armed = TRUE;
        t->back.from = t->back.get;
        t->back.mark = t->mark;
        back_record(t->back.get, key, &t->back.record);
    }
    t->back.have_get = op == OP_GET && t->mark;
    t->back.get = k;
}

void sim_env_check_output(sim_tab *tab, uint64_t op, const char *key, const char *value, int64_t arg)
{
    sim_world *w = tab->world;
    sim_task *t = sim_env_current_task(tab);
    if (!t || !w->marks_seen || sim_tab_gone(tab))
        return;
    sim_digest key_h = {0, 0}; /* its check key under the mark in force */
    if (t->mark)
        mark_key(t, *sim_env_results_of(t), t->outputs, &key_h);
    back_note(w, t, op, key, key_h);
    if (!t->mark && !sim_env_keeps_own(tab))
        return;
    if (w->marks_prefix_checked && w->chooser->pos < w->chooser->prefix_len) {
        t->outputs++;
        return;
    }
    uint32_t n = t->outputs++;
    sim_digest out;
    output_digest(&out, op, key, value, arg, t->label);
    if (t->mark)
        check_output(w, &key_h, &out, t->mark);
    sim_digest heap; /* the shared objects as the task sees them now */
    if (sim_env_keeps_own(tab) && sim_tab_heap_digest(tab, &heap)) {
        sim_digest own_h = t->own;
        sim_digest_u64(&own_h, heap.lo);
        sim_digest_u64(&own_h, heap.hi);
        sim_digest_u64(&own_h, UINT64_C(0x6f776e) + ((uint64_t)n << 24)); /* "own" */
        check_output(w, &own_h, &out, SIM_MARK_SHARED);
    }
}

gboolean sim_env_read_leads_to_wait(sim_tab *tab, sim_task *t)
{
    sim_world *w = tab->world;
    const char *key = t->pending_read;
    if (!key || !t->mark || !w->marks_seen || sim_env_keeps_own(tab))
        return FALSE;
    /* The hash its result would make (fold_begin, fold_text; the model is
     * the browser's map itself, env_eager.c checks), then the key of the
     * output that follows it (sim_env_check_output). */
    const char *value = sim_storage_peek(w->storage, key);
    int rc = value ? XT_OK : XT_ENOTFOUND;
    sim_digest h = *sim_env_results_of(t);
    sim_env_result_start(t, &h, OP_GET);
    sim_digest_u64(&h, (uint64_t)(int64_t)rc);
    if (value)
        sim_digest_bytes(&h, value, strlen(value));
    sim_digest key_h;
    mark_key(t, h, 0, &key_h);
    const sim_digest *seen = sim_digest_map_lookup(w->marks_seen, &key_h);
    if (!seen)
        return FALSE;
    sim_digest wait; /* d_wait's output; the label is NULL: every storage call clears it (env_sim.c) */
    output_digest(&wait, OP_WAIT, key, NULL, -1, NULL);
    if (!sim_digest_equal(*seen, wait))
        return FALSE;
    /* And that wait brings it back to this get as it is now, once the key
     * changes: else waiting is not the same state as being about to read
     * (a wait may count against a bound), and the read must stay a step. */
    sim_digest get_key; /* the get's check key: made (storage_turn) or to come (a woken prefix's stop) */
    if (t->pending_eager)
        mark_key(t, *sim_env_results_of(t), t->outputs, &get_key);
    else if (t->back.have_get)
        get_key = t->back.get;
    else
        return FALSE;
    sim_digest record;
    back_record(get_key, key, &record);
    const sim_digest *back = sim_digest_map_lookup(w->marks_seen, &record);
    return back && sim_digest_equal(*back, BACK_YES);
}

void sim_env_digest_task_end(sim_task *t)
{
    sim_env_check_output(t->tab, OP_END, NULL, NULL, 0);
}
