// Parses the orchestrator's command line.
import { availableParallelism } from "node:os";

const USAGE = `usage: node bench/run.mjs [--quick] [--rounds N] [--only s1,s2] [--systems a,b]
                         [--threads N] [--timeout SECONDS] [--out FILE] [--list]`;

export function parseArgs(argv) {
  const o = {
    quick: false,
    rounds: undefined,
    only: undefined,
    systems: undefined,
    threads: availableParallelism(),
    timeoutSec: 120,
    out: undefined,
    list: false,
  };
  const list = (v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case "--quick":
        o.quick = true;
        break;
      case "--rounds":
        o.rounds = positive(value(), flag);
        break;
      case "--only":
        o.only = list(value());
        break;
      case "--systems":
        o.systems = list(value());
        break;
      case "--threads":
        o.threads = positive(value(), flag);
        break;
      case "--timeout":
        o.timeoutSec = positive(value(), flag);
        break;
      case "--out":
        o.out = value();
        break;
      case "--list":
        o.list = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
      default:
        fail(`unknown argument ${a}`);
    }
  }
  o.rounds ??= o.quick ? 1 : 3;
  return o;
}

function positive(v, flag) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} wants a positive integer, got ${v}`);
  return n;
}

function fail(msg) {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}
