/*
 * lamport.pml - Lamport's fast mutual exclusion (TOCS 1987, Algorithm 2),
 * the same algorithm and granularity as core/src/mutex_lamport.c, for
 * comparing tabsim's exhaustive checker with SPIN.
 *
 * Granularity: one storage call of the C port is one Promela transition.
 * Reads are the guards of if/do options ("read y (y != 0?)" is the choice
 * between `y != 0` and `else`); local bookkeeping (the loop index j, the
 * count of locks taken, the ghost counter cs) is folded into the transition
 * of the access it belongs to with atomic{}, so it adds no interleavings.
 * An `await` is a blocking guard, e.g. (y == 0): SPIN's standard way, where
 * the C port polls (read; sleep; read ...).  A poll that reads an
 * unsatisfied value changes nothing shared, so it adds states to tabsim's
 * graph but no behaviours.
 *
 *   start: b[i] := true                              1 transition
 *          x := i                                    1
 *          if y != 0 then {                          1 (read y)
 *              b[i] := false; await y = 0;           2
 *              goto start }
 *          y := i                                    1
 *          if x != i then {                          1 (read x; on x = i it
 *                                                       is also the entry)
 *              b[i] := false                         1
 *              for j in 1..N, j != i: await not b[j] 1 each
 *              if y != i then {                      1 (read y; on y = i it
 *                                                       is also the entry)
 *                  await y = 0; goto start } }       1
 *          critical section                          (no transition)
 *          y := 0                                    1
 *          b[i] := false                             1
 *
 * Property: cs counts the processes in the critical section (from the
 * entering read to the exit's y := 0); the entering transition asserts
 * cs <= 1, so mutual exclusion is an assertion (cheap, works with
 * -DSAFETY).  With -DLTL the same property is an LTL formula instead (run
 * `pan -a`; the assertion is then left out, so the claim alone finds it).
 * A process that has taken ACQ locks stops at an end label; any other
 * blocked state is an invalid end state, so plain `pan` also checks
 * deadlock freedom.
 *
 * Macros (spin -DN=3 -DACQ=1 ...):
 *   N              processes, ids 1..N (default 2)
 *   ACQ            locks each process takes (default 2)
 *   OMIT_B_WAIT    drop the b-wait: Algorithm 1 with no delay; unsafe,
 *                  violated with N = 2 (see mutex_lamport.c)
 *   OMIT_Y_RECHECK drop "if y != i then {await y = 0; goto start}"; unsafe,
 *                  violated with N = 2, ACQ = 2
 */
#ifndef N
#define N 2
#endif
#ifndef ACQ
#define ACQ 2
#endif

#define me (_pid + 1)                     /* this process's id, 1..N */
/* The b-wait index after j, skipping me. */
#define after(j) ((j) + 1 == me -> (j) + 2 : (j) + 1)

byte x = 0;          /* a process id; "absent" in storage reads as 0 */
byte y = 0;          /* 0 = free */
bool b[N + 1];       /* b[1..N]; b[0] unused */
byte cs = 0;         /* ghost: processes in the critical section */

#ifdef LTL
ltl mutex { [] (cs <= 1) }
#define check_cs skip                     /* the claim checks instead */
#else
#define check_cs assert(cs <= 1)
#endif

active [N] proctype P()
{
    byte j = 0;      /* the b-wait's next index; 0 when not waiting */
    byte done = 0;   /* critical sections completed */

end_start:
    do
    :: atomic { done < ACQ -> b[me] = true }              /* b[i] := true */
       x = me;                                            /* x := i */
       if
       :: y != 0 ->                                       /* read y (y != 0?) */
          b[me] = false;                                  /* b[i] := false */
          (y == 0);                                       /* await y = 0 */
          goto end_start
       :: else
       fi;
       y = me;                                            /* y := i */
       if
       :: atomic { x == me -> cs++; check_cs }     /* read x (x != i?): enter */
       :: x != me ->                                      /* read x (x != i?) */
#ifdef OMIT_B_WAIT
          atomic { b[me] = false; j = N + 1 }             /* b[i] := false */
#else
          atomic { b[me] = false; j = after(0) }          /* b[i] := false */
#endif
          do
          :: atomic { j <= N && !b[j] -> j = after(j) }   /* await not b[j] */
#ifdef OMIT_Y_RECHECK
          :: atomic { j > N -> j = 0; cs++; check_cs }; break
#else
          :: atomic { j > N && y == me -> j = 0; cs++; check_cs }; break
                                                          /* read y (y != i?): enter */
          :: atomic { j > N && y != me -> j = 0 }         /* read y (y != i?) */
             (y == 0);                                    /* await y = 0 */
             goto end_start
#endif
          od
       fi;
       /* critical section */
       atomic { y = 0; cs-- }                             /* exit: y := 0 */
       atomic { b[me] = false; done++ }                   /* exit: b[i] := false */
    od
}
