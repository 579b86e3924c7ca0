/*
 * sim/explore/token.h - the replay token: one copy-pasteable word per run.
 *
 * A token holds what a chooser needs to answer exactly as it did: the seed,
 * the tail kind, the time model (flags: bit 0 tail zero, bit 1 untimed,
 * bit 2 discrete ranges), the explicit prefix of answers, and a hash of the resolved
 * scenario so that a token is refused on a scenario it was not made for.
 * Layout (then base64url without padding, after the text "ts2-"):
 *   varint scenario_hash | varint seed | byte flags | varint n |
 *   varint symbols until n answers are given |
 *   byte checksum (sum of the previous bytes, mod 256, xor 0x5a)
 * A symbol 2v - 1 is one answer v >= 1, a symbol 2z a run of z >= 1 zero
 * answers (the encoder writes each run whole).  The older "ts1-" layout,
 * still decoded, has the n answers as n varints instead of symbols.
 */
#ifndef SIM_TOKEN_H
#define SIM_TOKEN_H

#include <glib.h>
#include <stdint.h>

#include "sim/explore/chooser.h"

typedef struct sim_token {
    uint32_t scenario_hash;
    uint64_t seed;
    sim_tail tail;
    gboolean untimed;
    gboolean discrete;
    GArray *prefix; /* uint32 */
} sim_token;

char *sim_token_encode(const sim_token *token);
/* FALSE with a GError saying what is wrong with the text. */
gboolean sim_token_decode(const char *text, sim_token *token_out, GError **error);
void sim_token_clear(sim_token *token);

#endif
