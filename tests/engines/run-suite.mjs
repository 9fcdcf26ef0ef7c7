// Runs one suite (the test files of a directory) once per engine, and prints per-engine
// pass / fail / skip counts, the time each took and the skipped tests with their reasons.
// Exits non-zero when any engine had a failure (every engine runs regardless).
//
//   node tests/engines/run-suite.mjs <label> <dir> [engines…]
//   (engines: default SK_ENGINES or "chromium firefox webkit")
//
// Each run is `node --test --test-concurrency=1 <dir>` with SK_ENGINE set; its spec report goes
// to target/test-results/<label>-<engine>.log (printed here when the engine is done) and a TAP
// copy to <label>-<engine>.tap. The engines run side by side (SK_ENGINE_JOBS, default all of
// them; 1 runs them one after the other): the suites mostly wait on real time (timers, check
// intervals, expiries), so three browsers on two cores take about as long as the slowest one.

import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { ENGINES, startSharedBrowser } from "./drivers.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const [label, dir, ...rest] = process.argv.slice(2);
if (!label || !dir) {
  console.error("usage: node tests/engines/run-suite.mjs <label> <dir> [engines…]");
  process.exit(2);
}
const engines = rest.length ? rest : (process.env.SK_ENGINES || "chromium firefox webkit").split(/[\s,]+/).filter(Boolean);
for (const engine of engines) {
  if (!ENGINES.includes(engine)) {
    console.error(`unknown engine ${engine}: one of ${ENGINES.join(", ")}`);
    process.exit(2);
  }
}
const RESULTS = path.join(REPO, "target/test-results");
mkdirSync(RESULTS, { recursive: true });

const JOBS = Math.max(1, Number(process.env.SK_ENGINE_JOBS || engines.length));

async function run(engine) {
  const tap = path.join(RESULTS, `${label}-${engine}.tap`);
  const logFile = path.join(RESULTS, `${label}-${engine}.log`);
  const portsFile = path.join(RESULTS, `${label}-${engine}.ports`);
  rmSync(portsFile, { force: true });
  rmSync(tap, { force: true });
  const log = createWriteStream(logFile);
  const started = Date.now();
  console.log(`${label} in ${engine}: started (log: ${path.relative(REPO, logFile)})`);
  // One browser for all the files of the run (each file connects to it; each test still gets a
  // context and an origin of its own): launching Firefox costs 5-15 s per file.
  let shared = null;
  try {
    shared = await startSharedBrowser(engine);
  } catch (error) {
    log.write(`(no shared ${engine}: ${error.message.split("\n")[0]}; each file launches its own)\n`);
  }
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, [
      "--test", "--test-concurrency=1",
      "--test-reporter=spec", "--test-reporter-destination=stdout",
      "--test-reporter=tap", `--test-reporter-destination=${tap}`,
      dir,
    ], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      // SK_PORTS_FILE: the origins used so far, so that no test gets one whose storage an
      // earlier file left in the shared browser (see host.mjs).
      env: { ...process.env, ...(shared?.env || {}), SK_ENGINE: engine, SK_PORTS_FILE: portsFile },
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("close", (code, signal) => resolve({ engine, code, signal, tap }));
  });
  await shared?.close().catch(() => {});
  await new Promise((resolve) => log.end(resolve));
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n==== ${label} in ${engine} (${seconds.toFixed(0)} s) ====`);
  process.stdout.write(readFileSync(logFile, "utf8"));
  return { ...result, seconds };
}

/** Counts and skip reasons from a TAP report. */
function summarize(tapFile) {
  let text = "";
  try {
    text = readFileSync(tapFile, "utf8");
  } catch {
    return null;
  }
  const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, "m").exec(text) || [])[1] ?? NaN);
  const skipped = [];
  for (const match of text.matchAll(/^\s*ok \d+ - (.*) # SKIP (.*)$/gm)) skipped.push({ name: match[1], reason: match[2] });
  // A failed test's name and the first lines of its YAML block (error, expected/actual, stack):
  // repeated in the closing summary, which is the part of a long log a reader sees first.
  const failures = [];
  for (const match of text.matchAll(/^( *)not ok \d+ - (.*)\n\1  ---\n((?:\1  .*\n)*?)\1  \.\.\./gm)) {
    const lines = match[3].split("\n").map((l) => l.trimEnd()).filter((l) => l && !/^\s*(duration_ms|type|failureType|location):|\(node:/.test(l));
    failures.push({ name: match[2], detail: lines.slice(0, 14) });
  }
  return { tests: count("tests"), pass: count("pass"), fail: count("fail"), skipped: count("skipped"), cancelled: count("cancelled"), skips: skipped, failures };
}

const results = new Array(engines.length);
const started = Date.now();
let next = 0;
await Promise.all(Array.from({ length: Math.min(JOBS, engines.length) }, async () => {
  while (next < engines.length) {
    const i = next;
    next += 1;
    results[i] = await run(engines[i]);
  }
}));

console.log(`\n==== ${label}: per engine (${((Date.now() - started) / 1000).toFixed(0)} s in all, ${JOBS} at a time) ====`);
let failed = false;
for (const r of results) {
  const s = summarize(r.tap);
  const ok = r.code === 0 && s && s.fail === 0 && !(s.cancelled > 0);
  failed ||= !ok;
  if (!s) {
    console.log(`${label} ${r.engine}: no results (exit ${r.code ?? r.signal}) in ${r.seconds.toFixed(0)} s`);
    continue;
  }
  console.log(`${label} ${r.engine}: ${s.pass} passed, ${s.fail + (s.cancelled || 0)} failed, ${s.skipped} skipped (${s.tests} tests, ${r.seconds.toFixed(0)} s)`);
  for (const skip of s.skips) console.log(`  skipped: ${skip.name} — ${skip.reason}`);
  for (const failure of s.failures) console.log(`  failed: ${failure.name}\n${failure.detail.map((l) => `    ${l}`).join("\n")}`);
}
const total = (key) => results.reduce((sum, r) => sum + ((summarize(r.tap) || {})[key] || 0), 0);
// The plain closing line: every engine together.
console.log(`${label}: ${total("pass")} passed, ${total("fail") + total("cancelled")} failed, ${total("skipped")} skipped`);
process.exit(failed ? 1 : 0);
