#!/usr/bin/env python3
"""lamport_states.py - the reachable states of bench/spin/lamport.pml,
counted by a transcription of the model (one transition a Promela
statement, as SPIN makes them), for telling which of tabsim's extra
states are positions the C port has and the model does not.

    python3 bench/spin/lamport_states.py N ACQ [--unstarted | --begin-step]

Prints the number of states.  It reproduces SPIN's "states stored" for
the model (216, 990, 6,168, 61,548, 173,982, 3,692,373 for N x ACQ = 2x1,
2x2, 3x1, 3x2, 4x1, 4x2; 4 x 2 takes about a minute).  --unstarted: a
process that has not begun is not the process at `start` (a tab that has
not begun, where one that restarted inside lock() is at `start`), though
its first step is the same, b[i] := true (220 and 192,500 states at 2
and 4 x 1, 1,008, 64,470 and 3,974,885 at 2, 3 and 4 x 2: tabsim now,
within 0.4 % but at 2 x 2, 1.7 %).  --begin-step: it also takes a step
of its own to get to `start` (233 and 203,549; tabsim before "A tab's
start"):
docs/model-checking.md, "Quiet steps" and "Against SPIN".

A state: x, y, b[1..N], the ghost cs, and each process's (pc, j, done).
The pcs follow the model's comment: 0 start (b[i] := true), 1 x := i,
2 read y, 3 b[i] := false, 4 await y = 0, 5 y := i, 6 read x,
7 b[i] := false and j := first, 8 the b-wait loop over j (its exits read
y), 9 await y = 0, 12 y := 0 (the critical section ends), 13 b[i] :=
false and done++; -1 not begun (--unstarted, --begin-step).
"""
import sys


def count(n, acq, unstarted, begin_step):
    def after(j, me):
        return j + 2 if j + 1 == me else j + 1

    def successors(state):
        x, y, b, cs, procs = state
        for i, (pc, j, done) in enumerate(procs):
            me = i + 1

            def moved(pc2, j2=j, done2=done, x2=x, y2=y, b2=b, cs2=cs):
                p2 = list(procs)
                p2[i] = (pc2, j2, done2)
                return (x2, y2, b2, cs2, tuple(p2))

            def b_set(value):
                bb = list(b)
                bb[me] = value
                return tuple(bb)

            if pc == -1 and begin_step:
                yield moved(0)
            elif pc in (-1, 0):
                if done < acq:
                    yield moved(1, b2=b_set(True))
            elif pc == 1:
                yield moved(2, x2=me)
            elif pc == 2:
                yield moved(3 if y != 0 else 5)
            elif pc == 3:
                yield moved(4, b2=b_set(False))
            elif pc in (4, 9):
                if y == 0:
                    yield moved(0)
            elif pc == 5:
                yield moved(6, y2=me)
            elif pc == 6:
                yield moved(12, cs2=cs + 1) if x == me else moved(7)
            elif pc == 7:
                yield moved(8, j2=after(0, me), b2=b_set(False))
            elif pc == 8:
                if j <= n and not b[j]:
                    yield moved(8, j2=after(j, me))
                if j > n and y == me:
                    yield moved(12, j2=0, cs2=cs + 1)
                if j > n and y != me:
                    yield moved(9, j2=0)
            elif pc == 12:
                yield moved(13, y2=0, cs2=cs - 1)
            elif pc == 13:
                yield moved(0, b2=b_set(False), done2=done + 1)

    first = -1 if unstarted or begin_step else 0
    init = (0, 0, tuple([False] * (n + 1)), 0, tuple((first, 0, 0) for _ in range(n)))
    seen = {init}
    stack = [init]
    while stack:
        for t in successors(stack.pop()):
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return len(seen)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    if len(args) != 2 or len(flags) > 1 or any(f not in ("--unstarted", "--begin-step") for f in flags):
        sys.stderr.write("usage: lamport_states.py N ACQ [--unstarted | --begin-step]\n")
        return 2
    print(count(int(args[0]), int(args[1]), "--unstarted" in flags, "--begin-step" in flags))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
