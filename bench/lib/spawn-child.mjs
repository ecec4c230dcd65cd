// Runs one scenario × system in a fresh child process (optionally under
// `taskset -c 0`), with a timeout; returns its JSON line or an error record.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("../child.mjs", import.meta.url));

export function runChild({ scenario, system, params, pinned, execArgv = [], timeoutMs }) {
  const nodeArgs = [...execArgv, CHILD, scenario, system, JSON.stringify(params)];
  const [cmd, args] = pinned ? ["taskset", ["-c", "0", process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => (stderr += `\nspawn failed: ${e.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = lastJsonLine(stdout);
      if (line && line.error === undefined && code === 0) return resolve(line);
      const why = timedOut
        ? `timed out after ${timeoutMs / 1000} s`
        : (line?.error ?? `exit ${code ?? signal}: ${tail(stderr) || "no output"}`);
      resolve({ scenario, system, error: oneLine(why), stderr: tail(stderr, 2000) });
    });
  });
}

function lastJsonLine(text) {
  const lines = text.trim().split("\n").reverse();
  for (const l of lines) {
    try {
      const v = JSON.parse(l);
      if (v && typeof v === "object" && "scenario" in v) return v;
    } catch {}
  }
  return undefined;
}

const tail = (s, n = 300) => s.trim().slice(-n);
const oneLine = (s) => String(s).replace(/\s+/g, " ").slice(0, 200);
