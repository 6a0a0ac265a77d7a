/* pauses -- GC pauses under a large live heap of small linked objects.
 *
 *   usage: pauses [LIVE_MIB [ROUNDS]]       (default 1024 MiB, 3 rounds)
 *
 * The live heap is 4096 chains of 32-byte nodes, held by a table of 64
 * arrays of 64 chain heads (schemas/pauses.json), itself the one root.
 * Each iteration replaces one chain with a fresh one (so old chains keep
 * dying and the major collector keeps working) and allocates as much
 * short-lived garbage.  A round is as many replacements as there are
 * chains.
 *
 * Pauses are gathered from the hooks (pause_samples.h).  At the end it
 * prints
 *   max pause: X ms / p99 pause: X ms / major collections: N / peak RSS: N MiB
 * and the max pause of those the kernel did not preempt, and the max and
 * p99 of the pauses' time on the CPU (print_pauses in pause_samples.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pauses.h"
#include "pause_samples.h"

enum { ROWS = 64, COLUMNS = 64, CHAINS = ROWS * COLUMNS };

static Table *table;            /* the one registered root */

/* ---- The workload ---------------------------------------------------------- */

static Node *make_chain(tgc_cursor cursor, long length, long seed)
{
    Node *head = NULL;
    for (long i = 0; i < length; i++) {
        Node *n = TGC_NEW(Node, cursor, head);
        n->value = seed + i;
        Node_set_next(n, head);
        head = n;
    }
    return head;
}

static bool chain_ok(const Node *n, long length, long seed)
{
    for (long i = length - 1; i >= 0; i--, n = n->next)
        if (n == NULL || n->value != seed + i)
            return false;
    return n == NULL;
}

static void set_chain(int k, Node *chain)
{
    Chains_set(Table_get(table, (size_t)k / COLUMNS), (size_t)k % COLUMNS, chain);
}

static const Node *get_chain(int k)
{
    return Chains_get(Table_get(table, (size_t)k / COLUMNS), (size_t)k % COLUMNS);
}

static bool parse_count(const char *text, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || value <= 0)
        return false;
    *out = value;
    return true;
}

int main(int argc, char **argv)
{
    long live_mib = 1024, rounds = 3;
    if (argc > 3 || (argc > 1 && !parse_count(argv[1], &live_mib)) ||
        (argc > 2 && !parse_count(argv[2], &rounds))) {
        fprintf(stderr, "usage: %s [LIVE_MIB [ROUNDS]]\n", argc > 0 ? argv[0] : "pauses");
        return 2;
    }
    if (pauses_init() != 0)
        return 1;
    tgc_register_root(&table);
    gather_pauses();

    long length = live_mib * 1024 * 1024 / Node__SIZE / CHAINS;
    tgc_cursor c;
    tgc_cursor_open(c);
    table = TGC_NEW_ARRAY(Table, c, ROWS);
    for (int row = 0; row < ROWS; row++) {
        Chains *chains = TGC_NEW_ARRAY(Chains, c, COLUMNS);
        Table_set(table, (size_t)row, chains);
    }
    for (int i = 0; i < CHAINS; i++)
        set_chain(i, make_chain(c, length, (long)i << 32));

    /* Steady state: replace chains in a scrambled order, with garbage. */
    unsigned long next = 12345;
    for (long r = 0; r < rounds; r++) {
        for (int k = 0; k < CHAINS; k++) {
            next = next * 6364136223846793005ul + 1442695040888963407ul;
            int i = (int)((next >> 33) % CHAINS);
            set_chain(i, make_chain(c, length, (long)i << 32));
            (void)make_chain(c, length, 0);
        }
    }
    for (int i = 0; i < CHAINS; i++)
        if (!chain_ok(get_chain(i), length, (long)i << 32)) {
            fprintf(stderr, "pauses: chain %d is broken\n", i);
            return 1;
        }
    tgc_cursor_close(c);
    close_pause();

    tgc_stats stats;
    tgc_get_stats(&stats, false);
    printf("live heap: %ld MiB in %d chains of %ld objects\n", live_mib, CHAINS, length);
    print_pauses();
    printf("major collections: %llu\n", (unsigned long long)stats.major_collections);
    printf("peak RSS: %ld MiB\n", peak_rss_mib());
    return 0;
}
