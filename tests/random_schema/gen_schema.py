#!/usr/bin/env python3
"""gen_schema.py SEED OUTDIR -- a random typegc schema and the C glue over it.

From SEED alone (the same seed always gives the same bytes) writes

  OUTDIR/rs_SEED.json     a valid schema: 2 to 10 struct types, some of
                          them extending others in chains, some without
                          fields, with fields of every kind (refs to any
                          type, the type itself included), and 2 to 6 array
                          types, of scalars or of refs to structs or arrays;
  OUTDIR/rs_SEED_shim.h   for each type, the functions driver.c calls to
                          allocate it and to read and write its fields or
                          items through the code `typegc gen` emits for the
                          schema, and the table `shim_types` (shim.h) that
                          describes the types to the driver.

Only the standard library is used."""

import json
import os
import random
import sys

SCALAR_KINDS = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f64', 'bool']
SIGNED_KINDS = {'i8', 'i16', 'i32', 'i64'}
C_TYPES = {'i8': 'int8_t', 'i16': 'int16_t', 'i32': 'int32_t', 'i64': 'int64_t',
           'u8': 'uint8_t', 'u16': 'uint16_t', 'u32': 'uint32_t', 'u64': 'uint64_t',
           'f64': 'double', 'bool': 'bool'}


def random_types(rng):
    """The schema's types, struct types S0.. then array types A0..: each a
    dict as the schema spells it.  A struct's base is always an earlier
    struct, so that the chains have no cycle; often the one just before,
    so that they grow long.  A0 holds refs and A1 scalars; the others
    either."""
    structs = ['S%d' % i for i in range(rng.randint(2, 10))]
    arrays = ['A%d' % i for i in range(rng.randint(2, 6))]
    everything = structs + arrays
    types = []
    for i, name in enumerate(structs):
        struct = {'name': name}
        if i > 0 and rng.random() < 0.65:
            struct['base'] = structs[i - 1 if rng.random() < 0.5 else rng.randrange(i)]
        field_count = 0 if rng.random() < 0.2 else rng.randint(1, 6)
        fields = []
        for k in range(field_count):
            kind = rng.choice(SCALAR_KINDS + ['ref'] * 4)
            field = {'name': 'f%d_%d' % (i, k), 'kind': kind}
            if kind == 'ref':
                field['to'] = rng.choice(everything)
            fields.append(field)
        if fields or rng.random() < 0.5:
            struct['fields'] = fields
        types.append(struct)
    for j, name in enumerate(arrays):
        if j == 0 or (j > 1 and rng.random() < 0.4):
            item = {'kind': 'ref', 'to': rng.choice(everything)}
        else:
            item = {'kind': rng.choice(SCALAR_KINDS)}
        types.append({'name': name, 'array': item})
    return types


def all_fields(by_name, struct):
    """Every field of a struct type, inherited ones first, each with the C
    path to it from the struct (`super.super.f0_1`)."""
    chain = []
    while struct is not None:
        chain.append(struct)
        struct = by_name.get(struct.get('base'))
    fields = []
    for depth, ancestor in reversed(list(enumerate(chain))):
        for field in ancestor.get('fields', []):
            fields.append((field, 'super.' * depth + field['name']))
    return fields


def kind_constant(kind):
    return 'TGC_KIND_' + kind.upper()


def store_expression(kind, value):
    """C for the model value `value` (a uint64_t) as a slot of this kind
    holds it; slot_values.h says the same for the driver."""
    if kind == 'f64':
        return 'slot_f64_of(%s)' % value
    if kind == 'bool':
        return '(%s & 1) != 0' % value
    return '(%s)%s' % (C_TYPES[kind], value)


def load_expression(kind, stored):
    """C turning what a slot of this kind holds back into a uint64_t."""
    if kind == 'f64':
        return 'slot_bits_of_f64(%s)' % stored
    if kind in SIGNED_KINDS:
        return '(uint64_t)(int64_t)%s' % stored
    return '(uint64_t)%s' % stored


def switch(lines, cases):
    """Appends a switch over `slot`, one case per (slot, statement), that
    aborts on any other slot."""
    lines.append('    switch (slot) {')
    for slot, statement in cases:
        lines.append('    case %d: %s' % (slot, statement))
    lines += ['    }', '    abort();']


def allocate_function(name, new, lines):
    """T_allocate: `new` is the TGC_NEW or TGC_NEW_ARRAY expression, which
    keeps the locals a and b alive."""
    lines += ['static void *%s_allocate(tgc_cursor c, size_t length, void **keep_a, void **keep_b)' % name,
              '{',
              '    void *a = *keep_a, *b = *keep_b;']
    if 'length' not in new:
        lines.append('    (void)length;')
    lines += ['    %s *obj = %s;' % (name, new),
              '    *keep_a = a;',
              '    *keep_b = b;',
              '    return obj;',
              '}', '']
    return name + '_allocate'


def struct_functions(name, fields, lines):
    """Appends the functions of a struct type; returns them by their role
    in shim_type."""
    functions = {'allocate': allocate_function(name, 'TGC_NEW(%s, c, a, b)' % name, lines)}
    scalars = [(k, f, path) for k, (f, path) in enumerate(fields) if f['kind'] != 'ref']
    refs = [(k, f, path) for k, (f, path) in enumerate(fields) if f['kind'] == 'ref']
    if scalars:
        functions['write'], functions['read'] = name + '_write', name + '_read'
        lines += ['static void %s_write(void *obj, size_t slot, uint64_t value)' % name,
                  '{', '    %s *o = obj;' % name]
        switch(lines, [(k, 'o->%s = %s; return;' % (path, store_expression(f['kind'], 'value')))
                       for k, f, path in scalars])
        lines += ['}', '',
                  'static uint64_t %s_read(const void *obj, size_t slot)' % name,
                  '{', '    const %s *o = obj;' % name]
        switch(lines, [(k, 'return %s;' % load_expression(f['kind'], 'o->' + path))
                       for k, f, path in scalars])
        lines += ['}', '']
    if refs:
        functions['link'], functions['target'] = name + '_link', name + '_target'
        lines += ['static void %s_link(void *obj, size_t slot, void *target)' % name, '{']
        switch(lines, [(k, '%s_set_%s(obj, target); return;' % (name, f['name']))
                       for k, f, path in refs])
        lines += ['}', '',
                  'static void *%s_target(const void *obj, size_t slot)' % name,
                  '{', '    const %s *o = obj;' % name]
        switch(lines, [(k, 'return o->%s;' % path) for k, f, path in refs])
        lines += ['}', '']
    return functions


def array_functions(name, item, lines):
    """The same for an array type: its items through T_get and T_set."""
    functions = {'allocate': allocate_function(name, 'TGC_NEW_ARRAY(%s, c, length, a, b)' % name,
                                               lines),
                 'length': name + '_count'}
    lines += ['static size_t %s_count(const void *obj)' % name,
              '{', '    return %s_length(obj);' % name, '}', '']
    if item['kind'] == 'ref':
        functions['link'], functions['target'] = name + '_link', name + '_target'
        lines += ['static void %s_link(void *obj, size_t slot, void *target)' % name,
                  '{', '    %s_set(obj, slot, target);' % name, '}', '',
                  'static void *%s_target(const void *obj, size_t slot)' % name,
                  '{', '    return %s_get(obj, slot);' % name, '}', '']
    else:
        functions['write'], functions['read'] = name + '_write', name + '_read'
        lines += ['static void %s_write(void *obj, size_t slot, uint64_t value)' % name,
                  '{', '    %s_set(obj, slot, %s);' % (name, store_expression(item['kind'], 'value')),
                  '}', '',
                  'static uint64_t %s_read(const void *obj, size_t slot)' % name,
                  '{', '    return %s;' % load_expression(item['kind'], '%s_get(obj, slot)' % name),
                  '}', '']
    return functions


def slot_initializer(index_of, slot):
    """A shim_slot for a field or an array's item."""
    members = ['.kind = %s' % kind_constant(slot['kind']),
               '.to = %d' % (index_of[slot['to']] if slot['kind'] == 'ref' else -1)]
    if 'name' in slot:
        members.insert(0, '.name = "%s"' % slot['name'])
    return '{ %s }' % ', '.join(members)


def shim_text(seed, types):
    schema = 'rs_%d' % seed
    by_name = {t['name']: t for t in types}
    index_of = {t['name']: i for i, t in enumerate(types)}
    lines = ['/* %s_shim.h -- generated by gen_schema.py %d: the glue between driver.c' % (schema, seed),
             ' * and the code `typegc gen` emits for %s.json (see shim.h).  Do not edit. */' % schema,
             '#include <stdlib.h>', '',
             '#include "%s.h"' % schema,
             '#include "shim.h"',
             '#include "slot_values.h"', '',
             '#define SHIM_SCHEMA_SEED %d' % seed,
             '#define SHIM_INIT %s_init' % schema,
             '#define SHIM_TABLE %s_types' % schema, '']
    entries = []
    for t in types:
        name = t['name']
        members = ['.name = "%s"' % name, '.type_id = %s__TYPE_ID' % name]
        if 'array' in t:
            functions = array_functions(name, t['array'], lines)
            members += ['.base = -1', '.is_array = true',
                        '.item = %s' % slot_initializer(index_of, t['array'])]
        else:
            fields = all_fields(by_name, t)
            functions = struct_functions(name, fields, lines)
            members.append('.base = %d' % (index_of[t['base']] if 'base' in t else -1))
            if fields:
                lines.append('static const shim_slot %s_fields[] = {' % name)
                lines += ['    %s,' % slot_initializer(index_of, f) for f, path in fields]
                lines += ['};', '']
                members += ['.field_count = %d' % len(fields), '.fields = %s_fields' % name]
        members.append('.isinstance = %s_isinstance' % name)
        members += ['.%s = %s' % role_function for role_function in functions.items()]
        entries += ['    {'] + ['        %s,' % m for m in members] + ['    },']
    lines += ['static const shim_type shim_types[] = {'] + entries + ['};',
              'enum { SHIM_TYPE_COUNT = %d };' % len(types), '']
    return '\n'.join(lines)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: gen_schema.py SEED OUTDIR')
    seed = int(sys.argv[1])
    outdir = sys.argv[2]
    rng = random.Random(seed)
    types = random_types(rng)
    declared = list(types)
    rng.shuffle(declared)   # the translator numbers the types by their bases
    schema = {'doc': 'Random schema %d, from tests/random_schema/gen_schema.py.' % seed,
              'types': declared}
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'rs_%d.json' % seed), 'w') as f:
        json.dump(schema, f, indent=1)
        f.write('\n')
    with open(os.path.join(outdir, 'rs_%d_shim.h' % seed), 'w') as f:
        f.write(shim_text(seed, types))


if __name__ == '__main__':
    main()
