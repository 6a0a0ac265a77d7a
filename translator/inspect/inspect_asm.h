/* inspect_asm.h -- `typegc inspect --asm BINARY [--function NAME]`: the
 * inlined allocation fast paths and write barriers of a compiled program,
 * as annotated machine code.
 *
 * inspect_disasm.c runs objdump over the binary and reads its listing,
 * with the line information of a -g build: for each instruction, the
 * source line and the chain of inlined functions it comes from; and it
 * reads the AT&T operands of an instruction.
 * inspect_asm.c finds the fast paths in it (by their slow paths, calls to
 * tgc_refill and tgc_remember_young_pointer, and by the lines of the
 * generated T__init() and setters), names what each instruction does,
 * and prints them with the loop around them. */
#ifndef TYPEGC_INSPECT_ASM_H
#define TYPEGC_INSPECT_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One frame of an instruction's inline chain: the function the code
 * comes from, and the line it was called (or is) at. */
typedef struct disasm_frame {
    const char *function;
    const char *file;
    unsigned line;
} disasm_frame;

typedef struct disasm_insn {
    uint64_t addr;
    const char *symbol;     /* the symbol it lies in: "main", "main.cold" */
    char *mnemonic;         /* "lea" */
    char *operands;         /* "0x10(%rbx),%rax"; "" if none */
    bool has_target;        /* a jump or call to a known address */
    uint64_t target;
    const char *target_symbol;  /* "tgc_refill" (no "@plt", no "+0x..") */
    const char *comment_symbol; /* objdump's "# cbe0 <tgc_shadowstack>" */
    /* from the line information; frames[0] is the innermost function,
     * at the instruction's own line */
    disasm_frame *frames;
    size_t n_frames;
} disasm_insn;

typedef struct disasm {
    disasm_insn *insns;     /* in address order */
    size_t n_insns;
    size_t insns_capacity;  /* allocated (xgrow) */
    bool has_lines;         /* some line information was seen */
    char **strings;         /* interned names, owned */
    size_t n_strings;
    size_t strings_capacity;
} disasm;

/* ---- x86-64 instructions in AT&T syntax, as objdump prints them ---- */

bool asm_is_jump(const disasm_insn *in);            /* jmp or any jcc */
bool asm_is_unconditional(const disasm_insn *in);   /* jmp */
bool asm_is_call(const disasm_insn *in);
bool asm_ends_flow(const disasm_insn *in);          /* ret, ud2, hlt */
/* Whether the instruction writes its last operand (mov, add: yes; cmp,
 * test, push: no). */
bool asm_writes_last(const disasm_insn *in);

/* The operands, split at the commas outside parentheses. */
typedef struct asm_operands {
    char text[3][64];
    size_t n;
} asm_operands;
asm_operands asm_operands_of(const char *operands);

/* A register by its 64-bit name: "%eax" is "rax", "%r8d" is "r8". */
typedef struct asm_reg {
    char name[8];
} asm_reg;
bool asm_reg_of(const char *op, asm_reg *out);  /* false: not a register */
bool asm_same_reg(const asm_reg *a, const asm_reg *b);

/* A memory operand: "0x10(%rbx)" is disp 16, base rbx. */
typedef struct asm_mem {
    bool ok;                /* false: not a memory operand with a base */
    int64_t disp;
    asm_reg base;
    bool indexed;           /* "(%rbx,%rcx,8)" */
} asm_mem;
asm_mem asm_mem_of(const char *op);
/* "$0x10": true and 16 in `value`. */
bool asm_immediate_of(const char *op, uint64_t *value);
/* The bytes a store `mnemonic src,mem` writes. */
int asm_store_width(const char *mnemonic, const char *src);

/* Disassembles `binary` with objdump; false after printing why not. */
bool disasm_load(disasm *d, const char *binary);
void disasm_free(disasm *d);
/* The index of the instruction at `addr`, or (size_t)-1. */
size_t disasm_find(const disasm *d, uint64_t addr);

/* The command: returns the exit status. */
int inspect_asm(const char *binary, const char *function);

#endif
