/*
 * env_clock.c - clock comparisons (xt_env clock_passed) and, in untimed
 * search, the clock jumps they allow.
 *
 * Untimed, a sleep or a deadline is only a lower bound on when a task
 * wakes: any later clock value is as possible, since a tab can be
 * descheduled for seconds.  What code can observe of the clock, beyond
 * the timestamps it stores, is how it compares with the deadlines and
 * expiries it computed (a lock written at t expires at t + 5000;
 * acquireLock gives up at MAX_TIME).  Code compares through
 * xt_env_deadline_passed, which lands here: when the clock has not yet
 * reached at_ms, the adversary chooses (one DATA choice, fully expanded by
 * exhaustive search; shrinking prefers 0) whether it has: answer 1 moves
 * the clock to at_ms, just past the threshold, and the comparison holds.
 * Jumping lazily, to exactly the value compared against and only when a
 * comparison asks, gives every sequence of comparison outcomes that a
 * monotone clock can give: for any real clock, the lazy one is never
 * later (by induction over the comparisons), so each "not yet" stays
 * possible, and each "passed" is reached by its jump.  What it does not
 * give is a timestamp stored later than needed (the clock read by plain
 * Date.now() between two comparisons stays where the last wake-up or
 * jump left it); docs/model-checking.md, "Waits and the clock", names it.
 *
 * A jump writes the clock (SIM_OBJ_CLOCK), a comparison reads it, so the
 * reduction orders them like any other clock access.  Timed runs make no
 * such choice: their clock is the sum of the latencies drawn.
 */
#include "sim/world/env_wait.h"
#include "sim/world/world.h"

gboolean sim_env_clock_passed(void *ctx, int64_t at_ms)
{
    sim_tab *tab = ctx;
    sim_world *w = tab->world;
    sim_world_clock_read(w);
    if (w->now_us / 1000 >= at_ms)
        return TRUE;
    /* Beyond INT64_MAX microseconds no clock gets. */
    if (!w->untimed || sim_tab_gone(tab) || at_ms > INT64_MAX / 1000)
        return FALSE;
    if (sim_choose(w->chooser, 2) == 0)
        return FALSE;
    w->now_us = at_ms * 1000;
    w->acc.w |= SIM_OBJ_CLOCK;
    if (w->monitor->tracing)
        sim_monitor_line(w->monitor, w->now_us, tab->index, w->current ? w->current->id : 0, "clock", NULL, NULL,
                         "jumps to a deadline compared against", NULL, NULL);
    return TRUE;
}
