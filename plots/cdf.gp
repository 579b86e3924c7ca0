# cdf.gp - distribution (CDF) of lock acquisition latency at one point of a
# sweep (`tabsim sweep ... --stats FILE.csv`), one line per algorithm.
# Input: the raw-sample CSV; column 1 point, 2 kind, 9 value, 13 outcome.
# Only granted requests count.  Each algorithm's latencies are first copied
# into a datablock of their own: gnuplot's smoothing restarts at every
# filtered-out row, so it must see the samples contiguous.  An algorithm
# whose latencies are all 0 (none) is named in a note, not drawn on the log
# axis; single 0 ms samples of the others are drawn at the axis floor.
load dir."/common.gp"
set datafile separator ","
is(a) = strcol(2) eq "lock_request" && strcol(13) eq "granted" && strstrt(strcol(1), "mutex.algorithm=".a.";") == 1
do for [i=1:words(algs)] {
    eval sprintf('set table $alg%d', i)
    plot data every ::1 using 9 with table if is(word(algs, i))
    unset table
}
set datafile separator whitespace
floor_ms = 0.01
cmd = ""
flat = ""
do for [i=1:words(algs)] {
    eval sprintf('stats $alg%d using 1 nooutput', i)
    if (STATS_max > 0) {
        # A grant that took 0 ms (a free Web Lock) is drawn at the axis floor.
        cmd = cmd.(strlen(cmd) ? ", " : "plot ").sprintf('$alg%d using ($1 > floor_ms ? $1 : floor_ms):(1.0/%d) smooth cumulative with steps lt %d title "%s (%d granted requests)"', i, STATS_records, i, word(algs, i), STATS_records)
    } else {
        flat = flat." ".word(algs, i)
    }
}
set title sprintf("Lock acquisition latency distribution, %s tabs, %d runs (plots/contention.ini)", tabs, runs)
set xlabel "time from lock() to grant (virtual ms, log scale)"
set ylabel "fraction of granted requests at or below"
set logscale x 10
set xrange [floor_ms:*]
set format x "%g"
set yrange [0:1.02]
set ytics 0.1
set key bottom right
if (strlen(flat) > 0) {
    set label 1 "0 ms for every request, not drawn on the log scale:".flat at graph 0.98, graph 0.2 right font ",10"
}
eval cmd
eval render
