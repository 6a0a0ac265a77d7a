/* pack1.h -- forced into a translation unit with `-include`, packs
 * every struct after it to 1 byte: test_inspect.py checks that
 * `typegc inspect` reports the layouts this makes. */
#pragma pack(1)
