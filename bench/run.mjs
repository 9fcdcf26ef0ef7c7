// `make bench`: session-keeper beside oidc-client-ts and @supabase/auth-js, in ONE Chromium run.
//
//   size        gzip -9 of what a browser downloads: for session-keeper every pkg/*.js and
//               pkg/*.wasm except a React entry (each file gzipped, summed); for the peers their
//               npm package bundled by esbuild (--bundle --minify --format=esm).
//   cold start  in a fresh browser context (no HTTP or compiled-wasm cache shared), timed inside
//               the page with performance.now(): dynamic import → init → construct → the stored
//               session (seeded beforehand) is readable. Median and minimum over BENCH_RUNS pages
//               per SDK, after one discarded warm-up round; SDK order rotates every round.
//               Each round runs every SDK once, so session-keeper is also compared with each
//               peer round by round: the median of the paired differences and its 95 %
//               confidence interval (distribution-free, from order statistics). An interval
//               that lies above zero means slower in this run; one that spans zero, level.
//   wake-ups    setTimeout/setInterval callbacks that fire during 10 idle minutes with a valid
//               1-hour session, on Playwright's fake clock (page.clock.runFor).
//   speed       (Node.js, session-keeper only) setSession beside jwt-decode, as the first bench did.
//
// A benchmark, not a test: nothing here asserts a timing. It exits non-zero when a measurement
// could not be made (an SDK failed to load or restore its session, the browser did not start,
// a step timed out). The shared machines are noisy: compare SDKs within one run.
//
// Environment:
//   BENCH_RUNS                 fresh pages per SDK for the cold start (default 41)
//   BENCH_CHROMIUM             browser executable (default /usr/bin/chromium)
//   BENCH_PKG_DIR              session-keeper's built package (default <repo>/pkg)
//   BENCH_SKIP_SESSION_KEEPER  1: measure the peers only (before `make pkg` exists)
//   BENCH_RESULTS              where to write the JSON results (default bench/results.json)

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer, BLANK_PAGE } from "./lib/server.mjs";
import { SDKS, REPO, ENVIRONMENT_ID } from "./lib/sdks.mjs";
import { countTimerCallbacks, checkCounting } from "./lib/timers.mjs";
import { tokenSpeed } from "./lib/speed.mjs";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const RUNS = positiveInt(env.BENCH_RUNS, 41);
const WARMUP_ROUNDS = 1;
const CHROMIUM = env.BENCH_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const PKG_DIR = path.resolve(env.BENCH_PKG_DIR || path.join(REPO, "pkg"));
const SKIP_SESSION_KEEPER = env.BENCH_SKIP_SESSION_KEEPER === "1";
const RESULTS_PATH = path.resolve(env.BENCH_RESULTS || path.join(BENCH_DIR, "results.json"));
const IDLE_MS = 10 * 60 * 1000;
const TOKEN_LIFETIME_S = 3600;
/** Bound on one page step (load, seed, one cold start, one idle run). */
const STEP_TIMEOUT_MS = 30_000;
/** Bound on the whole run; past it everything is closed and the run fails. */
const TOTAL_TIMEOUT_MS = 15 * 60 * 1000;

function positiveInt(text, fallback) {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Rejects after `ms` with a message naming the step; the step itself is cancelled by its caller closing its context. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round2 = (x) => Math.round(x * 100) / 100;

// ---- the machine ---------------------------------------------------------------------------

function machine() {
  let nproc = os.availableParallelism?.() ?? os.cpus().length;
  try { nproc = Number(execFileSync("nproc", { encoding: "utf8", timeout: 5000 }).trim()) || nproc; } catch { /* keep Node's count */ }
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => /^model name\s*:/.test(l));
    if (line) cpuModel = line.replace(/^model name\s*:\s*/, "").trim();
  } catch { /* not Linux */ }
  return {
    nproc, cpuModel, memoryGiB: round2(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`,
    // Other work on the machine shows up in the timings: record how busy it was.
    loadAverageAtStart: os.loadavg().map(round2),
  };
}

function gitRevision() {
  try {
    const rev = execFileSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"], { encoding: "utf8", timeout: 5000 }).trim();
    const dirty = execFileSync("git", ["-C", REPO, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", timeout: 5000 }).trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return "unknown";
  }
}

/** A JWT shaped like the SDK expects (RS256 header, any signature: nothing here verifies it). */
function benchToken() {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: "user-bench", sid: "session-bench", environment_id: ENVIRONMENT_ID, iat: now, exp: now + TOKEN_LIFETIME_S };
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signature = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 31 + 7) & 0xff)).toString("base64url");
  return { jwt: `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.${signature}`, claims };
}

// ---- pages ---------------------------------------------------------------------------------

/**
 * Runs `fn(page, seen)` in a new browser context (its own storage, HTTP cache and renderer
 * process), always closing the context. `seen.requests` lists every URL the page requested.
 */
async function inFreshPage(browser, { storageState, what }, fn) {
  const context = await withTimeout(browser.newContext({ storageState, serviceWorkers: "block" }), STEP_TIMEOUT_MS, `${what}: new context`);
  const errors = [];
  const requests = [];
  try {
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("console", (message) => { if (message.type() === "error") errors.push(`console: ${message.text()}`); });
    page.on("request", (request) => requests.push(request.url()));
    return await withTimeout(fn(page, { requests }), STEP_TIMEOUT_MS, what);
  } catch (error) {
    if (errors.length) error.message += `\n  in the page:\n    ${errors.join("\n    ")}`;
    throw error;
  } finally {
    await withTimeout(context.close(), 10_000, `${what}: closing the context`).catch(() => {});
  }
}

/** Requests a page made beyond the blank page and the SDK's own files. */
function extraRequests(requests, origin, sdk) {
  return requests.filter((url) => {
    if (!url.startsWith(origin)) return true;
    const p = new URL(url).pathname;
    return p !== BLANK_PAGE && !sdk.files.has(p);
  });
}

async function seedStorage(browser, origin, sdk, token) {
  return inFreshPage(browser, { what: `${sdk.id}: seeding the stored session` }, async (page) => {
    await page.goto(origin + BLANK_PAGE);
    await page.evaluate(sdk.seed, { moduleUrl: sdk.moduleUrl, environmentId: ENVIRONMENT_ID, ...token });
    // The SDK may persist after a tick: wait (bounded) until the origin has stored something.
    const deadline = Date.now() + 5000;
    let state;
    do {
      state = await page.context().storageState({ indexedDB: true });
      if (state.origins.some((o) => o.origin === origin && (o.localStorage.length || o.indexedDB?.length))) return state;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    throw new Error(`${sdk.id}: nothing was stored for ${origin} after seeding`);
  });
}

async function coldStart(browser, origin, sdk) {
  return inFreshPage(browser, { storageState: sdk.storageState, what: `${sdk.id}: cold start` }, async (page, seen) => {
    await page.goto(origin + BLANK_PAGE);
    const ms = await page.evaluate(sdk.coldStart, { moduleUrl: sdk.moduleUrl, environmentId: ENVIRONMENT_ID });
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new Error(`${sdk.id}: the cold start returned ${ms}`);
    return { ms, extra: extraRequests(seen.requests, origin, sdk) };
  });
}

async function idleWakeups(browser, origin, sdk, token, variant) {
  return inFreshPage(browser, { storageState: sdk.storageState, what: `${sdk.id}: 10 idle minutes` }, async (page, seen) => {
    await page.clock.install({ time: Date.now() });
    await page.addInitScript(countTimerCallbacks);
    await page.goto(origin + BLANK_PAGE);
    await checkCounting(page);
    const setup = await page.evaluate(sdk.openIdle, { moduleUrl: sdk.moduleUrl, environmentId: ENVIRONMENT_ID, ...token, ...variant });
    const requestsBefore = seen.requests.length;
    const armedAtStart = await page.evaluate(() => window.__benchTimers.snapshot());
    await page.evaluate(() => window.__benchTimers.reset());
    await page.clock.runFor(IDLE_MS);
    const counts = await page.evaluate(() => window.__benchTimers.snapshot());
    return {
      wakeups: counts.setTimeout + counts.setInterval,
      counts,
      armedAtStart: { armedTimeouts: armedAtStart.armedTimeouts, armedIntervals: armedAtStart.armedIntervals },
      setup,
      variant: variant ?? null,
      extraRequestsWhileIdle: extraRequests(seen.requests.slice(requestsBefore), origin, sdk),
    };
  });
}

// ---- run -----------------------------------------------------------------------------------

async function main() {
  const startedAt = new Date();
  const results = {
    date: startedAt.toISOString(),
    node: process.version,
    chromium: null,
    machine: machine(),
    repoRevision: gitRevision(),
    config: {
      coldStartRunsPerSdk: RUNS, warmupRounds: WARMUP_ROUNDS, idleMinutes: IDLE_MS / 60000,
      tokenLifetimeSeconds: TOKEN_LIFETIME_S, chromiumArgs: CHROMIUM_ARGS, gzipLevel: 9,
    },
    sdks: [],
    skipped: [],
  };

  const sdks = [];
  for (const def of SDKS) {
    if (def.id === "session-keeper" && SKIP_SESSION_KEEPER) {
      results.skipped.push({ id: def.id, reason: "BENCH_SKIP_SESSION_KEEPER=1" });
      continue;
    }
    const loaded = await def.load({ pkgDir: PKG_DIR });
    const files = [...loaded.files].map(([p, bytes]) => ({ path: p, bytes: bytes.length, gzipBytes: gzip9(bytes) }));
    sdks.push({ ...def, ...loaded, sizes: files });
  }

  const served = new Map(sdks.flatMap((s) => [...s.files]));
  const server = await startServer(served);
  let browser = null;
  const watchdog = setTimeout(() => {
    console.error(`bench: the whole run took over ${TOTAL_TIMEOUT_MS / 60000} minutes; aborting`);
    Promise.race([Promise.allSettled([browser?.close(), server.close()]), new Promise((r) => setTimeout(r, 10_000))])
      .finally(() => process.exit(1));
  }, TOTAL_TIMEOUT_MS);

  const failures = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    results.chromium = browser.version();
    const token = benchToken();

    for (const sdk of sdks) {
      sdk.result = { coldStartSamplesMs: [], extraRequests: [], error: null };
      try {
        sdk.storageState = await seedStorage(browser, server.origin, sdk, token);
      } catch (error) {
        sdk.result.error = error.message;
      }
    }

    // Cold starts, interleaved: round r runs every SDK once, starting at a rotating SDK.
    for (let round = 0; round < WARMUP_ROUNDS + RUNS; round++) {
      for (let i = 0; i < sdks.length; i++) {
        const sdk = sdks[(round + i) % sdks.length];
        if (sdk.result.error) continue;
        try {
          const { ms, extra } = await coldStart(browser, server.origin, sdk);
          if (round >= WARMUP_ROUNDS) sdk.result.coldStartSamplesMs.push(ms);
          sdk.result.extraRequests.push(...extra);
        } catch (error) {
          sdk.result.error = error.message;
        }
      }
      process.stderr.write(`\rcold starts: round ${round + 1}/${WARMUP_ROUNDS + RUNS}`);
    }
    process.stderr.write("\n");

    for (const sdk of sdks) {
      if (sdk.result.error) continue;
      try {
        sdk.result.idle = [];
        for (const variant of sdk.idleVariants ?? [undefined]) {
          sdk.result.idle.push(await idleWakeups(browser, server.origin, sdk, token, variant));
        }
      } catch (error) {
        sdk.result.error = error.message;
      }
    }
  } catch (error) {
    failures.push(error.message);
  } finally {
    // Close the browser and the server before the synchronous speed loops.
    clearTimeout(watchdog);
    if (browser) await withTimeout(browser.close(), 20_000, "closing the browser").catch((e) => failures.push(e.message));
    await withTimeout(server.close(), 5_000, "closing the server").catch((e) => failures.push(e.message));
  }

  if (sdks.some((s) => s.id === "session-keeper")) {
    try {
      results.tokenSpeed = await tokenSpeed(PKG_DIR, ENVIRONMENT_ID);
    } catch (error) {
      failures.push(`token speed (Node.js): ${error.message}`);
    }
  }

  for (const sdk of sdks) {
    const r = sdk.result ?? { error: "not measured", coldStartSamplesMs: [], extraRequests: [] };
    if (r.error) failures.push(r.error.startsWith(`${sdk.id}:`) ? r.error : `${sdk.id}: ${r.error}`);
    const samples = r.coldStartSamplesMs;
    results.sdks.push({
      id: sdk.id,
      version: sdk.version,
      entry: sdk.entry,
      files: sdk.sizes,
      gzipBytes: sdk.sizes.reduce((n, f) => n + f.gzipBytes, 0),
      rawBytes: sdk.sizes.reduce((n, f) => n + f.bytes, 0),
      coldStartMs: samples.length ? {
        median: round2(median(samples)), min: round2(Math.min(...samples)), max: round2(Math.max(...samples)),
        runs: samples.length, samples: samples.map(round2),
      } : null,
      wakeupsIn10Min: r.idle?.[0]?.wakeups ?? null,
      idle: r.idle ?? [],
      extraRequestsDuringColdStarts: [...new Set(r.extraRequests)],
      error: r.error,
    });
  }
  results.coldStartPaired = pairedComparisons(results.sdks);
  results.unexpectedServerRequests = server.unexpected;
  results.failures = failures;

  printTable(results);
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  const shown = path.relative(process.cwd(), RESULTS_PATH);
  console.log(`results: ${shown.startsWith("..") ? RESULTS_PATH : shown}`);
  if (failures.length) {
    console.error(`\nbench FAILED:\n  ${failures.join("\n  ")}`);
    process.exitCode = 1;
  }
}

/**
 * session-keeper minus each peer, round by round (every round runs every SDK once, so sample i
 * of each SDK comes from the same round): the median difference and a 95 % confidence interval
 * for it from the order statistics of the differences (the sign-test interval; no assumption
 * about the shape of the noise).
 */
function pairedComparisons(sdks) {
  const own = sdks.find((s) => s.id === "session-keeper")?.coldStartMs?.samples;
  if (!own) return [];
  return sdks.filter((s) => s.id !== "session-keeper" && s.coldStartMs?.samples.length === own.length).map((peer) => {
    const diffs = own.map((ms, i) => ms - peer.coldStartMs.samples[i]).sort((a, b) => a - b);
    const n = diffs.length;
    // Normal approximation to Binomial(n, 1/2): the k-th smallest and k-th largest differences.
    const k = Math.max(1, Math.floor((n - 1.96 * Math.sqrt(n)) / 2));
    return {
      peer: peer.id, pairs: n, medianDifferenceMs: round2(median(diffs)),
      ci95Ms: [round2(diffs[k - 1]), round2(diffs[n - k])],
      sessionKeeperFasterInRounds: diffs.filter((d) => d < 0).length,
    };
  });
}

function printTable(results) {
  const m = results.machine;
  console.log(`session-keeper bench, ${results.date}`);
  console.log(`Chromium ${results.chromium ?? "(not started)"}, Node ${results.node}; machine: nproc ${m.nproc}, ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}`
    + `; load average at start ${m.loadAverageAtStart.join(" ")}${m.loadAverageAtStart[0] > m.nproc ? " (busy: timings are noisy)" : ""}`);
  console.log(`repo ${results.repoRevision}; cold start = median/min of ${results.config.coldStartRunsPerSdk} fresh browser contexts per SDK`
    + ` (dynamic import → init → construct → stored session readable); wake-ups = timer callbacks in 10 idle minutes (fake clock, 1-hour token)`);
  const header = ["SDK", "gzip -9 bytes", "cold start median ms", "min ms", "wake-ups in 10 min"];
  const rows = results.sdks.map((s) => [
    `${s.id} ${s.version}`,
    String(s.gzipBytes),
    s.coldStartMs ? s.coldStartMs.median.toFixed(1) : "—",
    s.coldStartMs ? s.coldStartMs.min.toFixed(1) : "—",
    s.wakeupsIn10Min === null ? "—" : String(s.wakeupsIn10Min),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  for (const c of results.coldStartPaired) {
    const [lo, hi] = c.ci95Ms;
    const verdict = lo > 0 ? "slower" : hi < 0 ? "faster" : "level (the interval spans zero)";
    const signed = (x) => `${x > 0 ? "+" : ""}${x.toFixed(1)}`;
    console.log(`  cold start, session-keeper − ${c.peer}, paired by round: median ${signed(c.medianDifferenceMs)} ms,`
      + ` 95 % CI ${signed(lo)} … ${signed(hi)} ms: ${verdict}; session-keeper faster in ${c.sessionKeeperFasterInRounds} of ${c.pairs} rounds`);
  }
  for (const s of results.sdks) {
    for (const idle of s.idle) {
      const c = idle.counts;
      console.log(`  ${s.id} idle: ${idle.setup}: ${idle.wakeups} wake-ups (setTimeout ${c.setTimeout}, setInterval ${c.setInterval};`
        + ` armed during the 10 minutes: ${c.armedTimeouts} timeouts, ${c.armedIntervals} intervals; armed at start: ${idle.armedAtStart.armedTimeouts} timeouts, ${idle.armedAtStart.armedIntervals} intervals)`);
    }
    const extra = [...s.extraRequestsDuringColdStarts, ...s.idle.flatMap((i) => i.extraRequestsWhileIdle)];
    if (extra.length) console.log(`  ${s.id} made requests beyond its own files: ${[...new Set(extra)].join(", ")}`);
    if (s.error) console.log(`  ${s.id} FAILED: ${s.error}`);
  }
  for (const s of results.skipped) console.log(`  ${s.id} skipped: ${s.reason}`);
  if (results.tokenSpeed) {
    console.log(`token handling in Node.js, operations per second (median of ${results.tokenSpeed.rounds} rounds of ${results.tokenSpeed.roundMs} ms):`);
    for (const [name, n] of Object.entries(results.tokenSpeed.opsPerSecond)) console.log(`  ${name.padEnd(70)} ${n.toLocaleString("en").padStart(10)}`);
  }
}

// Exit explicitly: nothing left behind (a keeper's timer in Node, a socket) may keep the run alive.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(`bench FAILED: ${error.message ?? error}`);
    process.exit(1);
  },
);
