/* identity.c -- tgc_id() and tgc_identity_hash(), as PyPy's id() and
 * compute_identity_hash(): an object's id is its address once it is old,
 * and old objects never move.  A young object has no such address yet, so
 * the first call for it allocates its shadow, the old block the next minor
 * collection will copy it into, and answers with the shadow's address.
 * The shadow gets the object's header (type id, flags cleared) and, for an
 * array, its length, with every other word zeroed: should the object die
 * young, the shadow is a valid, white, pointer-free object that the next
 * sweep frees.  Costs nothing to objects whose id is never taken, beyond
 * one flag test per promoted object in the minor collection.
 *
 * An aged object (in the survivor space) is young too: its shadow is where
 * the next minor collection promotes it.
 *
 * A pinned object's id is its shadow's address too, as in PyPy: the
 * object moves there once unpinned.  Until then each minor collection
 * that keeps it keeps its entry, and during MARKING marks the shadow,
 * which nothing points to, so that the sweep leaves it alone (the last
 * marking step follows a minor collection). */
#include <string.h>

#include "destructors.h"
#include "gc.h"
#include "object.h"
#include "sysmem.h"

struct tgc_shadow_entry {
    const void *object;         /* NULL: empty */
    void *shadow;
};

static size_t slot_of(const tgc_identity *id, const void *object)
{
    uintptr_t a = (uintptr_t)object >> 3;
    return (size_t)((a * 0x9e3779b97f4a7c15u) >> 17) & (id->capacity - 1);
}

static struct tgc_shadow_entry *find(tgc_identity *id, const void *object)
{
    size_t i = slot_of(id, object);
    while (id->entries[i].object != NULL && id->entries[i].object != object)
        i = (i + 1) & (id->capacity - 1);
    return &id->entries[i];
}

static void grow(tgc_identity *id)
{
    tgc_identity bigger = *id;
    bigger.capacity = id->capacity != 0 ? 2 * id->capacity : 64;
    size_t bytes = bigger.capacity * sizeof *bigger.entries;
    while ((bigger.entries = tgc_sys_malloc(bytes)) == NULL)
        tgc_sys_out_of_memory("the table of shadows", bytes);
    memset(bigger.entries, 0, bytes);
    for (size_t i = 0; i < id->capacity; i++)
        if (id->entries[i].object != NULL)
            *find(&bigger, id->entries[i].object) = id->entries[i];
    tgc_sys_free(id->entries, id->capacity * sizeof *id->entries);
    *id = bigger;
}

static void *make_shadow(tgc_identity *id, const void *object)
{
    const tgc_type_info *info = tgc_info_of(object);
    size_t size = tgc_size_of(object, info);
    char *shadow = tgc_malloc_old(size);
    memset(shadow, 0, size);
    tgc_header *hdr = tgc_hdr(shadow);
    hdr->tid = tgc_hdr((void *)object)->tid;
    if (info->infobits & TGC_T_IS_VARSIZE)
        memcpy(shadow + info->length_offset, (const char *)object + info->length_offset,
               sizeof(int64_t));
    if (2 * (id->count + 1) > id->capacity)
        grow(id);
    *find(id, object) = (struct tgc_shadow_entry){ object, shadow };
    id->count++;
    id->shadows_made++;
    tgc_hdr((void *)object)->flags |= TGC_FLAG_HAS_SHADOW;
    return shadow;
}

uintptr_t tgc_id(void *object)
{
    if (object == NULL)
        return 0;
    if (!tgc_is_young(object))
        return (uintptr_t)object;
    tgc_destructors_forbid("tgc_id of a young object");
    tgc_identity *id = &tgc_gc.identity;
    if (tgc_hdr(object)->flags & TGC_FLAG_HAS_SHADOW)
        return (uintptr_t)find(id, object)->shadow;
    return (uintptr_t)make_shadow(id, object);
}

uintptr_t tgc_identity_hash(void *object)
{
    uintptr_t i = tgc_id(object);
    return i ^ (i >> 4);            /* PyPy's mangle_hash */
}

void *tgc_identity_take_shadow(const void *object)
{
    tgc_identity *id = &tgc_gc.identity;
    struct tgc_shadow_entry *e = find(id, object);
    return e->shadow;
}

void tgc_identity_after_minor(bool marking)
{
    tgc_identity *id = &tgc_gc.identity;
    if (id->count == 0)
        return;
    /* the entries of pinned survivors, which are still young */
    size_t kept = 0;
    for (size_t i = 0; i < id->capacity; i++) {
        struct tgc_shadow_entry *e = &id->entries[i];
        if (e->object != NULL && tgc_pinning_survives(e->object)) {
            if (marking)
                tgc_hdr(e->shadow)->flags |= TGC_FLAG_VISITED;
            id->entries[kept++] = *e;
        }
    }
    memset(id->entries + kept, 0, (id->capacity - kept) * sizeof *id->entries);
    id->count = kept;
    for (size_t i = 0; i < kept; i++) {
        struct tgc_shadow_entry e = id->entries[i];
        id->entries[i].object = NULL;
        *find(id, e.object) = e;
    }
}
