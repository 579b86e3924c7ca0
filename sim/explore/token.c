/*
 * token.c - replay token encoding; see sim/explore/token.h.
 *
 * Varints keep small answers to one byte, and a shrunk counterexample is
 * mostly zero answers (no preemption, the low end of a range), so ts2
 * stores each run of zeros as one number: a token is about as long as what
 * the counterexample really decides, and never much longer than ts1.  The
 * checksum catches a token cut short or mistyped before it is replayed
 * against the wrong run.  The decoder never trusts a length it reads: every
 * count is checked against the bytes that remain or the choices declared.
 * ts1 tokens (every answer stored) still decode; only ts2 is written.
 */
#include "sim/explore/token.h"

#include <string.h>

#include "sim/error.h"

#define TOKEN_PREFIX "ts2-"
#define TOKEN_PREFIX_V1 "ts1-"
/* A decoded prefix is never longer: a run makes far fewer choices (its
 * steps are bounded) and a hand-made count must not allocate gigabytes. */
#define TOKEN_CHOICES_MAX (1u << 22)

static void put_varint(GByteArray *out, uint64_t v)
{
    while (v >= 0x80) {
        guint8 b = (guint8)(v | 0x80);
        g_byte_array_append(out, &b, 1);
        v >>= 7;
    }
    guint8 b = (guint8)v;
    g_byte_array_append(out, &b, 1);
}

static gboolean get_varint(const guint8 *p, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return FALSE;
        guint8 b = p[(*pos)++];
        result |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = result;
            return TRUE;
        }
    }
    return FALSE;
}

static guint8 checksum(const guint8 *p, size_t len)
{
    guint8 sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (guint8)(sum + p[i]);
    return sum ^ 0x5a;
}

/* base64url, no padding: safe to paste into a shell or a URL. */
static char *base64url(const guint8 *p, size_t len)
{
    char *b64 = g_base64_encode(p, len);
    for (char *c = b64; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
        else if (*c == '=')
            *c = '\0';
    }
    return b64;
}

char *sim_token_encode(const sim_token *token)
{
    GByteArray *bytes = g_byte_array_new();
    put_varint(bytes, token->scenario_hash);
    put_varint(bytes, token->seed);
    guint8 flags = (guint8)((token->tail == SIM_TAIL_ZERO ? 1 : 0) | (token->untimed ? 2 : 0) | (token->discrete ? 4 : 0));
    g_byte_array_append(bytes, &flags, 1);
    guint n = token->prefix ? token->prefix->len : 0;
    put_varint(bytes, n);
    /* Symbols: 2v - 1 is the answer v >= 1, 2z is a run of z >= 1 zeros. */
    for (guint i = 0; i < n;) {
        uint32_t v = g_array_index(token->prefix, uint32_t, i);
        if (v != 0) {
            put_varint(bytes, 2 * (uint64_t)v - 1);
            i++;
            continue;
        }
        guint z = 0;
        while (i < n && g_array_index(token->prefix, uint32_t, i) == 0) {
            z++;
            i++;
        }
        put_varint(bytes, 2 * (uint64_t)z);
    }
    guint8 sum = checksum(bytes->data, bytes->len);
    g_byte_array_append(bytes, &sum, 1);

    char *b64 = base64url(bytes->data, bytes->len);
    g_byte_array_free(bytes, TRUE);
    char *text = g_strconcat(TOKEN_PREFIX, b64, NULL);
    g_free(b64);
    return text;
}

static gboolean bad(GError **error, const char *what)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_TOKEN,
                "malformed replay token: %s (a token looks like ts2-AbC_-9..., "
                "copied whole from tabsim's output)", what);
    return FALSE;
}

/* ts1: n answers, each a varint. */
static gboolean decode_v1(const guint8 *p, size_t len, size_t *pos, GArray *prefix, GError **error)
{
    uint64_t n;
    if (!get_varint(p, len, pos, &n) || n > len - *pos)
        return bad(error, "its choice count is invalid");
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v;
        if (!get_varint(p, len, pos, &v) || v > UINT32_MAX)
            return bad(error, "a choice is invalid");
        uint32_t v32 = (uint32_t)v;
        g_array_append_val(prefix, v32);
    }
    return TRUE;
}

/* ts2: n answers as symbols, 2v - 1 for an answer v >= 1 and 2z for a
 * run of z >= 1 zero answers, until the n answers are given. */
static gboolean decode_v2(const guint8 *p, size_t len, size_t *pos, GArray *prefix, GError **error)
{
    uint64_t n;
    if (!get_varint(p, len, pos, &n) || n > TOKEN_CHOICES_MAX)
        return bad(error, "its choice count is invalid");
    const uint32_t zero = 0;
    while (prefix->len < n) {
        uint64_t x;
        if (!get_varint(p, len, pos, &x) || x == 0)
            return bad(error, "a choice is invalid");
        if (x % 2 == 1) {
            if (x / 2 + 1 > UINT32_MAX)
                return bad(error, "a choice is invalid");
            uint32_t v32 = (uint32_t)(x / 2 + 1);
            g_array_append_val(prefix, v32);
            continue;
        }
        if (x / 2 > n - prefix->len)
            return bad(error, "a run of zero choices goes past the choice count");
        for (uint64_t z = 0; z < x / 2; z++)
            g_array_append_val(prefix, zero);
    }
    return TRUE;
}

gboolean sim_token_decode(const char *text, sim_token *token_out, GError **error)
{
    memset(token_out, 0, sizeof *token_out);
    gboolean v1 = g_str_has_prefix(text, TOKEN_PREFIX_V1);
    if (!v1 && !g_str_has_prefix(text, TOKEN_PREFIX))
        return bad(error, "it does not start with \"" TOKEN_PREFIX "\" (or the older \"" TOKEN_PREFIX_V1 "\")");
    const char *body = text + strlen(TOKEN_PREFIX);
    size_t blen = strlen(body);
    if (blen == 0 || blen > 1u << 24)
        return bad(error, "its length is out of range");
    GString *b64 = g_string_sized_new(blen + 4);
    for (size_t i = 0; i < blen; i++) {
        char c = body[i];
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!g_ascii_isalnum(c)) {
            g_string_free(b64, TRUE);
            return bad(error, "it contains a character outside A-Z a-z 0-9 - _");
        }
        g_string_append_c(b64, c);
    }
    if (b64->len % 4 == 1) {
        g_string_free(b64, TRUE);
        return bad(error, "it is cut short");
    }
    while (b64->len % 4)
        g_string_append_c(b64, '=');
    gsize len = 0;
    guint8 *p = g_base64_decode(b64->str, &len);
    g_string_free(b64, TRUE);
    /* The last character's low bits past the last byte are unused: a token
     * that sets them decodes to the same bytes, so a typo there would pass
     * the checksum.  Only the text tabsim writes for the bytes is taken. */
    char *canonical = base64url(p, len);
    gboolean same = strcmp(canonical, body) == 0;
    g_free(canonical);
    if (!same) {
        g_free(p);
        return bad(error, "its last character is mistyped (it sets bits no token has)");
    }

    size_t pos = 0;
    uint64_t hash, seed;
    gboolean ok = len >= 2 && checksum(p, len - 1) == p[len - 1];
    if (!ok) {
        g_free(p);
        return bad(error, "its checksum does not match (mistyped or cut short)");
    }
    len -= 1;
    if (!get_varint(p, len, &pos, &hash) || hash > UINT32_MAX || !get_varint(p, len, &pos, &seed)
        || pos >= len || p[pos] > 7) {
        g_free(p);
        return bad(error, "its header is invalid");
    }
    guint8 flags = p[pos++];
    token_out->tail = (flags & 1) ? SIM_TAIL_ZERO : SIM_TAIL_RANDOM;
    token_out->untimed = (flags & 2) != 0;
    token_out->discrete = (flags & 4) != 0;
    token_out->scenario_hash = (uint32_t)hash;
    token_out->seed = seed;
    token_out->prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    ok = v1 ? decode_v1(p, len, &pos, token_out->prefix, error) : decode_v2(p, len, &pos, token_out->prefix, error);
    g_free(p);
    if (!ok) {
        sim_token_clear(token_out);
        return FALSE;
    }
    if (pos != len) {
        sim_token_clear(token_out);
        return bad(error, "it has trailing bytes");
    }
    return TRUE;
}

void sim_token_clear(sim_token *token)
{
    if (token->prefix)
        g_array_free(token->prefix, TRUE);
    token->prefix = NULL;
}
