/* test_hierarchy.c -- a class hierarchy: type ids number each type's
 * subclasses right after it, so isinstance is one range compare; the C
 * layout, the type table and the translator agree on every size and
 * offset; objects of every subclass, with fields of every kind, survive
 * minor collections intact.  Run with a tiny nursery. */
#include <stddef.h>

#include "check.h"
#include "hierarchy.h"

static tgc_cursor c;

static void test_type_ids_are_preorder(void)
{
    CHECK_EQ_U(Shape__TYPE_ID, 1);
    CHECK_EQ_U(Circle__TYPE_ID, 2);
    CHECK_EQ_U(Polygon__TYPE_ID, 3);
    CHECK_EQ_U(Square__TYPE_ID, 4);
    CHECK_EQ_U(Triangle__TYPE_ID, 5);
    CHECK_EQ_U(Label__TYPE_ID, 6);
    CHECK_EQ_U(Caption__TYPE_ID, 7);
    CHECK_EQ_U(Group__TYPE_ID, 8);
    CHECK_EQ_U(Coords__TYPE_ID, 9);
    CHECK_EQ_U(Shapes__TYPE_ID, 10);
    const tgc_type_info *t = hierarchy_types.types;
    CHECK_EQ_U(hierarchy_types.n_types, 11);
    CHECK(t[Shape__TYPE_ID].max_subclass_id == Group__TYPE_ID);
    CHECK(t[Polygon__TYPE_ID].max_subclass_id == Triangle__TYPE_ID);
    CHECK(t[Label__TYPE_ID].max_subclass_id == Caption__TYPE_ID);
    CHECK(t[Circle__TYPE_ID].max_subclass_id == Circle__TYPE_ID);
    CHECK(t[Square__TYPE_ID].base_id == Polygon__TYPE_ID);
}

static void test_isinstance_is_a_range_check(void)
{
    Square *sq = TGC_NEW(Square, c);
    Circle *ci = TGC_NEW(Circle, c, sq);
    CHECK(Square_isinstance(sq) && Polygon_isinstance(sq) && Shape_isinstance(sq));
    CHECK(!Circle_isinstance(sq) && !Triangle_isinstance(sq) && !Label_isinstance(sq));
    CHECK(Circle_isinstance(ci) && Shape_isinstance(ci) && !Polygon_isinstance(ci));
    CHECK(!Shape_isinstance(NULL));
    CHECK(strcmp(tgc_type_of(sq)->name, "Square") == 0);
}

/* x86-64 layouts: a base struct is embedded whole, so Caption does not
 * reuse Label's tail padding. */
static void test_layout_matches_table(void)
{
    CHECK_EQ_U(sizeof(Shape), 40);
    CHECK_EQ_U(offsetof(Shape, visible), 8);
    CHECK_EQ_U(offsetof(Shape, layer), 9);
    CHECK_EQ_U(offsetof(Shape, tag), 10);
    CHECK_EQ_U(offsetof(Shape, x), 16);
    CHECK_EQ_U(offsetof(Shape, next), 32);
    CHECK_EQ_U(sizeof(Label), 48);
    CHECK_EQ_U(offsetof(Caption, size), 48);
    CHECK_EQ_U(offsetof(Caption, owner), 56);
    CHECK_EQ_U(sizeof(Caption), 64);
    CHECK_EQ_U(offsetof(Polygon, vertices), 48);
    const tgc_type_info *t = hierarchy_types.types;
    for (uint32_t id = 1; id < hierarchy_types.n_types; id++) {
        CHECK(t[id].min_subclass_id == id);
        CHECK(t[id].fixed_size >= 16 && t[id].fixed_size % 8 == 0);
    }
    CHECK_EQ_U(t[Caption__TYPE_ID].c_size, sizeof(Caption));
    CHECK_EQ_U(t[Caption__TYPE_ID].n_ptr_offsets, 2);
    CHECK_EQ_U(t[Caption__TYPE_ID].ptr_offsets[0], offsetof(Caption, super.super.next));
    CHECK_EQ_U(t[Caption__TYPE_ID].ptr_offsets[1], offsetof(Caption, owner));
    CHECK(t[Shapes__TYPE_ID].infobits & TGC_T_IS_GCARRAY_OF_GCPTR);
    CHECK(!(t[Coords__TYPE_ID].infobits & TGC_T_HAS_GCPTR));
    CHECK(!(t[Circle__TYPE_ID].infobits & TGC_T_IS_VARSIZE));
}

/* A chain of shapes of every kind, built newest-first, then checked. */
static Shape *make_shape(tgc_cursor cursor, long i, Shape *next)
{
    Shape *s;
    switch (i % 5) {
    case 0: {
        Circle *ci = TGC_NEW(Circle, cursor, next);
        ci->radius = (double)i / 4;
        s = &ci->super;
        break;
    }
    case 1: {
        Square *sq = TGC_NEW(Square, cursor, next);
        sq->side = (double)i;
        Coords *v = TGC_NEW_ARRAY(Coords, cursor, 8, next, sq);
        for (size_t k = 0; k < 8; k++)
            Coords_set(v, k, (double)(i + (long)k));
        Square_set_vertices(sq, v);
        sq->super.n_vertices = 4;
        s = &sq->super.super;
        break;
    }
    case 2: {
        Triangle *tr = TGC_NEW(Triangle, cursor, next);
        tr->area_cache = (uint64_t)i << 40;
        tr->super.n_vertices = 3;
        s = &tr->super.super;
        break;
    }
    case 3: {
        Caption *ca = TGC_NEW(Caption, cursor, next);
        ca->super.style = (uint8_t)i;
        ca->size = (uint8_t)(i * 3);
        Caption_set_owner(ca, next);
        s = &ca->super.super;
        break;
    }
    default: {
        Group *g = TGC_NEW(Group, cursor, next);
        Shapes *kids = TGC_NEW_ARRAY(Shapes, cursor, 3, next, g);
        Shapes_set(kids, 0, next);
        Group_set_children(g, kids);
        s = &g->super;
        break;
    }
    }
    s->visible = i % 2;
    s->layer = (int8_t)-(i % 100);
    s->tag = (uint16_t)(i * 7);
    s->x = (double)i;
    s->y = -(double)i;
    Shape_set_next(s, next);
    return s;
}

static bool shape_ok(const Shape *s, long i)
{
    if (s->visible != (i % 2) || s->layer != (int8_t)-(i % 100) || s->tag != (uint16_t)(i * 7) ||
        s->x != (double)i || s->y != -(double)i)
        return false;
    switch (i % 5) {
    case 0:
        return Circle_isinstance(s) && ((const Circle *)s)->radius == (double)i / 4;
    case 1: {
        const Square *sq = (const Square *)s;
        if (!Square_isinstance(s) || sq->side != (double)i || sq->super.n_vertices != 4 ||
            Coords_length(sq->super.vertices) != 8)
            return false;
        for (size_t k = 0; k < 8; k++)
            if (Coords_get(sq->super.vertices, k) != (double)(i + (long)k))
                return false;
        return true;
    }
    case 2:
        return Triangle_isinstance(s) && ((const Triangle *)s)->area_cache == (uint64_t)i << 40;
    case 3: {
        const Caption *ca = (const Caption *)s;
        return Caption_isinstance(s) && ca->super.style == (uint8_t)i &&
               ca->size == (uint8_t)(i * 3) && ca->owner == s->next;
    }
    default: {
        const Group *g = (const Group *)s;
        return Group_isinstance(s) && Shapes_length(g->children) == 3 &&
               Shapes_get(g->children, 0) == s->next && Shapes_get(g->children, 1) == NULL;
    }
    }
}

static void test_every_subclass_survives(void)
{
    enum { N = 5000 };
    Shape *head = NULL;
    for (long i = 0; i < N; i++)
        head = make_shape(c, i, head);
    long i = N - 1;
    for (const Shape *s = head; s != NULL; s = s->next, i--)
        if (!shape_ok(s, i)) {
            fprintf(stderr, "shape %ld is wrong\n", i);
            CHECK(!"every shape intact");
            return;
        }
    CHECK_EQ_U(i, -1);
}

int main(void)
{
    if (hierarchy_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_type_ids_are_preorder);
    RUN(test_isinstance_is_a_range_check);
    RUN(test_layout_matches_table);
    RUN(test_every_subclass_survives);
    tgc_cursor_close(c);
    return check_finish();
}
