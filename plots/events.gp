# events.gp - event delivery latency (add returned to first delivery to the
# server, p50 and p99) against the number of tabs, one colour per algorithm.
# Input: a `tabsim sweep` data file with axes mutex.algorithm (1) and
# scenario.tabs (2); columns 3 statistic, 4 p50, 6 p99.
load dir."/common.gp"
stat = "event_latency_ms"
sel(a, col) = (strcol(1) eq a && strcol(3) eq stat) ? column(col) : NaN
cmd = ""
do for [i=1:words(algs)] {
    a = word(algs, i)
    cmd = cmd.(i > 1 ? ", " : "plot ").sprintf('data using 2:(sel("%s", 4)) with linespoints lt %d title "%s p50", data using 2:(sel("%s", 6)) with linespoints lt %d dt 2 title "%s p99"', a, i, a, a, i, a)
}
set title "Event delivery latency (plots/events.ini: flush every 2 s)"
set xlabel "tabs adding events"
set ylabel "add returned to first delivery (virtual ms, log scale)"
set logscale x 2
set logscale y 10
set format y "%g"
set xrange [0.8:20]
set key top left
eval cmd
eval render
