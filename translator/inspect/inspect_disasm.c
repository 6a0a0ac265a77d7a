/* inspect_disasm.c -- a binary's machine code, read from objdump.
 *
 *     objdump -d -l --inlines -w --no-show-raw-insn BINARY
 *
 * prints, between the instructions, the line information of a -g build:
 *
 *     0000000000002730 <main>:             a symbol
 *     A__init():                           the innermost function, when it changes
 *     /tmp/gen/allocatealot.h:26           its line, when it changes
 *     inlined by /src/allocatealot.c:42 (run)    for every instruction: the
 *     inlined by /src/allocatealot.c:86 (main)   calls it was inlined through
 *         2823:	movq   $0x1,(%rbx)
 *
 * Each instruction is kept with that chain of frames.  objdump is the one
 * found on PATH, or $OBJDUMP. */
#include "inspect_asm.h"

#include <ctype.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "strbuf.h"
#include "strmap.h"
#include "xalloc.h"

extern char **environ;

typedef struct parser {
    disasm *d;
    strmap interned;
    const char *symbol;
    const char *function;       /* from "name():" */
    const char *file;
    unsigned line;
    disasm_frame *callers;      /* "inlined by" lines since the last instruction */
    size_t n_callers;
} parser;

static const char *intern(parser *p, const char *text, size_t n)
{
    char *copy = xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    size_t i = strmap_get(&p->interned, copy);
    if (i != STRMAP_NONE) {
        free(copy);
        return p->d->strings[i];
    }
    strmap_add(&p->interned, copy, p->d->n_strings);
    xgrow(&p->d->strings, &p->d->strings_capacity, p->d->n_strings + 1,
          sizeof *p->d->strings);
    p->d->strings[p->d->n_strings++] = copy;
    return copy;
}

/* "main+0x31a" or "tgc_refill@plt" -> "main", "tgc_refill" */
static const char *symbol_name(parser *p, const char *text, size_t n)
{
    size_t len = 0;
    while (len < n && text[len] != '+' && text[len] != '@' && text[len] != '-')
        len++;
    return intern(p, text, len);
}

/* The name between '<' and '>' in `text`, or NULL. */
static const char *bracketed_symbol(parser *p, const char *text)
{
    const char *open = strchr(text, '<');
    const char *close = open != NULL ? strchr(open, '>') : NULL;
    if (close == NULL)
        return NULL;
    return symbol_name(p, open + 1, (size_t)(close - open - 1));
}

static bool is_prefix_word(const char *word, size_t n)
{
    static const char *const prefixes[] = {
        "rep", "repz", "repnz", "repe", "repne", "lock", "cs", "ds", "ss",
        "es", "fs", "gs", "notrack", "bnd", "data16", "addr32",
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strlen(prefixes[i]) == n && strncmp(prefixes[i], word, n) == 0)
            return true;
    return false;
}

static char *trimmed_copy(const char *text, size_t n)
{
    while (n > 0 && isspace((unsigned char)*text)) {
        text++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    char *copy = xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    return copy;
}

/* "    2808:\tlea    0x10(%rbx),%rax" and the like. */
static void add_instruction(parser *p, uint64_t addr, const char *text)
{
    disasm_insn insn = { .addr = addr, .symbol = p->symbol };
    const char *end = text + strlen(text);
    const char *hash = strstr(text, "# ");
    if (hash != NULL) {
        insn.comment_symbol = bracketed_symbol(p, hash);
        end = hash;
    }
    /* the mnemonic, with its prefixes ("lock cmpxchg", "cs nopw") */
    const char *s = text;
    while (s < end && isspace((unsigned char)*s))
        s++;
    const char *mnemonic = s;
    for (;;) {
        const char *word = s;
        while (s < end && !isspace((unsigned char)*s))
            s++;
        const char *after = s;
        while (after < end && isspace((unsigned char)*after))
            after++;
        if (!is_prefix_word(word, (size_t)(s - word)) || after == end)
            break;
        s = after;
    }
    insn.mnemonic = trimmed_copy(mnemonic, (size_t)(s - mnemonic));
    const char *operands = s;
    const char *bracket = memchr(operands, '<', (size_t)(end - operands));
    if (bracket != NULL) {
        insn.target_symbol = bracketed_symbol(p, bracket);
        end = bracket;
    }
    insn.operands = trimmed_copy(operands, (size_t)(end - operands));
    bool branch = asm_is_jump(&insn) || asm_is_call(&insn);
    if (branch && isxdigit((unsigned char)insn.operands[0])) {
        insn.has_target = true;
        insn.target = strtoull(insn.operands, NULL, 16);
    } else {
        insn.target_symbol = NULL;
    }

    insn.n_frames = 1 + p->n_callers;
    insn.frames = xmalloc(insn.n_frames * sizeof *insn.frames);
    insn.frames[0] = (disasm_frame){ p->function, p->file, p->line };
    for (size_t i = 0; i < p->n_callers; i++)
        insn.frames[1 + i] = p->callers[i];
    p->n_callers = 0;

    disasm *d = p->d;
    xgrow(&d->insns, &d->insns_capacity, d->n_insns + 1, sizeof *d->insns);
    d->insns[d->n_insns++] = insn;
}

/* "/path/file.c:42" or "/path/file.c:42 (discriminator 3)": false if
 * `text` is not a file and line. */
static bool parse_file_line(parser *p, const char *text, const char **file,
                            unsigned *line)
{
    size_t n = strlen(text);
    const char *disc = strstr(text, " (discriminator ");
    if (disc != NULL)
        n = (size_t)(disc - text);
    size_t colon = n;
    while (colon > 0 && text[colon - 1] != ':')
        colon--;
    if (colon < 2 || colon == n)
        return false;
    for (size_t i = colon; i < n; i++)
        if (!isdigit((unsigned char)text[i]))
            return false;
    *line = (unsigned)strtoul(text + colon, NULL, 10);
    *file = intern(p, text, colon - 1);
    return true;
}

/* "inlined by /src/allocatealot.c:42 (run)" */
static void add_caller(parser *p, const char *text)
{
    const char *open = strrchr(text, '(');
    const char *close = open != NULL ? strchr(open, ')') : NULL;
    if (close == NULL || open == text)
        return;
    char *where = trimmed_copy(text, (size_t)(open - text));
    disasm_frame frame = { intern(p, open + 1, (size_t)(close - open - 1)), NULL, 0 };
    if (parse_file_line(p, where, &frame.file, &frame.line)) {
        p->callers = xrealloc(p->callers, (p->n_callers + 1) * sizeof *p->callers);
        p->callers[p->n_callers++] = frame;
    }
    free(where);
}

static void parse_line(parser *p, char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0)
        return;
    char *rest;
    if (isspace((unsigned char)line[0])) {
        uint64_t addr = strtoull(line, &rest, 16);
        if (rest != line && rest[0] == ':' && rest[1] == '\t') {
            add_instruction(p, addr, rest + 2);
            p->d->has_lines = p->d->has_lines || p->file != NULL;
        }
        return;
    }
    if (strncmp(line, "inlined by ", 11) == 0) {
        add_caller(p, line + 11);
        return;
    }
    (void)strtoull(line, &rest, 16);   /* a symbol line starts with its address */
    if (rest != line && strncmp(rest, " <", 2) == 0 && line[n - 1] == ':' &&
        line[n - 2] == '>') {
        p->symbol = symbol_name(p, rest + 2, (size_t)(line + n - 2 - (rest + 2)));
        return;
    }
    if (n > 3 && strcmp(line + n - 3, "():") == 0 && strchr(line, ' ') == NULL) {
        p->function = intern(p, line, n - 3);
        return;
    }
    const char *file;
    unsigned number;
    if (parse_file_line(p, line, &file, &number)) {
        p->file = file;
        p->line = number;
    }
}

/* Runs objdump with its output on a pipe, its errors in `errors`. */
static FILE *start_objdump(const char *binary, pid_t *pid, FILE *errors)
{
    const char *objdump = getenv("OBJDUMP");
    if (objdump == NULL || objdump[0] == '\0')
        objdump = "objdump";
    char *argv[] = {
        (char *)objdump, (char *)"-d", (char *)"-l", (char *)"--inlines",
        (char *)"-w", (char *)"--no-show-raw-insn", (char *)"--",
        (char *)binary, NULL,
    };
    int fds[2];
    if (pipe(fds) != 0) {
        diag_tool("cannot run %s: %s", objdump, strerror(errno));
        return NULL;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fileno(errors), STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    int error = posix_spawnp(pid, objdump, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (error != 0) {
        close(fds[0]);
        diag_tool("cannot run %s: %s (binutils installs it; or set OBJDUMP)",
                  objdump, strerror(error));
        return NULL;
    }
    return fdopen(fds[0], "r");
}

/* The first line objdump wrote on its stderr. */
static void first_line(FILE *f, strbuf *line)
{
    rewind(f);
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n')
        sb_putc(line, (char)c);
}

static bool readable_binary(const char *binary)
{
    FILE *fp = fopen(binary, "rb");
    if (fp == NULL) {
        diag_schema(binary, NULL, NULL, "cannot read: %s", strerror(errno));
        return false;
    }
    unsigned char ident[18];   /* e_ident, then e_type (little-endian) */
    size_t n = fread(ident, 1, sizeof ident, fp);
    int error = ferror(fp) ? errno : 0;
    fclose(fp);
    if (error != 0) {
        diag_schema(binary, NULL, NULL, "cannot read: %s", strerror(error));
        return false;
    }
    if (n < sizeof ident || memcmp(ident, "\177ELF", 4) != 0) {
        diag_schema(binary, NULL, NULL, "not an ELF file: --asm reads a "
                    "compiled program");
        return false;
    }
    if (ident[16] == 1 && ident[17] == 0) {     /* ET_REL */
        diag_schema(binary, NULL, NULL, "a relocatable object: --asm reads a "
                    "linked program or library");
        return false;
    }
    return true;
}

static int by_address(const void *x, const void *y)
{
    const disasm_insn *a = x, *b = y;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

bool disasm_load(disasm *d, const char *binary)
{
    *d = (disasm){ 0 };
    if (!readable_binary(binary))
        return false;
    FILE *errors = tmpfile();
    if (errors == NULL) {
        diag_tool("cannot make a temporary file: %s", strerror(errno));
        return false;
    }
    pid_t pid;
    FILE *out = start_objdump(binary, &pid, errors);
    if (out == NULL) {
        fclose(errors);
        return false;
    }
    parser p = { .d = d, .interned = STRMAP_INIT };
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, out) >= 0)
        parse_line(&p, line);
    free(line);
    fclose(out);
    free(p.callers);
    strmap_free(&p.interned);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && d->n_insns > 0;
    /* objdump lists sections in address order; disasm_find() counts on it */
    bool sorted = true;
    for (size_t i = 1; i < d->n_insns && sorted; i++)
        sorted = d->insns[i - 1].addr < d->insns[i].addr;
    if (ok && !sorted)
        qsort(d->insns, d->n_insns, sizeof *d->insns, by_address);
    if (!ok) {
        strbuf why = STRBUF_INIT;
        first_line(errors, &why);
        diag_schema(binary, NULL, NULL, "objdump cannot disassemble it%s%s",
                    why.len > 0 ? ": " : "", sb_text(&why));
        sb_free(&why);
        disasm_free(d);
    }
    fclose(errors);
    return ok;
}

void disasm_free(disasm *d)
{
    for (size_t i = 0; i < d->n_insns; i++) {
        free(d->insns[i].mnemonic);
        free(d->insns[i].operands);
        free(d->insns[i].frames);
    }
    free(d->insns);
    for (size_t i = 0; i < d->n_strings; i++)
        free(d->strings[i]);
    free(d->strings);
    *d = (disasm){ 0 };
}

size_t disasm_find(const disasm *d, uint64_t addr)
{
    size_t lo = 0, hi = d->n_insns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->insns[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_insns && d->insns[lo].addr == addr ? lo : (size_t)-1;
}

/* ---- AT&T syntax ---------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool asm_is_jump(const disasm_insn *in)
{
    return in->mnemonic[0] == 'j' || starts_with(in->mnemonic, "notrack j") ||
           starts_with(in->mnemonic, "bnd j");
}

bool asm_is_unconditional(const disasm_insn *in)
{
    const char *m = in->mnemonic;
    return strcmp(m, "jmp") == 0 || strcmp(m, "notrack jmp") == 0 ||
           strcmp(m, "bnd jmp") == 0;
}

bool asm_is_call(const disasm_insn *in)
{
    return starts_with(in->mnemonic, "call") || starts_with(in->mnemonic, "bnd call") ||
           starts_with(in->mnemonic, "notrack call");
}

bool asm_ends_flow(const disasm_insn *in)
{
    const char *m = in->mnemonic;
    return starts_with(m, "ret") || starts_with(m, "bnd ret") ||
           starts_with(m, "ud2") || starts_with(m, "hlt");
}

bool asm_writes_last(const disasm_insn *in)
{
    static const char *const readers[] = {
        "cmp", "test", "bt", "push", "j", "call", "ret", "nop", "ucomis",
        "comis", "prefetch",
    };
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (starts_with(in->mnemonic, readers[i]))
            return false;
    return true;
}

asm_operands asm_operands_of(const char *s)
{
    asm_operands ops = { .n = 0 };
    if (*s == '\0')
        return ops;
    int depth = 0;
    size_t len = 0;
    ops.n = 1;
    for (; *s != '\0'; s++) {
        if (*s == '(')
            depth++;
        else if (*s == ')')
            depth--;
        if (*s == ',' && depth == 0) {
            if (ops.n == 3)
                break;
            ops.n++;
            len = 0;
            continue;
        }
        if (len + 1 < sizeof ops.text[0]) {
            ops.text[ops.n - 1][len++] = *s;
            ops.text[ops.n - 1][len] = '\0';
        }
    }
    return ops;
}

/* The general registers by width: 64, 32, 16, 8 (low), 8 (high) bits. */
static const char *const legacy_regs[][5] = {
    { "rax", "eax", "ax", "al", "ah" }, { "rbx", "ebx", "bx", "bl", "bh" },
    { "rcx", "ecx", "cx", "cl", "ch" }, { "rdx", "edx", "dx", "dl", "dh" },
    { "rsi", "esi", "si", "sil", "" }, { "rdi", "edi", "di", "dil", "" },
    { "rbp", "ebp", "bp", "bpl", "" }, { "rsp", "esp", "sp", "spl", "" },
};
static const int legacy_widths[] = { 8, 4, 2, 1, 1 };

bool asm_reg_of(const char *op, asm_reg *out)
{
    size_t n = strlen(op);
    if (n < 3 || op[0] != '%' || n - 1 >= sizeof out->name || strchr(op, ':'))
        return false;
    char r[sizeof out->name];
    memcpy(r, op + 1, n);
    for (size_t i = 0; i < sizeof legacy_regs / sizeof legacy_regs[0]; i++)
        for (size_t k = 0; k < 5; k++)
            if (legacy_regs[i][k][0] != '\0' && strcmp(r, legacy_regs[i][k]) == 0) {
                strcpy(out->name, legacy_regs[i][0]);
                return true;
            }
    size_t len = strlen(r);
    if (r[0] == 'r' && isdigit((unsigned char)r[1]) && strchr("dwb", r[len - 1]))
        r[len - 1] = '\0';         /* r8d, r8w, r8b are r8 */
    if (starts_with(r, "ymm") || starts_with(r, "zmm"))
        r[0] = 'x';                 /* the same vector register */
    strcpy(out->name, r);
    return true;
}

bool asm_same_reg(const asm_reg *a, const asm_reg *b)
{
    return strcmp(a->name, b->name) == 0;
}

asm_mem asm_mem_of(const char *op)
{
    asm_mem m = { .ok = false };
    const char *open = strchr(op, '(');
    if (open == NULL || op[0] == '%' || op[0] == '$' || op[0] == '*')
        return m;
    if (open != op) {
        char *end;
        m.disp = strtoll(op, &end, 0);
        if (end != open)
            return m;
    }
    const char *close = strchr(open, ')');
    if (close == NULL)
        return m;
    const char *comma = memchr(open, ',', (size_t)(close - open));
    const char *base_end = comma != NULL ? comma : close;
    char base[16];
    size_t n = (size_t)(base_end - open - 1);
    if (n == 0 || n >= sizeof base)
        return m;
    memcpy(base, open + 1, n);
    base[n] = '\0';
    m.indexed = comma != NULL;
    m.ok = asm_reg_of(base, &m.base);
    return m;
}

bool asm_immediate_of(const char *op, uint64_t *value)
{
    if (op[0] != '$')
        return false;
    char *end;
    *value = strtoull(op + 1, &end, 0);
    return *end == '\0';
}

int asm_store_width(const char *mnemonic, const char *src)
{
    static const struct {
        const char *mnemonic;
        int width;
    } suffixed[] = { { "movq", 8 }, { "movl", 4 }, { "movw", 2 }, { "movb", 1 } };
    for (size_t i = 0; i < sizeof suffixed / sizeof suffixed[0]; i++)
        if (strcmp(mnemonic, suffixed[i].mnemonic) == 0)
            return suffixed[i].width;
    if (starts_with(src, "%xmm"))
        return 16;
    if (starts_with(src, "%ymm"))
        return 32;
    for (size_t i = 0; i < sizeof legacy_regs / sizeof legacy_regs[0]; i++)
        for (size_t k = 0; k < 5; k++)
            if (legacy_regs[i][k][0] != '\0' && strcmp(src + 1, legacy_regs[i][k]) == 0)
                return legacy_widths[k];
    size_t n = strlen(src);
    if (starts_with(src, "%r") && n > 3 && isdigit((unsigned char)src[2]))
        return src[n - 1] == 'd' ? 4 : src[n - 1] == 'w' ? 2 : src[n - 1] == 'b' ? 1 : 8;
    return 8;
}
