#!/usr/bin/env python3
"""gen_schema.py SEED OUTDIR -- a random typegc schema and the C glue over it.

From SEED alone (the same seed always gives the same bytes) writes

  OUTDIR/rs_SEED.json     a valid schema: 2 to 10 struct types, some of
                          them extending others in chains, some without
                          fields, with fields of every kind (refs to any
                          type, the type itself included, and `any`), some
                          of them fixed-size arrays (`length`), and 2 to 6
                          array types, of scalars, of refs to structs or
                          arrays or of `any`; about one struct type in
                          three (at least one) declares a destructor, and
                          the topmost of those in each chain has a field
                          `idK` (i64) where the driver stores which object
                          this is, for the destructor to read; about one
                          struct type in three (at least one) has one or
                          two weak fields, some of them fixed-size arrays
                          of weak items; and 0 to 4 prebuilt objects, some
                          referring to others, strongly or weakly;
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

# `any` is traced and stored as a ref, so the type table and the driver
# see it as TGC_KIND_REF; the shim says which refs are any.
GC_KINDS = {'ref', 'any'}
# Every kind the shim sets through a generated setter and reads as a
# pointer: the traced ones and `weak`, which is not traced (TGC_KIND_WEAK).
POINTER_KINDS = GC_KINDS | {'weak'}
SCALAR_KINDS = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'f64', 'bool']
SIGNED_KINDS = {'i8', 'i16', 'i32', 'i64'}
C_TYPES = {'i8': 'int8_t', 'i16': 'int16_t', 'i32': 'int32_t', 'i64': 'int64_t',
           'u8': 'uint8_t', 'u16': 'uint16_t', 'u32': 'uint32_t', 'u64': 'uint64_t',
           'f64': 'double', 'bool': 'bool'}


def random_field(rng, name, everything):
    """A field of a struct type: a scalar, a ref or an `any`; one in four
    a fixed-size array of its kind, mostly of 1 to 4 items (length 1, an
    array of one, is a case of its own for the translator), now and then
    up to 12, so that a struct has runs of ref slots in a row."""
    kind = rng.choice(SCALAR_KINDS + ['ref'] * 4 + ['any'] * 3)
    field = {'name': name, 'kind': kind}
    if kind == 'ref':
        field['to'] = rng.choice(everything)
    if rng.random() < 0.25:
        field['length'] = rng.randint(1, 4) if rng.random() < 0.8 else rng.randint(5, 12)
    return field


def random_types(rng):
    """The schema's types, struct types S0.. then array types A0..: each a
    dict as the schema spells it.  A struct's base is always an earlier
    struct, so that the chains have no cycle; often the one just before,
    so that they grow long.  A0 holds refs and A1 scalars; the others
    either; the refs of any of them may be `any`."""
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
            fields.append(random_field(rng, 'f%d_%d' % (i, k), everything))
        if fields or rng.random() < 0.5:
            struct['fields'] = fields
        types.append(struct)
    for j, name in enumerate(arrays):
        if j == 0 or (j > 1 and rng.random() < 0.4):
            if rng.random() < 0.3:
                item = {'kind': 'any'}
            else:
                item = {'kind': 'ref', 'to': rng.choice(everything)}
        else:
            item = {'kind': rng.choice(SCALAR_KINDS)}
        types.append({'name': name, 'array': item})
    return types


def add_destructors(seed, types):
    """Makes about one struct type in three declare `"destructor": true`
    (at least one does, so that every schema has some), roots and
    subclasses alike: a subclass that declares none inherits its nearest
    base's, one that declares its own overrides it.  A destructor may read
    only its object's numbers, so each declaring type with no declaring
    base gets an i64 field `idK`, at a random place among its own fields,
    which the driver sets to the object's number at allocation; its
    subclasses inherit it.  Drawn from a generator of its own, so that the
    rest of the schema is what it was before destructors came.  Returns
    the id fields, {struct name: field name}."""
    rng = random.Random('destructors %d' % seed)
    structs = [t for t in types if 'array' not in t]
    declaring = [rng.random() < 1 / 3 for _ in structs]
    if not any(declaring):
        declaring[rng.randrange(len(structs))] = True
    by_name = {t['name']: t for t in structs}
    id_fields = {}
    for i, (struct, declares) in enumerate(zip(structs, declaring)):
        if not declares:
            continue
        struct['destructor'] = True
        if id_holder(by_name, id_fields, struct) is not None:
            continue
        fields = struct.setdefault('fields', [])
        fields.insert(rng.randint(0, len(fields)),
                      {'name': 'id%d' % i, 'kind': 'i64',
                       'doc': 'which model object this is, for the destructor (driver.c)'})
        id_fields[struct['name']] = 'id%d' % i
    return id_fields


def add_weak_fields(seed, types):
    """Gives about one struct type in three (at least one a schema) one or
    two weak fields `wK_J`, each to a random type, struct or array (a weak
    field has no `any`: the translator wants its `to`), one in four a
    fixed-size array of 1 to 3 weak items, at random places among the
    type's own fields; subclasses inherit them.  Drawn from a generator of
    their own, after the destructors' id fields are placed, so that the
    rest of the schema is what it was before weak fields came."""
    rng = random.Random('weak %d' % seed)
    structs = [t for t in types if 'array' not in t]
    everything = [t['name'] for t in types]
    holding = [rng.random() < 1 / 3 for _ in structs]
    if not any(holding):
        holding[rng.randrange(len(structs))] = True
    for i, (struct, holds) in enumerate(zip(structs, holding)):
        if not holds:
            continue
        fields = struct.setdefault('fields', [])
        for j in range(rng.randint(1, 2)):
            field = {'name': 'w%d_%d' % (i, j), 'kind': 'weak', 'to': rng.choice(everything)}
            if rng.random() < 0.25:
                field['length'] = rng.randint(1, 3)
            fields.insert(rng.randint(0, len(fields)), field)


def add_prebuilt_weak_targets(seed, types, objects):
    """A prebuilt struct object's plain weak fields start, one in two, at
    an earlier prebuilt object of a type the field can hold (never
    cleared: a prebuilt object never dies).  Drawn from a generator of
    their own, for the same reason."""
    rng = random.Random('prebuilt weak %d' % seed)
    by_name = {t['name']: t for t in types}
    for k, obj in enumerate(objects):
        t = by_name[obj['type']]
        if 'array' in t:
            continue
        for field, path in all_fields(by_name, t):
            if field['kind'] != 'weak' or 'length' in field or rng.random() < 0.5:
                continue
            fits = [o['name'] for o in objects[:k] if is_subtype(by_name, o['type'], field['to'])]
            if fits:
                obj.setdefault('fields', {})[field['name']] = rng.choice(fits)


def add_prebuilt(seed, types):
    """0 to 4 prebuilt objects `p0`.. ("objects"), of random types, struct
    or array (of length 0 to 4, items null or zero).  A struct object's
    plain ref and `any` fields start, one in two, at an earlier prebuilt
    object of a type the field can hold; everything else starts zero or
    null.  Drawn from a generator of its own, so that the rest of a schema
    is what it was before prebuilt objects came.  Returns the objects as
    the schema spells them."""
    rng = random.Random('prebuilt %d' % seed)
    by_name = {t['name']: t for t in types}
    objects = []
    for k in range(rng.choice([0, 1, 2, 3, 4])):
        t = rng.choice(types)
        obj = {'name': 'p%d' % k, 'type': t['name']}
        if 'array' in t:
            obj['length'] = rng.randint(0, 4)
        else:
            fields = {}
            for field, path in all_fields(by_name, t):
                if field['kind'] not in GC_KINDS or 'length' in field or rng.random() < 0.5:
                    continue
                fits = [o['name'] for o in objects
                        if field['kind'] == 'any' or is_subtype(by_name, o['type'], field['to'])]
                if fits:
                    fields[field['name']] = rng.choice(fits)
            if fields:
                obj['fields'] = fields
        objects.append(obj)
    return objects


def is_subtype(by_name, name, of):
    """Whether type `name` is `of` or a subclass of it."""
    while name is not None:
        if name == of:
            return True
        name = by_name[name].get('base')
    return False


def destructor_of(by_name, struct):
    """The struct type whose destructor runs for objects of `struct`:
    itself if it declares one, else its nearest base that does; None if
    none does."""
    while struct is not None and not struct.get('destructor'):
        struct = by_name.get(struct.get('base'))
    return struct


def id_holder(by_name, id_fields, struct):
    """The type among `struct` and its bases that has the id field, or
    None."""
    while struct is not None and struct['name'] not in id_fields:
        struct = by_name.get(struct.get('base'))
    return struct


def all_fields(by_name, struct):
    """Every field of a struct type, inherited ones first (the type
    table's order), each with the C path to it from the struct
    (`super.super.f0_1`)."""
    chain = []
    while struct is not None:
        chain.append(struct)
        struct = by_name.get(struct.get('base'))
    fields = []
    for depth, ancestor in reversed(list(enumerate(chain))):
        for field in ancestor.get('fields', []):
            fields.append((field, 'super.' * depth + field['name']))
    return fields


def all_slots(fields):
    """The slots of a struct type, each one value the driver reads and
    writes: a plain field is one, a field with a `length` one per item.
    Each is (field number in the type table, the field, the item's index
    or None, the C path to it)."""
    slots = []
    for number, (field, path) in enumerate(fields):
        if 'length' in field:
            slots += [(number, field, index, '%s[%d]' % (path, index))
                      for index in range(field['length'])]
        else:
            slots.append((number, field, None, path))
    return slots


def kind_constant(kind):
    """The tgc_kind of the type table: an `any` is a ref there."""
    return 'TGC_KIND_' + ('REF' if kind == 'any' else kind.upper())


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


def struct_functions(name, slots, lines):
    """Appends the functions of a struct type; returns them by their role
    in shim_type.  An item of a fixed-size array is set through the
    setter that takes its index, and read as a C array element.  Weak
    slots are linked and read as refs are: their setter is the generated
    weak one (the write barrier, no tracing), and shim_slot's kind,
    TGC_KIND_WEAK, tells the driver they keep nothing alive."""
    functions = {'allocate': allocate_function(name, 'TGC_NEW(%s, c, a, b)' % name, lines)}
    scalars = [(k, f, index, path) for k, (_, f, index, path) in enumerate(slots)
               if f['kind'] not in POINTER_KINDS]
    refs = [(k, f, index, path) for k, (_, f, index, path) in enumerate(slots)
            if f['kind'] in POINTER_KINDS]
    if scalars:
        functions['write'], functions['read'] = name + '_write', name + '_read'
        lines += ['static void %s_write(void *obj, size_t slot, uint64_t value)' % name,
                  '{', '    %s *o = obj;' % name]
        switch(lines, [(k, 'o->%s = %s; return;' % (path, store_expression(f['kind'], 'value')))
                       for k, f, index, path in scalars])
        lines += ['}', '',
                  'static uint64_t %s_read(const void *obj, size_t slot)' % name,
                  '{', '    const %s *o = obj;' % name]
        switch(lines, [(k, 'return %s;' % load_expression(f['kind'], 'o->' + path))
                       for k, f, index, path in scalars])
        lines += ['}', '']
    if refs:
        functions['link'], functions['target'] = name + '_link', name + '_target'
        lines += ['static void %s_link(void *obj, size_t slot, void *target)' % name, '{']
        switch(lines, [(k, '%s_set_%s(obj, %starget); return;'
                        % (name, f['name'], '' if index is None else '%d, ' % index))
                       for k, f, index, path in refs])
        lines += ['}', '',
                  'static void *%s_target(const void *obj, size_t slot)' % name,
                  '{', '    const %s *o = obj;' % name]
        switch(lines, [(k, 'return o->%s;' % path) for k, f, index, path in refs])
        lines += ['}', '']
    return functions


def array_functions(name, item, lines):
    """The same for an array type: its items through T_get and T_set."""
    functions = {'allocate': allocate_function(name, 'TGC_NEW_ARRAY(%s, c, length, a, b)' % name,
                                               lines),
                 'length': name + '_count'}
    lines += ['static size_t %s_count(const void *obj)' % name,
              '{', '    return %s_length(obj);' % name, '}', '']
    if item['kind'] in GC_KINDS:
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


def slot_initializer(index_of, item, struct=None, slot=None):
    """A shim_slot for an array's item, or for a struct's slot (a tuple
    of all_slots()) with the C compiler's offset of it."""
    kind = item['kind']
    members = ['.kind = %s' % kind_constant(kind),
               '.any = %s' % ('true' if kind == 'any' else 'false'),
               '.to = %d' % (index_of[item['to']] if 'to' in item else -1)]
    if slot is not None:
        number, field, index, path = slot
        members = ['.name = "%s"' % field['name']] + members + [
            '.field = %d' % number,
            '.length = %d' % field.get('length', 0),
            '.index = %d' % (index or 0),
            '.offset = offsetof(struct %s, %s)' % (struct, path)]
    return '{ %s }' % ', '.join(members)


def destruct_function(name, index, lines):
    """T_destruct(), which the generated header declares for a type that
    declares a destructor: hands the object to the driver's model, as the
    type it was called for."""
    lines += ['void %s_destruct(%s *obj)' % (name, name),
              '{', '    shim_destruct(obj, %d);' % index, '}', '']


def prebuilt_entries(types, objects, index_of):
    """The shim's table of prebuilt objects: each one's type, address,
    length (arrays) and the prebuilt object each ref slot starts at (-1:
    null)."""
    by_name = {t['name']: t for t in types}
    number_of = {o['name']: k for k, o in enumerate(objects)}
    lines = []
    for o in objects:
        t = by_name[o['type']]
        members = ['.type = %d' % index_of[t['name']],
                   '.object = &%s__prebuilt_%s' % (t['name'], o['name'])]
        if 'array' in t:
            members.append('.length = %d' % o['length'])
        else:
            slots = all_slots(all_fields(by_name, t))
            given = o.get('fields', {})
            initial = [number_of[given[f['name']]] if f['name'] in given else -1
                       for number, f, index, path in slots]
            if initial:
                members.append('.initial = (const int[]){ %s }' % ', '.join(map(str, initial)))
        lines.append('    { %s },' % ', '.join(members))
    return lines


def shim_text(seed, types, id_fields, objects):
    schema = 'rs_%d' % seed
    by_name = {t['name']: t for t in types}
    index_of = {t['name']: i for i, t in enumerate(types)}
    lines = ['/* %s_shim.h -- generated by gen_schema.py %d: the glue between driver.c' % (schema, seed),
             ' * and the code `typegc gen` emits for %s.json (see shim.h).  Do not edit. */' % schema,
             '#include <stddef.h>',
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
            members += ['.base = -1', '.destructor = -1', '.id_slot = -1', '.is_array = true',
                        '.item = %s' % slot_initializer(index_of, t['array'])]
        else:
            fields = all_fields(by_name, t)
            slots = all_slots(fields)
            functions = struct_functions(name, slots, lines)
            members.append('.base = %d' % (index_of[t['base']] if 'base' in t else -1))
            destructor = destructor_of(by_name, t)
            holder = id_holder(by_name, id_fields, t)
            id_slot = -1
            if holder is not None:
                id_slot = [k for k, slot in enumerate(slots)
                           if slot[1]['name'] == id_fields[holder['name']]][0]
            members += ['.destructor = %d' % (-1 if destructor is None
                                              else index_of[destructor['name']]),
                        '.id_slot = %d' % id_slot]
            if t.get('destructor'):
                destruct_function(name, index_of[name], lines)
            if slots:
                lines.append('static const shim_slot %s_slots[] = {' % name)
                lines += ['    %s,' % slot_initializer(index_of, slot[1], name, slot)
                          for slot in slots]
                lines += ['};', '']
                members += ['.field_count = %d' % len(fields),
                            '.slot_count = %d' % len(slots), '.slots = %s_slots' % name]
        # The header has T__DESTRUCTOR for struct types only.
        members += ['.destructor_flag = %s' % ('false' if 'array' in t else name + '__DESTRUCTOR'),
                    '.isinstance = %s_isinstance' % name]
        members += ['.%s = %s' % role_function for role_function in functions.items()]
        entries += ['    {'] + ['        %s,' % m for m in members] + ['    },']
    lines += ['static const shim_type shim_types[] = {'] + entries + ['};',
              'enum { SHIM_TYPE_COUNT = %d };' % len(types), '']
    # never empty, for C: a count of 0 leaves one unused entry
    lines += ['static const shim_prebuilt shim_prebuilt_objects[] = {'] + \
        (prebuilt_entries(types, objects, index_of) or ['    { .type = -1 },']) + \
        ['};', 'enum { SHIM_PREBUILT_COUNT = %d };' % len(objects), '']
    return '\n'.join(lines)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: gen_schema.py SEED OUTDIR')
    seed = int(sys.argv[1])
    outdir = sys.argv[2]
    rng = random.Random(seed)
    types = random_types(rng)
    id_fields = add_destructors(seed, types)
    add_weak_fields(seed, types)
    objects = add_prebuilt(seed, types)
    add_prebuilt_weak_targets(seed, types, objects)
    declared = list(types)
    rng.shuffle(declared)   # the translator numbers the types by their bases
    schema = {'doc': 'Random schema %d, from tests/random_schema/gen_schema.py.' % seed,
              'types': declared}
    if objects:
        schema['objects'] = objects
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'rs_%d.json' % seed), 'w') as f:
        json.dump(schema, f, indent=1)
        f.write('\n')
    with open(os.path.join(outdir, 'rs_%d_shim.h' % seed), 'w') as f:
        f.write(shim_text(seed, types, id_fields, objects))


if __name__ == '__main__':
    main()
