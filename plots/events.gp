# events.gp - event delivery latency (add returned to first delivery to the
# server, p50 and p99) against the number of tabs, one colour per algorithm,
# with the bands, rings and floor marks of sweep_lines.gp.
# Input: a `tabsim sweep` data file with axes mutex.algorithm and
# scenario.tabs (plots/events.ini).
load dir."/common.gp"
stat = "event_latency_ms"
floor = 100
logy = 1
show99 = 1
load dir."/sweep_lines.gp"
set title "Event delivery latency (10 events per tab, flush every 2 s)"
set xlabel "tabs adding events"
set ylabel "add returned to first delivery (virtual ms, log scale)"
eval cmd
eval render
