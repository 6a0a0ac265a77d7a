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
 * the target, and after a full collection NULL exactly then.
 * Random objects are registered with a finalizer queue, and the queue
 * drained at random points: an object comes out once per registration,
 * never while the roots reach it, never while another registered object
 * (or one waiting in the queue) reaches it, and every registered object
 * unreachable from the roots comes out once the seed drops everything.
 * What the registered objects reach counts as alive (no destructor, weak
 * fields to it may be cleared or not).  Random memory pressure on
 * objects: after a full collection the statistics sum exactly the live
 * objects' figures (Blobs, pinned or not, have pressure too).  Trees
 * hold Blobs, which are pinned and unpinned at random: after every
 * collection a reachable Blob holds what it was given, a pinned one at
 * the address it was pinned at, and the collector counts as pinned
 * exactly the pinned Blobs the model keeps (an unreachable one dies, pin
 * and all).
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
    bool blob_kept[MAX_OBJECTS];        /* held by a kept Tree, worked out with `kept` */
    size_t blob_pressure[MAX_OBJECTS];  /* tgc_add_memory_pressure(blob, n) */
    bool registered[MAX_OBJECTS];       /* with the queue, not handed out yet */
    bool ever_registered[MAX_OBJECTS];  /* once per object and seed */
    bool kept[MAX_OBJECTS];             /* reachable from the roots or from a
                                           registered object, when valid */
    bool mark[MAX_OBJECTS];             /* scratch, for reached_from() */
    bool from_handed_out[MAX_OBJECTS];  /* scratch: what a handed-out object reaches */
    size_t pressure[MAX_OBJECTS];       /* tgc_add_memory_pressure(obj, n) */
    bool weak_may_be_cleared[MAX_OBJECTS]; /* its target was alive only through a
                                           registered object at a collection:
                                           the weak field may be NULL even once
                                           the target is reachable again */
} model;

static tgc_finalizer_queue *queue;
static long long pressure_base;         /* the statistics' figure without objects */

static void reach(long n)
{
    while (n >= 0 && !model.reachable[n]) {
        model.reachable[n] = true;
        reach(model.left[n]);
        n = model.right[n];
    }
}

/* Marks in model.mark what `n` reaches (itself included). */
static void reached_from(long n)
{
    while (n >= 0 && !model.mark[n]) {
        model.mark[n] = true;
        reached_from(model.left[n]);
        n = model.right[n];
    }
}

/* The model's graph does not change during a collection: the sets are
 * worked out once for all the destructors it runs.  `kept`: what a
 * registered object reaches is alive too, whatever the roots reach. */
static const bool *reachable_objects(void)
{
    if (!model.reachable_valid) {
        memset(model.reachable, 0, (size_t)model.count * sizeof model.reachable[0]);
        for (int r = 0; r < ROOTS; r++)
            reach(model.root[r]);
        memset(model.mark, 0, (size_t)model.count * sizeof model.mark[0]);
        for (long n = 0; n < model.count; n++)
            if (model.registered[n])
                reached_from(n);
        memset(model.blob_kept, 0, (size_t)model.blob_count);
        for (long n = 0; n < model.count; n++) {
            model.kept[n] = model.reachable[n] || model.mark[n];
            if (model.kept[n] && model.blob[n] >= 0)
                model.blob_kept[model.blob[n]] = true;
        }
        model.reachable_valid = true;
    }
    return model.reachable;
}

static const bool *kept_objects(void)
{
    (void)reachable_objects();
    return model.kept;
}

void Owner_destruct(Owner *owner)
{
    long n = Tree_of(owner)->item;
    if (n < 0 || n >= model.count || !model.owner[n] || kept_objects()[n] ||
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
    const bool *reachable = kept_objects();
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
 * keeps (reached from the roots or from a registered Tree), and maybe
 * some it does not: an old object that pointed to a pinned one at a minor
 * collection keeps it alive at the next ones until a major collection
 * finds that object dead (PyPy's old_objects_pointing_to_pinned).  After
 * a full collection (`full`), exactly those the model keeps: the others
 * died, pins and all. */
static bool pinned_count_matches_model(bool full)
{
    const bool *unused = kept_objects();
    (void)unused;
    size_t kept = 0, pinned = 0;
    for (long b = 0; b < model.blob_count; b++) {
        if (full && model.pinned[b] && !model.blob_kept[b])
            model.pinned[b] = false;
        pinned += model.pinned[b];
        kept += model.pinned[b] && model.blob_kept[b];
    }
    tgc_stats stats;
    tgc_get_stats(&stats, false);
    if (stats.pinned_objects < kept || stats.pinned_objects > pinned) {
        fprintf(stderr, "%zu objects pinned, the model says %zu to %zu\n",
                stats.pinned_objects, kept, pinned);
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
        if (t->weak == NULL && target >= 0 && !target_dead && !model.weak_may_be_cleared[n]) {
            fprintf(stderr, "object %ld: weak field cleared, its target %ld is "
                    "reachable\n", n, target);
            return false;
        }
        if (t->weak != NULL && number_of(t->weak) != target) {
            fprintf(stderr, "object %ld: weak field to %ld, the model says %ld\n",
                    n, number_of(t->weak), target);
            return false;
        }
        if (full && target >= 0 && !kept_objects()[target] && t->weak != NULL) {
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

/* After a collection: weak fields whose target only a registered object
 * keeps alive may have been cleared (PyPy clears the weak references to
 * what a finalizer queue resurrects), and the program may make that
 * target reachable again. */
static void note_weak_fields_in_doubt(void)
{
    const bool *reachable = reachable_objects();
    for (long n = 0; n < model.count; n++)
        if (model.weak[n] >= 0 && !reachable[model.weak[n]])
            model.weak_may_be_cleared[n] = true;
}

/* After a full collection: the statistics sum the pressure of exactly the
 * objects alive. */
static bool pressure_matches_model(void)
{
    const bool *kept = kept_objects();
    long long expected = pressure_base;
    for (long n = 0; n < model.count; n++)
        if (kept[n])
            expected += (long long)model.pressure[n];
    for (long b = 0; b < model.blob_count; b++)
        if (model.blob_kept[b])
            expected += (long long)model.blob_pressure[b];
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    if (stats.total_memory_pressure != expected) {
        fprintf(stderr, "memory pressure %lld after a full collection, the live objects "
                "own %lld\n", stats.total_memory_pressure, expected);
        return false;
    }
    return true;
}

/* Hands out everything queued: each once per registration, none that the
 * roots reach, none that another registered object reaches unless it
 * reaches that one too (a cycle comes out one object at a time).  Half go
 * back into a root (the program uses them again). */
static bool drain_queue(void)
{
    note_weak_fields_in_doubt();        /* targets may become reachable again */
    Tree *t;
    while ((t = tgc_finalizer_next_dead(queue)) != NULL) {
        long n = number_of(t);
        if (n < 0 || n >= model.count || !model.registered[n]) {
            fprintf(stderr, "object %ld: handed out by the queue, not registered\n", n);
            return false;
        }
        model.registered[n] = false;
        model.reachable_valid = false;
        if (reachable_objects()[n]) {
            fprintf(stderr, "object %ld: handed out while the roots reach it\n", n);
            return false;
        }
        memset(model.mark, 0, (size_t)model.count * sizeof model.mark[0]);
        reached_from(n);
        memcpy(model.from_handed_out, model.mark, (size_t)model.count);
        for (long m = 0; m < model.count; m++) {
            if (!model.registered[m] || model.from_handed_out[m])
                continue;               /* in a cycle with n: either may come first */
            memset(model.mark, 0, (size_t)model.count * sizeof model.mark[0]);
            reached_from(m);
            if (model.mark[n]) {
                fprintf(stderr, "object %ld: handed out while registered object %ld, "
                        "which it does not reach, reaches it\n", n, m);
                return false;
            }
        }
        if (next_random() % 2) {
            int r = (int)(next_random() % ROOTS);
            roots[r] = t;
            model.root[r] = n;
        }
        model.reachable_valid = false;
    }
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
    memset(model.registered, 0, sizeof model.registered);
    memset(model.ever_registered, 0, sizeof model.ever_registered);
    memset(model.pressure, 0, sizeof model.pressure);
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
            model.weak_may_be_cleared[model.count] = false;
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
            model.blob_pressure[b] = 0;
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
            model.weak_may_be_cleared[from] = false;
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
        } else if (what < 86) {                 /* drop a root */
            int r = (int)(next_random() % ROOTS);
            roots[r] = NULL;
            model.root[r] = -1;
        } else if (what < 88) {                 /* register with the queue */
            long n;
            Tree *t = somewhere(&n);
            if (t == NULL || model.ever_registered[n])
                continue;
            tgc_finalizer_register(queue, t);
            model.registered[n] = model.ever_registered[n] = true;
        } else if (what < 89) {                 /* memory pressure on an object */
            long n;
            Tree *t = somewhere(&n);
            if (t == NULL)
                continue;
            size_t bytes = 1 + next_random() % 4096;
            if (t->blob != NULL && next_random() % 2) {  /* pinned or not */
                tgc_add_memory_pressure(t->blob, bytes);
                model.blob_pressure[model.blob[n]] += bytes;
                continue;
            }
            tgc_add_memory_pressure(t, bytes);
            model.pressure[n] += bytes;
        } else if (what < 90) {                 /* drain the queue */
            if (!drain_queue())
                return false;
        } else {                                /* collect */
            uint32_t kind = next_random() % 20;
            if (kind == 0) {
                tgc_collect(c);
                note_weak_fields_in_doubt();
                if (!destructions_match_model() || !weaks_match_model(true) ||
                    !pressure_matches_model() || !pinned_count_matches_model(true))
                    return false;
            } else if (kind < 8) {
                tgc_collect_minor(c);
                note_weak_fields_in_doubt();
            } else {
                tgc_step_result result;
                tgc_collect_step(c, &result);
                note_weak_fields_in_doubt();
            }
            if (!heap_matches_model() || model.wrong_destructions != 0 ||
                !ids_stable_and_unique() || !weaks_match_model(false) ||
                !pinned_count_matches_model(false))
                return false;
        }
    }
    model.reachable_valid = false;      /* the last operation changed the graph */
    tgc_collect(c);
    if (!heap_matches_model() || !destructions_match_model() || !weaks_match_model(true) ||
        !pressure_matches_model())
        return false;
    /* Every object dropped: the registered ones come out, at least one per
     * full collection (a chain or a cycle one at a time), and each Owner
     * of this seed is destructed, so that none is left for the next
     * seed's model. */
    for (int r = 0; r < ROOTS; r++) {
        roots[r] = NULL;
        model.root[r] = -1;
    }
    model.reachable_valid = false;
    for (;;) {
        long left = 0;
        for (long n = 0; n < model.count; n++)
            left += model.registered[n];
        tgc_collect(c);
        if (!drain_queue())
            return false;
        for (int r = 0; r < ROOTS; r++) {
            roots[r] = NULL;
            model.root[r] = -1;
        }
        model.reachable_valid = false;
        long now = 0;
        for (long n = 0; n < model.count; n++)
            now += model.registered[n];
        if (now == 0)
            break;
        if (now == left) {
            fprintf(stderr, "%ld registered objects, unreachable, not queued by a full "
                    "collection\n", now);
            return false;
        }
    }
    tgc_collect(c);
    return destructions_match_model() && pressure_matches_model() &&
           pinned_count_matches_model(true);
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
    queue = tgc_finalizer_queue_new(NULL, NULL);
    tgc_stats stats;
    tgc_get_stats(&stats, true);
    pressure_base = stats.total_memory_pressure;
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
