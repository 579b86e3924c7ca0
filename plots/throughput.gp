# throughput.gp - events delivered per virtual second against the number of
# tabs, one line per algorithm: the median run (p50 of the per-run values)
# with its 95% bootstrap band, and rings on points whose runs broke an
# invariant (sweep_lines.gp).  Linear axis from 0.
# Input: a `tabsim sweep` data file with axes mutex.algorithm and
# scenario.tabs (plots/events.ini).
load dir."/common.gp"
stat = "throughput_eps"
floor = 0
logy = 0
show99 = 0
load dir."/sweep_lines.gp"
set title "Delivery throughput of the median run (10 events per tab)"
set xlabel "tabs adding events"
set ylabel "distinct events delivered per virtual second"
eval cmd
eval render
