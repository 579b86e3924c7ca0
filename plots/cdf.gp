# cdf.gp - distribution (CDF) of lock acquisition latency at one point of a
# sweep (`tabsim sweep ... --stats FILE.csv`), one line per algorithm.
# Input: the raw-sample CSV; column 1 point, 2 kind, 9 value, 13 outcome;
# and beside it the sweep's data file (same name, .dat) for what the runs
# broke (column 3 statistic, 14 runs with a violation, 15 invariants).
# Only granted requests count.  Each algorithm's latencies are first copied
# into a datablock of their own: gnuplot's smoothing restarts at every
# filtered-out row, so it must see the samples contiguous.
# What is drawn, so that nothing misleads:
#  - grants of 0 ms (a free Web Lock; every grant of none) have no place on
#    the log axis: the fraction of them is a downward triangle on the floor,
#    and an algorithm whose grants are all 0 is only that triangle;
#  - an algorithm whose runs broke an invariant is drawn dashed, and its
#    legend entry names the invariants and in how many runs.
load dir."/common.gp"
sweepdat = data[1:strlen(data) - 3]."dat"
set datafile separator ","
is(a) = strcol(2) eq "lock_request" && strcol(13) eq "granted" && strstrt(strcol(1), "mutex.algorithm=".a.";") == 1
do for [i=1:words(algs)] {
    eval sprintf('set table $alg%d', i)
    plot data every ::1 using 9 with table if is(word(algs, i))
    unset table
}
set datafile separator whitespace
floor_ms = 0.01
invariants = "mutual-exclusion lost-event duplicate progress"
cmd = ""
nzero = 0
nbad = 0
do for [i=1:words(algs)] {
    a = word(algs, i)
    # what the runs of this point broke (one row per statistic: take latency's)
    found = ""
    nruns = 0
    stats sweepdat using ((strcol(1) eq a && strcol(3) eq "lock_latency_ms") ? (found = strcol(15), nruns = column(14), 1) : 0) nooutput
    broke = ""
    do for [k=1:words(invariants)] {
        if (strstrt(found, word(invariants, k).":") > 0) {
            broke = broke.(strlen(broke) ? ", " : "").word(invariants, k)
        }
    }
    bad = nruns > 0
    nbad = nbad + bad
    what = bad ? sprintf(" - broke %s in %d/%d runs", broke, nruns, runs) : ""
    eval sprintf('stats $alg%d using ($1 <= 0) nooutput', i)
    n = STATS_records
    zeros = STATS_sum
    nzero = nzero + (zeros > 0)
    if (zeros < n) {
        cmd = cmd.(strlen(cmd) ? ", " : "plot ").sprintf('$alg%d using ($1 > floor_ms ? $1 : floor_ms):(1.0/%d) smooth cumulative with steps lt %d dt %d title "%s (n %d)%s"', i, n, i, bad ? 2 : 1, a, n, what)
    }
    if (zeros > 0) {
        # the share of 0 ms grants, on the floor
        t = zeros == n ? sprintf('title "%s (n %d, all 0 ms)%s"', a, n, what) : "notitle"
        cmd = cmd.(strlen(cmd) ? ", " : "plot ").sprintf('"+" using (floor_ms):(%g) every ::0::0 with points lt %d pt 11 ps 2 %s', zeros * 1.0 / n, i, t)
    }
}
if (nzero > 0) {
    cmd = cmd.', NaN with points pt 11 ps 1.6 lc rgb "#444444" title "on the floor: share of 0 ms grants"'
}
if (nbad > 0) {
    cmd = cmd.', NaN with lines lc rgb "#444444" lw 2 dt 2 title "dashed: runs broke an invariant"'
}
set title sprintf("Lock acquisition latency distribution, %s tabs, %d runs (n = granted requests)", tabs, runs)
set xlabel "time from lock() to grant (virtual ms, log scale)"
set ylabel "fraction of granted requests at or below"
set logscale x 10
set xrange [floor_ms:*]
set format x "%g"
set yrange [0:1.02]
set ytics 0.1
set rmargin at screen 0.6
set key at screen 0.615, graph 1 left top vertical Left reverse samplen 4 nobox
eval cmd
eval render
