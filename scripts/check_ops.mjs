// The operation numbers of the core's one entry point, `Core.call(op, …)`, are written twice: in
// src/browser/core.rs (`mod op { pub const SNAPSHOT: u8 = 0; … }`) and in the shell
// (pkg-template/src/ops.js, `export const SNAPSHOT = 0;`). `make pkg` runs this first: it parses
// both and fails, naming each difference, unless they hold the same names with the same numbers.
// Usage: node scripts/check_ops.mjs
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUST = "src/browser/core.rs";
const JS = "pkg-template/src/ops.js";

/** `Map` name → number of every `pattern` match in `text`; fails on a name given twice. */
function constants(file, text, pattern) {
  const found = new Map();
  for (const [, name, value] of text.matchAll(pattern)) {
    if (found.has(name)) fail(`${file}: ${name} is defined twice`);
    found.set(name, Number(value));
  }
  if (!found.size) fail(`${file}: no operation numbers found (has its format changed? see scripts/check_ops.mjs)`);
  return found;
}

function fail(message) {
  console.error(`check_ops: ${message}`);
  process.exit(1);
}

const rustText = readFileSync(join(root, RUST), "utf8");
const block = rustText.match(/^mod op \{\n([\s\S]*?)^\}/m);
if (!block) fail(`${RUST}: no \`mod op { … }\` block`);
const rust = constants(RUST, block[1], /^\s*pub const ([A-Z][A-Z0-9_]*): u8 = (\d+);/gm);
const js = constants(JS, readFileSync(join(root, JS), "utf8"), /^export const ([A-Z][A-Z0-9_]*) = (\d+);/gm);

const differences = [];
for (const [name, n] of rust) {
  if (!js.has(name)) differences.push(`${name} = ${n} is in ${RUST} but not in ${JS}`);
  else if (js.get(name) !== n) differences.push(`${name} is ${n} in ${RUST} but ${js.get(name)} in ${JS}`);
}
for (const [name, n] of js) {
  if (!rust.has(name)) differences.push(`${name} = ${n} is in ${JS} but not in ${RUST}`);
}
const byNumber = new Map();
for (const [name, n] of rust) {
  if (byNumber.has(n)) differences.push(`${RUST}: ${byNumber.get(n)} and ${name} are both ${n}`);
  byNumber.set(n, name);
}
if (differences.length) {
  fail(
    `the operation numbers of Core.call differ between the core and the shell:\n  ${differences.join("\n  ")}\n` +
      `Both must hold the same names with the same numbers: change them together.`,
  );
}
console.log(`check_ops: ${RUST} and ${JS} agree on ${rust.size} operations`);
