#!/usr/bin/env bash
# The git work of a verify-less caid run done by hand: an integration branch (no integration worktree:
# nothing is verified), then per task: a worktree on a new branch from the integration head (the first
# task adds one; later tasks take over the parked worktree of a merged task: move, clean, checkout -b),
# one edit, add + commit, a tree-only merge (merge-tree + commit-tree) and a compare-and-swap of the
# integration branch, then the task's worktree is parked (move aside, detach) for the next task. The
# parked worktree is removed at the end.
# Usage: raw-git-tasks.sh REPO WORKTREE_ROOT RUN_ID FILE... ; prints per-phase milliseconds on stdout.
set -euo pipefail
repo=$1 root=$2 run=$3
shift 3
g() { git -c gc.auto=0 -c user.name=bench -c user.email=bench@localhost "$@"; }
now() { date +%s%N; }
declare -A ms=([add]=0 [edit]=0 [merge]=0 [remove]=0)
lap() { local t; t=$(now); ms[$1]=$(( ${ms[$1]} + (t - mark) / 1000000 )); mark=$t; }

branch=refs/heads/raw/$run/integration
spare=$root/$run/.spare/one
g -C "$repo" branch --no-track "raw/$run/integration" main
i=0
for f in "$@"; do
  id=t$((i++))
  wt=$root/$run/$id
  mark=$(now)
  if [ -d "$spare" ]; then
    g -C "$repo" worktree move "$spare" "$wt"
    g -C "$wt" clean -ffdxq
    g -C "$wt" checkout -q --no-track -b "raw/$run/tasks/$id" "raw/$run/integration"
  else
    g -C "$repo" worktree add -q -b "raw/$run/tasks/$id" "$wt" "raw/$run/integration"
  fi
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
  g -C "$wt" status --porcelain --untracked-files=all >/dev/null
  mkdir -p "$(dirname "$spare")"
  g -C "$repo" worktree move "$wt" "$spare"
  g -C "$spare" checkout -q --detach
  lap remove
done
mark=$(now)
g -C "$repo" worktree remove "$spare"
lap remove
echo "add=${ms[add]} edit=${ms[edit]} merge=${ms[merge]} remove=${ms[remove]}"
