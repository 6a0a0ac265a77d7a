/* typegc.h -- the public interface of libtypegc.
 *
 * libtypegc is a generational, moving garbage collector after PyPy's
 * incminimark.  `typegc gen` turns a JSON schema into a header of structs
 * and inline allocation and write-barrier functions built on this file.
 *
 * THE CONTRACT (what user code must get right)
 *
 * 1. Allocation goes through a cursor: `tgc_cursor c; tgc_cursor_open(c);`
 *    opens the one cursor of the process.  Pass it to every function that
 *    allocates (`void f(tgc_cursor c)`: like a jmp_buf it is an array, so
 *    the callee works on the caller's cursor).  Close it with
 *    `tgc_cursor_close(c)`.
 *
 * 2. Any allocation may run a collection, and a collection MOVES young
 *    objects.  A GC pointer held in a C local across a call that may
 *    collect must be saved on the shadow stack before the call and
 *    restored after it (the restored value is the object's new address):
 *
 *        TGC_SAVE(left, right);
 *        Node *n = make_tree(c, depth - 1);     // may collect
 *        TGC_RESTORE(left, right);
 *
 *    The allocation macros do this for you, and only on their slow path:
 *
 *        Node *n = TGC_NEW(Node, c, left, right);   // left, right stay valid
 *
 *    Globals and other static slots holding GC pointers are registered
 *    once with `tgc_register_root()`.
 *
 * 3. Store GC pointers into GC objects only through the generated setters
 *    (`Node_set_left(n, v)`), which run the write barrier.  Plain stores of
 *    integers and floats need nothing.
 */
#ifndef TYPEGC_H
#define TYPEGC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "typegc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Start-up ----------------------------------------------------------- */

/* Reads the PYPY_GC_* environment and PYPYLOG, allocates the nursery.
 * Returns 0, or -1 after printing why on stderr (a malformed variable).
 * Call it before anything else; the generated NAME_init() calls it.
 *
 * Several schemas in one process (a library's and the program's): each
 * NAME_init() calls it with its schema's table.  The first call starts
 * the collector; a later one only adds its schema's types (and returns
 * what the first returned).  Their type ids must not overlap: a schema
 * that takes ids another installed schema uses, or a table installed
 * twice, stops the program with a message naming both (generate one of
 * them with `typegc gen --first-type-id N`).
 *
 * The collector runs on the program's thread.  When the first object is
 * promoted, it starts one helper thread, at idle priority and with all
 * signals blocked, that faults in spare arenas ahead of need; it touches
 * no other memory and takes no lock of the program's.  A child forked
 * later starts its own.  TYPEGC_PREFAULT_ARENAS=0 starts none. */
int tgc_init(const tgc_type_table *types);

/* ---- The allocation cursor ----------------------------------------------
 * Three words -- the next free byte, the end of the space it may bump into,
 * and which hand-out this is -- in an array with no value type, so that it
 * cannot be copied by mistake: a `tgc_cursor` cannot be assigned, passed or
 * returned by value (a function declared `void f(tgc_cursor c)` gets a
 * pointer to its caller's cursor), and `tgc_cursor copy = { *c }` copies
 * only the first word, so the copy's first allocation goes to the runtime,
 * which stops the program.  Inside a function whose cursor is a local that
 * never has its address passed to a function that is not inlined (the
 * runtime's slow paths take the words by value), the compiler keeps it in
 * registers. */
typedef char *tgc_cursor[3];
/* free and top apart: read together as one wide load, right after an
 * allocation stored free, they would wait for that store to reach the
 * cache (runtime/DESIGN.md, "The cursor") */
#define TGC__CURSOR_FREE 0
#define TGC__CURSOR_EPOCH 1
#define TGC__CURSOR_TOP 2

/* The words as the runtime's slow paths take and return them (two
 * registers and the stack).  Internal: user code never holds one. */
struct tgc__cursor_words {
    char *free;
    char *top;
    uintptr_t epoch;
};

static inline __attribute__((always_inline)) struct tgc__cursor_words
tgc__cursor_get(char *const *cursor)
{
    struct tgc__cursor_words words = {
        cursor[TGC__CURSOR_FREE], cursor[TGC__CURSOR_TOP],
        (uintptr_t)cursor[TGC__CURSOR_EPOCH]
    };
    return words;
}

static inline __attribute__((always_inline)) void
tgc__cursor_set(char **cursor, struct tgc__cursor_words words)
{
    cursor[TGC__CURSOR_FREE] = words.free;
    cursor[TGC__CURSOR_TOP] = words.top;
    cursor[TGC__CURSOR_EPOCH] = (char *)words.epoch;
}

/* The runtime's calls that may move the cursor are macros over functions
 * that take and return its words (the `_value` functions), so that they
 * never take the cursor's address (which would keep it in memory). */
#define TGC__CURSOR_CALL(cursor, call) tgc__cursor_set((cursor), (call))

/* tgc_cursor_open(c): hands out the process's one cursor; a second open
 * before the close is a fatal error.  tgc_cursor_close(c) gives it back. */
#define tgc_cursor_open(cursor) TGC__CURSOR_CALL((cursor), tgc_cursor_open_value())
#define tgc_cursor_close(cursor) tgc_cursor_close_value(tgc__cursor_get(cursor))
struct tgc__cursor_words tgc_cursor_open_value(void) __attribute__((warn_unused_result));
void tgc_cursor_close_value(struct tgc__cursor_words cursor);

/* Slow path of the bump allocation: publishes the cursor, collects, and
 * returns a fresh cursor with room for at least `size` bytes. */
struct tgc__cursor_words tgc_refill(struct tgc__cursor_words cursor, size_t size)
    __attribute__((noinline, warn_unused_result));

/* Objects of TGC_LARGE_OBJECT bytes and more never enter the nursery; they
 * are malloced, zeroed and never move.  May collect first. */
struct tgc__cursor_words tgc_alloc_external(struct tgc__cursor_words cursor,
                                            uint32_t type_id, size_t length,
                                            void **result)
    __attribute__((noinline, warn_unused_result));

/* tgc_collect_minor(c): a minor collection now. */
#define tgc_collect_minor(cursor) \
    TGC__CURSOR_CALL((cursor), tgc_collect_minor_value(tgc__cursor_get(cursor)))
struct tgc__cursor_words tgc_collect_minor_value(struct tgc__cursor_words cursor)
    __attribute__((warn_unused_result));

/* With TGC_CHECK_CURSOR defined, every allocation also checks that its
 * cursor is the one the last allocation used, so that even a copy made
 * word by word is caught at its first use.  The runtime keeps
 * `tgc_expected_free` up to date in any case. */
extern char *tgc_expected_free;
void tgc_cursor_mismatch(char *const *cursor) __attribute__((noreturn, cold));

#ifdef TGC_CHECK_CURSOR
#define TGC__CHECK_CURSOR(c)                                            \
    do {                                                                \
        if (__builtin_expect((c)[TGC__CURSOR_FREE] != tgc_expected_free, 0)) \
            tgc_cursor_mismatch(c);                                     \
    } while (0)
#define TGC__CURSOR_MOVED(c) (tgc_expected_free = (c)[TGC__CURSOR_FREE])
#else
#define TGC__CHECK_CURSOR(c) ((void)0)
#define TGC__CURSOR_MOVED(c) ((void)0)
#endif

/* ---- The shadow stack --------------------------------------------------- */
typedef struct tgc_root_stack {
    void **top;
    void **limit;
    void **base;
} tgc_root_stack;

extern tgc_root_stack tgc_shadowstack;

void tgc_shadowstack_overflow(void) __attribute__((noreturn, cold));
void tgc_shadowstack_underflow(void) __attribute__((noreturn, cold));
void tgc_shadowstack_mismatch(size_t restored, const void *found) __attribute__((noreturn, cold));

/* Each TGC_SAVE and TGC_SAVE_ARRAY of n pointers pushes them and then a
 * tag saying n, an odd word that no GC pointer can be (the collector skips
 * it).  The matching restore pops n + 1 words and checks the tag, so that
 * a TGC_RESTORE of more or fewer pointers than the TGC_SAVE before it
 * stops the program there, even in a nested frame, instead of taking the
 * caller's slots. */
#define TGC__FRAME_TAG(n) ((void *)(((uintptr_t)(n) << 1) | 1))

static inline void **tgc_shadowstack_push(size_t n)
{
    void **slots = tgc_shadowstack.top;
    if (__builtin_expect((size_t)(tgc_shadowstack.limit - slots) < n, 0))
        tgc_shadowstack_overflow();
    tgc_shadowstack.top = slots + n;
    return slots;
}

static inline void **tgc_shadowstack_pop(size_t n)
{
    if (__builtin_expect((size_t)(tgc_shadowstack.top - tgc_shadowstack.base) < n, 0))
        tgc_shadowstack_underflow();
    tgc_shadowstack.top -= n;
    return tgc_shadowstack.top;
}

/* Registers a static slot (a global variable holding a GC pointer) as a
 * root for the rest of the program. */
void tgc_register_root(void *slot);

/* Argument counting and per-argument expansion for the root macros.  They
 * are written for strict C11, where a variadic macro must get at least one
 * argument: the allocation macros pass the cursor first, then the roots.
 * Up to TGC_MAX_SAVED roots per macro; TGC_SAVE_ARRAY saves more. */
#define TGC_MAX_SAVED 32
#define TGC__NARGS(...) TGC__NARGS_(__VA_ARGS__, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define TGC__NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, N, ...) N
#define TGC__CAT(a, b) TGC__CAT_(a, b)
#define TGC__CAT_(a, b) a##b
#define TGC__FIRST(...) TGC__FIRST_(__VA_ARGS__, unused)
#define TGC__FIRST_(first, ...) first
#define TGC__SECOND(...) TGC__SECOND_(__VA_ARGS__, unused)
#define TGC__SECOND_(first, second, ...) second
/* TGC__EACH(M, x1, ..., xn) expands M(n-1, x1) ... M(0, xn). */
#define TGC__EACH(M, ...) TGC__CAT(TGC__EACH_, TGC__NARGS(__VA_ARGS__))(M, __VA_ARGS__)
#define TGC__EACH_1(M, a) M(0, a)
#define TGC__EACH_2(M, a, ...) M(1, a) TGC__EACH_1(M, __VA_ARGS__)
#define TGC__EACH_3(M, a, ...) M(2, a) TGC__EACH_2(M, __VA_ARGS__)
#define TGC__EACH_4(M, a, ...) M(3, a) TGC__EACH_3(M, __VA_ARGS__)
#define TGC__EACH_5(M, a, ...) M(4, a) TGC__EACH_4(M, __VA_ARGS__)
#define TGC__EACH_6(M, a, ...) M(5, a) TGC__EACH_5(M, __VA_ARGS__)
#define TGC__EACH_7(M, a, ...) M(6, a) TGC__EACH_6(M, __VA_ARGS__)
#define TGC__EACH_8(M, a, ...) M(7, a) TGC__EACH_7(M, __VA_ARGS__)
#define TGC__EACH_9(M, a, ...) M(8, a) TGC__EACH_8(M, __VA_ARGS__)
#define TGC__EACH_10(M, a, ...) M(9, a) TGC__EACH_9(M, __VA_ARGS__)
#define TGC__EACH_11(M, a, ...) M(10, a) TGC__EACH_10(M, __VA_ARGS__)
#define TGC__EACH_12(M, a, ...) M(11, a) TGC__EACH_11(M, __VA_ARGS__)
#define TGC__EACH_13(M, a, ...) M(12, a) TGC__EACH_12(M, __VA_ARGS__)
#define TGC__EACH_14(M, a, ...) M(13, a) TGC__EACH_13(M, __VA_ARGS__)
#define TGC__EACH_15(M, a, ...) M(14, a) TGC__EACH_14(M, __VA_ARGS__)
#define TGC__EACH_16(M, a, ...) M(15, a) TGC__EACH_15(M, __VA_ARGS__)
#define TGC__EACH_17(M, a, ...) M(16, a) TGC__EACH_16(M, __VA_ARGS__)
#define TGC__EACH_18(M, a, ...) M(17, a) TGC__EACH_17(M, __VA_ARGS__)
#define TGC__EACH_19(M, a, ...) M(18, a) TGC__EACH_18(M, __VA_ARGS__)
#define TGC__EACH_20(M, a, ...) M(19, a) TGC__EACH_19(M, __VA_ARGS__)
#define TGC__EACH_21(M, a, ...) M(20, a) TGC__EACH_20(M, __VA_ARGS__)
#define TGC__EACH_22(M, a, ...) M(21, a) TGC__EACH_21(M, __VA_ARGS__)
#define TGC__EACH_23(M, a, ...) M(22, a) TGC__EACH_22(M, __VA_ARGS__)
#define TGC__EACH_24(M, a, ...) M(23, a) TGC__EACH_23(M, __VA_ARGS__)
#define TGC__EACH_25(M, a, ...) M(24, a) TGC__EACH_24(M, __VA_ARGS__)
#define TGC__EACH_26(M, a, ...) M(25, a) TGC__EACH_25(M, __VA_ARGS__)
#define TGC__EACH_27(M, a, ...) M(26, a) TGC__EACH_26(M, __VA_ARGS__)
#define TGC__EACH_28(M, a, ...) M(27, a) TGC__EACH_27(M, __VA_ARGS__)
#define TGC__EACH_29(M, a, ...) M(28, a) TGC__EACH_28(M, __VA_ARGS__)
#define TGC__EACH_30(M, a, ...) M(29, a) TGC__EACH_29(M, __VA_ARGS__)
#define TGC__EACH_31(M, a, ...) M(30, a) TGC__EACH_30(M, __VA_ARGS__)
#define TGC__EACH_32(M, a, ...) M(31, a) TGC__EACH_31(M, __VA_ARGS__)
/* TGC__EACH_AFTER_1(M, a, x1, ..., xn) and TGC__EACH_AFTER_2(M, a, b, x1,
 * ..., xn): the same, skipping the first one or two arguments. */
#define TGC__EACH_AFTER_1(M, ...) TGC__CAT(TGC__EACH_AFTER_1_, TGC__NARGS(__VA_ARGS__))(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2(M, ...) TGC__CAT(TGC__EACH_AFTER_2_, TGC__NARGS(__VA_ARGS__))(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_1(M, a)
#define TGC__EACH_AFTER_2_2(M, a, b)
#define TGC__EACH_AFTER_1_2(M, a, ...) TGC__EACH_1(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_3(M, a, ...) TGC__EACH_2(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_4(M, a, ...) TGC__EACH_3(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_5(M, a, ...) TGC__EACH_4(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_6(M, a, ...) TGC__EACH_5(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_7(M, a, ...) TGC__EACH_6(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_8(M, a, ...) TGC__EACH_7(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_9(M, a, ...) TGC__EACH_8(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_10(M, a, ...) TGC__EACH_9(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_11(M, a, ...) TGC__EACH_10(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_12(M, a, ...) TGC__EACH_11(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_13(M, a, ...) TGC__EACH_12(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_14(M, a, ...) TGC__EACH_13(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_15(M, a, ...) TGC__EACH_14(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_16(M, a, ...) TGC__EACH_15(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_17(M, a, ...) TGC__EACH_16(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_18(M, a, ...) TGC__EACH_17(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_19(M, a, ...) TGC__EACH_18(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_20(M, a, ...) TGC__EACH_19(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_21(M, a, ...) TGC__EACH_20(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_22(M, a, ...) TGC__EACH_21(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_23(M, a, ...) TGC__EACH_22(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_24(M, a, ...) TGC__EACH_23(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_25(M, a, ...) TGC__EACH_24(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_26(M, a, ...) TGC__EACH_25(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_27(M, a, ...) TGC__EACH_26(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_28(M, a, ...) TGC__EACH_27(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_29(M, a, ...) TGC__EACH_28(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_30(M, a, ...) TGC__EACH_29(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_31(M, a, ...) TGC__EACH_30(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_32(M, a, ...) TGC__EACH_31(M, __VA_ARGS__)
#define TGC__EACH_AFTER_1_33(M, a, ...) TGC__EACH_32(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_3(M, a, b, ...) TGC__EACH_1(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_4(M, a, b, ...) TGC__EACH_2(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_5(M, a, b, ...) TGC__EACH_3(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_6(M, a, b, ...) TGC__EACH_4(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_7(M, a, b, ...) TGC__EACH_5(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_8(M, a, b, ...) TGC__EACH_6(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_9(M, a, b, ...) TGC__EACH_7(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_10(M, a, b, ...) TGC__EACH_8(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_11(M, a, b, ...) TGC__EACH_9(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_12(M, a, b, ...) TGC__EACH_10(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_13(M, a, b, ...) TGC__EACH_11(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_14(M, a, b, ...) TGC__EACH_12(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_15(M, a, b, ...) TGC__EACH_13(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_16(M, a, b, ...) TGC__EACH_14(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_17(M, a, b, ...) TGC__EACH_15(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_18(M, a, b, ...) TGC__EACH_16(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_19(M, a, b, ...) TGC__EACH_17(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_20(M, a, b, ...) TGC__EACH_18(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_21(M, a, b, ...) TGC__EACH_19(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_22(M, a, b, ...) TGC__EACH_20(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_23(M, a, b, ...) TGC__EACH_21(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_24(M, a, b, ...) TGC__EACH_22(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_25(M, a, b, ...) TGC__EACH_23(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_26(M, a, b, ...) TGC__EACH_24(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_27(M, a, b, ...) TGC__EACH_25(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_28(M, a, b, ...) TGC__EACH_26(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_29(M, a, b, ...) TGC__EACH_27(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_30(M, a, b, ...) TGC__EACH_28(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_31(M, a, b, ...) TGC__EACH_29(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_32(M, a, b, ...) TGC__EACH_30(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_33(M, a, b, ...) TGC__EACH_31(M, __VA_ARGS__)
#define TGC__EACH_AFTER_2_34(M, a, b, ...) TGC__EACH_32(M, __VA_ARGS__)
#define TGC__STORE_ROOT(i, var) tgc__slots[i] = (void *)(var);
#define TGC__LOAD_ROOT(i, var) (var) = (__typeof__(var))tgc__slots[i];

/* The frame of a TGC_SAVE of n pointers: pops it, checking its tag, and
 * returns its first slot. */
static inline void **tgc_shadowstack_pop_frame(size_t n)
{
    void **slots = tgc_shadowstack_pop(n + 1);
    if (__builtin_expect(slots[n] != TGC__FRAME_TAG(n), 0))
        tgc_shadowstack_mismatch(n, slots[n]);
    return slots;
}

static inline void **tgc_shadowstack_push_frame(size_t n)
{
    void **slots = tgc_shadowstack_push(n + 1);
    slots[n] = TGC__FRAME_TAG(n);
    return slots;
}

/* TGC_SAVE(a, b, ...): push the GC pointers held in these variables (1 to
 * TGC_MAX_SAVED of them) on the shadow stack.  TGC_RESTORE(a, b, ...) with
 * the same variables in the same order pops them back, updated if they
 * moved; restoring more or fewer than were saved stops the program. */
#define TGC_SAVE(...)                                                   \
    do {                                                                \
        void **tgc__slots = tgc_shadowstack_push_frame(TGC__NARGS(__VA_ARGS__)); \
        TGC__EACH(TGC__STORE_ROOT, __VA_ARGS__)                         \
    } while (0)
#define TGC_RESTORE(...)                                                \
    do {                                                                \
        void **tgc__slots = tgc_shadowstack_pop_frame(TGC__NARGS(__VA_ARGS__)); \
        TGC__EACH(TGC__LOAD_ROOT, __VA_ARGS__)                          \
    } while (0)

/* TGC_SAVE_ARRAY(array, n): push the n GC pointers of `array` (an array or
 * pointer to GC pointers of any object type; NULLs allowed), and
 * TGC_RESTORE_ARRAY(array, n) pops them back into it, updated. */
static inline void tgc_save_array(void *const *array, size_t n)
{
    void **slots = tgc_shadowstack_push_frame(n);
    for (size_t i = 0; i < n; i++)
        slots[i] = array[i];
}

static inline void tgc_restore_array(void **array, size_t n)
{
    void **slots = tgc_shadowstack_pop_frame(n);
    for (size_t i = 0; i < n; i++)
        array[i] = slots[i];
}

#define TGC_SAVE_ARRAY(array, n) tgc_save_array((void *const *)(array), (n))
#define TGC_RESTORE_ARRAY(array, n) tgc_restore_array((void **)(array), (n))

/* Unwinding: a non-local exit (longjmp, or an exception of another
 * language) out of code that saved roots leaves their frames on the
 * shadow stack.  Take a mark where the exit lands, before the code that
 * may leave, and reset to it after landing:
 *
 *     tgc_root_mark mark = tgc_roots_mark();
 *     if (setjmp(env) == 0) run(c); else tgc_roots_reset(mark);
 *
 * Resetting to a mark deeper than the stack now is a fatal error. */
typedef struct tgc_root_mark {
    size_t depth;               /* words on the shadow stack */
} tgc_root_mark;

tgc_root_mark tgc_roots_mark(void);
void tgc_roots_reset(tgc_root_mark mark);

/* The same for the allocation macros' argument lists, (cursor, roots...)
 * or (cursor, length, roots...): around `call`, save the roots that follow
 * the first `skip` arguments, if any. */
#define TGC__KEEPING_ROOTS(call, skip, ...)                             \
    do {                                                                \
        void **tgc__slots = tgc_shadowstack_push(TGC__NARGS(__VA_ARGS__) - skip); \
        (void)tgc__slots;                                               \
        TGC__CAT(TGC__EACH_AFTER_, skip)(TGC__STORE_ROOT, __VA_ARGS__)  \
        call;                                                           \
        tgc__slots = tgc_shadowstack_pop(TGC__NARGS(__VA_ARGS__) - skip); \
        TGC__CAT(TGC__EACH_AFTER_, skip)(TGC__LOAD_ROOT, __VA_ARGS__)   \
    } while (0)

/* ---- Allocation fast paths ---------------------------------------------- */

/* The bump-pointer fast path, over the argument list of TGC_NEW or
 * TGC_NEW_ARRAY (see TGC__KEEPING_ROOTS).  The cursor lives in the
 * caller's registers; only when the nursery is full are the roots saved,
 * the cursor handed to tgc_refill() by value and the roots restored.  The
 * generated T__init() writes the header and zeroes the fields with typed
 * stores, so the compiler knows they cannot overwrite the cursor. */
#define TGC__BUMP(size, skip, ...)                                      \
    __extension__({                                                     \
        char **tgc__c = TGC__FIRST(__VA_ARGS__);                        \
        TGC__CHECK_CURSOR(tgc__c);                                      \
        char *tgc__p = tgc__c[TGC__CURSOR_FREE];                        \
        if (__builtin_expect(tgc__p + (size) > tgc__c[TGC__CURSOR_TOP], 0)) { \
            TGC__KEEPING_ROOTS(TGC__CURSOR_CALL(tgc__c,                 \
                                   tgc_refill(tgc__cursor_get(tgc__c), (size))), \
                               skip, __VA_ARGS__);                      \
            tgc__p = tgc__c[TGC__CURSOR_FREE];                          \
        }                                                               \
        tgc__c[TGC__CURSOR_FREE] = tgc__p + (size);                     \
        TGC__CURSOR_MOVED(tgc__c);                                      \
        (void *)tgc__p;                                                 \
    })

/* Objects of TGC_LARGE_OBJECT bytes or more skip the nursery. */
#define TGC__EXTERNAL(type_id, length, skip, ...)                       \
    __extension__({                                                     \
        char **tgc__c = TGC__FIRST(__VA_ARGS__);                        \
        void *tgc__big;                                                 \
        TGC__CHECK_CURSOR(tgc__c);                                      \
        TGC__KEEPING_ROOTS(TGC__CURSOR_CALL(tgc__c,                     \
                               tgc_alloc_external(tgc__cursor_get(tgc__c), (type_id), \
                                                  (length), &tgc__big)), \
                           skip, __VA_ARGS__);                          \
        tgc__big;                                                       \
    })

/* TGC_NEW calls it for a new nursery object whose type has a destructor
 * (T__DESTRUCTOR), so that the next minor collection finds it if it died;
 * tgc_alloc_external() does the same for large ones. */
void tgc_destructor_register(void *object);

/* TGC_NEW(T, cursor, live...): a new zeroed T.  `live` lists the local
 * variables holding GC pointers that are used after this line (at most
 * TGC_MAX_SAVED); they are updated if the allocation collects. */
#define TGC_NEW(T, ...)                                                 \
    __extension__({                                                     \
        T *tgc__obj;                                                    \
        if (T##__SIZE > TGC_NONLARGE_MAX)                               \
            tgc__obj = (T *)TGC__EXTERNAL(T##__TYPE_ID, 0, 1, __VA_ARGS__); \
        else {                                                          \
            tgc__obj = T##__init(TGC__BUMP(T##__SIZE, 1, __VA_ARGS__)); \
            if (T##__DESTRUCTOR)                                        \
                tgc_destructor_register(tgc__obj);                      \
        }                                                               \
        tgc__obj;                                                       \
    })

/* TGC_NEW_ARRAY(T, cursor, length, live...): a new zeroed array T.  Arrays
 * whose size would reach TGC_LARGE_OBJECT (or overflow) skip the nursery. */
#define TGC_NEW_ARRAY(T, ...)                                           \
    __extension__({                                                     \
        size_t tgc__n = TGC__SECOND(__VA_ARGS__);                       \
        T *tgc__arr;                                                    \
        if (__builtin_expect(tgc__n > (TGC_NONLARGE_MAX - T##__ITEMS_OFFSET) / T##__ITEM_SIZE, 0)) \
            tgc__arr = (T *)TGC__EXTERNAL(T##__TYPE_ID, tgc__n, 2, __VA_ARGS__); \
        else                                                            \
            tgc__arr = T##__init(TGC__BUMP(                             \
                tgc_round_up_size(T##__ITEMS_OFFSET + tgc__n * T##__ITEM_SIZE), \
                2, __VA_ARGS__), tgc__n);                               \
        tgc__arr;                                                       \
    })

/* ---- Write barrier ------------------------------------------------------ */
void tgc_remember_young_pointer(void *object);
void tgc_remember_young_pointer_from_array(void *array, size_t index);

/* Run before storing a GC pointer into `object`: one test of the header. */
static inline void tgc_write_barrier(void *object)
{
    if (__builtin_expect(((tgc_header *)object)->flags & TGC_FLAG_TRACK_YOUNG_PTRS, 0))
        tgc_remember_young_pointer(object);
}

static inline void tgc_write_barrier_from_array(void *array, size_t index)
{
    if (__builtin_expect(((tgc_header *)array)->flags & TGC_FLAG_TRACK_YOUNG_PTRS, 0))
        tgc_remember_young_pointer_from_array(array, index);
}

/* Aborts with a message naming the array type, the index and the length. */
void tgc_index_error(const void *array, size_t index) __attribute__((noreturn, cold));
/* The same for item `index` of a struct's fixed-size array field `field`
 * of `length` items (a schema field with "length"). */
void tgc_field_index_error(const void *object, const char *field, size_t index,
                           size_t length) __attribute__((noreturn, cold));

/* ---- Objects ------------------------------------------------------------ */

/* The type of any object: its entry in the type table. */
const tgc_type_info *tgc_type_of(const void *object);

/* "<A object at 0x...>", as RPython prints an instance.  Returns what
 * snprintf returns. */
int tgc_format_object(char *buf, size_t size, const void *object);

/* PyPy's id() and compute_identity_hash(): a number that stays the same
 * for the object's life, however it moves, and that no other live object
 * has (0 for NULL); and a hash made from it.  The first call for a young
 * object allocates the old block it will move to (see runtime/DESIGN.md,
 * "Identity"); neither call collects. */
uintptr_t tgc_id(void *object);
uintptr_t tgc_identity_hash(void *object);

/* PyPy's rgc.pin() and rgc.unpin(): while pinned, a young object does not
 * move, so that its address can be lent to code the collector does not
 * see (a system call filling a buffer, a C library).
 *
 * tgc_pin() returns true if it pinned the object, and false, doing
 * nothing, if the object needs no pin or cannot have one: NULL, old or
 * large (those never move), pinned already (one pin each, so that one
 * caller's unpin cannot undo another's), of a type with GC pointers, weak
 * pointers or a destructor (pinned objects are not traced), registered
 * with a finalizer queue (one registered while pinned lives, in place,
 * until unpinned: unpin it before dropping it), or when
 * PYPY_GC_MAX_PINNED objects are pinned already (default: the nursery's
 * size / 270336, 15 for 4 MiB; 0 disables pinning), or when the pin would
 * leave the nursery no gap of TGC_LARGE_OBJECT bytes between the pinned
 * objects (small nurseries only).  On false, copy the
 * data out instead, as PyPy's get_nonmovingbuffer does.
 *
 * A pinned object still dies when it becomes unreachable: keep it in a
 * root while its address is lent.  Its pin dies with it, at the minor
 * collection that finds it unreachable.  The nursery is handed out around
 * pinned objects, so many or long pins leave it fragmented.  tgc_unpin()
 * of an object that is not pinned (never, or no longer: unpinned, or dead)
 * stops the program with a message.  Neither call collects; not inside a
 * destructor.  tgc_stats.pinned_objects says how many are pinned now. */
bool tgc_pin(void *object);
void tgc_unpin(void *object);

/* ---- Collections (what PyPy's gc module offers) ------------------------- */

/* "SCANNING", "MARKING", "SWEEPING", "FINALIZING", "USERDEL". */
const char *tgc_phase_name(tgc_phase phase);

/* tgc_collect(c) is gc.collect(): finishes the major cycle in progress,
 * then runs a whole new one, so that everything unreachable now is freed. */
#define tgc_collect(cursor) \
    TGC__CURSOR_CALL((cursor), tgc_collect_value(tgc__cursor_get(cursor)))
struct tgc__cursor_words tgc_collect_value(struct tgc__cursor_words cursor)
    __attribute__((warn_unused_result));

/* tgc_collect_step(c, &result) is gc.collect_step(): one minor collection
 * and one major step (tgc_step_result: typegc_types.h).  As in PyPy, the
 * FINALIZING step reports FINALIZING -> USERDEL, and the next call
 * collects nothing and reports USERDEL -> SCANNING with major_is_done, so
 * that `do tgc_collect_step(c, &r); while (!r.major_is_done);` finishes a
 * cycle.  The finalizer queues' triggers run as the FINALIZING step
 * returns.  A full collection in between drops the USERDEL call. */
#define tgc_collect_step(cursor, result) \
    TGC__CURSOR_CALL((cursor), tgc_collect_step_value(tgc__cursor_get(cursor), (result)))
struct tgc__cursor_words tgc_collect_step_value(struct tgc__cursor_words cursor,
                                                tgc_step_result *result)
    __attribute__((warn_unused_result));

/* gc.disable() stops automatic major steps; minor collections go on.
 * tgc_collect() and tgc_collect_step() still work. */
void tgc_enable(void);
void tgc_disable(void);
bool tgc_isenabled(void);

/* Memory pressure (PyPy's add_memory_pressure): memory outside the heap
 * that GC objects keep alive, so that the collector runs sooner.
 *
 * tgc_add_memory_pressure(bytes): owned by no object in particular; the
 * next major collection comes that much sooner, once.
 *
 * tgc_add_memory_pressure(object, bytes): `object` (a GC object) owns
 * `bytes` more: they count as memory in use, like the object's own bytes,
 * towards the next major collection and when each cycle sets the next
 * one's threshold, for as long as the object lives; once a collection
 * finds it dead they stop counting.  Call it again for more; a NULL
 * object is the first form.
 *
 * Neither collects.  The allocation cursor lives in the caller's
 * registers, out of the runtime's reach, so pressure cannot send the next
 * allocation to the slow path as PyPy's does: it is seen at the next slow
 * path (a nursery fill, a large object) or explicit collection.
 * tgc_get_stats(&s, true) reports both kinds summed, saturating at
 * LLONG_MAX rather than wrapping. */
#define tgc_add_memory_pressure(...) \
    TGC__CAT(tgc__add_memory_pressure_, TGC__NARGS(__VA_ARGS__))(__VA_ARGS__)
#define tgc__add_memory_pressure_1(bytes) (tgc_add_memory_pressure)(bytes)
#define tgc__add_memory_pressure_2(object, bytes) tgc_add_object_memory_pressure((object), (bytes))
void (tgc_add_memory_pressure)(size_t bytes);
void tgc_add_object_memory_pressure(void *object, size_t bytes);

/* ---- Finalizer queues (PyPy's FinalizerQueue) ---------------------------
 * For objects whose clean-up must see the heap (close a file object's
 * buffer through its fields, call back into the program), which a
 * destructor may not.  Register an object with a queue; once it is found
 * unreachable it is kept alive, with everything it reaches, and put on
 * its queue, where tgc_finalizer_next_dead() hands it back to the program
 * (which may then read it, store it, even register it again).
 *
 * Guarantees:
 *   - an object is queued at most once per registration, and only once no
 *     chain of references from the roots reaches it; queued objects are
 *     roots until handed out, and die as any object once the program
 *     drops them;
 *   - order: if registered A reaches registered B, A comes out first; B
 *     stays registered and alive until A is handed out and gone, and comes
 *     out in a later major collection.  A cycle of registered objects
 *     comes out one object per major collection; nothing is leaked;
 *   - a registered object survives minor collections until a major one
 *     orders it, so it costs a promotion;
 *   - weak pointers to an object the queue keeps alive are cleared (to it
 *     and to everything only it reaches), as PyPy does, before the program
 *     can see it again; its destructor, if its type has one, runs only
 *     when it dies after being handed out.
 *
 * The trigger (may be NULL) is called at a safe point after the major
 * cycle that queued objects (the FINALIZING step), never inside a
 * collection: before the allocation or collection call that finished the
 * cycle returns, once per queue that holds objects then.  It may call
 * tgc_finalizer_next_dead(), read objects and store GC pointers through
 * the setters; it may not allocate or collect (the program stops with a
 * message): note that the queue has work and drain it later, where the
 * cursor is at hand, as PyPy's triggers do.
 *
 * Misuse stops the program with a message: a NULL queue, a NULL or non-GC
 * object, an object registered twice (or after tgc_may_ignore_finalizer),
 * a call from inside a destructor.  Queues live as long as the program. */
typedef struct tgc_finalizer_queue tgc_finalizer_queue;
typedef void (*tgc_finalizer_trigger)(tgc_finalizer_queue *queue, void *arg);

tgc_finalizer_queue *tgc_finalizer_queue_new(tgc_finalizer_trigger trigger, void *arg);
/* Registers `object` with `queue` (PyPy's register_finalizer). */
void tgc_finalizer_register(tgc_finalizer_queue *queue, void *object);
/* The next dead object of the queue, oldest first, or NULL. */
void *tgc_finalizer_next_dead(tgc_finalizer_queue *queue);
/* The object's registration may be dropped: it is never queued, and dies
 * as any object (PyPy's may_ignore_finalizer). */
void tgc_may_ignore_finalizer(void *object);

/* ---- Seeing where memory goes -------------------------------------------
 * TYPEGC_PROFILE=FILE[:BYTES[:SEED]] samples allocations (README,
 * "Allocation profiles"): the samples are written to FILE at exit, and
 * now by tgc_profile_flush() (which does nothing without TYPEGC_PROFILE).
 * `typegc profile FILE` reads them. */
void tgc_profile_flush(void);

/* tgc_dump_heap(c, path): a full collection, then every live object
 * (address, type, size, references) written to `path` in the format of
 * runtime/FORMATS.md; `typegc heap FILE` reads it.  Evaluates to 0, or -1
 * after printing why on stderr.  A major cycle in progress is finished
 * first, so a dump taken while MARKING or SWEEPING is as consistent as
 * any.  TYPEGC_DUMP_HEAP_AT_EXIT=FILE takes one at exit. */
#define tgc_dump_heap(cursor, path)                                     \
    __extension__({                                                     \
        int tgc__dumped = -1;                                           \
        TGC__CURSOR_CALL((cursor), tgc_dump_heap_value(tgc__cursor_get(cursor), (path), \
                                                       &tgc__dumped));  \
        tgc__dumped;                                                    \
    })
struct tgc__cursor_words tgc_dump_heap_value(struct tgc__cursor_words cursor, const char *path,
                                             int *result)
    __attribute__((warn_unused_result));

/* ---- Running out of memory ----------------------------------------------
 * The handler is PyPy's MemoryError.  It runs at the safe point where the
 * allocation that ran out would return, before that allocation's object
 * exists; it may longjmp() out (the heap is consistent), or drop references
 * and return: the allocation then proceeds.  It must not allocate.
 *
 * With PYPY_GC_MAX set, a major collection that ends with the heap still
 * above the limit calls it, once per process, as PyPy raises MemoryError
 * once: the next time a major collection ends above the limit, however
 * much later and whatever the handler freed meanwhile, or the first time
 * when no handler is set, the program stops with "typegc: fatal error:
 * using too much memory, aborting".
 *
 * When the system refuses memory (malloc or mmap fail):
 *   - for a large object the program asked for: a full collection, then a
 *     retry; then the handler, a full collection and one more retry; then
 *     the program stops ("out of memory: cannot allocate T of length N");
 *   - inside a collection, which cannot stop halfway: the emergency reserve
 *     that tgc_init() mapped (twice the nursery and 2 MiB, never touched)
 *     goes back to the system, the collection completes, then the handler
 *     runs and what it dropped is collected at once.  The reserve is taken
 *     again when memory allows; a failure while it is spent stops the
 *     program ("... and the emergency reserve is spent already").
 *   - tgc_init() returns -1 after printing the reason.
 * Without a handler each of these stops the program with its message.
 * TYPEGC_FAIL_ALLOC=N and TYPEGC_MEMORY_LIMIT=SIZE inject such failures
 * (README, "Debugging"). */
/* tgc_memory_error_handler: typegc_types.h. */
void tgc_set_memory_error_handler(tgc_memory_error_handler handler, void *arg);

/* ---- Statistics (PyPy's gc.get_stats) ----------------------------------- */
/* tgc_stats: typegc_types.h. */
void tgc_get_stats(tgc_stats *stats, bool with_memory_pressure);

/* The report of PyPy's `print(gc.get_stats())`.  Returns what snprintf
 * returns. */
int tgc_format_stats(char *buf, size_t size, const tgc_stats *stats);

/* ---- Hooks (PyPy's gc.hooks) --------------------------------------------
 * Events are gathered while the collector works and handed to the hooks
 * when it is done, before the allocation that triggered them returns:
 * `count` says how many events were folded into one call, `duration` is
 * their total and `duration_min`/`duration_max` their extremes (in
 * nanoseconds); every other field is from the last event.  A hook must not
 * allocate GC objects.
 *
 * `cpu_duration`, not in PyPy, is the part of `duration` the thread spent
 * on the CPU (CLOCK_THREAD_CPUTIME_ID, kernel time such as page faults
 * included): wall time minus the time the kernel ran another process, and
 * minus the time the hypervisor took (where the kernel accounts steal
 * time).  Measured only while the hook of that kind is installed.  The
 * structures are in typegc_types.h. */

/* Installs the hooks (a NULL member disables that one); NULL resets all.
 * Hooks see the events after they are installed, as in PyPy: events not
 * yet delivered are dropped.  So the one minor collection of start-up,
 * which tgc_init() runs before any hook can be installed, reaches no hook;
 * tgc_get_stats() counts it (minor_collections is 1 after tgc_init()). */
void tgc_set_hooks(const tgc_hooks *hooks);

#ifdef __cplusplus
}
#endif

#endif /* TYPEGC_H */
