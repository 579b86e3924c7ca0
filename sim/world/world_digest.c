/*
 * world_digest.c - the state digest of a world; see sim/world/world_digest.h.
 *
 * At a choice point no task runs: every task is in the queue, its tab's
 * ready FIFO, a wait, the Web Locks queue or parked, and the world is
 * fully described by the parts below.  Each is folded in a canonical
 * order (tabs by index, a tab's tasks in creation order, maps sorted),
 * never in an order a hash table or an allocation chose.
 *
 * Invariants (what makes "equal digests, equal futures" hold):
 *  - a task is named by (tab, ord), never by its run-wide id, which
 *    counts the other tabs' tasks too; ids are only ever compared for
 *    equality by the world and the monitor, so the renaming is faithful;
 *  - counters that only grow (change_seq, storage_events) are folded as
 *    the comparisons the world will make with them (env_wait.c): per task
 *    and key bit, whether a change it has not seen is pending; for a task
 *    that has made a state mark, only in the keys it read since its last
 *    one, since it waits for no other key before reading it, which hides
 *    the change (the rule of marks, checked in env_mark_check.c);
 *  - time is exact (now and every pending instant in microseconds) or,
 *    where no code reads the clock, every instant as its distance from
 *    now ("Time" below);
 *  - a task's local state is its tab's running hash and, inside a lock
 *    request, its own (env_digest.c);
 *  - a tab with no live task is inert for good: only whether it was
 *    closed is folded (tab_digest);
 *  - left out, because no future depends on them: statistics (counters,
 *    storage_ops, lock wait times other than pending ones), the timeline,
 *    task ids, Web Locks handles, the queue's global sequence numbers
 *    across tabs (only one tab's own ties are ordered by them), and which
 *    tab stepped last (it orders a choice's answers, never the set of
 *    them; the preemption count it feeds is unbounded in stateful search).
 */
#include "sim/world/world_digest.h"

#include <stdlib.h>
#include <string.h>

#include "sim/world/world.h"

/* Two lanes, each a multiply-xorshift over 64-bit words with its own
 * constants (the finaliser of splitmix64 per word). */
/* The lanes' constants (SIM_DIGEST_LANE_LO_K, _HI_K) and the fold
 * (sim_digest_u64, sim_digest_bytes) are in world_digest.h, inline: they
 * run for every result a task gets. */

static inline uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

void sim_digest_init(sim_digest *h, uint64_t tag)
{
    h->lo = mix64(tag + SIM_DIGEST_LANE_LO_K);
    h->hi = mix64(tag ^ SIM_DIGEST_LANE_HI_K);
}

void sim_digest_finish(const sim_digest *h, sim_digest *out)
{
    uint64_t lo = h->lo, hi = h->hi;
    out->lo = mix64(lo ^ mix64(hi));
    out->hi = mix64(hi + SIM_DIGEST_LANE_HI_K);
}

void sim_digest_str(sim_digest *h, const char *text)
{
    if (!text)
        sim_digest_u64(h, UINT64_C(0xfeedfacecafe0001));
    else
        sim_digest_bytes(h, text, strlen(text));
}

void sim_digest_label(sim_digest *out, const char *label)
{
    sim_digest_init(out, UINT64_C(0x6c6162656c)); /* "label" */
    sim_digest_str(out, label);
}

unsigned int sim_digest_key_hash(const void *key)
{
    return (unsigned int)((const sim_digest *)key)->lo;
}

int sim_digest_key_equal(const void *a, const void *b)
{
    return sim_digest_equal(*(const sim_digest *)a, *(const sim_digest *)b);
}

/* ---- Time ----
 *
 * Untimed, the clock moves only by wake-ups and jumps the adversary
 * picks (docs/model-checking.md, "Time and the adversary"), and the
 * world itself compares instants only with each other: a tab's timers
 * fire in the order of their instants, a wake-up jumps the clock to
 * max(now, its instant), a sleep or a deadline is now plus a duration,
 * the drain stops what is due after its end.  Every one of those is
 * unchanged when every instant of a state, now included, is shifted by
 * the same amount.  So two states equal up to such a shift have the same
 * futures, shifted, unless code reads the clock: a value read is folded
 * into its tab's hash, but the value a later read gets differs by the
 * shift, and code may compare it with a constant or store it.  With
 * SIM_DIGEST_CLOCK_UNREAD assumed, each instant is folded as its
 * distance from now (now itself as 0), and an instant already past as
 * past: a tab that lags keeps a wake-up due long ago while the others
 * move the clock, and how long ago no longer matters (the clock jumps to
 * max(now, it), that is stays), only its order among its tab's wake-ups
 * (its rank, folded with it) and whether it is after the drain's end
 * (folded beside it).  Only the order of the instants would not do for
 * those to come: a timer set later lands among its tab's pending ones by
 * its duration.  A lock request's age (how long it has waited) is left
 * out then too: untimed, no check reads it (progress_bound_ms applies to
 * timed runs).  [run] time_limit_ms compares the clock with a constant:
 * a run it cuts breaks the assumption as a clock read does, and so does a
 * search whose latest clock plus the latest clock at which it found a
 * state stored passes it (sim_digest_time_limit_broken).
 *
 * When a task's last wait ended is state only for code that asks
 * (xt_env_wait_ended_ms, a sleep counted from then: browser-tabs-lock):
 * with SIM_DIGEST_WAIT_END_UNREAD assumed it is left out.
 *
 * The searches that assume (explore_state.c, after every step and run;
 * the starvation check, explore_live.c, after every replay) watch
 * digest_broken and, if any run broke an assumption, start over without
 * it. */

/* An instant, relative to now where the clock is assumed unread. */
static inline uint64_t shifted(const sim_world *w, int64_t us)
{
    return (uint64_t)(w->digest_assume & SIM_DIGEST_CLOCK_UNREAD ? us - w->now_us : us);
}

/* An instant to come, or one already past as past (relative to now). */
static inline uint64_t instant(const sim_world *w, int64_t us)
{
    return (w->digest_assume & SIM_DIGEST_CLOCK_UNREAD) && us < w->now_us ? UINT64_MAX : shifted(w, us);
}

unsigned char sim_digest_time_limit_broken(unsigned char assume, int64_t max_now_us, int64_t max_merged_us, int64_t limit_ms)
{
    /* A state found stored when the clock read m stands for the stored
     * one, reached at some clock >= 0, whose futures the search made up
     * to max_now_us; its own are those shifted by at most m.  Past the
     * limit one of them would have been cut where no run made was. */
    return (assume & SIM_DIGEST_CLOCK_UNREAD) && max_now_us + max_merged_us > limit_ms * 1000 ? SIM_DIGEST_CLOCK_UNREAD
                                                                                                : 0;
}

/* ---- the parts ---- */

/* A tab's index as folded: its own, or under symmetry its place in the
 * canonical order ("Symmetry"); ren[i] for tab i + 1, NULL: as it is. */
static inline uint64_t tab_as(const int *ren, int index)
{
    return (uint64_t)(ren ? ren[index - 1] : index);
}

static void task_name(sim_digest *h, const sim_task *t, const int *ren)
{
    sim_digest_u64(h, t ? (tab_as(ren, t->tab->index) << 32) | (uint64_t)t->ord : 0);
}

typedef struct fold_ctx {
    const sim_world *w;
    const int *ren;
} fold_ctx;

static void waiter_fold(sim_digest *h, const void *waiter, void *ctx)
{
    const fold_ctx *c = ctx;
    task_name(h, waiter, c->ren);
}

static void task_id_fold(sim_digest *h, int task_id, void *ctx)
{
    const fold_ctx *c = ctx;
    if (task_id == 0) {
        sim_digest_u64(h, 0);
        return;
    }
    for (const GList *l = c->w->live.head; l; l = l->next) {
        const sim_task *t = l->data;
        if (t->id == task_id) {
            task_name(h, t, c->ren);
            return;
        }
    }
    sim_digest_u64(h, UINT64_MAX); /* a task that has finished */
}

/* The queue entry of t, or NULL; its rank among its tab's entries orders
 * its ties (world.c untimed_candidates). */
static const sim_queue_entry *queue_entry_of(const sim_world *w, const sim_task *t, uint64_t *rank)
{
    ssize_t at = sim_queue_find(&w->queue, t, SIM_QUEUE_ANY);
    const sim_queue_entry *mine = at >= 0 ? &w->queue.heap[at] : NULL;
    *rank = 0;
    if (!mine)
        return NULL;
    for (size_t i = 0; i < w->queue.len; i++) {
        const sim_queue_entry *e = &w->queue.heap[i];
        if (((const sim_task *)e->item)->tab == t->tab &&
            (e->time_us < mine->time_us || (e->time_us == mine->time_us && e->seq < mine->seq)))
            (*rank)++;
    }
    return mine;
}

static void task_digest(const sim_world *w, const sim_task *t, gboolean own, const int *ren, sim_digest *h)
{
    gboolean clock_unread = (w->digest_assume & SIM_DIGEST_CLOCK_UNREAD) != 0;
    /* When its last wait ended, unless no code asks ("Time"). */
    gboolean wait_end = !(w->digest_assume & SIM_DIGEST_WAIT_END_UNREAD);
    uint64_t rank;
    const sim_queue_entry *e = queue_entry_of(w, t, &rank);
    /* Its yes-or-no facts in one word (from bit 15: which of the optional
     * words below are there), then the words they call for: each state
     * still folds one sequence of words, and a few words fewer (a state's
     * digest folds some 150, and their count is its cost). */
    uint64_t flags = (uint64_t)t->reason | (uint64_t)t->needs_tab << 4 | (uint64_t)t->counted << 5 |
                     (uint64_t)t->reply_due << 6 | (uint64_t)t->parked << 7 | (uint64_t)t->record.lock_held << 8 |
                     (uint64_t)t->weblock.queued << 9 | (uint64_t)t->view.fresh << 10 |
                     (uint64_t)t->view.must_progress << 11 | (uint64_t)t->wait.waiting << 12 |
                     (uint64_t)t->scoped << 13 | (uint64_t)(t->fn == w->tab_main) << 14 |
                     (uint64_t)(t->record.lock_since_us >= 0) << 15 | (uint64_t)(e != NULL) << 16 |
                     /* a past instant's place against the drain's end */
                     (uint64_t)(e && clock_unread && w->drain_end_us >= 0 && e->time_us > w->drain_end_us) << 17 |
                     (uint64_t)(t->wait.waiting && t->wait.keys != NULL) << 18 |
                     (uint64_t)(t->wait.deadline_us >= 0) << 19 | (uint64_t)(wait_end && t->wait.ended_us >= 0) << 20 |
                     /* What ended its wait matters only as the wait's result (a
                      * timeout or not); which tab's change it was only names it
                      * in the timeline. */
                     (uint64_t)(t->wait.woken_by == SIM_WOKEN_DEADLINE) << 21 |
                     (uint64_t)(t->sync_parent != NULL) << 22 | (uint64_t)(t->sync_child != NULL) << 23 |
                     (uint64_t)(t->label != NULL) << 24 | (uint64_t)(t->wait.following != 0) << 25 |
                     (uint64_t)(t->wait.follow != NULL) << 26;
    task_name(h, t, ren);
    sim_digest_u64(h, flags);
    if (t->sync_parent)
        task_name(h, t->sync_parent, ren);
    if (t->sync_child)
        task_name(h, t->sync_child, ren);
    if (t->label) { /* its hash, made when it was set while digesting (env_observe.c) */
        sim_digest label = t->label_dig;
        if (!w->digesting)
            sim_digest_label(&label, t->label);
        sim_digest_u64(h, label.lo);
        sim_digest_u64(h, label.hi);
    }
    /* How long it has waited for a lock: untimed, no check reads it ("Time"). */
    if (t->record.lock_since_us >= 0 && !clock_unread)
        sim_digest_u64(h, (uint64_t)(w->now_us - t->record.lock_since_us));
    if (e) {
        sim_digest_u64(h, instant(w, e->time_us));
        sim_digest_u64(h, rank);
    }
    /* What it waits for, and the changes it has not seen (env_wait.c). */
    sim_digest_u64(h, t->wait.n_keys);
    if (t->wait.waiting)
        for (size_t i = 0; t->wait.keys && i < t->wait.n_keys; i++)
            sim_digest_str(h, t->wait.keys[i]);
    if (t->wait.waiting || t->parked) {
        /* Its place among its tab's waiters: one event (or tab_wake) wakes
         * them in the order they began (env_wait.c wake_in_order). */
        uint64_t before = 0;
        for (const GList *l = w->live.head; l; l = l->next) {
            const sim_task *o = l->data;
            if (o->tab == t->tab && (o->wait.waiting || o->parked) && o->wait.begin < t->wait.begin)
                before++;
        }
        sim_digest_u64(h, before);
    }
    /* The tasks woken behind it, in order (its own place in such a chain
     * is its leader's part). */
    if (t->wait.follow) {
        for (const sim_task *f = t->wait.follow; f; f = f->wait.follow)
            task_name(h, f, ren);
        sim_digest_u64(h, UINT64_MAX); /* the chain's end: no task's name */
    }
    if (t->wait.deadline_us >= 0)
        sim_digest_u64(h, instant(w, t->wait.deadline_us));
    if (wait_end && t->wait.ended_us >= 0)
        sim_digest_u64(h, shifted(w, t->wait.ended_us)); /* past, and how long ago */
    /* After a mark only the keys read since count (the others are read
     * before any wait, env_digest.c): only those are looked at. */
    uint64_t unseen = 0;
    uint64_t keys = (UINT64_C(1) << SIM_OBJ_KEYS) - 1;
    if (t->last_mark)
        keys &= t->wait.read_bits;
    for (; keys; keys &= keys - 1) {
        int b = __builtin_ctzll(keys);
        if (t->tab->key_seq[b] > MAX(t->wait.mark_seq, t->wait.read_seq[b]))
            unseen |= UINT64_C(1) << b;
    }
    if (t->tab->storage_events != t->wait.mark_events &&
        (!t->last_mark || (t->wait.read_bits >> 63 & 1)))
        unseen |= UINT64_C(1) << 63;
    sim_digest_u64(h, unseen);
    if (own) {
        sim_digest_u64(h, t->own.lo);
        sim_digest_u64(h, t->own.hi);
    } else if (t->scoped) {
        sim_digest_u64(h, t->dig.lo);
        sim_digest_u64(h, t->dig.hi);
    }
}

static gboolean tab_has_task(const sim_world *w, const sim_tab *tab)
{
    for (const GList *l = w->live.head; l; l = l->next)
        if (((const sim_task *)l->data)->tab == tab)
            return TRUE;
    return FALSE;
}

static void tab_digest(const sim_world *w, const sim_tab *tab, const int *ren, sim_digest *h)
{
    sim_digest_u64(h, tab_as(ren, tab->index));
    if (!tab_has_task(w, tab)) {
        /* Inert for good: only a task of its own runs a tab's code, and a
         * fault strikes at one (a reload spawns the new main at once), so
         * nothing it remembers has a future: not its hash, its counters
         * or its generator.  What it did lives on in storage and the
         * monitor.  Two tabs that finished by different paths are one. */
        sim_digest_u64(h, UINT64_C(0x1de1dead) | (uint64_t)tab->closed << 32);
        return;
    }
    /* Its shared objects and each task's own hash when the program can
     * describe them (env_digest.c, "Shared objects"), else its hash. */
    sim_digest heap;
    gboolean own = sim_tab_heap_digest(tab, &heap);
    if (!own)
        heap = tab->dig;
    sim_digest_u64(h, heap.lo);
    sim_digest_u64(h, heap.hi);
    task_name(h, tab->owner, ren);
    /* Two 32-bit counts a word (GQueue lengths are guint, generation and
     * tasks_made int): fewer words, the same facts. */
    sim_digest_u64(h, (uint64_t)tab->ready.length | (uint64_t)tab->handoff.length << 32);
    for (const GList *l = tab->ready.head; l; l = l->next)
        task_name(h, l->data, ren);
    /* Woken behind the running task (env_wait.c): it may still make
     * storage calls before it gives the tab up to them. */
    for (const GList *l = tab->handoff.head; l; l = l->next)
        task_name(h, l->data, ren);
    sim_digest_u64(h, tab->rng);
    gboolean frozen = tab->frozen_until_us > w->now_us; /* a freeze over is over */
    /* Its yes-or-no facts, then the words that are there (from bit 4:
     * those most states do without), as a task's (task_digest). */
    uint64_t flags = (uint64_t)tab->rng_seeded | (uint64_t)tab->main_done << 1 | (uint64_t)tab->closed << 2 |
                     (uint64_t)(tab->program_state != NULL) << 3 | (uint64_t)frozen << 4 |
                     (uint64_t)(tab->random_outcomes != 0) << 5 | (uint64_t)(tab->flushes_done != 0) << 6;
    sim_digest_u64(h, flags);
    if (tab->random_outcomes != 0)
        sim_digest_u64(h, (uint64_t)tab->random_outcomes);
    sim_digest_u64(h, (uint64_t)tab->work_done);
    if (tab->flushes_done != 0)
        sim_digest_u64(h, (uint64_t)tab->flushes_done);
    sim_digest_u64(h, (uint64_t)(uint32_t)tab->generation | (uint64_t)(uint32_t)tab->tasks_made << 32);
    if (frozen)
        sim_digest_u64(h, instant(w, tab->frozen_until_us));
    for (const GList *l = w->live.head; l; l = l->next) {
        const sim_task *t = l->data;
        if (t->tab == tab)
            task_digest(w, t, own, ren, h);
    }
}

/* ---- Symmetry ----
 *
 * With SIM_DIGEST_SYMMETRIC assumed (--symmetry, where the program says
 * its tabs are interchangeable: sim_program_ops.asymmetric), a state and
 * its image under a renaming of the tabs are one state.  The digest is
 * that of the renamed state in which the tabs stand in a canonical order:
 * each tab's signature is its own part digested with every tab named
 * alike (its tasks, its running hash, seeded alike under the assumption,
 * sim_tab_digest_seed), its place in each Web Locks queue and whether it
 * is in the critical section; the tabs are sorted by signature (ties by
 * index), and the world is then digested with every tab named by its
 * place in that order: the tabs folded in that order, task names, Web
 * Locks requests and waiters, the monitor's tab in the critical section.
 * Sound whatever the order: equal digests are the same renamed state, so
 * the two states are images of each other, and the futures of one are
 * those of the other renamed (the program's claim, which the search
 * checks at run time where it can: a write to storage, whose keys and
 * values may name a tab, breaks it, explore_state.c).  Canonical where
 * the signatures tell the tabs apart or tied tabs are alike: two tabs
 * with equal signatures differ at most in which tasks of other tabs name
 * them, which no part does in a lock workload.  The canonical places are
 * handed to the search (sim_world_digest_canon), which keeps each state's
 * sleep set in them. */

const char *sim_world_digest_asymmetric(const sim_scenario *s)
{
    const sim_program_ops *p = sim_programs[s->workload_mode];
    if (!p->asymmetric)
        return "the program's tabs are not interchangeable";
    const char *why = p->asymmetric(s);
    if (why)
        return why;
    if (s->background_tabs > 0)
        return "[faults] background_tabs sets tabs apart";
    if (sim_storage_models[s->storage_model]->per_tab)
        return "the storage model keeps state of its own for each tab";
    return NULL;
}

typedef struct tab_sig {
    sim_digest d;
    int index;
} tab_sig;

static int sig_cmp(const void *a, const void *b)
{
    const tab_sig *x = a, *y = b;
    if (x->d.lo != y->d.lo)
        return x->d.lo < y->d.lo ? -1 : 1;
    if (x->d.hi != y->d.hi)
        return x->d.hi < y->d.hi ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* ren[i]: the canonical place (1-based) of tab i + 1. */
static void canonical_order(const sim_world *w, int *ren)
{
    int n = w->n_tabs;
    int alike[SIM_TABS_MAX] = {0};
    tab_sig sig[SIM_TABS_MAX];
    for (int i = 0; i < n; i++) {
        const sim_tab *tab = &w->tabs[i];
        sim_digest h;
        sim_digest_init(&h, UINT64_C(0x73796d6d65747279)); /* "symmetry" */
        tab_digest(w, tab, alike, &h);
        sim_weblocks_tab_digest(w->weblocks, tab->index, &h);
        sim_digest_u64(&h, (uint64_t)(w->monitor->cs_tab == tab->index));
        sim_digest_finish(&h, &sig[i].d);
        sig[i].index = tab->index;
    }
    qsort(sig, (size_t)n, sizeof sig[0], sig_cmp);
    for (int k = 0; k < n; k++)
        ren[sig[k].index - 1] = k + 1;
}

void sim_world_digest(const sim_world *w, sim_digest *out)
{
    sim_world_digest_canon(w, out, NULL);
}

void sim_world_digest_canon(const sim_world *w, sim_digest *out, uint8_t *canon)
{
    int ren_buf[SIM_TABS_MAX];
    const int *ren = NULL;
    if (w->digest_assume & SIM_DIGEST_SYMMETRIC) {
        canonical_order(w, ren_buf);
        ren = ren_buf;
    }
    fold_ctx c = {w, ren};
    sim_digest h;
    sim_digest_init(&h, UINT64_C(0x74616273696d)); /* "tabsim" */
    /* Storage: the browser's map (128 bits, kept as it changes) and the
     * model's own state, folded twice with two seeds (its fold is 64-bit). */
    sim_storage_digest(w->storage, &h);
    uint64_t seeds[2] = {UINT64_C(14695981039346656037), UINT64_C(0x6c62272e07bb0142)};
    for (int i = 0; w->model->digest && i < 2; i++) /* none: the searches that store states refuse to run */
        sim_digest_u64(&h, w->model->digest(w, seeds[i]));
    sim_weblocks_digest(w->weblocks, &h, waiter_fold, &c, ren);
    sim_monitor_digest(w->monitor, &h, task_id_fold, &c, ren);
    /* Time, the workload, faults used. */
    sim_digest_u64(&h, instant(w, w->now_us));
    sim_digest_u64(&h, w->drain_end_us >= 0);
    sim_digest_u64(&h, w->drain_end_us >= 0 ? instant(w, w->drain_end_us) : 0);
    sim_digest_u64(&h, (uint64_t)w->spawned_live);
    sim_digest_u64(&h, (uint64_t)w->mains_live);
    sim_digest_u64(&h, (uint64_t)w->deadlock);
    sim_digest_u64(&h, (uint64_t)w->tab_closes);
    sim_digest_u64(&h, (uint64_t)w->tab_freezes);
    sim_digest_u64(&h, (uint64_t)w->tab_reloads);
    sim_digest_u64(&h, (uint64_t)w->tab_stalls);
    sim_digest_u64(&h, (uint64_t)w->server_faults);
    sim_digest_u64(&h, (uint64_t)w->live.length);
    if (ren) {
        int order[SIM_TABS_MAX];
        for (int i = 0; i < w->n_tabs; i++)
            order[ren[i] - 1] = i;
        for (int k = 0; k < w->n_tabs; k++)
            tab_digest(w, &w->tabs[order[k]], ren, &h);
    } else {
        for (int i = 0; i < w->n_tabs; i++)
            tab_digest(w, &w->tabs[i], NULL, &h);
    }
    sim_digest_finish(&h, out);
    for (int i = 0; canon && i < w->n_tabs; i++)
        canon[i] = (uint8_t)(ren ? ren[i] - 1 : i);
}
