# common.gp - shared look of the tabsim charts; loaded by every plots/*.gp.
# Variables set by `tabsim plot` (gnuplot -e): data (input file), out (output
# path without extension), algs (space-separated [mutex] algorithm values),
# dir (this directory), tabs (the CDF's point), runs (per sweep point), seed
# (the timeline's run).
# The plot goes to out.svg (docs); `eval render` after it redraws it as
# out.png (quick view).
# Point types: filled for p50, the open twin (popen) for p99; the downward
# triangles (10, 11) are kept for values drawn at the axis floor and the
# open circle (6) for the ring around a point whose runs broke an invariant.
set encoding utf8
set termoption noenhanced
set grid xtics ytics mytics lc rgb "#dddddd" lw 1
set border 3 lc rgb "#444444"
set tics nomirror out
set key opaque box lc rgb "#cccccc"
set linetype 1 lc rgb "#1f77b4" lw 2 pt 7 ps 1.1
set linetype 2 lc rgb "#d62728" lw 2 pt 5 ps 1.1
set linetype 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.2
set linetype 4 lc rgb "#9467bd" lw 2 pt 13 ps 1.3
set linetype 5 lc rgb "#ff7f0e" lw 2 pt 15 ps 1.3
set linetype 6 lc rgb "#8c564b" lw 2 pt 5 ps 1.1
set linetype 7 lc rgb "#e377c2" lw 2 pt 7 ps 1.1
set linetype 8 lc rgb "#17becf" lw 2 pt 9 ps 1.2
popen = "6 4 8 12 14 4 6 8"
violet = "#b00020"   # the colour of everything that marks a broken invariant
set terminal svg size 1280,700 dynamic background rgb "white" font "sans,12" noenhanced
set output out.".svg"
render = 'set output; set terminal pngcairo size 1280,700 background rgb "white" font "sans,10" noenhanced; set output out.".png"; replot; set output'
