# timeline.gp - lock timeline (Gantt chart) of one run: per tab, when it
# waits for the lock, holds it (critical section), gives up (refused), falls
# back to the unlocked path, and where an invariant broke (labelled).
# Input: `tabsim run FILE --timeline FILE.dat`: columns kind tab start_ms
# end_ms note.  Most holds and waits last well under a millisecond, which
# would vanish on a chart of seconds: every bar is drawn at least `minw`
# seconds wide, and the legend says so.
load dir."/common.gp"
stats data using 2 nooutput
ntabs = int(STATS_max)
stats data using ($4/1000) nooutput
tmax = STATS_max
minw = tmax / 250.0
set title sprintf("Lock timeline of one run: 3 tabs adding events, the server slower than the lock expiry (seed %d)", seed)
set xlabel "virtual time (s)"
set ylabel ""
set yrange [ntabs + 0.7:0.3]
set ytics 1
do for [i=1:ntabs] { set ytics add (sprintf("tab%d", i) i) }
set grid noytics
set key below horizontal maxrows 2 width -2
set bmargin 8
set xrange [0:tmax * 1.02]
is(k) = strcol(1) eq k
mid(k) = is(k) ? ($3 + $4) / 2000.0 : NaN
half(x) = (($4 - $3) / 1000.0 > minw ? ($4 - $3) / 2000.0 : minw / 2)
plot data using (mid("wait")):2:(half(0)):(0.12) with boxxyerror fs solid 0.9 noborder lc rgb "#f2b134" title "waiting, then granted", \
     data using (mid("refused")):2:(half(0)):(0.12) with boxxyerror fs solid 0.9 noborder lc rgb "#e15759" title "waiting, then lock() failed", \
     data using (mid("pending")):2:(half(0)):(0.12) with boxxyerror fs solid 0.5 noborder lc rgb "#999999" title "still waiting at the end", \
     data using (mid("hold")):2:(half(0)):(0.28) with boxxyerror fs solid 0.85 noborder lc rgb "#1f77b4" title sprintf("holding the lock (bars at least %.0f ms wide)", minw * 1000), \
     data using ($3/1000):(is("fallback") ? $2 - 0.3 : NaN) with points pt 11 ps 1.6 lc rgb "#000000" title "fall-back to the unlocked path", \
     data using ($3/1000):(is("violation") ? $2 : NaN) with points pt 2 ps 3 lw 3 lc rgb "#d62728" title "invariant violated", \
     data using ($3/1000):(is("violation") ? $2 + 0.36 : NaN):5 with labels tc rgb "#d62728" font ",10" notitle
eval render
