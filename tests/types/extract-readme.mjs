// Extracts every TypeScript code block (```ts, ```typescript, ```tsx) of the repository README
// and the npm README into tests/types/readme/, one module per block, for tsconfig.readme.json
// to type-check against the package's published types (so the READMEs cannot drift from them).
//
//   node tests/types/extract-readme.mjs        (run.sh does this, then runs tsc)
//
// - Each block becomes its own module: readme/<readme>/block-L<line>.ts(x). A block whose first
//   line is a comment naming a file (`// src/session.ts`) is written to that path instead, so
//   that blocks can import each other (`import { keeper } from "./session"`), as in an app.
// - Line numbers are the README's own: each file starts with blank lines up to the block's first
//   line, so tsc's `block-L120.ts(123,7)` means README line 123, column 7.
// - Undeclared app code the examples call (`showSignIn`, `render`, `jwt`, ...) is declared in
//   readme-prelude.d.ts; React and Vue APIs in readme-shims.d.ts; any other package an example
//   imports (say `@dynamic-labs/sdk-react-core`) is declared as an untyped module here, and listed.
// - A block whose info string has `no-check` (```ts no-check) is skipped and counted.
// - Fails when a README is missing, or when neither README has a single TypeScript block.
// Writes readme/count (the number of modules written) for run.sh.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const out = path.join(here, "readme");
const READMES = ["README.md", "pkg-template/README.md"];
const LANGUAGES = new Map([["ts", "ts"], ["typescript", "ts"], ["mts", "ts"], ["tsx", "tsx"]]);
// Modules with real or shimmed types; every other bare import gets an untyped declaration.
const TYPED = [/^session-keeper(\/.*)?$/, /^react$/, /^react-dom\/client$/, /^vue$/];

/** The fenced code blocks of a Markdown text: { lang, info, line (first code line, 1-based), code }. */
function fencedBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const code = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]); j++) {
      // Content is de-indented by the fence's own indentation (CommonMark).
      let line = lines[j];
      for (let k = 0; k < indent.length && line.startsWith(" "); k++) line = line.slice(1);
      code.push(line);
    }
    blocks.push({ lang: lang.toLowerCase(), info: rest, line: i + 2, code });
    i = j; // past the closing fence (or the end: an unclosed block runs to the end)
  }
  return blocks;
}

/** `// src/session.ts` (or `/* … *\/`) on a block's first line: the file the block is. */
function namedFile(first, ext) {
  const m = /^\s*(?:\/\/|\/\*)\s*((?:\.{0,2}\/)?[\w@.-]+(?:\/[\w@.[\]-]+)*\.(?:ts|tsx|mts))\b/.exec(first ?? "");
  if (!m) return null;
  const name = path.posix.normalize(m[1].replace(/^\.\//, ""));
  if (name.startsWith("..") || path.posix.isAbsolute(name)) return null;
  // A .ts name on a tsx block (or the reverse) keeps the block's own language.
  return name.replace(/\.(ts|tsx|mts)$/, "." + ext);
}

/** Bare module specifiers a block imports. */
function importsOf(code) {
  const specifiers = new Set();
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) specifiers.add(m[1]);
  return [...specifiers].filter((s) => !s.startsWith(".") && !s.startsWith("/"));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let found = 0;
let written = 0;
let skipped = 0;
const untyped = new Set();
const summary = [];
for (const readme of READMES) {
  const file = path.join(repo, readme);
  if (!existsSync(file)) {
    console.error(`extract-readme: ${readme} is missing`);
    process.exit(1);
  }
  const slug = readme.replace(/\.md$/i, "").replace(/[^\w.-]+/g, "-");
  const blocks = fencedBlocks(readFileSync(file, "utf8")).filter((b) => LANGUAGES.has(b.lang));
  const used = new Set();
  let checked = 0;
  for (const block of blocks) {
    found++;
    if (/\bno-check\b/.test(block.info)) {
      skipped++;
      continue;
    }
    const ext = LANGUAGES.get(block.lang);
    let name = namedFile(block.code[0], ext) ?? `block-L${block.line}.${ext}`;
    if (used.has(name)) name = name.replace(/(\.\w+)$/, `.L${block.line}$1`);
    used.add(name);
    const target = path.join(out, slug, name);
    mkdirSync(path.dirname(target), { recursive: true });
    // Blank lines up to the block, so that tsc's line numbers are the README's.
    const header = `// generated by tests/types/extract-readme.mjs from ${readme}, line ${block.line}`;
    const padding = Array(Math.max(0, block.line - 2)).fill("");
    writeFileSync(target, [header, ...padding, ...block.code].join("\n") + "\n");
    for (const specifier of importsOf(block.code.join("\n"))) {
      if (!TYPED.some((re) => re.test(specifier))) untyped.add(specifier);
    }
    written++;
    checked++;
  }
  summary.push(`${readme}: ${checked} checked${blocks.length > checked ? `, ${blocks.length - checked} marked no-check` : ""}`);
}

if (found === 0) {
  console.error(
    `extract-readme: no TypeScript code blocks (\`\`\`ts or \`\`\`tsx) in ${READMES.join(" or ")}.\n` +
      "  The READMEs' TypeScript examples are type-checked against the package's types by make test;\n" +
      "  an example in TypeScript belongs in a ```ts (or ```tsx) block.",
  );
  process.exit(1);
}

// Packages an example imports that have no types here: declared untyped (`any`), so that the
// example's use of session-keeper is still checked. Listed, so nobody mistakes them for checked.
const declarations = [...untyped].sort().map((s) => `declare module ${JSON.stringify(s)};`);
writeFileSync(
  path.join(out, "untyped-modules.d.ts"),
  "// generated by tests/types/extract-readme.mjs: packages README examples import, typed `any`\n" +
    declarations.join("\n") + "\n",
);
writeFileSync(path.join(out, "count"), `${written}\n`);

console.log(
  `README TypeScript blocks: ${written} to type-check (${summary.join("; ")})` +
    (untyped.size ? `; untyped imports: ${[...untyped].sort().join(", ")}` : ""),
);
