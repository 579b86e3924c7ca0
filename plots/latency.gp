# latency.gp - lock acquisition latency (p50 and p99) against the number of
# tabs, one colour per algorithm: solid p50, dashed p99, log-log.
# Input: a `tabsim sweep` data file with axes mutex.algorithm (column 1) and
# scenario.tabs (2); columns 3 statistic, 4 p50, 5 p90, 6 p99, 7 max.
# An algorithm whose latency is 0 everywhere (none: there is no lock) has no
# place on a log scale; it is named in a note instead of drawn.
load dir."/common.gp"
stat = "lock_latency_ms"
sel(a, col) = (strcol(1) eq a && strcol(3) eq stat) ? column(col) : NaN
# Colours follow the order of algs in every chart, drawn or not.
cmd = ""
flat = ""
do for [i=1:words(algs)] {
    a = word(algs, i)
    stats data using (sel(a, 7)) nooutput
    if (STATS_max > 0) {
        cmd = cmd.(strlen(cmd) ? ", " : "plot ").sprintf('data using 2:(sel("%s", 4)) with linespoints lt %d title "%s p50", data using 2:(sel("%s", 6)) with linespoints lt %d dt 2 title "%s p99"', a, i, a, a, i, a)
    } else {
        flat = flat." ".a
    }
}
set title "Lock acquisition latency under contention (plots/contention.ini)"
set xlabel "tabs contending for the lock"
set ylabel "time from lock() to grant (virtual ms, log scale)"
set logscale x 2
set logscale y 10
set format y "%g"
set xrange [0.8:20]
set key top left
if (strlen(flat) > 0) {
    set label 1 "not drawn (0 ms at every point, no place on a log scale):".flat at graph 0.98, graph 0.2 right font ",10"
}
eval cmd
eval render
