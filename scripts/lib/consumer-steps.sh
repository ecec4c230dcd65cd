# Steps shared by scripts/consumer-test.sh and scripts/registry-test.sh
# (sourced, not run). The sourcing script sets `script_name` (for messages),
# `root` (the repository), `tmp` (its temporary directory) and, before
# `run_consumers`, defines the runner it passes: `RUNNER LIMIT COMMAND...`
# runs COMMAND as the consumer would, within LIMIT seconds.

step=0
# Prints a numbered step header.
header() {
  step=$((step + 1))
  printf '\n=== %d. %s ===\n' "$step" "$*"
}

# Says what failed and exits 1.
fail() {
  printf '\n%s: FAILED: %s\n' "$script_name" "$*" >&2
  exit 1
}

# Writes tsconfig.json for consumer.mts: strict, checked against the
# installed package's types and node's from the repository.
write_tsconfig() {
  cat >tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "types": ["node"],
    "typeRoots": ["$root/node_modules/@types"]
  },
  "files": ["consumer.mts"]
}
JSON
}

# Runs one consumer with RUNNER and checks it printed "<KIND> consumer OK".
run_consumer() {
  local runner="$1" kind="$2" out="$tmp/$3.out"
  shift 3
  "$runner" 60 "$@" >"$out" 2>&1 || { cat "$out"; fail "the $kind consumer failed"; }
  cat "$out"
  grep -qx "$kind consumer OK" "$out" || fail "the $kind consumer did not print OK"
}

# Runs consumer.mjs, consumer.cjs and (type-checked with the repository's
# tsc, run with its tsx) consumer.mts in the current directory with RUNNER.
run_consumers() {
  local runner="$1"
  header "ESM consumer (node consumer.mjs)"
  run_consumer "$runner" ESM esm node consumer.mjs
  header "CommonJS consumer (node consumer.cjs)"
  run_consumer "$runner" CJS cjs node consumer.cjs
  header "TypeScript consumer: type-check (tsc --noEmit) and run (tsx consumer.mts)"
  "$runner" 120 node "$root/node_modules/typescript/bin/tsc" --noEmit -p tsconfig.json ||
    fail "tsc rejected consumer.mts against the installed package's types"
  echo "tsc: no errors"
  run_consumer "$runner" TypeScript ts node "$root/node_modules/tsx/dist/cli.mjs" consumer.mts
}
