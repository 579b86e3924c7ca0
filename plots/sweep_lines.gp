# sweep_lines.gp - one statistic of a `tabsim sweep` data file against the
# number of tabs, one colour per algorithm; loaded by latency.gp, events.gp
# and throughput.gp after they set:
#   stat     the statistic (column 3)
#   floor    the lowest value drawn (log scale: the axis floor)
#   logy     1 for a log y axis
#   show99   1 to draw p99 (dashed) beside p50 (solid)
# Input columns (axes mutex.algorithm and scenario.tabs): 1 algorithm,
# 2 tabs, 3 statistic, 4 p50, 6 p99, 10 p50_lo, 11 p50_hi, 12 p99_lo,
# 13 p99_hi, 14 runs with a violation, 15 invariants (docs/statistics.md).
# What is drawn, so that nothing misleads:
#  - the shaded band around each line is the 95% bootstrap interval over
#    runs: two points whose bands overlap differ by noise;
#  - a point whose runs broke an invariant is ringed, and its algorithm's
#    legend entry names the invariants and in how many runs: its latency is
#    that of a lock that did not exclude (or of runs that lost events);
#  - a value of 0 (or below the floor) is drawn on the floor as a downward
#    triangle, and a note says so: a log scale has no place for 0.
# Colours follow the order of algs.
sel(a) = strcol(1) eq a && strcol(3) eq stat
val(c) = strcol(c) eq "-" ? NaN : column(c)
clamp(c) = strcol(c) eq "-" ? NaN : (column(c) > floor ? column(c) : floor)
low(c) = strcol(c) ne "-" && column(c) < floor
invariants = "mutual-exclusion lost-event duplicate progress"
nzero = 0
nbad = 0
footnote = ""
do for [i=1:words(algs)] {
    a = word(algs, i)
    # $d<i>: 1 tabs, 2 p50, 3 p99, 4 p50_lo, 5 p50_hi, 6 p99_lo, 7 p99_hi,
    # 8 runs with a violation, 9 p50 below the floor, 10 p99 below it
    eval sprintf('set table $d%d', i)
    plot data using 2:(clamp(4)):(clamp(6)):(clamp(10)):(clamp(11)):(clamp(12)):(clamp(13)):14:(low(4)):(low(6)) with table if sel(a)
    unset table
    # the legend entry: the algorithm, and the invariants its runs broke
    broke = ""
    do for [k=1:words(invariants)] {
        inv = word(invariants, k)
        stats data using (sel(a) && strstrt(strcol(15), inv.":") > 0) nooutput
        if (STATS_max > 0) {
            broke = broke.(strlen(broke) ? ", " : "").inv
        }
    }
    # in how many of the runs of a ringed point: the fewest and the most
    few = runs + 1
    many = 0
    stats data using (sel(a) && column(14) > 0 ? (few = column(14) < few ? column(14) : few, many = column(14) > many ? column(14) : many, 1) : 0) nooutput
    runs_text = few == many ? sprintf("%d", many) : sprintf("%d-%d", few, many)
    eval sprintf('title%d = a.(strlen(broke) ? " - broke ".broke : "")', i)
    if (strlen(broke) > 0) {
        footnote = footnote.(nbad ? ", " : "").a." ".runs_text
        nbad = nbad + 1
    }
    eval sprintf('stats $d%d using ($9 + $10) nooutput', i)
    nzero = nzero + (STATS_records > 0 ? STATS_sum : 0)
}
cmd = "plot "
do for [i=1:words(algs)] {
    cmd = cmd.sprintf('$d%d using 1:4:5 with filledcurves lc %d fs transparent solid 0.16 noborder notitle, ', i, i)
    if (show99) {
        cmd = cmd.sprintf('$d%d using 1:6:7 with filledcurves lc %d fs transparent solid 0.10 noborder notitle, ', i, i)
    }
}
do for [i=1:words(algs)] {
    cmd = cmd.sprintf('$d%d using 1:2 with linespoints lt %d title title%d, ', i, i, i)
    if (show99) {
        cmd = cmd.sprintf('$d%d using 1:3 with linespoints lt %d dt 2 pt %s notitle, ', i, i, word(popen, i))
    }
    cmd = cmd.sprintf('$d%d using 1:($9 > 0 ? floor : NaN) with points lt %d pt 11 ps 1.9 notitle, ', i, i)
    cmd = cmd.sprintf('$d%d using 1:($10 > 0 ? floor : NaN) with points lt %d pt 10 ps 1.9 lw 2 notitle, ', i, i)
    cmd = cmd.sprintf('$d%d using 1:($8 > 0 ? $2 : NaN) with points pt 6 ps 3.2 lw 2 lc rgb violet notitle, ', i)
    if (show99) {
        cmd = cmd.sprintf('$d%d using 1:($8 > 0 ? $3 : NaN) with points pt 6 ps 3.2 lw 2 lc rgb violet notitle, ', i)
    }
}
# what the styles mean, drawn in black in the legend
cmd = cmd.'NaN with lines lc rgb "#444444" lw 2 title "solid: p50 (median)", '
if (show99) {
    cmd = cmd.'NaN with lines lc rgb "#444444" lw 2 dt 2 title "dashed: p99", '
}
cmd = cmd.sprintf('NaN with filledcurves lc rgb "#444444" fs transparent solid 0.25 noborder title "band: 95%% interval over the %d runs", ', runs)
if (nbad > 0) {
    cmd = cmd.'NaN with points pt 6 ps 2.4 lw 2 lc rgb violet title "ringed: runs broke an invariant", '
}
if (nzero > 0) {
    cmd = cmd.'NaN with points pt 11 ps 1.6 lc rgb "#444444" title "on the floor: 0 (a log axis has no 0)", '
}
cmd = cmd[1:strlen(cmd) - 2]
stats data using 2 nooutput
set logscale x 2
set xrange [STATS_min / 1.25:STATS_max * 1.25]
set xtics 2
set rmargin at screen 0.6
set key at screen 0.615, graph 1 left top vertical Left reverse samplen 4 nobox
if (nbad > 0) {
    set bmargin 7
    set label 2 sprintf("Ringed: runs at that point broke the invariants named in the legend, so its figures are not those of a working lock.\nRuns of %d with a broken invariant, fewest-most over the ringed points: %s.", runs, footnote) at screen 0.01, screen 0.045 left font ",10" tc rgb violet
}
if (logy) {
    set logscale y 10
    set format y "%g"
    set yrange [floor:*]
} else {
    set yrange [floor:*]
}
