/*
 * fuzz_token.c - fuzz harness for the replay-token decoder
 * (sim_token_decode: prefix, base64url, varints, checksum).
 *
 * Property: any text either decodes or gives a GError; never a crash.  A
 * token that decodes re-encodes to a token that decodes to the same
 * contents (encode/decode round trip).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/explore/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean token_equal(const sim_token *a, const sim_token *b)
{
    guint na = a->prefix ? a->prefix->len : 0, nb = b->prefix ? b->prefix->len : 0;
    if (a->scenario_hash != b->scenario_hash || a->seed != b->seed || a->tail != b->tail || na != nb)
        return FALSE;
    return na == 0 || memcmp(a->prefix->data, b->prefix->data, na * sizeof(uint32_t)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size); /* stops at an embedded NUL, as argv would */
    GError *error = NULL;
    sim_token token;
    if (!sim_token_decode(text, &token, &error)) {
        if (!error || !error->message || !error->message[0])
            abort();
        g_error_free(error);
        g_free(text);
        return 0;
    }
    char *again = sim_token_encode(&token);
    sim_token back;
    if (!sim_token_decode(again, &back, NULL))
        abort();
    if (!token_equal(&token, &back))
        abort();
    sim_token_clear(&back);
    sim_token_clear(&token);
    g_free(again);
    g_free(text);
    return 0;
}
