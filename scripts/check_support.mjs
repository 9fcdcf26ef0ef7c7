// Which browsers the built package needs, derived from the shipped code, against the table in
// pkg-template/browser-support.json. Fails when the code needs more than the table's `minimum`.
//
//   node scripts/check_support.mjs              check pkg/session_keeper.js and pkg/react.js
//   node scripts/check_support.mjs --markdown   print the "## Browser support" section for the docs
//   node scripts/check_support.mjs --pkg DIR    check DIR/session_keeper.js and DIR/react.js instead
//
// What the code needs, per engine, is the highest of:
// - its syntax: esbuild (the minifier's parser) lowers each file to an engine version; the
//   lowest version at which esbuild leaves the file as it is for `esnext` is what the syntax
//   needs (esbuild's compat table), and the features it lowers one version below name why;
// - the APIs in the table's `apis` list whose `match` occurs in the built files, except those
//   whose `guard` (the feature test, as it reads in the minified code) occurs too: those are
//   "used when present". An API missing from the list is not seen: add it when the code starts
//   using one;
// - the WebAssembly features of the wasm carried in pkg/session_keeper.js: binaryen's validator
//   (npm's wasm-opt) with each feature of the table switched off in turn; a feature that the
//   table does not list fails the check.
// The docs (docs/browser-support.md, the end of pkg-template/README.md) must show the table's
// minimum versions as `--markdown` prints them.
import { transform } from "esbuild";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const table = JSON.parse(readFileSync(join(root, "pkg-template/browser-support.json"), "utf8"));
const pkgArg = process.argv.indexOf("--pkg");
const pkg = pkgArg > 0 ? process.argv[pkgArg + 1] : join(root, "pkg");
const files = ["session_keeper.js", "react.js"];
const docs = ["docs/browser-support.md", "pkg-template/README.md"];
const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
const engines = Object.keys(table.engines); // chrome, edge, firefox, safari, ios (esbuild's names)
const markdown = process.argv.includes("--markdown");
const run = promisify(execFile);

// ---- versions ----------------------------------------------------------------------------
const cmp = (a, b) => {
  const [x, y] = [String(a).split(".").map(Number), String(b).split(".").map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
/** null (no version supports it) is above every version. */
const above = (a, b) => (a === null ? b !== null : b !== null && cmp(a, b) > 0);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
const safari = ["10", "10.1", "11", "11.1", "12", "12.1", "13", "13.1", "14", "14.1", "15", "15.1", "15.2", "15.3", "15.4", "15.5", "15.6", "16", "16.1", "16.2", "16.3", "16.4", "16.5", "16.6", "17", "17.1", "17.2", "17.3", "17.4", "17.5", "17.6", "18", "18.1", "18.2", "18.3", "18.4", "18.5", "18.6", "26", "26.1", "26.2", "26.3", "26.4"];
const candidates = { chrome: range(49, 200), edge: range(79, 200), firefox: range(45, 200), safari, ios: safari };

/** Per engine, the highest version among `needs` ({ version, why }), as { version, why[] }. */
function floor(needs) {
  const out = {};
  for (const engine of engines) {
    let best = { version: "0", why: [] };
    for (const need of needs) {
      const v = need.versions[engine];
      if (above(v, best.version)) best = { version: v, why: [need.why] };
      else if (v !== null && best.version !== null && cmp(v, best.version) === 0) best.why.push(need.why);
    }
    out[engine] = best;
  }
  return out;
}

// ---- syntax ------------------------------------------------------------------------------
// esbuild's names for the syntax it can lower (its `supported` option).
const SYNTAX = ["arbitrary-module-namespace-names", "array-spread", "arrow", "async-await", "async-generator", "bigint", "class", "class-field", "class-private-accessor", "class-private-brand-check", "class-private-field", "class-private-method", "class-private-static-accessor", "class-private-static-field", "class-private-static-method", "class-static-blocks", "class-static-field", "const-and-let", "decorators", "default-argument", "destructuring", "dynamic-import", "exponent-operator", "export-star-as", "for-await", "for-of", "function-name-configurable", "function-or-class-property-access", "generator", "hashbang", "import-assertions", "import-attributes", "import-meta", "logical-assignment", "nested-rest-binding", "new-target", "nullish-coalescing", "object-accessors", "object-extensions", "object-rest-spread", "optional-catch-binding", "optional-chain", "regexp-dot-all-flag", "regexp-lookbehind-assertions", "regexp-match-indices", "regexp-named-capture-groups", "regexp-set-notation", "regexp-sticky-and-unicode-flags", "regexp-unicode-property-escapes", "rest-argument", "template-literal", "top-level-await", "typeof-exotic-object-is-object", "unicode-escapes", "using"];

async function syntaxNeeds(file, source) {
  // The carried wasm is one long string literal: nothing in it is syntax.
  const code = source.replace(/(["'`])(?:[0-9a-f]{2}){512,}\1/g, '""');
  const lower = (options) =>
    transform(code, { format: "esm", logLevel: "silent", ...options }).then(
      (result) => result.code,
      (error) => "error: " + error.message, // syntax esbuild cannot lower to that target
    );
  const asIs = await lower({ target: "esnext" });
  const changes = await Promise.all(SYNTAX.map((feature) => lower({ target: "esnext", supported: { [feature]: false } })));
  const used = SYNTAX.filter((_, i) => changes[i] !== asIs);
  const needs = await Promise.all(engines.map(async (engine) => {
    const list = candidates[engine];
    const ok = async (i) => (await lower({ target: engine + list[i] })) === asIs;
    // The lowest index that leaves the file as it is; list.length: not even the newest version.
    let [lo, hi] = [0, list.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (await ok(mid)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0) return { engine, version: "0", why: [] };
    // What one version below lacks: each used feature left alone while the others count as supported.
    const lacking = await Promise.all(used.map(async (feature) => {
      const others = Object.fromEntries(used.filter((f) => f !== feature).map((f) => [f, true]));
      return (await lower({ target: engine + list[lo - 1], supported: others })) !== asIs;
    }));
    return { engine, version: list[lo] ?? null, why: used.filter((_, i) => lacking[i]).map((f) => "syntax: " + f) };
  }));
  return { used, needs };
}

// ---- WebAssembly -------------------------------------------------------------------------
/** The wasm carried in the built module as hex, without its target_features section (binaryen
 * would enable what that section lists, whatever the flags say). */
function carriedWasm(source) {
  const hex = source.match(/(["'`])(0061736d(?:[0-9a-f]{2})+)\1/)?.[2];
  if (!hex) throw new Error("session_keeper.js carries no wasm (no hex string starting 0061736d)");
  const bytes = Buffer.from(hex, "hex");
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 127) * 2 ** shift;
      if (byte < 128) return value;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    let name = null;
    if (id === 0) {
      const length = leb();
      name = bytes.subarray(at, at + length).toString();
    }
    if (name !== "target_features") kept.push(bytes.subarray(start, end));
    at = end;
  }
  return Buffer.concat(kept);
}

const OTHER_WASM = ["simd", "relaxed-simd", "threads", "exception-handling", "tail-call", "gc", "memory64", "multimemory", "extended-const", "strings", "fp16", "custom-page-sizes", "wide-arithmetic", "shared-everything", "stack-switching", "compact-imports"];

async function wasmNeeds(source) {
  const dir = mkdtempSync(join(tmpdir(), "check-support-"));
  try {
    const path = join(dir, "carried.wasm");
    writeFileSync(path, carriedWasm(source));
    // null when the module validates with just these features, else the validator's complaint.
    const valid = (flags) =>
      run(wasmOpt, [path, "--mvp-features", ...flags.map((f) => "--enable-" + f)]).then(
        () => null,
        (error) => String(error.stderr).split("\n").find((line) => /error|exception/i.test(line)) ?? "invalid",
      );
    const allowed = table.wasm.flatMap((w) => w.binaryen);
    const problem = await valid(allowed);
    if (problem) {
      const extra = await Promise.all(OTHER_WASM.map((f) => valid([...allowed, f])));
      const names = OTHER_WASM.filter((_, i) => !extra[i]);
      return { error: `the wasm uses WebAssembly features the table does not list: ${names.join(", ") || problem}` };
    }
    const without = await Promise.all(table.wasm.map((w) => (w.binaryen.length ? valid(allowed.filter((f) => !w.binaryen.includes(f))) : "always")));
    return { used: table.wasm.filter((_, i) => without[i]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the check ---------------------------------------------------------------------------
const failures = [];
const sources = Object.fromEntries(files.map((file) => [file, readFileSync(join(pkg, file), "utf8")]));
const all = Object.values(sources).join("\n");

const needs = [];
const syntaxUsed = new Set();
for (const [file, source] of Object.entries(sources)) {
  const syntax = await syntaxNeeds(file, source);
  syntax.used.forEach((f) => syntaxUsed.add(f));
  for (const need of syntax.needs) {
    for (const why of need.why.length ? need.why : ["syntax"]) {
      needs.push({ versions: Object.fromEntries(engines.map((e) => [e, e === need.engine ? need.version : "0"])), why: `${why} (${file})` });
    }
  }
}

const required = [];
const optional = [];
for (const api of table.apis) {
  if (!new RegExp(api.match).test(all)) continue;
  if (api.guard && new RegExp(api.guard).test(all)) optional.push(api);
  else required.push(api);
}
needs.push(...required.map((api) => ({ versions: api.versions, why: "API: " + api.name })));

const wasm = await wasmNeeds(sources["session_keeper.js"]);
if (wasm.error) failures.push(wasm.error);
else needs.push(...wasm.used.map((w) => ({ versions: w.versions, why: "wasm: " + w.feature })));

const derived = floor(needs);
for (const engine of engines) {
  const declared = table.minimum[engine]?.version;
  const { version, why } = derived[engine];
  if (above(version, declared)) {
    failures.push(`${table.engines[engine]}: the code needs ${version ?? "more than any version known to esbuild or the table"} (${why.join(", ")}), the table says ${declared}`);
  } else if (cmp(version, declared) < 0 && !markdown) {
    console.log(`note: ${table.engines[engine]} ${declared} in the table, the code needs only ${version} (${why.join(", ")})`);
  }
}

// ---- the section the docs show ----------------------------------------------------------
function minimumRows() {
  const rows = ["| Browser | Minimum | Set by |", "|---|---|---|"];
  const names = { chrome: "Chrome", edge: "Edge", firefox: "Firefox", safari: "Safari (macOS)", ios: "Safari on iOS / iPadOS" };
  for (const engine of engines) rows.push(`| ${names[engine]} | ${table.minimum[engine].version} | ${table.minimum[engine].set_by} |`);
  return rows.join("\n");
}
const SYNTAX_NAMES = { "async-await": "async functions", "class-field": "class fields", "class-private-field": "private class fields (`#k`)", "logical-assignment": "`??=`", "nullish-coalescing": "`??`", "optional-chain": "`?.`", "object-rest-spread": "object rest/spread", "optional-catch-binding": "`catch {}`" };
const ES2015 = new Set(["arrow", "class", "const-and-let", "template-literal", "destructuring", "default-argument", "rest-argument", "array-spread", "for-of", "object-accessors", "object-extensions", "generator", "unicode-escapes"]);
const BASELINE = new Set(["ES module (export)", "TextDecoder", "TextEncoder", "fetch", "Symbol.for", "WebAssembly.Module / Instance", "Request.cache (no-store)"]);
const versionsOf = (a) => `Chrome ${a.versions.chrome ?? "—"}, Firefox ${a.versions.firefox ?? "—"}, Safari ${a.versions.safari ?? "—"}`;

function tested() {
  const run = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    } catch {
      return null;
    }
  };
  const chromium = run("chromium", ["--version"])?.match(/Chromium ([\d.]+)/)?.[1];
  const firefox = run("firefox-esr", ["--version"])?.match(/([\d.]+esr)/)?.[1];
  const webkit = run("dpkg-query", ["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])?.match(/^([\d.]+)/)?.[1];
  return { chromium, firefox, webkit };
}

function section() {
  const t = tested();
  const csp = table.csp.versions;
  const syntax = [...syntaxUsed].filter((f) => !ES2015.has(f)).map((f) => SYNTAX_NAMES[f] ?? f);
  const apis = required.filter((a) => !BASELINE.has(a.name)).map((a) => "`" + a.name + "`");
  const own = optional.filter((a) => !/wasm-bindgen/.test(a.note ?? ""));
  const glue = optional.filter((a) => /wasm-bindgen/.test(a.note ?? ""));
  return `## Browser support

Tested on every \`make test\`, with Debian 12's packages: Chromium ${t.chromium ?? "?"}, Firefox ESR ${t.firefox ?? "?"} and WebKitGTK ${t.webkit ?? "?"} (Safari's engine) run the public API and end-to-end suites; Chromium and Firefox also run the wasm boundary tests.

Minimum versions, derived from what the published \`session_keeper.js\` and \`react.js\` use. \`make test-support\` fails when the built package needs more than this table (\`pkg-template/browser-support.json\`; versions from MDN's browser-compat-data):

${minimumRows()}

- WebAssembly features in the module: ${wasm.used.filter((w) => w.binaryen.length).map((w) => w.feature).join(", ")} (Rust's defaults for \`wasm32-unknown-unknown\`).
- JavaScript beyond ES2015: ${syntax.join(", ")}; ${apis.join(", ")}.
- With a Content Security Policy, \`script-src 'wasm-unsafe-eval'\` needs Chrome and Edge ${csp.chrome}, Firefox ${csp.firefox}, Safari ${csp.safari}; older versions compile wasm only under \`'unsafe-eval'\`.

Used when present, with a fallback:

${own.map((a) => `- \`${a.name}\` (${versionsOf(a)})${a.note ? ": " + a.note : ""}.`).join("\n")}
- In wasm-bindgen's glue: ${glue.map((a) => "`" + a.name + "`").join(", ")}.
`;
}

if (markdown) {
  if (failures.length) console.error(failures.join("\n"));
  process.stdout.write(section());
  process.exit(failures.length ? 1 : 0);
}

const rows = minimumRows();
for (const doc of docs) {
  let text = "";
  try {
    text = readFileSync(join(root, doc), "utf8");
  } catch {
    // missing: reported below
  }
  if (!text.includes(rows)) failures.push(`${doc}: its "Browser support" table is not the table's minimum (node scripts/check_support.mjs --markdown prints it)`);
}

console.log(`syntax: ${[...syntaxUsed].join(", ")}`);
console.log(`wasm: ${wasm.used?.map((w) => w.feature).join(", ")}`);
console.log(`required APIs: ${required.map((a) => a.name).join(", ")}`);
console.log(`used when present: ${optional.map((a) => a.name).join(", ")}`);
console.log("needs: " + engines.map((e) => `${table.engines[e]} ${derived[e].version ?? "none"} (${derived[e].why.join(", ")})`).join("; "));
if (failures.length) {
  console.error("\nbrowser support check FAILED:\n- " + failures.join("\n- "));
  process.exit(1);
}
console.log("browser support: the code needs no more than pkg-template/browser-support.json says");
