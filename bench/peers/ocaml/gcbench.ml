(* gcbench.ml -- the Ellis/Kovac/Boehm GCBench, as bench/gcbench.c does it,
   in OCaml (a peer for bench/run).

     usage: gcbench [MAX_DEPTH]      (4 to 24, default 16)

   Same phases and printed lines as bench/gcbench.c: stretch with a tree of
   depth MAX_DEPTH + 2; a long-lived tree built top down (each new child
   stored into an older parent) and a long-lived array of 500000 floats,
   half filled; for each depth d = 4, 6, ..., MAX_DEPTH as many trees as
   make twice the stretch tree's nodes, top down then bottom up.  A node
   is two children and two ints, GCBench's Node0. *)

type node = Empty | Node of { mutable left : node; mutable right : node; i : int; j : int }

let array_size = 500000
let min_tree_depth = 4

let new_node left right = Node { left; right; i = 0; j = 0 }

let tree_size depth = (1 lsl (depth + 1)) - 1
let num_iters depth stretch_depth = 2 * tree_size stretch_depth / tree_size depth

(* Top down: gives `node` two new children, then fills each below. *)
let rec populate depth node =
  match node with
  | Empty -> ()
  | Node n ->
      if depth > 0 then begin
        n.left <- new_node Empty Empty;
        n.right <- new_node Empty Empty;
        populate (depth - 1) n.left;
        populate (depth - 1) n.right
      end

(* Bottom up: the children first, then their parent. *)
let rec make_tree depth =
  if depth <= 0 then new_node Empty Empty
  else
    let left = make_tree (depth - 1) in
    let right = make_tree (depth - 1) in
    new_node left right

let rec count_nodes = function
  | Empty -> 0
  | Node n -> 1 + count_nodes n.left + count_nodes n.right

let msec start finish = int_of_float ((finish -. start) *. 1000.0)

let time_construction depth stretch_depth =
  let iters = num_iters depth stretch_depth in
  Printf.printf "Creating %d trees of depth %d\n" iters depth;
  let start = Unix.gettimeofday () in
  for _ = 1 to iters do
    let temp_tree = new_node Empty Empty in
    populate depth temp_tree;
    ignore (Sys.opaque_identity temp_tree)
  done;
  let finish = Unix.gettimeofday () in
  Printf.printf "\tTop down construction took %d msec\n" (msec start finish);
  let start = Unix.gettimeofday () in
  for _ = 1 to iters do
    ignore (Sys.opaque_identity (make_tree depth))
  done;
  let finish = Unix.gettimeofday () in
  Printf.printf "\tBottom up construction took %d msec\n" (msec start finish)

let () =
  let max_depth =
    match Array.to_list Sys.argv with
    | [ _ ] -> 16
    | [ _; text ] -> (
        match int_of_string_opt text with
        | Some d when d >= min_tree_depth && d <= 24 -> d
        | _ ->
            prerr_endline "usage: gcbench [MAX_DEPTH]   (4 to 24, default 16)";
            exit 2)
    | _ ->
        prerr_endline "usage: gcbench [MAX_DEPTH]   (4 to 24, default 16)";
        exit 2
  in
  let stretch_depth = max_depth + 2 in
  let long_lived_depth = max_depth in
  print_endline "Garbage Collector Test";
  (* header and four words per node, as the blocks are laid out *)
  Printf.printf " Live storage will peak at %d bytes.\n\n"
    ((2 * 40 * tree_size long_lived_depth) + (8 * array_size));
  Printf.printf " Stretching memory with a binary tree of depth %d\n" stretch_depth;
  let start = Unix.gettimeofday () in
  ignore (Sys.opaque_identity (make_tree stretch_depth));
  Printf.printf " Creating a long-lived binary tree of depth %d\n" long_lived_depth;
  let long_lived_tree = new_node Empty Empty in
  populate long_lived_depth long_lived_tree;
  Printf.printf " Creating a long-lived array of %d doubles\n" array_size;
  let long_lived_array = Array.make array_size 0.0 in
  for i = 1 to (array_size / 2) - 1 do
    long_lived_array.(i) <- 1.0 /. float_of_int i
  done;
  let depth = ref min_tree_depth in
  while !depth <= max_depth do
    time_construction !depth stretch_depth;
    depth := !depth + 2
  done;
  let lost =
    count_nodes long_lived_tree <> tree_size long_lived_depth
    || long_lived_array.(1000) <> 1.0 /. 1000.0
  in
  let finish = Unix.gettimeofday () in
  if lost then begin
    prerr_endline "Failed";
    exit 1
  end;
  Printf.printf "Completed in %d msec\n" (msec start finish);
  Printf.printf "time: %.3f s\n" (finish -. start)
