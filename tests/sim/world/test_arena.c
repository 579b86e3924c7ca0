/*
 * test_arena.c - a thread's allocations go to its current arena, and a
 * snapshot put back restores every byte of them (sim/world/arena.c).
 *
 * Goal: what the stateful search's snapshots rely on.  While an arena is
 * entered, malloc, calloc, realloc, the aligned allocators and glib's
 * containers (GList links included: glib's slice allocator must not keep
 * world memory in caches of its own) allocate inside it; outside, they do
 * not; free sends a pointer back to whoever made it; freed blocks are
 * reused; a hash table changed after a snapshot reads as before once the
 * snapshot is restored, allocator and all; stacks are handed out once.
 * Skipped (with a message) where arenas are not built in (sanitizers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/world/arena.h"

static sim_arena *arena_or_skip(void)
{
    if (!sim_arena_usable()) {
        print_message("arenas are not built in here (sanitizer build): skipped\n");
        skip();
    }
    sim_arena *a = sim_arena_new(64 * 1024);
    assert_non_null(a);
    return a;
}

static void test_allocations_follow_the_current_arena(void **state)
{
    (void)state;
    sim_arena *a = arena_or_skip();
    void *before = malloc(40);
    assert_false(sim_arena_owns(a, before));
    assert_null(sim_arena_enter(a));
    void *in = malloc(40);
    void *z = calloc(10, 8);
    void *al = NULL;
    assert_int_equal(posix_memalign(&al, 256, 100), 0);
    GList *link = g_list_prepend(NULL, in); /* a GSlice allocation */
    GString *text = g_string_new("grows");
    for (int i = 0; i < 100; i++)
        g_string_append(text, " and grows");
    assert_ptr_equal(sim_arena_leave(), a);
    void *after = malloc(40);
    assert_true(sim_arena_owns(a, in));
    assert_true(sim_arena_owns(a, z));
    assert_true(sim_arena_owns(a, al));
    assert_int_equal((uintptr_t)al % 256, 0);
    assert_true(sim_arena_owns(a, link));
    assert_true(sim_arena_owns(a, text->str));
    assert_false(sim_arena_owns(a, after));
    for (int i = 0; i < 80; i++)
        assert_int_equal(((unsigned char *)z)[i], 0);
    /* Freed outside the arena, still returned to it: the next block of
     * that size is the same one. */
    free(in);
    sim_arena_enter(a);
    void *again = malloc(40);
    sim_arena_leave();
    assert_ptr_equal(again, in);
    /* realloc keeps a block where it was made. */
    void *grown = realloc(again, 4000);
    assert_true(sim_arena_owns(a, grown));
    void *out_grown = realloc(after, 4000);
    assert_false(sim_arena_owns(a, out_grown));
    free(out_grown);
    free(before);
    sim_arena_free(a);
}

static void test_restore_puts_every_byte_back(void **state)
{
    (void)state;
    sim_arena *a = arena_or_skip();
    sim_arena_enter(a);
    GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; i < 50; i++)
        g_hash_table_insert(map, g_strdup_printf("k%d", i), g_strdup_printf("v%d", i));
    sim_arena_leave();
    sim_arena_snap snap = {0};
    sim_arena_save(a, &snap, 0, NULL, NULL);
    size_t used = sim_arena_heap_used(a);
    assert_int_equal(snap.heap_len, used);
    /* Changed: entries removed, replaced and added (the table grows). */
    sim_arena_enter(a);
    for (int i = 0; i < 50; i += 2) {
        char key[8];
        g_snprintf(key, sizeof key, "k%d", i);
        g_hash_table_remove(map, key);
    }
    for (int i = 0; i < 500; i++)
        g_hash_table_insert(map, g_strdup_printf("n%d", i), g_strdup("new"));
    sim_arena_leave();
    assert_int_equal(g_hash_table_size(map), 525);
    sim_arena_restore(a, &snap);
    assert_int_equal(g_hash_table_size(map), 50);
    for (int i = 0; i < 50; i++) {
        char key[8];
        g_snprintf(key, sizeof key, "k%d", i);
        char want[8];
        g_snprintf(want, sizeof want, "v%d", i);
        assert_string_equal(g_hash_table_lookup(map, key), want);
    }
    assert_int_equal(sim_arena_heap_used(a), used);
    /* The allocator was restored too: the table goes on working. */
    sim_arena_enter(a);
    g_hash_table_insert(map, g_strdup("k0"), g_strdup("changed"));
    sim_arena_leave();
    assert_string_equal(g_hash_table_lookup(map, "k0"), "changed");
    sim_arena_snap_clear(&snap);
    sim_arena_free(a);
}

static void test_stacks_and_their_segments(void **state)
{
    (void)state;
    sim_arena *a = arena_or_skip();
    char *s1 = sim_arena_stack_take(a);
    char *s2 = sim_arena_stack_take(a);
    assert_ptr_not_equal(s1, s2);
    assert_true(sim_arena_owns(a, s1));
    memset(s1, 'a', 64 * 1024);
    sim_arena_snap snap = {0};
    char *lo[1] = {s1 + 1000}, *hi[1] = {s1 + 2000};
    sim_arena_save(a, &snap, 1, lo, hi);
    memset(s1, 'b', 64 * 1024);
    sim_arena_stack_give(a, s2);
    char *s3 = sim_arena_stack_take(a);
    assert_ptr_equal(s3, s2); /* a free slot is reused */
    sim_arena_restore(a, &snap);
    assert_int_equal(s1[999], 'b');
    assert_int_equal(s1[1000], 'a');
    assert_int_equal(s1[1999], 'a');
    assert_int_equal(s1[2000], 'b');
    /* The slot bitmap is in the heap: s2's slot is taken again. */
    char *s4 = sim_arena_stack_take(a);
    assert_ptr_not_equal(s4, s2);
    assert_ptr_not_equal(s4, s1);
    sim_arena_snap_clear(&snap);
    sim_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_follow_the_current_arena),
        cmocka_unit_test(test_restore_puts_every_byte_back),
        cmocka_unit_test(test_stacks_and_their_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
