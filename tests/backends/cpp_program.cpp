// A C++17 program against a generated header (hierarchy.json: inheritance,
// every field kind, arrays of numbers and of references), built with each
// backend by test_cpp.sh: the headers compile as C++ and work from it.
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "hierarchy.h"

static_assert(std::is_standard_layout_v<Shape> && std::is_standard_layout_v<Caption>,
              "the generated structs are C's");
static_assert(alignof(Square) == 8 && offsetof(Shape, hdr) == 0, "the header comes first");

static int failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "check failed: %s\n", what);
        failures++;
    }
}

static Group *make_group(tgc_cursor c, size_t n)
{
    Group *group = TGC_NEW(Group, c);
    Shapes *children = TGC_NEW_ARRAY(Shapes, c, n, group);
    Group_set_children(group, children);
    for (size_t i = 0; i < n; i++) {
        Circle *circle = TGC_NEW(Circle, c, group);
        circle->radius = static_cast<double>(i);
        circle->super.visible = true;
        Shapes_set(group->children, i, &circle->super);
    }
    return group;
}

int main()
{
    if (hierarchy_init() != 0)
        return 1;
    tgc_cursor c;
    tgc_cursor_open(c);
    Group *group = make_group(c, 100);
    TGC_SAVE(group);
    Square *square = Square_new(c);
    Coords *coords = TGC_NEW_ARRAY(Coords, c, 8, square);
    TGC_RESTORE(group);
    for (size_t i = 0; i < Coords_length(coords); i++)
        Coords_set(coords, i, 0.5 * static_cast<double>(i));
    Square_set_vertices(square, coords);
    square->side = 2;
    Shapes_set(group->children, 0, &square->super.super);
    Caption *caption = TGC_NEW(Caption, c, group);
    Caption_set_owner(caption, group->children->items[1]);
    Group_set_next(group, &caption->super.super);

    TGC_SAVE(group);
    tgc_collect(c);
    TGC_RESTORE(group);

    const Shape *first = Shapes_get(group->children, 0);
    check(Square_isinstance(first) && Polygon_isinstance(first), "a Square is a Polygon");
    check(!Circle_isinstance(first), "a Square is no Circle");
    const Square *sq = reinterpret_cast<const Square *>(first);
    check(sq->side == 2 && Coords_get(sq->super.vertices, 7) == 3.5, "the square's fields");
    for (size_t i = 1; i < Shapes_length(group->children); i++) {
        const Shape *shape = Shapes_get(group->children, i);
        check(Circle_isinstance(shape) && shape->visible, "a circle");
        check(reinterpret_cast<const Circle *>(shape)->radius == static_cast<double>(i),
              "its radius");
    }
    const Caption *cap = reinterpret_cast<const Caption *>(group->super.next);
    check(Caption_isinstance(cap) && cap->owner == Shapes_get(group->children, 1),
          "the caption");
    char text[128];
    tgc_format_object(text, sizeof text, group);
    check(std::strncmp(text, "<Group object at ", 17) == 0, text);
    check(std::strcmp(tgc_type_of(cap)->name, "Caption") == 0, "tgc_type_of");
    tgc_stats stats{};
    tgc_get_stats(&stats, false);
    check(stats.peak_gc_memory >= stats.total_gc_memory, "the statistics");
    tgc_cursor_close(c);
    std::printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
