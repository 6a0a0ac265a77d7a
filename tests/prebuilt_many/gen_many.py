#!/usr/bin/env python3
"""gen_many.py N OUT.json: a schema with N prebuilt objects (tests/
prebuilt_many/meson.build).  `Cell` objects c0 .. c(N-1) form a chain, each
pointing to the one before (c0's `prev` is null) with `value` its index;
every tenth is also an item of the array `index`, which holds N/10 refs.
many.c walks them and stores into them."""
import json
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    def name(i):
        return "top" if i == n - 1 else f"c{i}"
    objects = [{"name": name(0), "type": "Cell", "fields": {"value": 0}}]
    for i in range(1, n):
        objects.append({"name": name(i), "type": "Cell",
                        "fields": {"prev": name(i - 1), "value": i}})
    objects.append({"name": "index", "type": "Cells",
                    "items": [name(i) for i in range(0, n, 10)]})
    schema = {
        "doc": f"{n} prebuilt objects, from tests/prebuilt_many/gen_many.py.",
        "types": [
            {"name": "Cell", "fields": [{"name": "prev", "kind": "ref", "to": "Cell"},
                                        {"name": "extra", "kind": "ref", "to": "Cell"},
                                        {"name": "value", "kind": "i64"}]},
            {"name": "Cells", "array": {"kind": "ref", "to": "Cell"}},
        ],
        "objects": objects,
    }
    with open(out, "w") as f:
        json.dump(schema, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
