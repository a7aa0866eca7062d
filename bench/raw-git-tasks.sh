#!/usr/bin/env bash
# The git work of a verify-less caid run done by hand: an integration branch (no integration worktree:
# nothing is verified), then per task: worktree on a new branch from the integration head, one edit,
# add + commit, a tree-only merge (merge-tree + commit-tree) and a compare-and-swap of the integration
# branch, then the task's worktree is removed.
# Usage: raw-git-tasks.sh REPO WORKTREE_ROOT RUN_ID FILE... ; prints per-phase milliseconds on stdout.
set -euo pipefail
repo=$1 root=$2 run=$3
shift 3
g() { git -c gc.auto=0 -c user.name=bench -c user.email=bench@localhost "$@"; }
now() { date +%s%N; }
declare -A ms=([add]=0 [edit]=0 [merge]=0 [remove]=0)
lap() { local t; t=$(now); ms[$1]=$(( ${ms[$1]} + (t - mark) / 1000000 )); mark=$t; }

branch=refs/heads/raw/$run/integration
g -C "$repo" branch --no-track "raw/$run/integration" main
i=0
for f in "$@"; do
  id=t$((i++))
  wt=$root/$run/$id
  mark=$(now)
  g -C "$repo" worktree add -q -b "raw/$run/tasks/$id" "$wt" "raw/$run/integration"
  lap add
  sed -i "1s|.*|// edited by $id|" "$wt/$f"
  g -C "$wt" add -A
  g -C "$wt" commit -q -m "task $id"
  lap edit
  head=$(g -C "$repo" rev-parse "$branch")
  tree=$(g -C "$repo" merge-tree --write-tree "$head" "raw/$run/tasks/$id")
  commit=$(g -C "$repo" commit-tree "$tree" -p "$head" -p "raw/$run/tasks/$id" -m "merge $id")
  g -C "$repo" update-ref "$branch" "$commit" "$head"
  lap merge
  g -C "$repo" worktree remove "$wt"
  lap remove
done
echo "add=${ms[add]} edit=${ms[edit]} merge=${ms[merge]} remove=${ms[remove]}"
