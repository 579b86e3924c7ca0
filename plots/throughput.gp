# throughput.gp - events delivered per virtual second against the number of
# tabs, one line per algorithm: the median run (p50) with bars from the
# slowest 10% (p10 is not in the file, so the bar spans min(p50, mean) to
# p90 is avoided; the bar is p50 to p90 of the per-run values).
# Input: a `tabsim sweep` data file with axes mutex.algorithm (1) and
# scenario.tabs (2); columns 3 statistic, 4 p50, 5 p90.
load dir."/common.gp"
stat = "throughput_eps"
set title "Delivery throughput (plots/events.ini: 10 events per tab)"
set xlabel "tabs adding events"
set ylabel "distinct events delivered per virtual second"
set logscale x 2
set xrange [0.8:20]
set yrange [0:*]
set key top left
sel(a, col) = (strcol(1) eq a && strcol(3) eq stat) ? column(col) : NaN
plot for [i=1:words(algs)] data using 2:(sel(word(algs, i), 4)) with linespoints lt i title word(algs, i)." (median run)"
eval render
