#!/usr/bin/env bash
# Registry test: run the release path of .github/workflows/ci.yml (job
# `publish`) against a local npm registry, then `npm install parallel-threads`
# from it, as a user would, and use the package from ESM, CommonJS and
# TypeScript.
#
#   1. install verdaccio 6 into a temporary directory (from the real npm
#      registry: the only thing that comes from there) and start it on
#      127.0.0.1, a free port, with its config and storage in the temporary
#      directory, no uplinks (it can serve only what is published to it);
#      register a publisher there to get a token;
#   2. stage a release checkout in a temporary directory (never /work/main:
#      `napi prepublish` rewrites package.json and npm/*/package.json):
#      package.json, README.md, LICENSE, .gitignore, index.mjs, index.d.ts,
#      binding.js, binding.d.ts, dist/ and npm/ of the repository, plus
#      artifacts/bindings-x86_64-unknown-linux-gnu/parallel-threads.linux-x64-gnu.node,
#      the layout the workflow's "Download all bindings" step makes;
#   3. run the publish job's steps there, with the registry and token given the
#      way actions/setup-node gives them (an npmrc with
#      `//host/:_authToken=${NODE_AUTH_TOKEN}`):
#         npx napi artifacts
#         ls -R ./npm
#         npx napi prepublish -t npm --no-gh-release
#         npm publish --access public --ignore-scripts
#      Two differences from the workflow, both forced by this machine:
#      - only the linux-x64-gnu binary exists here, so both napi commands get
#        `--config-path napi.release.json`: the package.json `napi` config with
#        `targets` limited to x86_64-unknown-linux-gnu (napi artifacts and napi
#        prepublish refuse targets without a binary). The published
#        package.json keeps the six targets in `napi`; its optionalDependencies
#        are the ones napi prepublish wrote for what it published (one);
#      - `--no-gh-release` (no GitHub release; GITHUB_* variables are unset) and
#        no provenance (npm_config_provenance=false: needs GitHub's OIDC).
#      The "tag matches package.json" and "npm ci / build:ts" steps are not
#      run: the build being released is the one already in the repository;
#   4. check what the registry now serves: the main package with
#      optionalDependencies, repository and LICENSE and no .node file, and the
#      platform package with the binary;
#   5. in a fresh project, with a PATH that has only node and npm (no cargo,
#      no rustc), an empty npm config, a new empty cache and
#      --registry http://127.0.0.1:PORT, run `npm install parallel-threads`
#      and nothing else; check that exactly parallel-threads and
#      parallel-threads-linux-x64-gnu were installed, both from the local
#      registry;
#   6. run consumer.mjs and consumer.cjs with plain node (a parallel() chain on
#      real threads, the result checked, the addon loaded from the platform
#      package), type-check consumer.mts against the installed package's types
#      with the repository's own tsc (tsc --noEmit -p tsconfig.json) and run it
#      with the repository's tsx.
#   Verdaccio is stopped on exit (trap); every step has a time limit.
#
#   usage: bash scripts/registry-test.sh
#   env:   NODE                 node binary to use (default: `command -v node`)
#          NPM                  npm to use (default: `command -v npm`)
#          VERDACCIO_PREFIX     a directory where verdaccio is (or gets) installed,
#                               reused across runs (default: a temporary one)
#          KEEP_REGISTRY_DIR=1  keep the temporary directory (its path is printed)
#
# Exits 0 when all checks pass, non-zero at the first failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="${NODE:-$(command -v node || true)}"
npm_bin="${NPM:-$(command -v npm || true)}"
platform="linux-x64-gnu"
target="x86_64-unknown-linux-gnu"
addon="parallel-threads.$platform.node"
napi_cli="$root/node_modules/@napi-rs/cli/dist/cli.js"
started=$SECONDS

script_name="registry-test"
# shellcheck source=lib/consumer-steps.sh
source "$root/scripts/lib/consumer-steps.sh"

[[ -n "$node_bin" && -x "$node_bin" ]] || fail "node not found (set NODE)"
[[ -n "$npm_bin" && -e "$npm_bin" ]] || fail "npm not found (set NPM)"
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || fail "only the linux-x64-gnu binary is released here (this is $(uname -s)-$(uname -m))"
if [[ -f /usr/bin/ldd ]] && grep -q musl /usr/bin/ldd; then fail "this is a musl system; the test releases the glibc package"; fi
command -v timeout >/dev/null || fail "timeout (coreutils) not found"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/parallel-threads-registry.XXXXXX")"
# fd 3/4: the script's own stdout/stderr, for what must not end up in a log
# file a step's output is redirected to (its command line, the cleanup).
exec 3>&1 4>&2
registry_pid=""
step_pid=""
# Stop a process started by `timeout` (it passes the signal to the process
# group it made for its command), waiting up to 5 s before SIGKILL.
stop() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  {
    if [[ -n "$step_pid" ]]; then
      stop "$step_pid"
      echo "registry-test: stopped the running step (pid $step_pid)"
    fi
    if [[ -n "$registry_pid" ]] && kill -0 "$registry_pid" 2>/dev/null; then
      stop "$registry_pid"
      echo "registry-test: verdaccio (pid $registry_pid) stopped"
    fi
    if [[ $status -ne 0 && -f "$tmp/verdaccio.log" ]]; then
      echo "--- verdaccio log (last 40 lines) ---"
      tail -n 40 "$tmp/verdaccio.log" || true
    fi
    if [[ "${KEEP_REGISTRY_DIR:-}" == "1" ]]; then
      echo "registry-test: kept $tmp"
    else
      rm -rf "$tmp"
    fi
  } >&3 2>&4
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Run a command with a time limit (seconds), in the background and waited
# for, so that a SIGTERM to this script is handled at once (the trap stops
# the step) rather than after the step ends.
limited() {
  local limit="$1"
  shift
  local status=0
  timeout --kill-after=5 "$limit" "$@" &
  step_pid=$!
  wait "$step_pid" || status=$?
  step_pid=""
  return "$status"
}
# Print a command, then run it with a time limit.
run() {
  local limit="$1"
  shift
  printf '$ %s\n' "$*" >&3
  limited "$limit" "$@"
}

# The environment of every npm/napi command against the local registry:
# none of the caller's npm configuration (npm_config_*, ~/.npmrc, the global
# npmrc), no npm_package_*/npm_lifecycle_* of an outer `npm run`, no GitHub or
# provenance settings; the registry, token and cache come from $tmp only.
# usage: isolated_env USERCONFIG CACHE  (sets env_args, for `env "${env_args[@]}" command...`)
env_args=()
isolated_env() {
  local userconfig="$1" cache="$2"
  local name
  env_args=()
  for name in $(compgen -e); do
    case "${name,,}" in
      npm_config_* | npm_package_* | npm_lifecycle_* | npm_node_execpath | npm_execpath | node_path | node_options | \
        init_cwd | rustup_toolchain | github_* | node_auth_token | debug | http_proxy | https_proxy | all_proxy)
        env_args+=(-u "$name") ;;
    esac
  done
  env_args+=(
    npm_config_userconfig="$userconfig" npm_config_globalconfig="$tmp/empty-global-npmrc" npm_config_cache="$cache"
    npm_config_registry="$registry" npm_config_provenance=false npm_config_fund=false npm_config_audit=false
    npm_config_update_notifier=false NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
  )
}

header "check the build to release"
for f in package.json README.md LICENSE .gitignore index.mjs index.bundler.mjs index.d.ts binding.js binding.d.ts \
  dist/index.js dist/index.d.ts "$addon" "npm/$platform/package.json" \
  node_modules/@napi-rs/cli/dist/cli.js node_modules/typescript/bin/tsc node_modules/tsx/dist/cli.mjs; do
  [[ -e "$root/$f" ]] || fail "$f is missing: build first (npm install / npm run build)"
done
version="$("$node_bin" -p 'require(process.argv[1]).version' "$root/package.json")"
repository="$("$node_bin" -p 'const r = require(process.argv[1]).repository; (r && r.url) || ""' "$root/package.json")"
[[ -n "$repository" ]] || fail "package.json has no repository.url"
echo "parallel-threads $version, repository $repository"
echo "node $("$node_bin" --version) ($node_bin), npm $("$npm_bin" --version), @napi-rs/cli $("$node_bin" -p 'require(process.argv[1]).version' "$root/node_modules/@napi-rs/cli/package.json")"
# Fingerprint of what the release must not touch in the repository.
fingerprint() {
  (cd "$root" && find package.json npm -type f -print0 | sort -z | xargs -0 sha256sum)
}
fingerprint >"$tmp/repo-before.sha256"

header "install verdaccio 6 (from the real npm registry)"
verdaccio_prefix="${VERDACCIO_PREFIX:-$tmp/verdaccio}"
verdaccio_bin="$verdaccio_prefix/node_modules/verdaccio/bin/verdaccio"
if [[ -f "$verdaccio_bin" ]] && "$node_bin" -e \
  'process.exit(require(process.argv[1]).version.startsWith("6.") ? 0 : 1)' \
  "$verdaccio_prefix/node_modules/verdaccio/package.json"; then
  echo "reusing $verdaccio_prefix"
else
  mkdir -p "$verdaccio_prefix"
  # --ignore-scripts: verdaccio needs no install script. The caller's npm
  # configuration (proxy, mirror) applies to this install only.
  run 240 "$npm_bin" install --prefix "$verdaccio_prefix" --no-audit --no-fund --no-package-lock \
    --ignore-scripts --loglevel=error verdaccio@6 >"$tmp/verdaccio-install.log" 2>&1 ||
    { cat "$tmp/verdaccio-install.log" >&2; fail "npm install verdaccio@6 failed"; }
fi
echo "verdaccio $("$node_bin" -p 'require(process.argv[1]).version' "$verdaccio_prefix/node_modules/verdaccio/package.json")"

header "start the local registry (127.0.0.1, free port, no uplinks)"
port="$("$node_bin" -e '
  const server = require("node:net").createServer();
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });')"
registry="http://127.0.0.1:$port/"
mkdir -p "$tmp/registry/storage"
: >"$tmp/empty-npmrc"
: >"$tmp/empty-global-npmrc"
cat >"$tmp/registry/config.yaml" <<EOF
# verdaccio for scripts/registry-test.sh: local packages only (no uplinks).
storage: $tmp/registry/storage
listen:
  - 127.0.0.1:$port
auth:
  htpasswd:
    file: $tmp/registry/htpasswd
packages:
  "**":
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
web:
  enable: false
max_body_size: 50mb
log: { type: stdout, format: pretty, level: http }
EOF
# `timeout`: verdaccio cannot outlive a killed test by more than 10 minutes.
timeout --kill-after=5 600 "$node_bin" "$verdaccio_bin" --config "$tmp/registry/config.yaml" \
  >"$tmp/verdaccio.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 60); do
  if "$node_bin" -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "${registry}-/ping" 2>/dev/null; then
    break
  fi
  kill -0 "$registry_pid" 2>/dev/null || fail "verdaccio exited: $(cat "$tmp/verdaccio.log")"
  sleep 0.5
done
"$node_bin" -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
  "${registry}-/ping" || fail "verdaccio did not answer on $registry within 30 s"
echo "verdaccio (pid $registry_pid) serving $registry; storage $tmp/registry/storage"

# A publisher, registered the way `npm adduser` does it; its token goes in
# NODE_AUTH_TOKEN, as the workflow's secrets.NPM_TOKEN does.
token="$("$node_bin" -e '
  const [registry] = process.argv.slice(1);
  const user = { name: "release", password: "release-" + process.pid, email: "release@example.invalid", type: "user", roles: [] };
  fetch(new URL("-/user/org.couchdb.user:release", registry), {
    method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(user),
    signal: AbortSignal.timeout(10000),
  }).then(async (r) => {
    const body = await r.json();
    if (!r.ok || !body.token) throw new Error(`adduser: HTTP ${r.status} ${JSON.stringify(body)}`);
    console.log(body.token);
  }).catch((e) => { console.error(e.message); process.exit(1); });' "$registry")" ||
  fail "could not register a publisher on $registry"
echo "registered user \"release\" (token in NODE_AUTH_TOKEN)"
# What actions/setup-node writes for `registry-url`.
cat >"$tmp/publish.npmrc" <<EOF
registry=$registry
//127.0.0.1:$port/:_authToken=\${NODE_AUTH_TOKEN}
EOF

header "stage the release checkout"
release="$tmp/release"
mkdir -p "$release/artifacts/bindings-$target" "$tmp/napi-tmp"
for f in package.json README.md LICENSE .gitignore index.mjs index.bundler.mjs index.d.ts binding.js binding.d.ts; do
  cp "$root/$f" "$release/$f"
done
cp -R "$root/dist" "$root/npm" "$release/"
# What "Download all bindings" (actions/download-artifact, pattern bindings-*,
# path artifacts) leaves: one directory per uploaded artifact.
cp "$root/$addon" "$release/artifacts/bindings-$target/$addon"
# napi config for this release: package.json's, with only the target built here.
"$node_bin" -e '
  const fs = require("node:fs");
  const [pkgPath, out, target] = process.argv.slice(1);
  const napi = { ...require(pkgPath).napi };
  if (!napi.targets.includes(target)) throw new Error(`${target} is not in napi.targets`);
  napi.targets = [target];
  fs.writeFileSync(out, JSON.stringify(napi, null, 2) + "\n");' \
  "$release/package.json" "$release/napi.release.json" "$target"
echo "$release:"
(cd "$release" && find . -path ./dist -prune -o -type f -print | sort | sed 's/^/  /')
echo "napi.release.json: $(tr -d ' \n' <"$release/napi.release.json")"

header "release steps of the publish job (local registry $registry)"
# Print a command, then run it in the publisher's environment with a time limit.
publish_run() {
  local limit="$1"
  shift
  printf '$ %s\n' "$*" >&3
  isolated_env "$tmp/publish.npmrc" "$tmp/publish-cache"
  # TMPDIR: napi prepublish stages in os.tmpdir(); keep that inside $tmp, so
  # that an interrupted run leaves nothing behind.
  limited "$limit" env "${env_args[@]}" NODE_AUTH_TOKEN="$token" TMPDIR="$tmp/napi-tmp" "$@"
}
cd "$release"
printf '# Move the bindings into npm/<platform>/ (workflow: npx napi artifacts)\n'
publish_run 60 "$node_bin" "$napi_cli" artifacts --config-path napi.release.json ||
  fail "napi artifacts failed"
printf '# List packages (workflow: ls -R ./npm)\n'
run 10 ls -R ./npm/$platform
[[ -f "npm/$platform/$addon" ]] || fail "napi artifacts did not put $addon into npm/$platform/"
printf '# Publish the platform packages, write optionalDependencies (workflow: npx napi prepublish -t npm)\n'
publish_run 120 "$node_bin" "$napi_cli" prepublish -t npm --no-gh-release --config-path napi.release.json \
  >"$tmp/prepublish.log" 2>&1 || { cat "$tmp/prepublish.log" >&2; fail "napi prepublish failed"; }
grep -E '^\$ |^\+ |^npm (notice|warn)' "$tmp/prepublish.log" | grep -v -E 'npm notice (Tarball Contents|[0-9.]+[kMG]?B )' || true
optional="$("$node_bin" -p 'JSON.stringify(require("./package.json").optionalDependencies)')"
echo "package.json optionalDependencies (written by napi prepublish): $optional"
printf '# Publish parallel-threads (workflow: npm publish --access public --ignore-scripts)\n'
publish_run 120 "$npm_bin" publish --access public --ignore-scripts >"$tmp/publish.log" 2>&1 ||
  { cat "$tmp/publish.log" >&2; fail "npm publish failed"; }
grep -E '^\$ |^\+ |^npm warn' "$tmp/publish.log" || true

header "what the local registry serves"
view() {
  isolated_env "$tmp/empty-npmrc" "$tmp/view-cache"
  limited 30 env "${env_args[@]}" "$npm_bin" view "$@"
}
main_meta="$(view "parallel-threads@$version" --json)" || fail "npm view parallel-threads@$version failed"
platform_meta="$(view "parallel-threads-$platform@$version" --json)" || fail "npm view parallel-threads-$platform@$version failed"
"$node_bin" -e '
  const [main, plat, name, version, repository] = process.argv.slice(1);
  const m = JSON.parse(main), p = JSON.parse(plat);
  const fail = (msg) => { console.error(msg); process.exit(1); };
  const optional = m.optionalDependencies || {};
  if (optional[name] !== version) fail(`optionalDependencies of parallel-threads lack ${name}@${version}: ${JSON.stringify(optional)}`);
  if (!m.repository || m.repository.url !== repository) fail(`repository: ${JSON.stringify(m.repository)}`);
  if (m.license !== "MIT") fail(`license: ${m.license}`);
  if (p.version !== version || p.os?.[0] !== "linux" || p.cpu?.[0] !== "x64") fail(`platform package: ${JSON.stringify(p)}`);
  console.log(`parallel-threads@${m.version}: optionalDependencies ${JSON.stringify(optional)}, repository ${m.repository.url}, license ${m.license}`);
  console.log(`${p.name}@${p.version}: os ${p.os}, cpu ${p.cpu}, libc ${p.libc}, main ${p.main}`);' \
  "$main_meta" "$platform_meta" "parallel-threads-$platform" "$version" "$repository" ||
  fail "the published manifests are wrong"
# The tarballs as stored by the registry.
for pkg in parallel-threads "parallel-threads-$platform"; do
  tgz="$tmp/registry/storage/$pkg/$pkg-$version.tgz"
  [[ -f "$tgz" ]] || fail "no $tgz in the registry storage"
  tar -tzf "$tgz" | sort >"$tmp/$pkg.files"
  echo "$pkg-$version.tgz: $(wc -l <"$tmp/$pkg.files") files"
done
for f in package/LICENSE package/README.md package/index.mjs package/index.bundler.mjs package/index.d.ts package/binding.js package/dist/index.js package/dist/index.d.ts; do
  grep -qx "$f" "$tmp/parallel-threads.files" || fail "the published parallel-threads lacks $f"
done
if grep -E '\.node$' "$tmp/parallel-threads.files"; then
  fail "the published parallel-threads contains a .node file: the platform package would not be exercised"
fi
grep -qx "package/$addon" "$tmp/parallel-threads-$platform.files" || fail "the published platform package lacks $addon"
echo "parallel-threads: LICENSE, README.md, index.mjs, index.d.ts, binding.js, dist/; no .node file (good)"
echo "parallel-threads-$platform: $(tr '\n' ' ' <"$tmp/parallel-threads-$platform.files")"
fingerprint >"$tmp/repo-after.sha256"
diff "$tmp/repo-before.sha256" "$tmp/repo-after.sha256" >&2 || fail "the release changed package.json or npm/ in $root"
echo "$root: package.json and npm/ unchanged (the release ran on the staged copy)"

header "npm install parallel-threads in a fresh project (no cargo on PATH)"
bin="$tmp/bin"
mkdir -p "$bin"
ln -s "$node_bin" "$bin/node"
ln -s "$npm_bin" "$bin/npm"
clean_path="$bin:/usr/bin:/bin"
project="$tmp/project"
mkdir -p "$project"
cd "$project"
printf 'registry=%s\n' "$registry" >"$project/.npmrc"
# Print a command, then run it as the consumer (that PATH, no npm
# configuration but the project's .npmrc, a new cache) with a time limit.
consumer_run() {
  local limit="$1"
  shift
  printf '$ %s\n' "$*" >&3
  isolated_env "$tmp/empty-npmrc" "$tmp/consumer-cache"
  limited "$limit" env "${env_args[@]}" PATH="$clean_path" CARGO=/nonexistent RUSTC=/nonexistent "$@"
}
echo "PATH=$clean_path"
if consumer_run 10 bash -c 'command -v cargo || command -v rustc'; then
  fail "cargo or rustc is reachable on $clean_path"
fi
echo "command -v cargo: not found (good); npm cache $tmp/consumer-cache (new, empty)"
consumer_run 30 npm init -y >/dev/null
consumer_run 120 npm install --registry "$registry" --no-audit --no-fund --foreground-scripts parallel-threads \
  >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "npm install parallel-threads failed"; }
grep -E '^\$ |^(added|changed|up to date)' "$tmp/install.log" || true
[[ -f node_modules/parallel-threads/package.json ]] || fail "parallel-threads is not installed"
[[ -f "node_modules/parallel-threads-$platform/$addon" ]] || fail "node_modules/parallel-threads-$platform/$addon is missing"
"$node_bin" -e '
  const [registry, name, version] = process.argv.slice(1);
  const fail = (msg) => { console.error(msg); process.exit(1); };
  const lock = require("./package-lock.json");
  const installed = Object.entries(lock.packages).filter(([path]) => path !== "");
  const names = installed.map(([path]) => path).sort();
  const want = ["node_modules/parallel-threads", `node_modules/${name}`];
  if (JSON.stringify(names) !== JSON.stringify(want)) fail(`installed ${JSON.stringify(names)}, expected ${JSON.stringify(want)}`);
  for (const [path, entry] of installed) {
    if (!entry.resolved || !entry.resolved.startsWith(registry)) fail(`${path} resolved from ${entry.resolved}, not ${registry}`);
    console.log(`${path}@${entry.version}${entry.optional ? " (optional)" : ""} <- ${entry.resolved}`);
  }
  const pkg = require("parallel-threads/package.json");
  if (pkg.optionalDependencies?.[name] !== version) fail(`installed parallel-threads has optionalDependencies ${JSON.stringify(pkg.optionalDependencies)}`);
  console.log(`node_modules/parallel-threads/package.json optionalDependencies: ${JSON.stringify(pkg.optionalDependencies)}`);
  const dirs = require("node:fs").readdirSync("node_modules").filter((d) => !d.startsWith(".")).sort();
  if (JSON.stringify(dirs) !== JSON.stringify(want.map((p) => p.slice("node_modules/".length)))) fail(`node_modules has ${dirs}`);' \
  "$registry" "parallel-threads-$platform" "$version" || fail "the install is not what was published"
if grep -E 'parallel-threads(-[a-z0-9-]+)?@[^ ]+ (prepare|preinstall|install|postinstall)|napi build|cargo' "$tmp/install.log"; then
  fail "npm install ran a build script of parallel-threads (see above)"
fi
echo "exactly parallel-threads and parallel-threads-$platform, both from $registry; no build ran (good)"

header "write the consumers"
cat >check-binding.cjs <<'EOF'
// Which file the native addon was loaded from: must be the platform package.
module.exports = function checkBinding() {
  const path = require("node:path");
  const loaded = Object.keys(require.cache).filter((f) => f.endsWith(".node"));
  const expected = path.join("node_modules", "parallel-threads-linux-x64-gnu", "parallel-threads.linux-x64-gnu.node");
  const found = loaded.find((f) => f.endsWith(expected));
  if (!found) throw new Error(`the addon was not loaded from the platform package: ${JSON.stringify(loaded)}`);
  return path.relative(process.cwd(), found);
};
EOF
cat >consumer.mjs <<'EOF'
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { parallel } from "parallel-threads";

const load = createRequire(import.meta.url);
const results = await parallel((n) => n * 2)(21)
  .parallel(async () => require("node:worker_threads").threadId)()
  .results();
assert.equal(results.length, 2);
assert.equal(results[0], 42);
assert.ok(Number.isInteger(results[1]) && results[1] > 0, `ran on the main thread (threadId ${results[1]})`);
console.log(`results: ${JSON.stringify(results)}; addon: ${load("./check-binding.cjs")()}`);
console.log("ESM consumer OK");
EOF
cat >consumer.cjs <<'EOF'
const assert = require("node:assert/strict");
const { parallel } = require("parallel-threads");

parallel((n) => n * 2)(21)
  .parallel(async () => require("node:worker_threads").threadId)()
  .results()
  .then((results) => {
    assert.equal(results.length, 2);
    assert.equal(results[0], 42);
    assert.ok(Number.isInteger(results[1]) && results[1] > 0, `ran on the main thread (threadId ${results[1]})`);
    console.log(`results: ${JSON.stringify(results)}; addon: ${require("./check-binding.cjs")()}`);
    console.log("CJS consumer OK");
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
EOF
cat >consumer.mts <<'EOF'
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { parallel, type ParallelCalls } from "parallel-threads";

const load = createRequire(import.meta.url);
const calls: ParallelCalls<[number, number]> = parallel((n: number) => n * 2)(21).parallel(
  async () => (await import("node:worker_threads")).threadId,
)();
const [doubled, threadId]: [number, number] = await calls.results();
assert.equal(doubled, 42);
assert.ok(threadId > 0, `ran on the main thread (threadId ${threadId})`);
console.log(`results: ${JSON.stringify([doubled, threadId])}; addon: ${(load("./check-binding.cjs") as () => string)()}`);
console.log("TypeScript consumer OK");
EOF
# The installed package's types; node's from the repository (the consumer
# project installs nothing but parallel-threads).
write_tsconfig
ls

run_consumers consumer_run

printf '\nregistry-test: PASSED in %ds (released to %s with napi artifacts, napi prepublish, npm publish; npm install parallel-threads got parallel-threads-%s; ESM, CommonJS and TypeScript consumers)\n' \
  $((SECONDS - started)) "$registry" "$platform"
