/* test_random.c -- a randomized differential test: seeded random programs
 * allocate, link, overwrite and drop Tree objects and collect (minor,
 * major step, full) at random points, while a plain model keeps the same
 * graph by object number; after every collection the heap reachable from
 * the roots is compared with the model.  Half the objects are Owners,
 * with a destructor: it must run once per Owner, never while the model
 * reaches it, and by the end of a full collection for every Owner the
 * model no longer reaches.  Ids are taken of random objects: each stays
 * the same across collections, and live objects' ids differ.  Random weak
 * stores: after every collection a reachable object's weak field is its
 * target in the model or NULL, NULL only if the model no longer reaches
 * the target, and after a full collection NULL exactly then.  Trees hold
 * Blobs, which are pinned and unpinned at random: after every collection
 * a reachable Blob holds what it was given, a pinned one at the address
 * it was pinned at, and the collector counts as pinned exactly the pinned
 * Blobs the model reaches (an unreachable one dies, pin and all).
 *
 *   test_random [FIRST_SEED [COUNT]]     (default 0 400)
 *
 * A failing seed is printed with the command that replays it alone. */
#include <inttypes.h>

#include "check.h"
#include "lifetimes.h"

enum { ROOTS = 48, OPS = 1500, MAX_OBJECTS = OPS + 1, MAX_PINNED = 6 };

static Tree *roots[ROOTS];              /* registered roots */
static tgc_cursor c;

/* The model: object n's children by number, -1 for NULL. */
static struct {
    long root[ROOTS];
    long left[MAX_OBJECTS], right[MAX_OBJECTS];
    long count;
    unsigned char seen[MAX_OBJECTS];
    bool owner[MAX_OBJECTS];            /* an Owner, with a destructor */
    unsigned destructed[MAX_OBJECTS];   /* Owner_destruct() calls */
    bool reachable[MAX_OBJECTS];        /* from the roots, when valid */
    bool reachable_valid;               /* false once the graph changes */
    long wrong_destructions;            /* reachable, twice, or not an Owner */
    uintptr_t id[MAX_OBJECTS];          /* tgc_id() when taken, else 0 */
    long weak[MAX_OBJECTS];             /* the weak field's target, -1 for NULL
                                           (set to -1 once the heap cleared it) */
    long blob[MAX_OBJECTS];             /* a Tree's blob, by Blob number, or -1 */
    long blob_count;
    bool pinned[MAX_OBJECTS];           /* by Blob number */
    uintptr_t pinned_at[MAX_OBJECTS];   /* its address when pinned */
    bool blob_reachable[MAX_OBJECTS];   /* worked out with `reachable` */
} model;

static void reach(long n)
{
    while (n >= 0 && !model.reachable[n]) {
        model.reachable[n] = true;
        if (model.blob[n] >= 0)
            model.blob_reachable[model.blob[n]] = true;
        reach(model.left[n]);
        n = model.right[n];
    }
}

/* The model's graph does not change during a collection: the set is
 * worked out once for all the destructors it runs. */
static const bool *reachable_objects(void)
{
    if (!model.reachable_valid) {
        memset(model.reachable, 0, (size_t)model.count * sizeof model.reachable[0]);
        memset(model.blob_reachable, 0, (size_t)model.blob_count);
        for (int r = 0; r < ROOTS; r++)
            reach(model.root[r]);
        model.reachable_valid = true;
    }
    return model.reachable;
}

void Owner_destruct(Owner *owner)
{
    long n = Tree_of(owner)->item;
    if (n < 0 || n >= model.count || !model.owner[n] || reachable_objects()[n] ||
        ++model.destructed[n] != 1) {
        fprintf(stderr, "object %ld: destructed wrongly (reachable %d, %u times)\n", n,
                n >= 0 && n < model.count && reachable_objects()[n],
                n >= 0 && n < model.count ? model.destructed[n] : 0);
        model.wrong_destructions++;
    }
}

/* After a full collection: each Owner destructed once if unreachable, not
 * at all otherwise. */
static bool destructions_match_model(void)
{
    const bool *reachable = reachable_objects();
    for (long n = 0; n < model.count; n++)
        if (model.owner[n] && model.destructed[n] != (reachable[n] ? 0u : 1u)) {
            fprintf(stderr, "object %ld: %u destructions, reachable %d, after a full "
                    "collection\n", n, model.destructed[n], reachable[n]);
            return false;
        }
    return model.wrong_destructions == 0;
}

static uint64_t rng;

static uint32_t next_random(void)
{
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(rng >> 33);
}

static long number_of(const Tree *t)
{
    return t == NULL ? -1 : (long)t->item;
}

static int64_t blob_check(long b)
{
    return b * 7919 + 13;
}

/* A tree's Blob against the model: the same Blob, its contents intact,
 * and where it was pinned if it is pinned. */
static bool same_blob(const Tree *t, long n, const char *where)
{
    const Blob *blob = t->blob;
    long b = model.blob[n];
    if ((blob == NULL) != (b < 0) || (blob != NULL && blob->item != b)) {
        fprintf(stderr, "%s: object %ld holds blob %ld, the model says %ld\n", where, n,
                blob == NULL ? -1L : (long)blob->item, b);
        return false;
    }
    if (blob == NULL)
        return true;
    if (!Blob_isinstance(blob) || blob->check != blob_check(b)) {
        fprintf(stderr, "%s: blob %ld has a bad header or contents\n", where, b);
        return false;
    }
    if (model.pinned[b] && (uintptr_t)blob != model.pinned_at[b]) {
        fprintf(stderr, "%s: pinned blob %ld moved from %#lx to %p\n", where, b,
                (unsigned long)model.pinned_at[b], (const void *)blob);
        return false;
    }
    return true;
}

/* After a collection, the collector counts the pinned Blobs the model
 * reaches, and maybe some it does not: an old object that pointed to a
 * pinned one at a minor collection keeps it alive at the next ones until
 * a major collection finds that object dead (PyPy's
 * old_objects_pointing_to_pinned).  After a full collection (`full`),
 * exactly those the model reaches: the unreachable ones died, pins and
 * all. */
static bool pinned_count_matches_model(bool full)
{
    const bool *unused = reachable_objects();
    (void)unused;
    size_t reachable = 0, pinned = 0;
    for (long b = 0; b < model.blob_count; b++) {
        if (full && model.pinned[b] && !model.blob_reachable[b])
            model.pinned[b] = false;
        pinned += model.pinned[b];
        reachable += model.pinned[b] && model.blob_reachable[b];
    }
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.pinned_objects < reachable || stats.pinned_objects > pinned) {
        fprintf(stderr, "%zu objects pinned, the model says %zu to %zu\n",
                stats.pinned_objects, reachable, pinned);
        return false;
    }
    return true;
}


/* Compares the heap under `t` with the model under `n`; returns false
 * after printing the first difference. */
static bool same_graph(const Tree *t, long n, const char *where)
{
    if (number_of(t) != n) {
        fprintf(stderr, "%s: object %ld in the heap, %ld in the model\n", where,
                number_of(t), n);
        return false;
    }
    if (n < 0 || model.seen[n])
        return true;
    model.seen[n] = 1;
    if (!Tree_isinstance(t)) {
        fprintf(stderr, "%s: object %ld has a bad header\n", where, n);
        return false;
    }
    return same_blob(t, n, where) && same_graph(t->left, model.left[n], where) &&
           same_graph(t->right, model.right[n], where);
}

static bool heap_matches_model(void)
{
    memset(model.seen, 0, (size_t)model.count);
    for (int r = 0; r < ROOTS; r++)
        if (!same_graph(roots[r], model.root[r], "root"))
            return false;
    return true;
}

static int compare_ids(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* Every reachable object whose id was taken still has it, and no two
 * reachable objects share one. */
static uintptr_t id_check[MAX_OBJECTS];

static bool ids_match_model(Tree *t, long *n_ids)
{
    if (t == NULL || model.seen[t->item])
        return true;
    long n = t->item;
    model.seen[n] = 1;
    if (model.id[n] != 0) {
        if (tgc_id(t) != model.id[n]) {
            fprintf(stderr, "object %ld: id %#lx, was %#lx\n", n, (unsigned long)tgc_id(t),
                    (unsigned long)model.id[n]);
            return false;
        }
        id_check[(*n_ids)++] = model.id[n];
    }
    return ids_match_model(t->left, n_ids) && ids_match_model(t->right, n_ids);
}

static bool ids_stable_and_unique(void)
{
    memset(model.seen, 0, (size_t)model.count);
    long n_ids = 0;
    for (int r = 0; r < ROOTS; r++)
        if (!ids_match_model(roots[r], &n_ids))
            return false;
    qsort(id_check, (size_t)n_ids, sizeof id_check[0], compare_ids);
    for (long i = 1; i < n_ids; i++)
        if (id_check[i] == id_check[i - 1]) {
            fprintf(stderr, "two live objects have the id %#lx\n", (unsigned long)id_check[i]);
            return false;
        }
    return true;
}

/* Every reachable object's weak field against the model: its target or
 * NULL, and NULL only once the target is unreachable; after a full
 * collection (`full`), NULL exactly then.  A field found cleared is -1 in
 * the model from then on. */
static bool weak_matches_model(Tree *t, bool full)
{
    while (t != NULL && !model.seen[t->item]) {
        long n = t->item;
        model.seen[n] = 1;
        long target = model.weak[n];
        bool target_dead = target >= 0 && !reachable_objects()[target];
        if (t->weak == NULL && target >= 0 && !target_dead) {
            fprintf(stderr, "object %ld: weak field cleared, its target %ld is "
                    "reachable\n", n, target);
            return false;
        }
        if (t->weak != NULL && number_of(t->weak) != target) {
            fprintf(stderr, "object %ld: weak field to %ld, the model says %ld\n",
                    n, number_of(t->weak), target);
            return false;
        }
        if (full && target_dead && t->weak != NULL) {
            fprintf(stderr, "object %ld: weak field to %ld, unreachable, after a "
                    "full collection\n", n, target);
            return false;
        }
        if (t->weak == NULL)
            model.weak[n] = -1;
        if (!weak_matches_model(t->left, full))
            return false;
        t = t->right;
    }
    return true;
}

static bool weaks_match_model(bool full)
{
    memset(model.seen, 0, (size_t)model.count);
    for (int r = 0; r < ROOTS; r++)
        if (!weak_matches_model(roots[r], full))
            return false;
    return true;
}

/* A random object reachable from a random root, or NULL. */
static Tree *somewhere(long *number)
{
    Tree *t = roots[next_random() % ROOTS];
    for (uint32_t steps = next_random() % 4; t != NULL && steps > 0; steps--) {
        Tree *next = next_random() % 2 ? t->left : t->right;
        if (next == NULL)
            break;
        t = next;
    }
    *number = number_of(t);
    return t;
}

/* Pins Blob b if the collector will (it is young, fewer than MAX_PINNED
 * are pinned); false if it pinned one too many. */
static bool pin_blob(Blob *blob, long b)
{
    bool pinned = tgc_pin(blob);
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.pinned_objects > MAX_PINNED) {
        fprintf(stderr, "blob %ld: pinned beyond PYPY_GC_MAX_PINNED\n", b);
        return false;
    }
    model.pinned[b] = pinned;
    model.pinned_at[b] = (uintptr_t)blob;
    return true;
}

static bool run_seed(uint64_t seed)
{
    rng = seed * 0x9e3779b97f4a7c15u + 1;
    for (int r = 0; r < ROOTS; r++) {
        roots[r] = NULL;
        model.root[r] = -1;
    }
    model.count = 0;
    model.blob_count = 0;
    model.wrong_destructions = 0;
    for (int op = 0; op < OPS; op++) {
        uint32_t what = next_random() % 100;
        /* the last operation may have changed the graph; an allocation
         * below may collect, and run destructors, before this one does */
        model.reachable_valid = false;
        if (what < 36) {                        /* allocate into a root */
            int r = (int)(next_random() % ROOTS);
            bool owner = next_random() % 2;
            Tree *t = owner ? Tree_of(TGC_NEW(Owner, c)) : TGC_NEW(Tree, c);
            t->item = model.count;
            model.left[model.count] = model.right[model.count] = -1;
            model.owner[model.count] = owner;
            model.destructed[model.count] = 0;
            model.id[model.count] = 0;
            model.weak[model.count] = -1;
            model.blob[model.count] = -1;
            roots[r] = t;
            model.root[r] = model.count++;
        } else if (what < 40) {                 /* a new Blob into a Tree */
            long n;
            Tree *t = somewhere(&n);
            if (t == NULL)
                continue;
            Blob *blob = TGC_NEW(Blob, c, t);
            long b = model.blob_count++;
            blob->item = b;
            blob->check = blob_check(b);
            model.pinned[b] = false;
            Tree_set_blob(t, blob);
            model.blob[n] = b;
            if (next_random() % 2 && !pin_blob(blob, b))     /* young still */
                return false;
        } else if (what < 43) {                 /* pin a Blob, or unpin it */
            long n;
            Tree *t = somewhere(&n);
            if (t == NULL || t->blob == NULL)
                continue;
            long b = model.blob[n];
            if (model.pinned[b]) {
                tgc_unpin(t->blob);
                model.pinned[b] = false;
                continue;
            }
            if (!pin_blob(t->blob, b))
                return false;
        } else if (what < 48) {                 /* a weak store */
            long from, to;
            Tree *holder = somewhere(&from);
            Tree *target = next_random() % 8 ? somewhere(&to) : (to = -1, NULL);
            if (holder == NULL)
                continue;
            Tree_set_weak(holder, target);
            model.weak[from] = to;
        } else if (what < 75) {                 /* link, or overwrite a link */
            long from, to;
            Tree *parent = somewhere(&from);
            Tree *child = next_random() % 8 ? somewhere(&to) : (to = -1, NULL);
            if (parent == NULL)
                continue;
            uint32_t which = next_random() % 5;
            if (which == 0) {                   /* share the child's Blob */
                Tree_set_blob(parent, child != NULL ? child->blob : NULL);
                model.blob[from] = to >= 0 ? model.blob[to] : -1;
            } else if (which % 2) {
                Tree_set_left(parent, child);
                model.left[from] = to;
            } else {
                Tree_set_right(parent, child);
                model.right[from] = to;
            }
        } else if (what < 80) {                 /* take an object's id */
            long n;
            Tree *t = somewhere(&n);
            if (t == NULL)
                continue;
            uintptr_t id = tgc_id(t);
            if (model.id[n] != 0 && model.id[n] != id) {
                fprintf(stderr, "object %ld: a second tgc_id() gave another id\n", n);
                return false;
            }
            model.id[n] = id;
        } else if (what < 90) {                 /* drop a root */
            int r = (int)(next_random() % ROOTS);
            roots[r] = NULL;
            model.root[r] = -1;
        } else {                                /* collect */
            uint32_t kind = next_random() % 20;
            if (kind == 0) {
                tgc_collect(c);
                if (!destructions_match_model() || !weaks_match_model(true) ||
                    !pinned_count_matches_model(true))
                    return false;
            } else if (kind < 8)
                tgc_collect_minor(c);
            else {
                tgc_step_result result;
                tgc_collect_step(c, &result);
            }
            if (!heap_matches_model() || model.wrong_destructions != 0 ||
                !ids_stable_and_unique() || !weaks_match_model(false) ||
                !pinned_count_matches_model(false))
                return false;
        }
    }
    model.reachable_valid = false;      /* the last operation changed the graph */
    tgc_collect(c);
    if (!heap_matches_model() || !destructions_match_model() || !weaks_match_model(true))
        return false;
    /* Every object dropped: each Owner of this seed is destructed now, so
     * that none is left for the next seed's model. */
    for (int r = 0; r < ROOTS; r++) {
        roots[r] = NULL;
        model.root[r] = -1;
    }
    model.reachable_valid = false;
    tgc_collect(c);
    return destructions_match_model() && pinned_count_matches_model(true);
}

int main(int argc, char **argv)
{
    uint64_t first = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
    uint64_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 400;
    char max_pinned[16];
    snprintf(max_pinned, sizeof max_pinned, "%d", MAX_PINNED);
    setenv("PYPY_GC_MAX_PINNED", max_pinned, 1);
    if (lifetimes_init() != 0)
        return 1;
    for (int r = 0; r < ROOTS; r++)
        tgc_register_root(&roots[r]);
    tgc_cursor_open(c);
    uint64_t failed = 0;
    for (uint64_t seed = first; seed < first + count; seed++)
        if (!run_seed(seed)) {
            fprintf(stderr, "seed %" PRIu64 " failed; replay it with: "
                    "PYPY_GC_NURSERY=$PYPY_GC_NURSERY %s %" PRIu64 " 1\n",
                    seed, argv[0], seed);
            failed++;
        }
    tgc_cursor_close(c);
    printf("%" PRIu64 " seeds from %" PRIu64 ": %" PRIu64 " passed, %" PRIu64 " failed\n",
           count, first, count - failed, failed);
    printf("%d passed, %d failed\n", failed == 0, failed != 0);
    return failed != 0;
}
