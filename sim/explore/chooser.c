/*
 * chooser.c - prefix-then-tail chooser; see sim/explore/chooser.h.
 *
 * The PRNG is xoshiro256** seeded through splitmix64, and answers in [0, n)
 * use Lemire's multiply-shift with rejection so every answer is exactly
 * uniform: a biased chooser would make some schedules rarer than the
 * scenario says.
 */
#include "sim/explore/chooser.h"
#include "sim/world/arena.h"

#include <assert.h>

uint64_t sim_seed_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t s[4])
{
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void sim_chooser_init(sim_chooser *chooser, uint64_t seed, sim_tail tail,
                      const uint32_t *prefix, size_t prefix_len, gboolean record)
{
    chooser->seed = seed;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x = sim_seed_mix(x);
        chooser->rng[i] = x;
    }
    chooser->tail = tail;
    chooser->prefix = prefix;
    chooser->prefix_len = prefix_len;
    chooser->pos = 0;
    chooser->prefix_overrun = FALSE;
    /* Room for the prefix and some more: a replayed run records at least
     * its prefix, and growing from empty costs a few reallocations a run. */
    guint room = (guint)MIN(prefix_len + 64, (size_t)G_MAXUINT / 8);
    chooser->record = record ? g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), room) : NULL;
    chooser->record_n = record ? g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), room) : NULL;
    chooser->record_kind = record ? g_array_sized_new(FALSE, FALSE, sizeof(guint8), room) : NULL;
    chooser->discrete = FALSE;
    chooser->sched_pick = NULL;
    chooser->data_pick = NULL;
    chooser->sched_ctx = NULL;
    chooser->abandoned = FALSE;
    chooser->closed = FALSE;
    chooser->drawn = NULL;
    chooser->drawn_ctx = NULL;
}

void sim_chooser_clear(sim_chooser *chooser)
{
    if (chooser->record)
        g_array_free(chooser->record, TRUE);
    if (chooser->record_n)
        g_array_free(chooser->record_n, TRUE);
    if (chooser->record_kind)
        g_array_free(chooser->record_kind, TRUE);
    chooser->record = chooser->record_n = chooser->record_kind = NULL;
}

static uint32_t rng_below(uint64_t s[4], uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)rng_next(s) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)rng_next(s) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static uint32_t choose_kind(sim_chooser *chooser, uint32_t n, sim_choice_kind kind, const int *cand_tabs)
{
    assert(n >= 1);
    if (n == 1 || chooser->closed)
        return 0;
    uint32_t answer;
    if (chooser->pos < chooser->prefix_len) {
        answer = chooser->prefix[chooser->pos];
        if (answer >= n) {
            chooser->prefix_overrun = TRUE;
            answer = n - 1;
        }
    } else if (kind == SIM_CHOICE_SCHED && chooser->sched_pick) {
        sim_arena *in = sim_arena_leave(); /* the explorer's memory outlives the run's */
        answer = chooser->sched_pick(chooser->sched_ctx, n, cand_tabs);
        sim_arena_enter(in);
        if (answer >= n) {
            chooser->abandoned = TRUE;
            answer = 0;
        }
    } else if (kind == SIM_CHOICE_DATA && chooser->data_pick) {
        sim_arena *in = sim_arena_leave();
        answer = chooser->data_pick(chooser->sched_ctx, n, NULL);
        sim_arena_enter(in);
        if (answer >= n) {
            chooser->abandoned = TRUE;
            answer = 0;
        }
    } else if (chooser->tail == SIM_TAIL_ZERO) {
        answer = 0;
    } else {
        answer = rng_below(chooser->rng, n);
    }
    chooser->pos++;
    if (kind == SIM_CHOICE_DATA && chooser->drawn)
        chooser->drawn(chooser->drawn_ctx, answer);
    if (chooser->record) {
        guint8 k = (guint8)kind;
        g_array_append_val(chooser->record, answer);
        g_array_append_val(chooser->record_n, n);
        g_array_append_val(chooser->record_kind, k);
    }
    return answer;
}

uint32_t sim_choose(sim_chooser *chooser, uint32_t n)
{
    return choose_kind(chooser, n, SIM_CHOICE_DATA, NULL);
}

uint32_t sim_choose_sched(sim_chooser *chooser, uint32_t n, const int *cand_tabs)
{
    return choose_kind(chooser, n, SIM_CHOICE_SCHED, cand_tabs);
}

int64_t sim_choose_range(sim_chooser *chooser, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    if (lo == hi)
        return lo;
    if (chooser->discrete)
        return sim_choose(chooser, 2) ? hi : lo;
    uint64_t span = (uint64_t)(hi - lo);
    assert(span < UINT32_MAX);
    return lo + (int64_t)sim_choose(chooser, (uint32_t)span + 1);
}

gboolean sim_choose_percent(sim_chooser *chooser, uint32_t pct)
{
    if (pct == 0)
        return FALSE;
    if (pct >= 100)
        return TRUE;
    return sim_choose(chooser, 100) < pct;
}
