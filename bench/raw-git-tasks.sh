#!/usr/bin/env bash
# The git work of a caid run done by hand: integration branch + detached integration worktree, then
# per task: worktree on a new branch from the integration head, one edit, add + commit, merge --no-ff
# in the integration worktree, move the integration branch; at the end every worktree is removed.
# Usage: raw-git-tasks.sh REPO WORKTREE_ROOT RUN_ID FILE... ; prints per-phase milliseconds on stdout.
set -euo pipefail
repo=$1 root=$2 run=$3
shift 3
g() { git -c gc.auto=0 -c user.name=bench -c user.email=bench@localhost "$@"; }
now() { date +%s%N; }
declare -A ms=([add]=0 [edit]=0 [merge]=0 [remove]=0)
lap() { local t; t=$(now); ms[$1]=$(( ${ms[$1]} + (t - mark) / 1000000 )); mark=$t; }

integration=$root/$run/_integration
g -C "$repo" branch --no-track "raw/$run/integration" main
g -C "$repo" worktree add -q --detach "$integration" main
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
  g -C "$integration" merge -q --no-ff --no-edit -m "merge $id" "raw/$run/tasks/$id"
  g -C "$repo" update-ref "refs/heads/raw/$run/integration" "$(g -C "$integration" rev-parse HEAD)"
  lap merge
done
mark=$(now)
for ((j = 0; j < i; j++)); do g -C "$repo" worktree remove "$root/$run/t$j"; done
g -C "$repo" worktree remove "$integration"
lap remove
echo "add=${ms[add]} edit=${ms[edit]} merge=${ms[merge]} remove=${ms[remove]}"
