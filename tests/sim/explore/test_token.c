/*
 * test_token.c - replay tokens survive a round trip and reject bad text.
 *
 * Goal: encode then decode gives back the same hash, seed, tail and prefix
 * (large values and an empty prefix included); a token is one shell- and
 * URL-safe word; and every malformed text (wrong prefix, bad characters,
 * cut short, checksum mismatch, trailing bytes, a huge count, a bad header)
 * is refused with FALSE and a SIM_ERROR_TOKEN message, never a crash.
 * Method: hand-built byte strings, encoded the way the token layout says
 * (sim/explore/token.h), so each defect is exactly the one under test; then every
 * truncation and many single-character mutations of a valid token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/error.h"
#include "sim/explore/token.h"

static sim_token make(uint32_t hash, uint64_t seed, sim_tail tail, const uint32_t *prefix, guint n)
{
    sim_token t = {.scenario_hash = hash, .seed = seed, .tail = tail, .prefix = NULL};
    if (prefix) {
        t.prefix = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_append_vals(t.prefix, prefix, n);
    }
    return t;
}

static void assert_roundtrip(const sim_token *in)
{
    char *text = sim_token_encode(in);
    assert_non_null(text);
    assert_true(g_str_has_prefix(text, "ts2-"));
    for (const char *c = text + 4; *c; c++)
        assert_true(g_ascii_isalnum(*c) || *c == '-' || *c == '_');
    sim_token out;
    GError *error = NULL;
    assert_true(sim_token_decode(text, &out, &error));
    assert_null(error);
    assert_int_equal(out.scenario_hash, in->scenario_hash);
    assert_true(out.seed == in->seed);
    assert_int_equal(out.tail, in->tail);
    assert_int_equal(out.untimed, in->untimed);
    assert_int_equal(out.discrete, in->discrete);
    assert_non_null(out.prefix);
    guint n = in->prefix ? in->prefix->len : 0;
    assert_int_equal(out.prefix->len, n);
    for (guint i = 0; i < n; i++)
        assert_int_equal(g_array_index(out.prefix, uint32_t, i), g_array_index(in->prefix, uint32_t, i));
    /* Encoding is canonical: decoding and re-encoding gives the same text. */
    char *again = sim_token_encode(&out);
    assert_string_equal(again, text);
    g_free(again);
    sim_token_clear(&out);
    assert_null(out.prefix);
    g_free(text);
}

static void test_roundtrip_small(void **state)
{
    (void)state;
    const uint32_t p[] = {0, 1, 0, 2, 1};
    sim_token t = make(0x1234, 7, SIM_TAIL_RANDOM, p, 5);
    assert_roundtrip(&t);
    sim_token_clear(&t);
}

static void test_roundtrip_large_values(void **state)
{
    (void)state;
    /* Varint boundaries: 7, 14, 21, 28 bits, and the maxima. */
    const uint32_t p[] = {0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, UINT32_MAX};
    sim_token t = make(UINT32_MAX, UINT64_MAX, SIM_TAIL_ZERO, p, G_N_ELEMENTS(p));
    assert_roundtrip(&t);
    sim_token_clear(&t);
    t = make(0, 0, SIM_TAIL_RANDOM, p, G_N_ELEMENTS(p));
    assert_roundtrip(&t);
    sim_token_clear(&t);
    t = make(0x80000000u, UINT64_C(1) << 63, SIM_TAIL_ZERO, NULL, 0);
    assert_roundtrip(&t);
}

static void test_roundtrip_long_prefix(void **state)
{
    (void)state;
    uint32_t p[5000];
    for (guint i = 0; i < G_N_ELEMENTS(p); i++)
        p[i] = (i * 2654435761u) % (i % 7 == 0 ? 100000u : 3u);
    sim_token t = make(0xabcdef01, 123456789, SIM_TAIL_ZERO, p, G_N_ELEMENTS(p));
    assert_roundtrip(&t);
    sim_token_clear(&t);
}

static void test_roundtrip_flags(void **state)
{
    (void)state;
    /* Every combination of tail, time model and range mode survives. */
    for (int bits = 0; bits < 8; bits++) {
        sim_token t = make(0x77, 1000 + (uint64_t)bits, (bits & 1) ? SIM_TAIL_ZERO : SIM_TAIL_RANDOM,
                           (const uint32_t[]){1, 0}, 2);
        t.untimed = (bits & 2) != 0;
        t.discrete = (bits & 4) != 0;
        assert_roundtrip(&t);
        sim_token_clear(&t);
    }
}

static void test_roundtrip_empty_prefix(void **state)
{
    (void)state;
    sim_token t = make(42, 1, SIM_TAIL_RANDOM, NULL, 0);
    assert_roundtrip(&t);
    /* An allocated but empty prefix encodes the same as none. */
    sim_token e = make(42, 1, SIM_TAIL_RANDOM, (const uint32_t[]){0}, 0);
    char *a = sim_token_encode(&t), *b = sim_token_encode(&e);
    assert_string_equal(a, b);
    g_free(a);
    g_free(b);
    sim_token_clear(&e);
}

static void test_distinct_tokens(void **state)
{
    (void)state;
    /* Every field is in the token: changing one changes the text. */
    const uint32_t p[] = {1, 2};
    sim_token base = make(5, 6, SIM_TAIL_RANDOM, p, 2);
    sim_token v[6] = {make(4, 6, SIM_TAIL_RANDOM, p, 2), make(5, 7, SIM_TAIL_RANDOM, p, 2),
                      make(5, 6, SIM_TAIL_ZERO, p, 2),   make(5, 6, SIM_TAIL_RANDOM, p, 1),
                      make(5, 6, SIM_TAIL_RANDOM, p, 2), make(5, 6, SIM_TAIL_RANDOM, p, 2)};
    v[4].untimed = TRUE;
    v[5].discrete = TRUE;
    char *b = sim_token_encode(&base);
    for (int i = 0; i < 6; i++) {
        char *t = sim_token_encode(&v[i]);
        assert_string_not_equal(t, b);
        g_free(t);
        sim_token_clear(&v[i]);
    }
    g_free(b);
    sim_token_clear(&base);
}

/* --- hand-made tokens ---------------------------------------------------- */

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

static void put_byte(GByteArray *out, guint8 b)
{
    g_byte_array_append(out, &b, 1);
}

static guint8 sum_of(const GByteArray *bytes)
{
    guint8 s = 0;
    for (guint i = 0; i < bytes->len; i++)
        s = (guint8)(s + bytes->data[i]);
    return s ^ 0x5a;
}

/* version + base64url (no padding) of bytes, with the checksum appended
 * when good_sum, or a wrong one. */
static char *text_of_version(GByteArray *bytes, gboolean good_sum, const char *version)
{
    guint8 s = sum_of(bytes);
    put_byte(bytes, good_sum ? s : (guint8)(s + 1));
    char *b64 = g_base64_encode(bytes->data, bytes->len);
    for (char *c = b64; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
        else if (*c == '=')
            *c = '\0';
    }
    char *text = g_strconcat(version, b64, NULL);
    g_free(b64);
    g_byte_array_free(bytes, TRUE);
    return text;
}

/* The hand-made tokens below use the ts1 layout (every answer stored), the
 * one old tokens have: the decoder must keep refusing its defects. */
static char *text_of(GByteArray *bytes, gboolean good_sum)
{
    return text_of_version(bytes, good_sum, "ts1-");
}

/* A well-formed header: hash, seed, tail. */
static GByteArray *header(uint64_t hash, uint64_t seed, guint8 tail)
{
    GByteArray *b = g_byte_array_new();
    put_varint(b, hash);
    put_varint(b, seed);
    put_byte(b, tail);
    return b;
}

static void assert_refused(const char *text, const char *why)
{
    sim_token out;
    GError *error = NULL;
    gboolean ok = sim_token_decode(text, &out, &error);
    if (ok)
        fail_msg("token \"%s\" was accepted; expected: %s", text, why);
    assert_non_null(error);
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_TOKEN));
    assert_non_null(strstr(error->message, "token"));
    if (why && !strstr(error->message, why))
        fail_msg("message \"%s\" does not say \"%s\"", error->message, why);
    g_error_free(error);
    /* A refused token holds nothing to free; clearing it is harmless. */
    assert_null(out.prefix);
    sim_token_clear(&out);
}

static void test_hand_made_valid(void **state)
{
    (void)state;
    /* The helper itself must make tokens the decoder accepts, or the
     * refusals below would prove nothing. */
    GByteArray *b = header(77, 5, SIM_TAIL_ZERO);
    put_varint(b, 2);
    put_varint(b, 300);
    put_varint(b, 1);
    char *text = text_of(b, TRUE);
    sim_token out;
    GError *error = NULL;
    assert_true(sim_token_decode(text, &out, &error));
    assert_int_equal(out.scenario_hash, 77);
    assert_int_equal(out.seed, 5);
    assert_int_equal(out.tail, SIM_TAIL_ZERO);
    assert_int_equal(out.prefix->len, 2);
    assert_int_equal(g_array_index(out.prefix, uint32_t, 0), 300);
    sim_token_clear(&out);
    g_free(text);
}

static void test_wrong_prefix(void **state)
{
    (void)state;
    sim_token t = make(1, 2, SIM_TAIL_RANDOM, NULL, 0);
    char *good = sim_token_encode(&t);
    char *ts2 = g_strconcat("ts3-", good + 4, NULL);
    char *upper = g_strconcat("TS2-", good + 4, NULL);
    assert_refused(good + 4, "ts1-");
    assert_refused(good + 4, "ts2-");
    assert_refused(ts2, "ts1-");
    assert_refused(upper, "ts1-");
    assert_refused("", "ts1-");
    assert_refused("ts1", "ts1-");
    g_free(ts2);
    g_free(upper);
    g_free(good);
}

static void test_empty_body(void **state)
{
    (void)state;
    assert_refused("ts1-", NULL);
    assert_refused("ts2-", NULL);
}

static void test_bad_chars(void **state)
{
    (void)state;
    sim_token t = make(1, 2, SIM_TAIL_RANDOM, (const uint32_t[]){1, 2, 3}, 3);
    char *good = sim_token_encode(&t);
    sim_token_clear(&t);
    const char bad[] = {'+', '/', '=', ' ', '.', '\n', '\t', '*', (char)0xc3};
    for (size_t i = 0; i < sizeof bad; i++) {
        char *text = g_strdup(good);
        text[6] = bad[i];
        assert_refused(text, "character");
        g_free(text);
    }
    /* A trailing newline, as a careless copy would add. */
    char *nl = g_strconcat(good, "\n", NULL);
    assert_refused(nl, "character");
    g_free(nl);
    /* Standard base64 padding is not part of a token. */
    char *pad = g_strconcat(good, "==", NULL);
    assert_refused(pad, "character");
    g_free(pad);
    g_free(good);
}

static void test_truncated(void **state)
{
    (void)state;
    const uint32_t p[] = {5, 300, 70000, 1, 0, 2};
    sim_token t = make(0xfeedface, 99999, SIM_TAIL_RANDOM, p, G_N_ELEMENTS(p));
    char *good = sim_token_encode(&t);
    sim_token_clear(&t);
    size_t len = strlen(good);
    for (size_t cut = 4; cut < len; cut++) {
        char *text = g_strndup(good, cut);
        assert_refused(text, NULL);
        g_free(text);
    }
    g_free(good);
}

static void test_checksum_mismatch(void **state)
{
    (void)state;
    GByteArray *b = header(1, 2, SIM_TAIL_RANDOM);
    put_varint(b, 1);
    put_varint(b, 3);
    char *text = text_of(b, FALSE);
    assert_refused(text, "checksum");
    g_free(text);

    /* One changed data character (its 6 bits land in data bytes whose sum
     * then differs; the checksum cannot absorb a change of under 256). */
    sim_token t = make(0x01020304, 0x0506, SIM_TAIL_RANDOM, (const uint32_t[]){1, 2, 3, 4}, 4);
    char *good = sim_token_encode(&t);
    sim_token_clear(&t);
    char *typo = g_strdup(good);
    typo[5] = typo[5] == 'A' ? 'B' : 'A';
    assert_refused(typo, "checksum");
    g_free(typo);
    g_free(good);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    GByteArray *b = header(1, 2, SIM_TAIL_RANDOM);
    put_varint(b, 1);
    put_varint(b, 3);
    put_byte(b, 0);
    put_byte(b, 7);
    char *text = text_of(b, TRUE);
    assert_refused(text, "trailing");
    g_free(text);
}

static void test_huge_count(void **state)
{
    (void)state;
    const uint64_t counts[] = {2, 1000, UINT64_C(1) << 32, UINT64_C(1) << 40, UINT64_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        GByteArray *b = header(1, 2, SIM_TAIL_RANDOM);
        put_varint(b, counts[i]);
        put_varint(b, 0); /* only one choice follows */
        char *text = text_of(b, TRUE);
        assert_refused(text, NULL);
        g_free(text);
    }
}

static void test_bad_header(void **state)
{
    (void)state;
    /* Flag bits that mean nothing (bits 0-2 are tail, untimed, discrete). */
    GByteArray *b = header(1, 2, 8);
    put_varint(b, 0);
    char *text = text_of(b, TRUE);
    assert_refused(text, "header");
    g_free(text);
    b = header(1, 2, 0xff);
    put_varint(b, 0);
    text = text_of(b, TRUE);
    assert_refused(text, "header");
    g_free(text);
    /* A scenario hash wider than 32 bits. */
    b = header(UINT64_C(1) << 33, 2, SIM_TAIL_RANDOM);
    put_varint(b, 0);
    text = text_of(b, TRUE);
    assert_refused(text, "header");
    g_free(text);
    /* A varint that never ends (11 continuation bytes). */
    b = g_byte_array_new();
    for (int i = 0; i < 11; i++)
        put_byte(b, 0xff);
    text = text_of(b, TRUE);
    assert_refused(text, NULL);
    g_free(text);
    /* Only the checksum byte. */
    b = g_byte_array_new();
    text = text_of(b, TRUE);
    assert_refused(text, NULL);
    g_free(text);
}

static void test_choice_too_wide(void **state)
{
    (void)state;
    GByteArray *b = header(1, 2, SIM_TAIL_RANDOM);
    put_varint(b, 1);
    put_varint(b, UINT64_C(1) << 32);
    char *text = text_of(b, TRUE);
    assert_refused(text, "choice");
    g_free(text);
}

/* Every single-character substitution of a valid token, over the whole
 * alphabet: decode either accepts (then re-encoding is consistent) or
 * refuses with a message.  Under ASan this also proves no byte is read out
 * of bounds. */
static void test_mutations_never_crash(void **state)
{
    (void)state;
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.!";
    sim_token t = make(0xcafe, 31337, SIM_TAIL_ZERO, (const uint32_t[]){0, 1, 200, 40000, 1}, 5);
    char *good = sim_token_encode(&t);
    sim_token_clear(&t);
    size_t len = strlen(good);
    int accepted = 0, refused = 0;
    for (size_t i = 0; i < len; i++) {
        for (const char *a = alphabet; *a; a++) {
            char *text = g_strdup(good);
            if (text[i] == *a) {
                g_free(text);
                continue;
            }
            text[i] = *a;
            sim_token out;
            GError *error = NULL;
            if (sim_token_decode(text, &out, &error)) {
                assert_null(error);
                assert_non_null(out.prefix);
                accepted++;
                sim_token_clear(&out);
            } else {
                assert_non_null(error);
                assert_true(strlen(error->message) > 0);
                refused++;
                g_error_free(error);
            }
            g_free(text);
        }
    }
    /* Every typo in the body is caught: a changed data character moves the
     * byte sum by less than 256 (the checksum), and one in the last
     * character's unused bits makes a text no token has.  Only "ts2-"
     * changed to "ts1-" may decode (the older layout, checksum intact). */
    assert_true(refused > 0);
    assert_true(accepted <= 1);
    g_free(good);
}

/* A changed last character whose change lies only in its unused bits
 * (ts2-iur7FRQBAMN for ...AMM) decoded to the same bytes and replayed:
 * refused now, naming the last character. */
static void test_last_character_unused_bits(void **state)
{
    (void)state;
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static const uint32_t answers[] = {1, 2, 3};
    guint tried = 0;
    for (guint n = 1; n <= 3; n++) { /* tokens of three lengths: at most one has no unused bits */
        sim_token t = make(0x01020304, 0x0506, SIM_TAIL_RANDOM, answers, n);
        char *good = sim_token_encode(&t);
        sim_token_clear(&t);
        size_t len = strlen(good);
        size_t body_bytes = (len - 4) * 6 / 8;
        guint unused = (guint)((len - 4) * 6 - body_bytes * 8); /* 0, 2 or 4 bits */
        const char *at = strchr(alphabet, good[len - 1]);
        assert_non_null(at);
        for (guint bits = 1; bits < (1u << unused); bits++) {
            char *typo = g_strdup(good);
            typo[len - 1] = alphabet[(at - alphabet) ^ bits];
            assert_refused(typo, "last character");
            g_free(typo);
            tried++;
        }
        g_free(good);
    }
    assert_true(tried > 0);
}


/* --- ts2: only the non-zero answers -------------------------------------- */

static sim_token decode_ok(const char *text)
{
    sim_token out;
    GError *error = NULL;
    if (!sim_token_decode(text, &out, &error))
        fail_msg("token \"%s\" refused: %s", text, error->message);
    return out;
}

static void test_old_token_decodes(void **state)
{
    (void)state;
    /* A ts1 token as tabsim printed it (README's no-mutex example), and the
     * same contents written as ts2: one run, two spellings. */
    sim_token old = decode_ok("ts1-iur7FRQBAMM");
    assert_int_equal(old.prefix->len, 0);
    char *again = sim_token_encode(&old);
    assert_true(g_str_has_prefix(again, "ts2-"));
    sim_token back = decode_ok(again);
    assert_int_equal(back.scenario_hash, old.scenario_hash);
    assert_true(back.seed == old.seed);
    assert_int_equal(back.tail, old.tail);
    sim_token_clear(&back);
    sim_token_clear(&old);
    g_free(again);

    const uint32_t p[] = {0, 0, 3, 0, 1, 0, 0};
    GByteArray *b = header(9, 4, SIM_TAIL_ZERO);
    put_varint(b, G_N_ELEMENTS(p));
    for (guint i = 0; i < G_N_ELEMENTS(p); i++)
        put_varint(b, p[i]);
    char *v1 = text_of(b, TRUE);
    sim_token t1 = decode_ok(v1);
    sim_token t2 = make(9, 4, SIM_TAIL_ZERO, p, G_N_ELEMENTS(p));
    char *v2 = sim_token_encode(&t2);
    sim_token d2 = decode_ok(v2);
    assert_int_equal(t1.prefix->len, d2.prefix->len);
    assert_memory_equal(t1.prefix->data, d2.prefix->data, sizeof p);
    assert_memory_equal(t1.prefix->data, p, sizeof p);
    sim_token_clear(&t1);
    sim_token_clear(&t2);
    sim_token_clear(&d2);
    g_free(v1);
    g_free(v2);
}

static void test_zero_runs_are_short(void **state)
{
    (void)state;
    /* 5000 answers, three of them non-zero: the token is about as long as
     * those three, not as the 5000 (ts1 needed a byte for each). */
    uint32_t p[5000] = {0};
    p[10] = 7;
    p[2500] = 300;
    p[4998] = 1;
    sim_token t = make(0xabcdef01, 1123, SIM_TAIL_ZERO, p, G_N_ELEMENTS(p));
    char *text = sim_token_encode(&t);
    assert_true(strlen(text) < 40);
    assert_roundtrip(&t);
    sim_token_clear(&t);
    g_free(text);
    /* Trailing zeros are kept as a count. */
    uint32_t z[300] = {0};
    t = make(1, 2, SIM_TAIL_RANDOM, z, G_N_ELEMENTS(z));
    assert_roundtrip(&t);
    sim_token_clear(&t);
}

/* A ts2 body: header, n, then the given symbols. */
static char *v2_text(uint64_t n, const uint64_t *symbols, guint n_symbols)
{
    GByteArray *b = header(1, 2, SIM_TAIL_ZERO);
    put_varint(b, n);
    for (guint i = 0; i < n_symbols; i++)
        put_varint(b, symbols[i]);
    return text_of_version(b, TRUE, "ts2-");
}

static void test_v2_refusals(void **state)
{
    (void)state;
    /* Two zeros, the answer 5, a zero: symbols 4, 9, 2. */
    char *text = v2_text(4, (const uint64_t[]){4, 9, 2}, 3);
    sim_token ok = decode_ok(text);
    assert_int_equal(ok.prefix->len, 4);
    assert_int_equal(g_array_index(ok.prefix, uint32_t, 1), 0);
    assert_int_equal(g_array_index(ok.prefix, uint32_t, 2), 5);
    assert_int_equal(g_array_index(ok.prefix, uint32_t, 3), 0);
    sim_token_clear(&ok);
    g_free(text);
    /* Zeros past the count, the symbol 0, an answer over 32 bits, symbols
     * after the count is reached (trailing), too few symbols, a count
     * beyond any run. */
    const struct {
        uint64_t n, symbols[3];
        guint n_symbols;
        const char *why;
    } cases[] = {
        {4, {10}, 1, "zero"},
        {4, {1, 8}, 2, "zero"},
        {4, {0}, 1, "choice"},
        {4, {UINT64_C(1) << 33}, 1, "zero"},
        {4, {(UINT64_C(1) << 33) + 1}, 1, "choice"},
        {1, {1, 1}, 2, "trailing"},
        {4, {1, 1}, 2, "choice"},
        {UINT64_C(1) << 40, {0}, 0, "count"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        text = v2_text(cases[i].n, cases[i].symbols, cases[i].n_symbols);
        assert_refused(text, cases[i].why);
        g_free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_character_unused_bits),
        cmocka_unit_test(test_roundtrip_small),
        cmocka_unit_test(test_roundtrip_large_values),
        cmocka_unit_test(test_roundtrip_long_prefix),
        cmocka_unit_test(test_roundtrip_flags),
        cmocka_unit_test(test_roundtrip_empty_prefix),
        cmocka_unit_test(test_distinct_tokens),
        cmocka_unit_test(test_hand_made_valid),
        cmocka_unit_test(test_wrong_prefix),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_bad_chars),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_checksum_mismatch),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_huge_count),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_choice_too_wide),
        cmocka_unit_test(test_mutations_never_crash),
        cmocka_unit_test(test_old_token_decodes),
        cmocka_unit_test(test_zero_runs_are_short),
        cmocka_unit_test(test_v2_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
