# latency.gp - lock acquisition latency (p50 and p99) against the number of
# tabs, one colour per algorithm: solid p50, dashed p99, log-log, with the
# bands, rings and floor marks of sweep_lines.gp.
# Input: a `tabsim sweep` data file with axes mutex.algorithm and
# scenario.tabs (plots/contention.ini).
load dir."/common.gp"
stat = "lock_latency_ms"
floor = 0.02
logy = 1
show99 = 1
load dir."/sweep_lines.gp"
set title "Lock acquisition latency under contention (each tab locks 10 times, holding 1-5 ms)"
set xlabel "tabs contending for the lock"
set ylabel "time from lock() to grant (virtual ms, log scale)"
eval cmd
eval render
