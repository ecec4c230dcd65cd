#!/usr/bin/env bash
# Consumer test: install parallel-threads as a user would, from packed
# tarballs, with no Rust toolchain, and use it from ESM, CommonJS and
# TypeScript (tsx).
#
#   1. `npm pack` the main package (already built: dist/, binding.js and the
#      .node must exist; `--ignore-scripts`, so packing does not rebuild) and
#      check the tarball has no .node file, so the binary must come from the
#      platform package;
#   2. `npm pack` the linux-x64-gnu platform package: a temporary copy of
#      npm/linux-x64-gnu/ with the built parallel-threads.linux-x64-gnu.node;
#   3. `npm init -y` a fresh project in a temporary directory and
#      `npm install` both tarballs there, with a PATH that has only node and
#      npm (no cargo, no rustc) and CARGO=/nonexistent; check that no build
#      ran (no `prepare`/`install` script, no build output);
#   4. run consumer.mjs (import), consumer.cjs (require) and consumer.mts
#      (TypeScript, type-checked with tsc, run with tsx): each makes real
#      thread calls and tasks() calls, checks the addon was loaded from the
#      platform package, and prints "<KIND> consumer OK".
#
#   usage: bash scripts/consumer-test.sh
#   env:   NODE                 node binary to use (default: `command -v node`)
#          NPM                  npm to use (default: `command -v npm`)
#          KEEP_CONSUMER_DIR=1  keep the temporary directory (its path is printed)
#
# tsx and tsc are the repository's own (node_modules/), run by path with the
# chosen node: nothing resolves them through NODE_PATH or the temp project.
# Exits 0 when all checks pass, non-zero at the first failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="${NODE:-$(command -v node || true)}"
npm_bin="${NPM:-$(command -v npm || true)}"
platform="linux-x64-gnu"
addon="parallel-threads.$platform.node"

script_name="consumer-test"
# shellcheck source=lib/consumer-steps.sh
source "$root/scripts/lib/consumer-steps.sh"

[[ -n "$node_bin" && -x "$node_bin" ]] || fail "node not found (set NODE)"
[[ -n "$npm_bin" && -e "$npm_bin" ]] || fail "npm not found (set NPM)"
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || fail "only linux x64 is packed here (this is $(uname -s)-$(uname -m))"
if [[ -f /usr/bin/ldd ]] && grep -q musl /usr/bin/ldd; then fail "this is a musl system; the test packs the glibc package"; fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/parallel-threads-consumer.XXXXXX")"
cleanup() {
  if [[ "${KEEP_CONSUMER_DIR:-}" == "1" ]]; then
    echo "consumer-test: kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT

header "check the build to pack"
for f in dist/index.js dist/index.d.ts binding.js binding.d.ts index.mjs index.bundler.mjs index.d.ts "$addon" \
  "npm/$platform/package.json" node_modules/tsx/dist/cli.mjs node_modules/typescript/bin/tsc; do
  [[ -e "$root/$f" ]] || fail "$f is missing: build first (npm install / npm run build)"
  echo "found $f"
done
version="$("$node_bin" -p 'require(process.argv[1]).version' "$root/package.json")"
platform_version="$("$node_bin" -p 'require(process.argv[1]).version' "$root/npm/$platform/package.json")"
[[ "$version" == "$platform_version" ]] || fail "version mismatch: parallel-threads $version, npm/$platform $platform_version"
echo "node $("$node_bin" --version) ($node_bin), npm $("$npm_bin" --version), parallel-threads $version"

# A PATH with node and npm and the system directories only: no cargo, no rustc.
bin="$tmp/bin"
mkdir -p "$bin"
ln -s "$node_bin" "$bin/node"
ln -s "$npm_bin" "$bin/npm"
clean_path="$bin:/usr/bin:/bin"
# Run a command as a consumer would: that PATH, no cargo, no NODE_PATH, and
# none of the npm_package_*/npm_lifecycle_* variables of an outer `npm run`
# (npm_config_* stay: registry and proxy settings).
consumer_env() {
  local unset_args=()
  local name
  for name in $(compgen -e); do
    case "$name" in
      npm_package_* | npm_lifecycle_* | npm_node_execpath | npm_execpath | NODE_PATH | NODE_OPTIONS | INIT_CWD | RUSTUP_TOOLCHAIN)
        unset_args+=(-u "$name") ;;
    esac
  done
  env "${unset_args[@]}" PATH="$clean_path" CARGO=/nonexistent RUSTC=/nonexistent \
    npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false "$@"
}

header "no Rust toolchain on the consumer PATH"
echo "PATH=$clean_path"
if consumer_env bash -c 'command -v cargo || command -v rustc'; then
  fail "cargo or rustc is reachable on $clean_path"
fi
echo "command -v cargo: not found (good); CARGO=/nonexistent"

header "npm pack the main package"
mkdir -p "$tmp/packs"
# --ignore-scripts: packing must not run `prepare` (a full rebuild); the
# build being packed is the one already in the repository.
(cd "$root" && "$npm_bin" pack --ignore-scripts --silent --pack-destination "$tmp/packs" >"$tmp/pack-main.out")
main_tgz="$tmp/packs/$(tail -n 1 "$tmp/pack-main.out")"
[[ -f "$main_tgz" ]] || fail "npm pack gave no tarball ($(cat "$tmp/pack-main.out"))"
tar -tzf "$main_tgz" | sort >"$tmp/main-files.txt"
echo "$(basename "$main_tgz"): $(wc -l <"$tmp/main-files.txt") files"
for f in package/package.json package/index.mjs package/index.bundler.mjs package/index.d.ts package/binding.js package/binding.d.ts \
  package/dist/index.js package/dist/index.d.ts; do
  grep -qx "$f" "$tmp/main-files.txt" || fail "the main tarball lacks $f"
done
if grep -E '\.node$' "$tmp/main-files.txt"; then
  fail "the main tarball contains a .node file: the platform package would not be exercised"
fi
echo "has package.json, index.mjs, index.d.ts, binding.js, dist/; no .node file (good)"

header "npm pack the $platform platform package"
mkdir -p "$tmp/platform"
cp -R "$root/npm/$platform/." "$tmp/platform/"
cp "$root/$addon" "$tmp/platform/"
(cd "$tmp/platform" && "$npm_bin" pack --ignore-scripts --silent --pack-destination "$tmp/packs" >"$tmp/pack-platform.out")
platform_tgz="$tmp/packs/$(tail -n 1 "$tmp/pack-platform.out")"
[[ -f "$platform_tgz" ]] || fail "npm pack of the platform package gave no tarball ($(cat "$tmp/pack-platform.out"))"
tar -tzf "$platform_tgz" | grep -qx "package/$addon" || fail "the platform tarball lacks $addon"
echo "$(basename "$platform_tgz"): $(tar -tzf "$platform_tgz" | tr '\n' ' ')"

header "install both tarballs into a fresh project (no cargo on PATH)"
project="$tmp/project"
mkdir -p "$project"
cd "$project"
consumer_env npm init -y >/dev/null
# --foreground-scripts: any lifecycle script npm runs shows in the log.
if ! consumer_env npm install --no-audit --no-fund --foreground-scripts --loglevel=info \
  "$main_tgz" "$platform_tgz" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "npm install of the tarballs failed"
fi
grep -E '^(added|changed|up to date)' "$tmp/install.log" || true
installed="$project/node_modules/parallel-threads"
[[ -f "$installed/dist/index.js" ]] || fail "parallel-threads is not installed"
[[ -f "$project/node_modules/parallel-threads-$platform/$addon" ]] || fail "the platform package is not installed"
# No build ran: npm does not run `prepare` for tarball installs, and the
# package has no install scripts; a build would need cargo and leave output.
if grep -E '(^|[[:space:]])> parallel-threads(-[a-z0-9-]+)?@[^ ]+ (prepare|preinstall|install|postinstall)|npm info run parallel-threads|napi build|cargo' "$tmp/install.log"; then
  fail "npm install ran a build script of parallel-threads (see above)"
fi
for leftover in target build "$addon"; do
  [[ ! -e "$installed/$leftover" ]] || fail "the installed package has $leftover: something built or shipped it"
done
echo "no lifecycle script of parallel-threads ran; no target/, build/ or .node in node_modules/parallel-threads (good)"

header "write the consumers"
cat >work.mjs <<'EOF'
// A task module for the JavaScript consumers.
import { threadId } from "node:worker_threads";
export function square(n) {
  return n * n;
}
export function where() {
  return threadId;
}
EOF
cat >check-binding.cjs <<'EOF'
// Which file the native addon was loaded from: must be the platform package.
module.exports = function checkBinding() {
  const path = require("node:path");
  const loaded = Object.keys(require.cache).filter((f) => f.endsWith(".node"));
  const expected = path.join("node_modules", "parallel-threads-linux-x64-gnu", "parallel-threads.linux-x64-gnu.node");
  if (!loaded.some((f) => f.endsWith(expected))) {
    throw new Error(`the addon was not loaded from the platform package: ${JSON.stringify(loaded)}`);
  }
  return loaded.find((f) => f.endsWith(expected));
};
EOF
cat >consumer.mjs <<'EOF'
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { ParallelExecutor, parallel, tasks } from "parallel-threads";

// Not named `require`: inside a portable function, `require` is the thread's own.
const load = createRequire(import.meta.url);

// A thread call: a real worker thread (threadId != 0).
const [sum, threadId, text] = await parallel((a, b) => a + b)(2, 3)
  .parallel(() => require("node:worker_threads").threadId)()
  .parallel(async (n) => `${n}`)(42)
  .results();
assert.equal(sum, 5);
assert.ok(threadId > 0, `ran on the main thread (threadId ${threadId})`);
assert.equal(text, "42");
assert.equal(await ParallelExecutor.executeOne((n) => n * 3, 14), 42);

// tasks(): exports of a module file, run on threads.
const work = tasks(new URL("./work.mjs", import.meta.url));
assert.equal(await work.square(7), 49);
assert.ok((await work.where()) > 0);
const [a, b] = await parallel(work.square)(3).parallel(work.square)(4).results();
assert.equal(a + b, 25);

// map at its defaults: chunked, in input order, a task handle and an inline function.
const inputs = Array.from({ length: 20_000 }, (_, i) => i);
assert.deepEqual(await ParallelExecutor.map(work.square, inputs), inputs.map((n) => n * n));
assert.deepEqual(await ParallelExecutor.map((n) => n + 1, inputs, { chunkSize: 100 }), inputs.map((n) => n + 1));
// A large result comes back whole.
assert.equal((await ParallelExecutor.executeOne((n) => new Uint8Array(n).fill(1), 4 << 20)).length, 4 << 20);

console.log(`addon: ${load("./check-binding.cjs")()}`);
console.log("ESM consumer OK");
EOF
cat >consumer.cjs <<'EOF'
const assert = require("node:assert/strict");
const path = require("node:path");
const { ParallelExecutor, parallel, tasks } = require("parallel-threads");

async function main() {
  const [sum, threadId] = await parallel((a, b) => a + b)(2, 3)
    .parallel(() => require("node:worker_threads").threadId)()
    .results();
  assert.equal(sum, 5);
  assert.ok(threadId > 0, `ran on the main thread (threadId ${threadId})`);
  // The blocking form, from CommonJS.
  const [six] = parallel((n) => n * 2)(3).resultsSync();
  assert.equal(six, 6);
  assert.equal(await ParallelExecutor.executeOne((n) => n * 3, 14), 42);

  // tasks() with a path string (absolute here; relative ones resolve from the cwd).
  const work = tasks(path.join(__dirname, "work.mjs"));
  assert.equal(await work.square(8), 64);
  const [a, b] = await parallel(work.square)(3).parallel(work.where)().results();
  assert.equal(a, 9);
  assert.ok(b > 0);

  console.log(`addon: ${require("./check-binding.cjs")()}`);
  console.log("CJS consumer OK");
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
EOF
cat >work.mts <<'EOF'
// A TypeScript task module: the threads import it through tsx.
import { threadId } from "node:worker_threads";
export function square(n: number): number {
  return n * n;
}
export async function label(prefix: string, n: number): Promise<string> {
  return `${prefix}${n}@${threadId}`;
}
EOF
cat >consumer.mts <<'EOF'
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { ParallelExecutor, parallel, tasks, type Future, type ParallelCalls } from "parallel-threads";

// Not named `require`: esbuild (tsx) would rename a module-level `require`, and
// a portable function using `require` would then capture it.
const load = createRequire(import.meta.url);

function toText(n: number): string {
  return `${n}`;
}

// Typed chain: [number, string, number].
const calls: ParallelCalls<[number, string, number]> = parallel(() => 1 + 2)()
  .parallel(toText)(4)
  .parallel(async () => 1 + 4)();
const [three, four, five] = await calls.results();
const total: number = three + five;
const word: string = four;
assert.equal(total, 8);
assert.equal(word, "4");
const [threadId] = await parallel(async () => (await import("node:worker_threads")).threadId)().results();
assert.ok(threadId > 0, `ran on the main thread (threadId ${threadId})`);
const future: Future<number> = ParallelExecutor.executeOne((n: number) => n * 3, 14);
assert.equal(await future, 42);

// tasks(), typed from the module's own exports.
const work = tasks<typeof import("./work.mjs")>(new URL("./work.mts", import.meta.url));
const squared: number = await work.square(9);
assert.equal(squared, 81);
const [sq, label] = await parallel(work.square)(5).parallel(work.label)("n=", 5).results();
const typed: [number, string] = [sq, label];
assert.equal(typed[0], 25);
assert.match(typed[1], /^n=5@[1-9]\d*$/);

console.log(`addon: ${(load("./check-binding.cjs") as () => string)()}`);
console.log("TypeScript consumer OK");
EOF
write_tsconfig
ls

# The runner of the consumers: as the consumer (consumer_env); no time limit.
consumer_runner() {
  shift
  consumer_env "$@"
}
run_consumers consumer_runner

printf '\nconsumer-test: PASSED (ESM, CommonJS and TypeScript consumers; prebuilt binary from parallel-threads-%s; no cargo)\n' "$platform"
