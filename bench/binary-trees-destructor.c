/* binary-trees-destructor -- bench/binary-trees.c over nodes that each
 * carry a destructor (schemas/binarytrees_destructor.json): the same
 * arguments and output; what it costs to run one per dead node. */
#define BINARY_TREES_DESTRUCTOR 1
#include "binary-trees.c"
