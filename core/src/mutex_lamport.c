/*
 * mutex_lamport.c - Lamport's fast mutual exclusion, Algorithm 2 of
 * "A Fast Mutual Exclusion Algorithm" (ACM TOCS 5(1), 1987), over
 * localStorage.
 *
 * Why it exists: it is the textbook answer to the seed's problem (mutual
 * exclusion from plain reads and writes, no compare-and-set) and the
 * yardstick for it.  The simulator runs it to show what an algorithm that
 * is correct under its assumptions does in a browser, and the SPIN model in
 * bench/spin/lamport.pml is the same algorithm at the same granularity, to
 * compare the two checkers.
 *
 * The algorithm, process i of 1..N, registers x, y (0 = free) and b[1..N]
 * (initially false), each line one storage call, labelled (xt_env_step) as
 * shown on the right:
 *
 *   start: b[i] := true                                "b[i] := true"
 *          x := i                                      "x := i"
 *          if y != 0 then {                            "read y (y != 0?)"
 *              b[i] := false                           "b[i] := false"
 *              await y = 0                             "await y = 0"
 *              goto start }
 *          y := i                                      "y := i"
 *          if x != i then {                            "read x (x != i?)"
 *              b[i] := false                           "b[i] := false"
 *              for j in 1..N, j != i: await not b[j]   "await not b[j]"
 *              if y != i then {                        "read y (y != i?)"
 *                  await y = 0                         "await y = 0"
 *                  goto start } }
 *          critical section
 *          y := 0                                      "exit: y := 0"
 *          b[i] := false                               "exit: b[i] := false"
 *
 * The paper's loop runs j over 1..N; we skip j = i, whose b[i] this process
 * has just set false itself (the await would pass at once).  The b[j]
 * awaits run in order j = 1..N.  An await is a loop: read; if satisfied,
 * stop; else wait for the key to change (xt_env_wait on that key, no
 * deadline: only another process's write can satisfy it; where the
 * environment offers no such wait, sleep wait_interval_ms) and read
 * again.  Uncontended, lock()
 * makes exactly five storage calls (three writes: b[i], x, y; two reads:
 * y, x) and unlock() exactly two writes, the counts Lamport gives.
 *
 * Storage values: x and y hold the decimal id ("3"; prefix mode: the
 * client id); y reads as 0 when it is absent or "0".  b[j] is "1" for
 * true and "0" or absent for false; any other value counts as true (a
 * claim we did not write and cannot rule out is waited for, not ignored).
 * x and y are compared with i as strings, so an unexpected value is simply
 * "not i".  Writes are always setItem: y := 0 writes "0" and b[i] := false
 * writes "0", never removeItem.
 *
 * Assumptions (the paper's): every storage call is an atomic read or write
 * of one register, which holds in a single-process browser and does NOT
 * hold across processes with per-renderer caches (Chromium's
 * cached_storage_area.h; docs/browser-model.md),
 * the very thing the simulator lets one examine; the set of processes is
 * fixed, with distinct ids 1..N known to every one of them (tabs that come
 * and go have no such numbering: prefix mode, below, replaces it with
 * distinct client ids and an enumerable storage); and no process crashes.
 * There is no expiry: a tab that dies (is closed, discarded or frozen)
 * holding the lock, or anywhere between "b[i] := true" and its next
 * "b[i] := false", blocks every other tab for good.  It guarantees mutual
 * exclusion and deadlock freedom, not starvation freedom: a lock() can
 * lose every race.
 *
 * Prefix mode (peers = XT_LAMPORT_PEERS_PREFIX), for tabs that come and go:
 * i is the tab's client id, a string; x and y hold client ids; b[i] is the
 * key "<prefix>_b_<i>", created by the first "b[i] := true".  The same
 * statements and labels as above, except that the slow path's
 * "for j != i: await not b[j]" lists the flags, then awaits each in the
 * order listed:
 *
 *   for k = 0, 1, ... until key(k) is null              "list flags: key(k)"
 *       if key(k) starts with "<prefix>_b_" and is not b[i]: list it
 *   for each listed b[j]: await not b[j]                "await not b[j]"
 *
 * Why until null and not k < length: a key created during the pass below
 * the cursor pushes every later key one place up, and a pass that stopped
 * at the length read first would miss the last one.  A pass to the first
 * null index lists every key that exists when it starts, provided no key
 * is removed meanwhile (a removal below the cursor moves a key not yet
 * read down past it).  A key read twice (pushed up under the cursor) is
 * listed once.
 *
 * Hence b[i] := false writes "0" and never removes the key.  Removing
 * would keep storage from growing as tabs come and go, but then another
 * tab's "b[j] := false" (backing off or leaving) during our pass moves a
 * flag we have not read yet down past the cursor, hiding a third tab whose
 * flag is true throughout the pass: one inside by the fast path, or one
 * that read y = 0 before our "y := i" and is about to write y, the very
 * tabs the b-wait is for.  tabsim finds it with removal: 3 tabs, 1 lock
 * each, within 4 preemptions, two tabs inside (docs/model-checking.md).
 * The price of "0": one key per client id ever used (a client id is new
 * with every page load), kept for good, and every slow path reads them
 * all (one key(k) per key of the origin, one get per flag).  Collecting
 * dead flags needs removal (the race above) or an expiry, which is a
 * timing assumption (Algorithm 1's delay).  For the same reason other
 * code of the origin must not remove keys while a tab is in the pass.
 *
 * The enumeration race: a flag created after the pass went by its place
 * is not listed.  This is safe.  An unlisted flag did not exist when the
 * pass began, after our "y := i", so b[j] was false then: what "await not
 * b[j]" would have read at that moment.  Lamport's proof needs, for each
 * j, one read of b[j] = false made after our "y := i", in any order of the
 * j (nothing in it uses the order 1..N), so the listing is the paper's
 * loop with the unlisted flags read at the start of the pass.  Put
 * directly: such a j raises b[j], writes x and reads y after our "y := i";
 * it finds y != 0 and backs off, unless some process left the critical
 * section in between (y := 0), which is the paper's own case of a b[j]
 * read false just before j raised it.  It takes three tabs (with two, the
 * tab that made us take the slow path wrote x, so its flag exists); tabsim
 * checks it in scenarios/lamport-prefix-3tabs.ini.
 *
 * A tab closed between "b[i] := true" and its next "b[i] := false" leaves
 * its flag "1" for good (a reload comes back with a new client id, so a
 * new key), and every tab that takes the slow path from then on waits for
 * it forever: a progress violation (scenarios/lamport-prefix-close.ini).
 * In fixed mode the same holds for b[j] of a closed tab j.
 *
 * Tasks.  The paper's processes are sequential; a tab is not: its flush
 * loop and each addEvent are tasks sharing the tab's mutex object and id.
 * With the setting tasks = shared (the default: the algorithm as written)
 * two tasks of one tab both write i and both read i back, so both enter
 * (scenarios/lamport-events-same-tab.ini).  tasks = serialised puts the
 * in-tab FIFO mutex of mutex_serial.c in front: of each tab one task at a
 * time is Lamport's process i.
 *
 * The omit variants, mutants compiled only under XT_LAMPORT_MUTANTS (never
 * into libxt; see xt/mutex_lamport.h), show that a checker finds a real bug:
 *   OMIT_B_WAIT drops the "for j: await not b[j]" loop.  That is
 *       Algorithm 1 with its delay set to zero; the delay (or the b-wait)
 *       is what lets a process that read y = 0 before us finish writing y.
 *       Counterexample, N = 2:  1: b[1] := true, x := 1, reads y = 0;
 *       2: b[2] := true, x := 2, reads y = 0, y := 2, reads x = 2, enters;
 *       1: y := 1, reads x = 2 (not 1), b[1] := false, reads y = 1 (its
 *       own), enters.  Both are in the critical section.  With the b-wait,
 *       1 waits for b[2], which stays true until 2 has left.
 *   OMIT_Y_RECHECK drops "if y != i then {await y = 0; goto start}" after
 *       the b-wait: every process that reached the slow path enters.
 *       Counterexample, N = 2:  1 and 2 both write x and read y = 0; 1
 *       writes y, then 2; 2 reads x = 2 and enters; 1 reads x = 2, clears
 *       b[1] and waits for b[2].  2 leaves (y := 0, b[2] := false), so 1
 *       enters without looking at y, while 2 starts again, finds y = 0,
 *       reads x = 2 and enters too.
 *   OMIT_Y_WAIT drops the fast path's "await y = 0" after it found y
 *       taken: the process goes back to start at once and spins.  Still
 *       safe, but no longer waiting: a run can go on for ever, two
 *       processes restarting each other (a stateless search meets its
 *       history bound; the stateful search names the cycle).
 *
 * Errors.  A storage error (XT_EQUOTA, XT_EUNAVAILABLE, XT_ECANCELLED)
 * ends lock() at once with that error, and so does XT_ECANCELLED from a
 * wait.  The bound: one lock() may wait at most retries_max times in its
 * awaits, all awaits together; an unsatisfied await read after that ends
 * lock() with XT_ELOCKTIMEOUT.  retries_max < 0 is no bound: the paper's
 * algorithm, which waits as long as it takes (the waits spent are then no
 * part of its state, which is what a stateful search compares).  (A wait ends at a change of its key, so
 * against a process that has crashed holding the lock it never ends;
 * where waits are polls, retries_max polls bound it.)  (Restarts that need no sleep are not
 * counted: each one is paid for by another process's exit from the
 * critical section, since y went from non-zero to 0 between two reads.)
 * Cleanup on failure: if b[i] may be true (the error came between
 * "b[i] := true" and the next "b[i] := false"), lock() writes b[i] := false
 * once more ("abort: b[i] := false"), ignoring its result, unless the error
 * is XT_ECANCELLED (the tab is going away; every call would fail).  This
 * is safe: after it, this process writes neither x nor y again in this
 * lock(), and the b-wait only exists to wait for such writes.  y is never
 * cleaned up: a lock() that fails after its "y := i" (in the x != i branch,
 * by error or timeout) may leave y = i.  Then other processes wait at
 * "await y = 0" until a process in the critical section exits (its
 * "y := 0" clears it), or for ever if none is there, as after a crash.
 * Writing y := 0 ourselves is NOT safe: between our read of y = i and our
 * write, a process that read y = 0 earlier may write its own id and enter
 * (x still holds its id), and our y := 0 would then let a third one in.
 *
 * unlock() writes "exit: y := 0" then "exit: b[i] := false" and never
 * fails; errors are swallowed, and XT_ECANCELLED on the first write skips
 * the second.
 */
#include "xt/mutex_lamport.h"

#include <assert.h>
#include <string.h>

#define LAMPORT_KEY_PREFIX_DEFAULT "lamport"
#define LAMPORT_WAIT_INTERVAL_MS_DEFAULT 50
#define LAMPORT_RETRIES_MAX_DEFAULT 100000

#define LAMPORT_TRUE "1"
#define LAMPORT_FALSE "0"
#define LAMPORT_ZERO "0"

/* Where lock() or unlock() is: a label alone does not say it ("b[i] :=
 * false" both backs off from the fast path and opens the slow one). */
typedef enum lamport_phase {
    LAMPORT_PHASE_FAST,  /* from `start` to the fast path's end */
    LAMPORT_PHASE_SLOW,  /* the slow path after "read x" found x != i */
    LAMPORT_PHASE_EXIT,  /* unlock() */
    LAMPORT_PHASE_ABORT  /* lock()'s cleanup after an error: no marks (the error is state) */
} lamport_phase;

typedef struct lamport_mutex {
    xt_mutex base; /* first: an xt_mutex* is a lamport_mutex* */
    xt_lamport_mutex_options options; /* key_prefix points at the copy below */
    char *key_prefix;
    char *key_x;
    char *key_y;
    char **key_b;     /* fixed: key_b[j] for j = 1..n; key_b[0] is NULL */
    char *key_b_own;  /* b[i]: key_b[id] (fixed) or "<prefix>_b_<client id>" */
    char *b_prefix;   /* prefix: "<prefix>_b_", what a flag key starts with */
    GPtrArray *listed;     /* prefix: the flags the last pass listed (owned) */
    GHashTable *listed_set; /* ... the same strings, to list each once */
    char *id_str;     /* i: what x := i and y := i write */
    GString *value;   /* scratch for reads */
    int sleeps;       /* waits spent by the current lock() */
    gboolean b_maybe_true; /* b[i] written true since the last false */
    lamport_phase phase;   /* where its steps are, for their state marks */
} lamport_mutex;

/* What one pass from `start` ended with, when it did not fail. */
typedef enum attempt_result { ATTEMPT_RESTART = 1, ATTEMPT_ENTER = 2 } attempt_result;

void xt_lamport_mutex_options_init(xt_lamport_mutex_options *options)
{
    assert(options);
    memset(options, 0, sizeof *options);
    options->key_prefix = NULL;
    options->id = 0;
    options->n = 0;
    options->wait_interval_ms = LAMPORT_WAIT_INTERVAL_MS_DEFAULT;
    options->retries_max = LAMPORT_RETRIES_MAX_DEFAULT;
#ifdef XT_LAMPORT_MUTANTS
    options->omit = XT_LAMPORT_OMIT_NONE;
#endif
    options->peers = XT_LAMPORT_PEERS_FIXED;
    options->client_id = NULL;
}

static void lamport_mark(lamport_mutex *lm, const char *label, const char *key);

/* Every storage call below begins with a state mark: the label and
 * lamport_mark's live values are all that lock() and unlock() carry from
 * one call to the next (a read's result is consumed by the branch that
 * follows it, and the phase tells the branches apart). */
static int lamport_write(lamport_mutex *lm, const char *label, const char *key,
                         const char *value)
{
    lamport_mark(lm, label, NULL);
    xt_env_step(lm->base.env, label);
    return xt_env_set(lm->base.env, key, value);
}

/* b[i] := value, keeping b_maybe_true exact (a failed set changes nothing). */
static int lamport_write_b(lamport_mutex *lm, const char *label, gboolean value)
{
    int rc = lamport_write(lm, label, lm->key_b_own, value ? LAMPORT_TRUE : LAMPORT_FALSE);
    if (rc == XT_OK)
        lm->b_maybe_true = value;
    return rc;
}

/* Reads key; *zero = it is absent or "0".  XT_OK or the storage error. */
static int lamport_read_zero(lamport_mutex *lm, const char *label, const char *key,
                             gboolean *zero)
{
    lamport_mark(lm, label, key);
    xt_env_step(lm->base.env, label);
    int rc = xt_env_get(lm->base.env, key, lm->value);
    if (rc == XT_ENOTFOUND) {
        *zero = TRUE;
        return XT_OK;
    }
    *zero = rc == XT_OK && strcmp(lm->value->str, LAMPORT_ZERO) == 0;
    return rc;
}

/* Reads key; *mine = it holds i.  XT_OK or the storage error. */
static int lamport_read_mine(lamport_mutex *lm, const char *label, const char *key,
                             gboolean *mine)
{
    lamport_mark(lm, label, NULL);
    xt_env_step(lm->base.env, label);
    int rc = xt_env_get(lm->base.env, key, lm->value);
    *mine = rc == XT_OK && strcmp(lm->value->str, lm->id_str) == 0;
    return rc == XT_ENOTFOUND ? XT_OK : rc;
}

/* A state mark (xt_env_mark) before each storage call, and at `start`
 * and "entered" (key NULL, or in an await the key read: in fixed mode it
 * names j, and so the rest of the "for j" loop): what this lock() or
 * unlock() does next depends only on the label, the phase, the waits
 * spent (sleeps, which retries_max bounds; none outside lock(), which
 * starts them at 0, nor with no bound), on b_maybe_true, and on what it reads from here.
 * Not on `attempt`, which only numbers the passes for the telemetry.  In
 * prefix mode the flags listed by the pass are state too: no mark in its
 * awaits of b[j].  Its waits are for the key just read (the rule of
 * marks, xt/env.h).  Without the mark method (a browser), nothing is
 * built. */
static void lamport_mark(lamport_mutex *lm, const char *label, const char *key)
{
    if (!xt_env_has_mark(lm->base.env) || lm->phase == LAMPORT_PHASE_ABORT)
        return;
    if (key && lm->options.peers != XT_LAMPORT_PEERS_FIXED && key != lm->key_y)
        return;
    gboolean waits_count = lm->phase != LAMPORT_PHASE_EXIT && strcmp(label, "entered") != 0 &&
                       lm->options.retries_max >= 0;
    /* The live values as bytes (only ever digested, never shown): waits
     * spent, b_maybe_true, phase, then the key. */
    unsigned char live[96];
    int32_t sleeps = waits_count ? lm->sleeps : 0;
    memcpy(live, &sleeps, sizeof sleeps);
    live[4] = lm->b_maybe_true ? 1 : 0;
    live[5] = (unsigned char)lm->phase;
    size_t len = 6;
    if (key) {
        size_t n = MIN(strlen(key), sizeof live - len);
        memcpy(live + len, key, n);
        len += n;
    }
    xt_env_mark(lm->base.env, label, live, len);
}

/* await key = 0 (for y) or await not b[j] (for b_j: "0" or absent is
 * false): read; if satisfied stop; else wait for the key to change and
 * read again.  XT_OK, a storage or wait error, or XT_ELOCKTIMEOUT once
 * this lock() has spent retries_max waits. */
static int lamport_await_zero(lamport_mutex *lm, const char *label, const char *key)
{
    for (;;) {
        gboolean zero; /* lamport_read_zero marks the loop head */
        int rc = lamport_read_zero(lm, label, key, &zero);
        if (rc != XT_OK)
            return rc;
        if (zero)
            return XT_OK;
        if (lm->options.retries_max >= 0 && lm->sleeps >= lm->options.retries_max)
            return XT_ELOCKTIMEOUT;
        lm->sleeps++;
        /* Only a write of key can satisfy the await: wait for its change,
         * with no deadline (a spurious wake-up just reads again).  Without
         * change notification, poll. */
        const char *const keys[1] = {key};
        rc = xt_env_has_wait(lm->base.env) ? xt_env_wait(lm->base.env, keys, 1, -1)
                                           : xt_env_sleep_ms(lm->base.env, lm->options.wait_interval_ms);
        if (rc != XT_OK)
            return rc;
    }
}

/* Prefix mode: the pass of the file comment, key(k) until null; fills
 * lm->listed.  XT_OK or the storage error. */
static int lamport_list_flags(lamport_mutex *lm)
{
    g_hash_table_remove_all(lm->listed_set);
    g_ptr_array_set_size(lm->listed, 0);
    for (size_t k = 0;; k++) {
        xt_env_step(lm->base.env, "list flags: key(k)");
        int rc = xt_env_key(lm->base.env, k, lm->value);
        if (rc == XT_ENOTFOUND)
            return XT_OK;
        if (rc != XT_OK)
            return rc;
        const char *key = lm->value->str;
        if (!g_str_has_prefix(key, lm->b_prefix) || strcmp(key, lm->key_b_own) == 0 ||
            g_hash_table_contains(lm->listed_set, key))
            continue;
        char *copy = g_strdup(key);
        g_ptr_array_add(lm->listed, copy);
        g_hash_table_add(lm->listed_set, copy);
    }
}

/* "for j != i: await not b[j]", either mode.  XT_OK or an error. */
static int lamport_await_flags(lamport_mutex *lm)
{
    if (lm->options.peers == XT_LAMPORT_PEERS_FIXED) {
        for (int j = 1; j <= lm->options.n; j++) {
            if (j == lm->options.id)
                continue;
            int rc = lamport_await_zero(lm, "await not b[j]", lm->key_b[j]);
            if (rc != XT_OK)
                return rc;
        }
        return XT_OK;
    }
    int rc = lamport_list_flags(lm);
    for (guint k = 0; rc == XT_OK && k < lm->listed->len; k++)
        rc = lamport_await_zero(lm, "await not b[j]", g_ptr_array_index(lm->listed, k));
    return rc;
}

/* The slow path after "read x" found x != i: ATTEMPT_ENTER,
 * ATTEMPT_RESTART or an error. */
static int lamport_slow_path(lamport_mutex *lm)
{
    lm->phase = LAMPORT_PHASE_SLOW;
    int rc = lamport_write_b(lm, "b[i] := false", FALSE);
    if (rc != XT_OK)
        return rc;
#ifdef XT_LAMPORT_MUTANTS
    if (lm->options.omit != XT_LAMPORT_OMIT_B_WAIT) {
        rc = lamport_await_flags(lm);
        if (rc != XT_OK)
            return rc;
    }
    if (lm->options.omit == XT_LAMPORT_OMIT_Y_RECHECK)
        return ATTEMPT_ENTER;
#else
    rc = lamport_await_flags(lm);
    if (rc != XT_OK)
        return rc;
#endif
    gboolean y_mine;
    rc = lamport_read_mine(lm, "read y (y != i?)", lm->key_y, &y_mine);
    if (rc != XT_OK)
        return rc;
    if (y_mine)
        return ATTEMPT_ENTER;
    rc = lamport_await_zero(lm, "await y = 0", lm->key_y);
    return rc != XT_OK ? rc : ATTEMPT_RESTART;
}

/* One pass from `start`: ATTEMPT_ENTER, ATTEMPT_RESTART (the await before
 * "goto start" is satisfied) or a negative error. */
static int lamport_attempt(lamport_mutex *lm)
{
    lm->phase = LAMPORT_PHASE_FAST;
    int rc = lamport_write_b(lm, "b[i] := true", TRUE);
    if (rc != XT_OK)
        return rc;
    rc = lamport_write(lm, "x := i", lm->key_x, lm->id_str);
    if (rc != XT_OK)
        return rc;
    gboolean y_zero;
    rc = lamport_read_zero(lm, "read y (y != 0?)", lm->key_y, &y_zero);
    if (rc != XT_OK)
        return rc;
    if (!y_zero) {
        rc = lamport_write_b(lm, "b[i] := false", FALSE);
        if (rc != XT_OK)
            return rc;
#ifdef XT_LAMPORT_MUTANTS
        if (lm->options.omit == XT_LAMPORT_OMIT_Y_WAIT)
            return ATTEMPT_RESTART;
#endif
        rc = lamport_await_zero(lm, "await y = 0", lm->key_y);
        return rc != XT_OK ? rc : ATTEMPT_RESTART;
    }
    rc = lamport_write(lm, "y := i", lm->key_y, lm->id_str);
    if (rc != XT_OK)
        return rc;
    gboolean x_mine;
    rc = lamport_read_mine(lm, "read x (x != i?)", lm->key_x, &x_mine);
    if (rc != XT_OK)
        return rc;
    return x_mine ? ATTEMPT_ENTER : lamport_slow_path(lm);
}

/* lock() failed with err: the best-effort cleanup of the file comment. */
static int lamport_abort(lamport_mutex *lm, int err)
{
    lm->phase = LAMPORT_PHASE_ABORT;
    if (err != XT_ECANCELLED && lm->b_maybe_true)
        (void)lamport_write_b(lm, "abort: b[i] := false", FALSE);
    xt_env_debug(lm->base.env, "LamportMutex %s: lock aborted: %s", lm->id_str, xt_strerror(err));
    return err;
}

static int lamport_lock(xt_mutex *mutex)
{
    lamport_mutex *lm = (lamport_mutex *)mutex;
    lm->sleeps = 0;
    /* Bounded by retries_max sleeps and by the other processes' progress
     * (see "Errors" in the file comment). */
    for (int attempt = 1;; attempt++) {
        lm->phase = LAMPORT_PHASE_FAST;
        lamport_mark(lm, "start", NULL);
        int rc = lamport_attempt(lm);
        if (rc < 0)
            return lamport_abort(lm, rc);
        if (rc == ATTEMPT_ENTER) {
            /* What lock() leaves for unlock: b_maybe_true alone. */
            lamport_mark(lm, "entered", NULL);
            xt_env_debug(mutex->env, "LamportMutex %s: lock acquired after %d attempt(s)", lm->id_str,
                         attempt);
            return attempt; /* positive: attempts used (see mutex.c) */
        }
        assert(rc == ATTEMPT_RESTART);
        xt_env_observe(mutex->env, XT_OBS_LOCK_RETRY, "lamport", NULL, attempt);
        assert(attempt < G_MAXINT);
    }
}

static void lamport_unlock(xt_mutex *mutex)
{
    lamport_mutex *lm = (lamport_mutex *)mutex;
    lm->phase = LAMPORT_PHASE_EXIT;
    int rc = lamport_write(lm, "exit: y := 0", lm->key_y, LAMPORT_ZERO);
    if (rc != XT_ECANCELLED)
        (void)lamport_write_b(lm, "exit: b[i] := false", FALSE);
    xt_env_debug(mutex->env, "LamportMutex %s: lock released%s", lm->id_str,
                 rc == XT_ECANCELLED ? " (cancelled)" : "");
}

static void lamport_free(xt_mutex *mutex)
{
    lamport_mutex *lm = (lamport_mutex *)mutex;
    if (lm->key_b) {
        for (int j = 1; j <= lm->options.n; j++)
            g_free(lm->key_b[j]);
        g_free(lm->key_b);
    } else {
        g_free(lm->key_b_own);
    }
    g_free(lm->b_prefix);
    if (lm->listed)
        g_ptr_array_free(lm->listed, TRUE);
    if (lm->listed_set)
        g_hash_table_destroy(lm->listed_set);
    g_free(lm->key_prefix);
    g_free(lm->key_x);
    g_free(lm->key_y);
    g_free(lm->id_str);
    g_string_free(lm->value, TRUE);
    g_free(lm);
}

/* The state one lock() leaves for the next call: waits spent, whether
 * b[i] may be true, the phase and, in prefix mode, the flags the last
 * pass listed.  Not value (scratch, filled by each read just before it is
 * looked at). */
static void lamport_describe(const xt_mutex *mutex, xt_describe_fn fold, void *ctx)
{
    const lamport_mutex *lm = (const lamport_mutex *)mutex;
    int32_t live[3] = {lm->sleeps, lm->b_maybe_true ? 1 : 0, (int32_t)lm->phase};
    fold(ctx, live, sizeof live);
    for (guint i = 0; lm->listed && i < lm->listed->len; i++) {
        const char *key = g_ptr_array_index(lm->listed, i);
        fold(ctx, key, strlen(key) + 1);
    }
}

static const xt_mutex_ops lamport_ops = {
    .name = "lamport",
    .exclusive = TRUE,
    .lock = lamport_lock,
    .unlock = lamport_unlock,
    .free = lamport_free,
    .describe = lamport_describe,
};

/* The decimal text of a process id (0..XT_LAMPORT_N_MAX), in buf.  Not
 * printf: a mutex is built per tab and per run, an exhaustive check makes
 * hundreds of thousands of runs, and formatting its five key names with
 * g_strdup_printf was 7 % of such a check's instructions (callgrind,
 * scenarios/lamport-2tabs.ini). */
static const char *id_decimal(int id, char buf[12])
{
    char *p = buf + 11;
    *p = '\0';
    do {
        *--p = (char)('0' + id % 10);
        id /= 10;
    } while (id > 0);
    return p;
}

xt_mutex *xt_lamport_mutex_new(xt_env *env, const xt_lamport_mutex_options *options)
{
    assert(env && options);
    assert(options->peers == XT_LAMPORT_PEERS_FIXED || options->peers == XT_LAMPORT_PEERS_PREFIX);
    if (options->peers == XT_LAMPORT_PEERS_FIXED) {
        assert(options->n >= 1 && options->n <= XT_LAMPORT_N_MAX);
        assert(options->id >= 1 && options->id <= options->n);
    } else {
        /* "0" is y's free value: a y holding that id would read as free. */
        assert(options->client_id && options->client_id[0] &&
               strcmp(options->client_id, LAMPORT_ZERO) != 0);
    }
    assert(options->wait_interval_ms >= 0);
    assert(options->retries_max >= -1);
#ifdef XT_LAMPORT_MUTANTS
    assert(options->omit == XT_LAMPORT_OMIT_NONE || options->omit == XT_LAMPORT_OMIT_B_WAIT ||
           options->omit == XT_LAMPORT_OMIT_Y_RECHECK || options->omit == XT_LAMPORT_OMIT_Y_WAIT);
#endif

    lamport_mutex *lm = g_new0(lamport_mutex, 1);
    lm->base.ops = &lamport_ops;
    lm->base.env = env;
    lm->options = *options;
    lm->key_prefix = g_strdup(options->key_prefix ? options->key_prefix
                                                  : LAMPORT_KEY_PREFIX_DEFAULT);
    lm->options.key_prefix = lm->key_prefix;
    lm->key_x = g_strconcat(lm->key_prefix, "_x", NULL);
    lm->key_y = g_strconcat(lm->key_prefix, "_y", NULL);
    char buf[12];
    if (options->peers == XT_LAMPORT_PEERS_FIXED) {
        lm->key_b = g_new0(char *, (gsize)options->n + 1);
        for (int j = 1; j <= options->n; j++)
            lm->key_b[j] = g_strconcat(lm->key_prefix, "_b_", id_decimal(j, buf), NULL);
        lm->key_b_own = lm->key_b[options->id];
        lm->id_str = g_strdup(id_decimal(options->id, buf));
    } else {
        lm->b_prefix = g_strconcat(lm->key_prefix, "_b_", NULL);
        lm->key_b_own = g_strconcat(lm->b_prefix, options->client_id, NULL);
        lm->id_str = g_strdup(options->client_id);
        lm->listed = g_ptr_array_new_with_free_func(g_free);
        lm->listed_set = g_hash_table_new(g_str_hash, g_str_equal);
    }
    lm->options.client_id = lm->id_str;
    lm->value = g_string_new(NULL);
    return &lm->base;
}
