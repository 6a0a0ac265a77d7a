(* binary_trees.ml -- the Benchmarks Game's binary-trees, as bench/binary-trees.c
   does it, in OCaml (a peer for bench/run).

     usage: binary_trees [--shared-leaf] [N]     (default 10)

   By default every node is allocated, leaves included, as the C, Java and
   typegc programs do: a leaf is `Node (Sys.opaque_identity Empty, Empty)`,
   which the compiler cannot turn into a constant.  With --shared-leaf a
   leaf is the usual OCaml spelling `Node (Empty, Empty)`, a constant block
   allocated once, statically: that program allocates half the nodes.
   Standard output is the reference output; `time: X s` goes to stderr. *)

type tree = Empty | Node of tree * tree

let min_depth = 4

(* Every node, leaves included, is a fresh block. *)
let rec make_allocating depth =
  if depth <= 0 then Node (Sys.opaque_identity Empty, Empty)
  else
    let left = make_allocating (depth - 1) in
    let right = make_allocating (depth - 1) in
    Node (left, right)

(* Leaves are the one static constant block. *)
let rec make_shared_leaf depth =
  if depth <= 0 then Node (Empty, Empty)
  else
    let left = make_shared_leaf (depth - 1) in
    let right = make_shared_leaf (depth - 1) in
    Node (left, right)

let rec check = function
  | Empty -> 0
  | Node (left, right) -> 1 + check left + check right

let usage () =
  prerr_endline "usage: binary_trees [--shared-leaf] [N]   (0 to 30, default 10)";
  exit 2

let () =
  let args = List.tl (Array.to_list Sys.argv) in
  let shared, args =
    match args with "--shared-leaf" :: rest -> (true, rest) | _ -> (false, args)
  in
  let n =
    match args with
    | [] -> 10
    | [ text ] -> (
        match int_of_string_opt text with
        | Some n when n >= 0 && n <= 30 -> n
        | _ -> usage ())
    | _ -> usage ()
  in
  let make = if shared then make_shared_leaf else make_allocating in
  let max_depth = max (min_depth + 2) n in
  let stretch_depth = max_depth + 1 in
  let start = Unix.gettimeofday () in
  Printf.printf "stretch tree of depth %d\t check: %d\n" stretch_depth
    (check (make stretch_depth));
  let long_lived_tree = make max_depth in
  let depth = ref min_depth in
  while !depth <= max_depth do
    let iterations = 1 lsl (max_depth - !depth + min_depth) in
    let sum = ref 0 in
    for _ = 1 to iterations do
      sum := !sum + check (make !depth)
    done;
    Printf.printf "%d\t trees of depth %d\t check: %d\n" iterations !depth !sum;
    depth := !depth + 2
  done;
  Printf.printf "long lived tree of depth %d\t check: %d\n" max_depth
    (check long_lived_tree);
  let finish = Unix.gettimeofday () in
  flush stdout;
  Printf.eprintf "time: %.3f s\n" (finish -. start)
