/* weak-map -- a weak-keyed map under churn, on typegc.
 *
 *   usage: weak-map [ROUNDS [KEYS_PER_ROUND [LIVE_KEYS]]]
 *                                  (default 100 rounds of 25000 keys, 100000 live)
 *
 * The kind of table an interpreter keeps beside its objects (a
 * WeakKeyDictionary, a cache of per-object data): entries hold their key
 * weakly and their value strongly, in an open-addressing table of linear
 * probes (schemas/weakmap.json).  Each round inserts KEYS_PER_ROUND fresh
 * keys, each with a fresh value; one key in 8, chosen by a fixed random
 * sequence, goes into a ring of LIVE_KEYS slots, replacing the key there,
 * and every other key is dropped at once.  So most keys die young, and the
 * ring's keys die old, at a random age.  When the table is three quarters
 * full it is rebuilt without the entries whose key reads NULL: the
 * collector cleared them (over malloc, the program did, when it freed the
 * key).
 *
 * Eight times in the run, and at the end, a check: a full collection, a
 * purge, then every entry left must reach a key the program still holds
 * (one it dropped is stale: the collector failed to clear it), and every
 * key of the ring must be found with its own value.  Standard output is
 * what must hold whatever the collector's timing: per check the number of
 * ring keys found and the sum of their payloads; the end adds the number
 * of entries inserted.  Standard error has the timing-dependent figures:
 * entries purged, rebuilds, stale entries seen, and `time: X s`.
 *
 * Stale entries are an error (exit status 1) but over Boehm GC, whose
 * conservative scan of the stack may still find a dropped key: there they
 * are counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "weakmap.h"

enum { KEEP_ONE_IN = 8, CHECKS = 8, MIN_SLOTS = 1024 };

static Map *map;                /* the table and the ring: a registered root */
static size_t used;             /* the table's non-NULL slots */
static uint64_t purged, rebuilds, stale_seen;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- A fixed sequence: the same choices over every collector ------------- */

static uint64_t random_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    uint64_t x = random_state;      /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return random_state = x;
}

/* The hash of a key comes from its serial, not its address: the same table
 * layout wherever the objects lie, and over typegc a key may move. */
static uint64_t hash_of(int64_t serial)
{
    uint64_t h = (uint64_t)serial * 0x9e3779b97f4a7c15u;
    return h ^ (h >> 29);
}

static uint64_t payload_of(int64_t serial)
{
    return hash_of(serial + 1) >> 16;
}

/* ---- The table ------------------------------------------------------------ */

static size_t capacity(void)
{
    return (size_t)Slots_length(map->slots);
}

/* Puts entry in the first free slot of its probe sequence (no allocation). */
static void place(Slots *slots, Entry *entry)
{
    size_t mask = (size_t)Slots_length(slots) - 1;
    size_t i = (size_t)entry->hash & mask;
    while (Slots_get(slots, i) != NULL)
        i = (i + 1) & mask;
    Slots_set(slots, i, entry);
}

static Entry *lookup(const Key *key)
{
    Slots *slots = map->slots;
    size_t mask = capacity() - 1;
    for (size_t i = (size_t)hash_of(key->serial) & mask;; i = (i + 1) & mask) {
        Entry *entry = Slots_get(slots, i);
        if (entry == NULL)
            return NULL;
        if (entry->key == key)
            return entry;
    }
}

#ifdef TYPEGC_EXPLICIT_FREE
static void free_entry(Entry *entry)
{
    tgc_free(entry->value);
    tgc_free(entry);
}
#endif

/* A table of at least three times as many slots as there are entries whose
 * key is still there; the others are purged.  Nothing but the new table is
 * allocated, so no key is cleared while they are copied. */
static void rebuild(tgc_cursor c)
{
    size_t keep = 0;
    for (size_t i = 0; i < capacity(); i++) {
        Entry *entry = Slots_get(map->slots, i);
        if (entry != NULL && entry->key != NULL)
            keep++;
    }
    size_t size = MIN_SLOTS;
    while (size < 3 * keep)
        size *= 2;
    Slots *fresh = TGC_NEW_ARRAY(Slots, c, size);
    Slots *old = map->slots;
    used = 0;
    for (size_t i = 0; i < (size_t)Slots_length(old); i++) {
        Entry *entry = Slots_get(old, i);
        if (entry == NULL)
            continue;
        if (entry->key != NULL) {
            place(fresh, entry);
            used++;
        } else {
            purged++;
#ifdef TYPEGC_EXPLICIT_FREE
            free_entry(entry);
#endif
        }
    }
    Map_set_slots(map, fresh);
#ifdef TYPEGC_EXPLICIT_FREE
    tgc_free(old);
#endif
    rebuilds++;
}

/* The program lets go of key.  Over malloc it frees it, so its entry must
 * forget it first, as the collectors do for a dead key. */
static void drop(Key *key)
{
    key->dropped = true;
#ifdef TYPEGC_EXPLICIT_FREE
    Entry *entry = lookup(key);
    Entry_set_key(entry, NULL);
    tgc_free(key);
#endif
}

static void insert_one(tgc_cursor c, int64_t serial)
{
    if (4 * (used + 1) > 3 * capacity())
        rebuild(c);
    Key *key = TGC_NEW(Key, c);
    key->serial = serial;
    Value *value = TGC_NEW(Value, c, key);
    value->serial = serial;
    value->payload = payload_of(serial);
    Entry *entry = TGC_NEW(Entry, c, key, value);
    Entry_set_key(entry, key);
    Entry_set_value(entry, value);
    entry->hash = hash_of(serial);
    place(map->slots, entry);
    used++;

    uint64_t choice = next_random();
    if (choice % KEEP_ONE_IN != 0) {
        drop(key);
        return;
    }
    Keys *ring = map->live;
    size_t slot = (size_t)((choice / KEEP_ONE_IN) % (uint64_t)Keys_length(ring));
    Key *replaced = Keys_get(ring, slot);
    if (replaced != NULL)
        drop(replaced);
    Keys_set(ring, slot, key);
}

/* ---- The check -------------------------------------------------------------- */

static void fail(const char *what, long round)
{
    fprintf(stderr, "weak-map: check at round %ld: %s\n", round, what);
    exit(1);
}

static void check(tgc_cursor c, long round)
{
    tgc_collect(c);
    rebuild(c);
    size_t stale = 0;
    for (size_t i = 0; i < capacity(); i++) {
        Entry *entry = Slots_get(map->slots, i);
        if (entry != NULL && entry->key->dropped)
            stale++;
    }
#ifndef TYPEGC_BOEHM
    if (stale != 0)
        fail("an entry reaches a key dropped before a full collection", round);
#endif
    stale_seen += stale;

    Keys *ring = map->live;
    long found = 0;
    uint64_t checksum = 0;
    for (size_t i = 0; i < (size_t)Keys_length(ring); i++) {
        Key *key = Keys_get(ring, i);
        if (key == NULL)
            continue;
        Entry *entry = lookup(key);
        if (entry == NULL)
            fail("a live key is not found", round);
        if (entry->value->serial != key->serial || entry->value->payload != payload_of(key->serial))
            fail("a live key's entry has another key's value", round);
        found++;
        checksum += entry->value->payload;
    }
    if (used - stale != (size_t)found)
        fail("entries other than the live keys' survived", round);
    printf("check at round %ld: %ld live keys found, checksum %016" PRIx64 "\n", round, found,
           checksum);
}

/* ---- Main ------------------------------------------------------------------- */

static bool parse_count(const char *text, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value < 1 || value > 100000000)
        return false;
    *out = value;
    return true;
}

#ifdef TYPEGC_EXPLICIT_FREE
static void free_all(void)
{
    for (size_t i = 0; i < capacity(); i++) {
        Entry *entry = Slots_get(map->slots, i);
        if (entry != NULL) {
            tgc_free(entry->key);
            free_entry(entry);
        }
    }
    tgc_free(map->slots);
    tgc_free(map->live);
    tgc_free(map);
}
#endif

int main(int argc, char **argv)
{
    long rounds = 100, per_round = 25000, live_keys = 100000;
    long *counts[] = { &rounds, &per_round, &live_keys };
    bool ok = argc <= 4;
    for (int i = 1; ok && i < argc; i++)
        ok = parse_count(argv[i], counts[i - 1]);
    if (!ok) {
        fprintf(stderr, "usage: %s [ROUNDS [KEYS_PER_ROUND [LIVE_KEYS]]]   (each 1 to 10^8)\n",
                argc > 0 ? argv[0] : "weak-map");
        return 2;
    }
    if (weakmap_init() != 0)
        return 1;
    tgc_register_root(&map);
    tgc_cursor c;
    tgc_cursor_open(c);
    double start = now();

    map = TGC_NEW(Map, c);
    Slots *slots = TGC_NEW_ARRAY(Slots, c, MIN_SLOTS);
    Map_set_slots(map, slots);
    Keys *ring = TGC_NEW_ARRAY(Keys, c, (size_t)live_keys);
    Map_set_live(map, ring);

    long check_every = rounds / CHECKS > 0 ? rounds / CHECKS : 1;
    int64_t serial = 0;
    for (long round = 1; round <= rounds; round++) {
        for (long i = 0; i < per_round; i++)
            insert_one(c, serial++);
        if (round % check_every == 0 && round != rounds)
            check(c, round);
    }
    check(c, rounds);
    printf("inserted %" PRId64 " entries\n", serial);

    double finish = now();
    fprintf(stderr, "purged %" PRIu64 " entries in %" PRIu64 " rebuilds; stale entries at "
            "the checks: %" PRIu64 "\n", purged, rebuilds, stale_seen);
    fprintf(stderr, "time: %.3f s\n", finish - start);
#ifdef TYPEGC_EXPLICIT_FREE
    free_all();
#endif
    tgc_cursor_close(c);
    return 0;
}
