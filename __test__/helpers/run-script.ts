// Runs one of scripts/*.sh for a test, the way CI would: with the node that
// runs the tests (NODE; CI runs them on several versions), in its own process
// group, so a timeout stops the script and everything it started.
import { spawn } from "node:child_process";
import * as path from "node:path";

/** How a script ended, and everything it printed (stdout and stderr, interleaved). */
export interface ScriptRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

const root = path.join(__dirname, "..", "..", "..");

/** Runs `scripts/<name>` from the repository root; its process group is stopped after `limitMs`. */
export function runScript(name: string, limitMs: number): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(root, "scripts", name)], {
      cwd: root,
      env: { ...process.env, NODE: process.execPath },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    }, limitMs);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output });
    });
  });
}
