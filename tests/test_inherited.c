/* test_inherited.c -- inherited fields reached without counting `super.`:
 * T_of(obj) views a pointer to T or to any subclass of T as a T *, so
 * Shape_of(caption)->x is Caption's inherited x, and a base's setter takes
 * a subclass: Shape_set_next(Shape_of(caption), s).  A pointer to any
 * other type does not compile (tests/test_translator.py checks that).
 * The objects built this way survive minor collections, their fields
 * intact.  Run with a tiny nursery. */
#include <stddef.h>

#include "check.h"
#include "hierarchy.h"

static tgc_cursor c;

static void test_of_is_the_same_object(void)
{
    Caption *cap = TGC_NEW(Caption, c);
    CHECK((void *)Shape_of(cap) == (void *)cap);
    CHECK((void *)Label_of(cap) == (void *)cap);
    CHECK((void *)Caption_of(cap) == (void *)cap);
    CHECK(&Shape_of(cap)->x == &cap->super.super.x);
    CHECK(&Label_of(cap)->style == &cap->super.style);
    Triangle *tri = TGC_NEW(Triangle, c, cap);
    CHECK(&Polygon_of(tri)->vertices == &tri->super.vertices);
    CHECK(&Shape_of(tri)->tag == &tri->super.super.tag);
}

/* A Shape list whose links go through Shape_of() and Shape_set_next(),
 * with inherited plain fields set flat, across collections. */
static void test_inherited_fields_through_of(void)
{
    enum { N = 300 };
    Shape *list = NULL;
    for (int i = 0; i < N; i++) {
        Shape *s;
        switch (i % 3) {
        case 0: {
            Caption *cap = TGC_NEW(Caption, c, list);
            Label_of(cap)->style = (uint8_t)i;
            cap->size = (uint8_t)(i + 1);
            s = Shape_of(cap);
            break;
        }
        case 1: {
            Triangle *tri = TGC_NEW(Triangle, c, list);
            Coords *v = TGC_NEW_ARRAY(Coords, c, 6, list, tri);
            Coords_set(v, 5, i * 0.5);
            Polygon_set_vertices(Polygon_of(tri), v);
            Polygon_of(tri)->n_vertices = 3;
            s = Shape_of(tri);
            break;
        }
        default:
            s = Shape_of(TGC_NEW(Circle, c, list));
            break;
        }
        s->x = i;
        s->tag = (uint16_t)(i * 7);
        Shape_set_next(s, list);
        list = s;
    }
    TGC_SAVE(list);
    tgc_collect_minor(c);
    TGC_RESTORE(list);
    int i = N;
    for (Shape *s = list; s != NULL; s = s->next) {
        i--;
        CHECK(s->x == i);
        CHECK_EQ_U(s->tag, (uint16_t)(i * 7));
        switch (i % 3) {
        case 0:
            CHECK(Caption_isinstance(s));
            CHECK_EQ_U(Label_of((Caption *)s)->style, (uint8_t)i);
            CHECK_EQ_U(((Caption *)s)->size, (uint8_t)(i + 1));
            break;
        case 1:
            CHECK(Triangle_isinstance(s));
            CHECK_EQ_U(Polygon_of((Triangle *)s)->n_vertices, 3);
            CHECK(Coords_get(Polygon_of((Triangle *)s)->vertices, 5) == i * 0.5);
            break;
        default:
            CHECK(Circle_isinstance(s));
        }
    }
    CHECK_EQ_U(i, 0);
}

int main(void)
{
    if (hierarchy_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_of_is_the_same_object);
    RUN(test_inherited_fields_through_of);
    tgc_cursor_close(c);
    return check_finish();
}
