/* check_flow.h -- the analyses over one function's graph (check_ir.h):
 * stale GC pointers (a read after a call that may collect, with no write
 * in between, on some path) and the shadow stack's balance (TGC_SAVE and
 * TGC_RESTORE frames matched along every path, none left open at a
 * return). */
#ifndef TYPEGC_CHECK_FLOW_H
#define TYPEGC_CHECK_FLOW_H

#include "check_ir.h"

void check_flow(function_ir *fn, findings *out);

#endif
