#!/usr/bin/env bash
# Installs the pinned agent CLIs (package.json + package-lock.json here) for test/agent-clis, once
# per lockfile: into a cache folder keyed by the lockfile's hash (CAID_AGENT_CLIS_CACHE, default
# ~/.cache/caid/agent-clis), linked here as node_modules. Everything comes from the npm registry;
# the only install scripts allowed (package.json "allowScripts") copy each CLI's platform binary
# out of its optional dependency. `npm install` rather than `npm ci`: the registry here lacks some
# other platforms' optional packages, which npm ci insists on finding in the lockfile.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
key="$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)"
cache="${CAID_AGENT_CLIS_CACHE:-$HOME/.cache/caid/agent-clis}/$key"
bins="opencode codex claude pi qwen"
ready() { for b in $bins; do "$cache/node_modules/.bin/$b" --version >/dev/null 2>&1 || return 1; done; }
if ! ready; then
  echo "installing the agent CLIs into $cache"
  rm -rf "$cache" && mkdir -p "$cache"
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error) >"$cache.log" 2>&1 \
    || { cat "$cache.log" >&2; echo "could not install the agent CLIs" >&2; exit 1; }
  ready || { echo "the agent CLIs installed but do not all run: $bins" >&2; exit 1; }
fi
if [ "$(readlink "$here/node_modules" 2>/dev/null)" != "$cache/node_modules" ]; then
  rm -rf "$here/node_modules" && ln -s "$cache/node_modules" "$here/node_modules"
fi
for b in $bins; do printf '%s %s\n' "$b" "$("$here/node_modules/.bin/$b" --version 2>&1 | head -1)"; done
