/*
 * events.pml - the SDK's event store under a mutex: N tabs, each adding
 * ADDS events and flushing FLUSHES times, every storage access under the
 * lock, at the granularity of tabsim's exhaustive checker (one storage
 * call = one transition), for comparing tabsim with SPIN on the events
 * workload (bench/bench_spin.sh; the correspondence, call by call, is in
 * README.md).
 *
 * What tabsim runs (core/src/event_store.c, ts_store.c, processor.c under
 * sim/programs/program_sdk.c, scenarios events-N*-A*-F*.ini here):
 *   add (one task per event, spawned in order; xt_ts_store_add_async):
 *     lock; get entity ("read events"); set entity + e ("save events");
 *     unlock
 *   flush (one task per tab, FLUSHES rounds; xt_processor_flush with
 *   send_under_lock): lock; get entity; if it holds events: send them
 *   (the server stores the delivery), then get entity again and, if some
 *   sent id is still there, set entity - sent ("delete events"); unlock
 * The mutex is the Web Locks API (`[mutex] algorithm = web-locks`): an
 * exclusive lock granted in FIFO order of the requests.  Here a request is
 * a send of the task's number on the channel `lockq` (one transition, as
 * tabsim's locks.request is one step); the task holds the lock while its
 * number is at the head (a receive-test, folded into the task's first
 * read), and the release removes it (one transition: locks.release).
 *
 * The entity is a bit set of event numbers (event k of tab t is bit
 * (t-1)*ADDS + k-1), as the JSON list of ids is in storage; `sent` is the
 * server's set of delivered ids.
 *
 * Properties (the four tabsim judges, as far as they apply):
 *   mutual exclusion  cs <= 1 at every entry (an assertion)
 *   duplicate         a send never carries an id already delivered
 *   lost event        when every task is done, every event is stored or
 *                     delivered (checked by init at the end)
 *   progress          no invalid end state (plain pan: deadlock freedom)
 *
 * Macros (spin -DN=3 -DADDS=2 -DFLUSHES=1 ...): N tabs (default 2), ADDS
 * adds per tab (1), FLUSHES flushes per tab (1); N * ADDS <= 8.
 */
#ifndef N
#define N 2
#endif
#ifndef ADDS
#define ADDS 1
#endif
#ifndef FLUSHES
#define FLUSHES 1
#endif

#define TASKS (N * ADDS + N)          /* adds, then one flush task per tab */
#define ALL ((1 << (N * ADDS)) - 1)   /* every event's bit */

chan lockq = [TASKS] of { byte };     /* Web Locks: waiting and holding requests, FIFO */
byte store = 0;                       /* localStorage: the events entity (bit set of ids) */
byte sent = 0;                        /* the server: ids delivered so far */
byte cs = 0;                          /* ghost: tasks holding the lock */

/* Event e (0-based) of one tab: lock, read, write, unlock.  A tab's loop
 * spawns its next add after this one's request (the spawned task runs at
 * once until its first await, the request; the loop's sleep(0) before the
 * next add is folded into that transition), so a tab's requests are
 * queued in the order of its events, as in tabsim. */
proctype Add(byte task; byte e; byte last)
{
    byte tmp;
    atomic { lockq!task;                                     /* locks.request */
             if
             :: e < last -> run Add(task + 1, e + 1, last)   /* the tab's next add */
             :: else -> skip
             fi }
    atomic { lockq?[eval(task)] -> cs++; assert(cs <= 1);    /* granted ... */
             tmp = store }                                   /* ... read events */
    store = tmp | (1 << e);                                  /* save events */
    atomic { cs--; lockq?eval(task) }                        /* locks.release */
}

/* A tab's flush task: FLUSHES rounds of lock, read, send, read, delete, unlock. */
proctype Flush(byte task)
{
    byte tmp, again, round = 0;
    do
    :: round < FLUSHES ->
        lockq!task;                                          /* locks.request */
        atomic { lockq?[eval(task)] -> cs++; assert(cs <= 1);
                 tmp = store }                               /* read events */
        if
        :: tmp != 0 ->
            atomic { assert((sent & tmp) == 0);              /* no duplicate */
                     sent = sent | tmp }                     /* send events (delivered) */
            again = store;                                   /* read events */
            if
            :: (again & tmp) != 0 -> store = again & ~tmp    /* delete events */
            :: else -> skip                                  /* nothing to delete: no write */
            fi
        :: else -> skip
        fi;
        atomic { cs--; lockq?eval(task); round++ }           /* locks.release */
    :: round == FLUSHES -> break
    od
}

init {
    byte t = 0;
    atomic {
        do
        :: t < N ->
            run Add(t * ADDS, t * ADDS, t * ADDS + ADDS - 1);  /* its first add, which spawns the next */
            run Flush(N * ADDS + t);
            t++
        :: t == N -> break
        od
    }
    /* Every task done: no event lost (each stored or delivered). */
    (_nr_pr == 1);
    assert((store | sent) == ALL)
}
