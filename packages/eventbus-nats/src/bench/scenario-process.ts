import { randomBytes } from "node:crypto";
import { type BenchSettings, runScenario, type ScenarioName, scenarioNames } from "./scenarios.js";

// One scenario per process, so one never warms up, slows down or pollutes another (JIT state,
// garbage, and the AsyncLocalStorage hooks the adapter turns on for every promise).
const [name, json] = process.argv.slice(2);
if (!scenarioNames.includes(name as ScenarioName) || json === undefined) {
  process.stderr.write(`usage: scenario-process.js <${scenarioNames.join("|")}> <settings json>\n`);
  process.exit(2);
}
const settings = JSON.parse(json) as BenchSettings;
const result = await runScenario(name as ScenarioName, settings, `bench_${randomBytes(4).toString("hex")}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
