#!/usr/bin/env bash
# Count test results in the captured output of one CI step.
#
#   usage: scripts/count-results.sh <log-file> <exit-status>
#   prints one line: "<passed> <failed> <details>"
#
# Understands ava's default reporter and `cargo test`; a step whose output
# holds neither (tsc for the type tests, a build) counts as one check that
# passed or failed by its exit status. A non-zero exit status always counts
# at least one failure, so a crash is never reported as a pass.
#
# ava counts:  passed = "N tests passed" + "N known failures" (test.failing
#              tests that failed as expected). ava omits the "passed" line
#              when something failed, so then the "  ✔ title" lines are
#              counted instead.
#              failed = tests failed + hooks failed + uncaught exceptions +
#              unhandled rejections + tests pending after a timeout + test
#              files that crashed or declared no tests.
#              Skipped and todo tests are shown in the details only.
# cargo counts: the sums of "test result: ... N passed; M failed" lines.
set -euo pipefail

if [[ $# -ne 2 || ! -f "$1" || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 <log-file> <exit-status>" >&2
  exit 2
fi

# Strip ANSI colour codes and carriage returns before matching.
sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r$//' "$1" | awk -v status="$2" '
  function num(line) { return line + 0 }
  # ava per-test lines are indented by exactly two spaces; a test that prints
  # "✔" itself writes at column 0, and t.log lines carry "ℹ".
  /^  ✔ \[expected fail\] / { ava_seen = 1; ticks_known++; next }
  /^  ✔ /                   { ava_seen = 1; ticks++; next }
  /^  ✘ .* exited with a non-zero exit code: [0-9]+$/ { ava_seen = 1; crashed++; next }
  /^  ✘ .* exited due to /   { ava_seen = 1; crashed++; next }
  /^  ✘ No tests found in /  { ava_seen = 1; crashed++; next }
  /^  ✘ Internal error/      { ava_seen = 1; crashed++; next }
  # ava summary block
  /^  [0-9]+ tests? passed$/                   { ava_seen = 1; have_passed = 1; passed_line = num($1); next }
  /^  [0-9]+ known failures?$/                 { ava_seen = 1; known = num($1); next }
  /^  [0-9]+ tests? failed$/                   { ava_seen = 1; ava_failed += num($1); next }
  /^  [0-9]+ hooks? failed$/                   { ava_seen = 1; ava_failed += num($1); next }
  /^  [0-9]+ tests? skipped$/                  { ava_seen = 1; skipped = num($1); next }
  /^  [0-9]+ tests? todo$/                     { ava_seen = 1; todo = num($1); next }
  /^  [0-9]+ unhandled rejections?$/           { ava_seen = 1; ava_failed += num($1); next }
  /^  [0-9]+ uncaught exceptions?$/            { ava_seen = 1; ava_failed += num($1); next }
  /^  [0-9]+ tests? remained pending after a timeout$/ { ava_seen = 1; ava_failed += num($1); next }
  # cargo test
  /^test result: (ok|FAILED)\. [0-9]+ passed; [0-9]+ failed; / {
    cargo_seen = 1
    cargo_passed += num($4); cargo_failed += num($6); cargo_ignored += num($8)
    next
  }
  END {
    passed = 0; failed = 0; details = ""
    if (ava_seen) {
      p = have_passed ? passed_line : ticks
      passed += p + known
      failed += ava_failed + crashed
      details = details sprintf("ava: %d passed", p)
      if (known)   details = details sprintf(", %d known failure%s", known, known == 1 ? "" : "s")
      if (failed)  details = details sprintf(", %d failed", ava_failed + crashed)
      if (skipped) details = details sprintf(", %d skipped", skipped)
      if (todo)    details = details sprintf(", %d todo", todo)
    }
    if (cargo_seen) {
      passed += cargo_passed; failed += cargo_failed
      details = details (details == "" ? "" : "; ") \
        sprintf("cargo: %d passed, %d failed, %d ignored", cargo_passed, cargo_failed, cargo_ignored)
    }
    if (!ava_seen && !cargo_seen) {
      if (status == 0) passed = 1; else failed = 1
      details = status == 0 ? "1 check passed" : "1 check failed"
    }
    # The caller reports the exit status itself.
    if (status != 0 && failed == 0) failed = 1
    printf "%d %d %s\n", passed, failed, details
  }'
