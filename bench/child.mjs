// Child process entry: runs one scenario against one system and prints one JSON
// line {scenario, system, metric, unit, value, extra} (or {…, error}) on stdout.
// usage: node bench/child.mjs <scenario> <system> '<json params>'
import { SCENARIOS } from "./scenarios/index.mjs";

const [scenario, system, paramsJson = "{}"] = process.argv.slice(2);
const emit = (o) => process.stdout.write(`${JSON.stringify({ scenario, system, ...o })}\n`);

try {
  const spec = SCENARIOS[scenario];
  if (!spec) throw new Error(`unknown scenario ${scenario}`);
  const { run } = await import(`./scenarios/${spec.module}.mjs`);
  const load = () => import(`./systems/${system}.mjs`);
  const params = { ...JSON.parse(paramsJson), ...spec.params };
  const result = await run({ load, ...params });
  emit(result);
  process.exit(0);
} catch (e) {
  emit({ error: e?.stack ? `${e.name}: ${e.message}` : String(e) });
  console.error(e);
  process.exit(1);
}
