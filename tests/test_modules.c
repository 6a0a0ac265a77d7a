/* test_modules.c -- several schemas in one process, as a library's and
 * the program's: list.json with the default ids (1), hierarchy.json from
 * id 2 (typegc gen --first-type-id 2 --name hierarchy2: ids 2..11, right
 * after list's) and tree.json at the last id there is (65535, --name
 * tree_top).  Each NAME_init() adds its types; objects of all three,
 * allocated in turn, survive collections at tiny nursery sizes, and
 * isinstance and tgc_type_of() name the right types.  Two more modules
 * are linked in but never installed by the parent: tree.json with the
 * default ids and hierarchy.json from id 11 (--name hierarchy11), whose
 * NAME_init() must stop a child with a message naming both schemas. */
#include "check.h"
#include "hierarchy2.h"
#include "list.h"
#include "tree_top.h"

/* Their headers would define Tree and Shape again. */
int tree_init(void);
int hierarchy11_init(void);

enum { ROUNDS = 6000 };

static tgc_cursor c;

static void test_ids_are_the_modules(void)
{
    CHECK_EQ_U(Node__TYPE_ID, 1);
    CHECK_EQ_U(Shape__TYPE_ID, 2);
    CHECK_EQ_U(Circle__TYPE_ID, 3);
    CHECK_EQ_U(Group__TYPE_ID, 9);
    CHECK_EQ_U(Shapes__TYPE_ID, 11);
    CHECK_EQ_U(Tree__TYPE_ID, 65535);
    CHECK_EQ_U(list_types.first_id, 1);
    CHECK_EQ_U(hierarchy2_types.first_id, 2);
    CHECK_EQ_U(hierarchy2_types.n_types, 11);
    CHECK_EQ_U(tree_top_types.first_id, 65535);
    /* types[k] is type id first_id + k - 1 */
    CHECK(strcmp(hierarchy2_types.types[1].name, "Shape") == 0);
    CHECK_EQ_U(hierarchy2_types.types[1].max_subclass_id, Group__TYPE_ID);
    CHECK_EQ_U(hierarchy2_types.types[Square__TYPE_ID - 1].base_id, Polygon__TYPE_ID);
    CHECK(strcmp(tree_top_types.types[1].name, "Tree") == 0);
}

/* Shape number i, of one of four kinds; `keep` is kept alive with it. */
static Shape *new_shape(tgc_cursor cursor, long i, Shape *keep)
{
    Shape *s;
    if (i % 4 == 0) {
        Circle *ci = TGC_NEW(Circle, cursor, keep);
        ci->radius = (double)i + 0.5;
        s = &ci->super;
    } else if (i % 4 == 1) {
        Square *sq = TGC_NEW(Square, cursor, keep);
        Coords *corners = TGC_NEW_ARRAY(Coords, cursor, 4, keep, sq);
        for (size_t k = 0; k < 4; k++)
            Coords_set(corners, k, (double)i * 10 + (double)k);
        Square_set_vertices(sq, corners);
        s = &sq->super.super;
    } else if (i % 4 == 2) {
        Caption *cap = TGC_NEW(Caption, cursor, keep);
        cap->size = (uint8_t)i;
        Caption_set_owner(cap, keep);
        s = &cap->super.super;
    } else {
        Group *g = TGC_NEW(Group, cursor, keep);
        Shapes *kids = TGC_NEW_ARRAY(Shapes, cursor, 2, keep, g);
        Shapes_set(kids, 1, keep);
        Group_set_children(g, kids);
        s = &g->super;
    }
    s->tag = (uint16_t)i;
    s->x = (double)i;
    return s;
}

static const char *const shape_names[4] = { "Circle", "Square", "Caption", "Group" };

/* Whether shape i (whose predecessor is `prev`) is intact. */
static bool shape_intact(const Shape *s, long i, const Shape *prev)
{
    if (s == NULL || s->tag != (uint16_t)i || s->x != (double)i || !Shape_isinstance(s) ||
        strcmp(tgc_type_of(s)->name, shape_names[i % 4]) != 0 || Node_isinstance(s) ||
        Tree_isinstance(s))
        return false;
    switch (i % 4) {
    case 0:
        return Circle_isinstance(s) && !Polygon_isinstance(s) &&
               ((const Circle *)s)->radius == (double)i + 0.5;
    case 1: {
        const Coords *corners = ((const Square *)s)->super.vertices;
        if (!Square_isinstance(s) || !Polygon_isinstance(s) || !Coords_isinstance(corners) ||
            Coords_length(corners) != 4)
            return false;
        for (size_t k = 0; k < 4; k++)
            if (Coords_get(corners, k) != (double)i * 10 + (double)k)
                return false;
        return true;
    }
    case 2:
        return Caption_isinstance(s) && Label_isinstance(s) &&
               ((const Caption *)s)->size == (uint8_t)i && ((const Caption *)s)->owner == prev;
    default: {
        const Shapes *kids = ((const Group *)s)->children;
        return Group_isinstance(s) && Shapes_isinstance(kids) && !Shape_isinstance(kids) &&
               Shapes_get(kids, 0) == NULL && Shapes_get(kids, 1) == prev;
    }
    }
}

/* Everything built by test_three_schemas_survive(), checked. */
static void check_all(const Node *head, const Shapes *shapes, const Tree *chain, long rounds)
{
    long i = rounds - 1;
    for (const Node *n = head; n != NULL; n = n->next, i--)
        if (n->value != i * 3 || !Node_isinstance(n) || Tree_isinstance(n) ||
            strcmp(tgc_type_of(n)->name, "Node") != 0) {
            CHECK(!"every list node intact");
            return;
        }
    CHECK_EQ_U(i, -1);
    CHECK(Shapes_isinstance(shapes) && strcmp(tgc_type_of(shapes)->name, "Shapes") == 0);
    for (i = 0; i < rounds; i++)
        if (!shape_intact(Shapes_get(shapes, (size_t)i), i,
                          i > 0 ? Shapes_get(shapes, (size_t)i - 1) : NULL)) {
            fprintf(stderr, "shape %ld is wrong\n", i);
            CHECK(!"every shape intact");
            return;
        }
    i = rounds - 1;
    for (const Tree *t = chain; t != NULL; t = t->left, i--)
        if (t->item != -i || t->right != t->left || !Tree_isinstance(t) || Node_isinstance(t) ||
            strcmp(tgc_type_of(t)->name, "Tree") != 0) {
            CHECK(!"every tree node intact");
            return;
        }
    CHECK_EQ_U(i, -1);
}

/* Each round allocates one object of each schema (and some garbage), the
 * shapes stored into an old array through the write barrier. */
static void test_three_schemas_survive(void)
{
    Node *head = NULL;
    Tree *chain = NULL;
    Shapes *shapes = TGC_NEW_ARRAY(Shapes, c, ROUNDS);
    for (long i = 0; i < ROUNDS; i++) {
        Node *n = TGC_NEW(Node, c, head, chain, shapes);
        n->value = i * 3;
        Node_set_next(n, head);
        head = n;
        Shape *prev = i > 0 ? Shapes_get(shapes, (size_t)i - 1) : NULL;
        TGC_SAVE(head, chain, shapes);
        Shape *s = new_shape(c, i, prev);
        TGC_RESTORE(head, chain, shapes);
        Shapes_set(shapes, (size_t)i, s);
        Tree *t = TGC_NEW(Tree, c, head, chain, shapes);
        t->item = -i;
        Tree_set_left(t, chain);
        Tree_set_right(t, chain);
        chain = t;
        (void)TGC_NEW(Tree, c, head, chain, shapes);
        (void)TGC_NEW(Node, c, head, chain, shapes);
        if (i % 1000 == 999) {
            TGC_SAVE(head, chain, shapes);
            tgc_collect(c);
            TGC_RESTORE(head, chain, shapes);
        }
    }
    check_all(head, shapes, chain, ROUNDS);
    TGC_SAVE(head, chain, shapes);
    tgc_collect(c);
    TGC_RESTORE(head, chain, shapes);
    check_all(head, shapes, chain, ROUNDS);
}

static void init_tree_again(void)
{
    tree_init();
}

static void init_hierarchy11(void)
{
    hierarchy11_init();
}

static void init_list_twice(void)
{
    list_init();
}

static void test_overlapping_ids_stop_the_program(void)
{
    CHECK(expect_death(init_tree_again,
                       "tgc_init: schema 'tree' takes type ids 1..1, which schema 'list' "
                       "(ids 1..1) already uses: give one of them `typegc gen --first-type-id`"));
    /* one id in common, the last of hierarchy2's */
    CHECK(expect_death(init_hierarchy11,
                       "tgc_init: schema 'hierarchy11' takes type ids 11..20, which schema "
                       "'hierarchy2' (ids 2..11) already uses"));
    CHECK(expect_death(init_list_twice, "tgc_init: called twice for schema 'list'"));
}

static void read_bad_type_id(void)
{
    static tgc_header bad = { .tid = 70000 };
    (void)tgc_type_of(&bad);
}

static void test_bad_type_id_names_every_schema(void)
{
    CHECK(expect_death(read_bad_type_id,
                       "memory corruption: object with type id 70000 (the schemas' type ids: "
                       "'list' 1..1, 'tree_top' 65535..65535, 'hierarchy2' 2..11)"));
}

int main(void)
{
    /* out of id order: the table grows to 65535 first */
    if (list_init() != 0 || tree_top_init() != 0 || hierarchy2_init() != 0)
        return 1;
    tgc_cursor_open(c);
    RUN(test_ids_are_the_modules);
    RUN(test_three_schemas_survive);
    RUN(test_overlapping_ids_stop_the_program);
    RUN(test_bad_type_id_names_every_schema);
    tgc_cursor_close(c);
    return check_finish();
}
