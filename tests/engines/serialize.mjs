// Values across the Node/page boundary, as Playwright's page.evaluate carries them: undefined
// (also as an object property), NaN, ±Infinity, -0, BigInt, Date, URL, RegExp, Error, Map, Set,
// arrays, plain objects and shared/cyclic references; functions become undefined, DOM nodes a
// "ref: <Node>" string. Both functions are self-contained: they run in Node and, through their
// source text, in the page.

import vm from "node:vm";

export function skSerialize(root) {
  const visited = new Map();
  let lastId = 0;
  const is = (value, name, ctor) => {
    try {
      return (typeof globalThis[ctor] === "function" && value instanceof globalThis[ctor]) || Object.prototype.toString.call(value) === `[object ${name}]`;
    } catch {
      return false;
    }
  };
  const ser = (value) => {
    if (value && typeof value === "object") {
      if (typeof globalThis.Window === "function" && value instanceof globalThis.Window) return "ref: <Window>";
      if (typeof globalThis.Document === "function" && value instanceof globalThis.Document) return "ref: <Document>";
      if (typeof globalThis.Node === "function" && value instanceof globalThis.Node) return "ref: <Node>";
    }
    if (value === undefined || typeof value === "symbol" || typeof value === "function") return { v: "undefined" };
    if (value === null) return { v: "null" };
    if (typeof value === "number") {
      if (Number.isNaN(value)) return { v: "NaN" };
      if (value === Infinity) return { v: "Infinity" };
      if (value === -Infinity) return { v: "-Infinity" };
      if (Object.is(value, -0)) return { v: "-0" };
      return value;
    }
    if (typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "bigint") return { bi: value.toString() };
    if (value instanceof Error || is(value, "Error", "Error")) {
      return { e: { n: String(value.name), m: String(value.message), s: String(value.stack || "") } };
    }
    if (is(value, "Date", "Date")) return { d: Number.isNaN(value.getTime()) ? null : value.toJSON() };
    if (is(value, "URL", "URL")) return { u: value.href };
    if (is(value, "RegExp", "RegExp")) return { r: { p: value.source, f: value.flags } };
    const seen = visited.get(value);
    if (seen) return { ref: seen };
    const id = ++lastId;
    visited.set(value, id);
    if (is(value, "Map", "Map")) return { m: [...value.entries()].map(([k, v]) => ({ k: ser(k), v: ser(v) })), id };
    if (is(value, "Set", "Set")) return { s: [...value.values()].map(ser), id };
    if (Array.isArray(value)) {
      const a = [];
      for (let i = 0; i < value.length; i += 1) a.push(ser(value[i]));
      return { a, id };
    }
    const o = [];
    for (const k of Object.keys(value)) {
      let item;
      try {
        item = value[k];
      } catch {
        continue;
      }
      if (k === "toJSON" && typeof item === "function") o.push({ k, v: { o: [], id: 0 } });
      else o.push({ k, v: ser(item) });
    }
    if (o.length === 0 && typeof value.toJSON === "function") {
      try {
        return ser(value.toJSON());
      } catch {
        // fall through: an empty object
      }
    }
    return { o, id };
  };
  return ser(root);
}

export function skParse(root) {
  const refs = new Map();
  const parse = (value) => {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object") return value;
    if ("ref" in value) return refs.get(value.ref);
    if ("v" in value) {
      return { undefined: undefined, null: null, NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 }[value.v];
    }
    if ("d" in value) return new Date(value.d === null ? NaN : value.d);
    if ("u" in value) return new URL(value.u);
    if ("bi" in value) return BigInt(value.bi);
    if ("e" in value) {
      const error = new Error(value.e.m);
      error.name = value.e.n;
      error.stack = value.e.s;
      return error;
    }
    if ("r" in value) return new RegExp(value.r.p, value.r.f);
    if ("a" in value) {
      const out = [];
      refs.set(value.id, out);
      for (const item of value.a) out.push(parse(item));
      return out;
    }
    if ("m" in value) {
      const out = new Map();
      refs.set(value.id, out);
      for (const { k, v } of value.m) out.set(parse(k), parse(v));
      return out;
    }
    if ("s" in value) {
      const out = new Set();
      refs.set(value.id, out);
      for (const item of value.s) out.add(parse(item));
      return out;
    }
    if ("o" in value) {
      const out = {};
      refs.set(value.id, out);
      for (const { k, v } of value.o) {
        if (k !== "__proto__") out[k] = parse(v);
      }
      return out;
    }
    return undefined;
  };
  return parse(root);
}

/** Whether `source` parses as one JavaScript expression. */
function isExpression(source) {
  try {
    // eslint-disable-next-line no-new
    new vm.Script(`(${source}\n)`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The expression the drivers evaluate for `page.evaluate(fn, arg)`: it resolves to a JSON
 * string `{ ok, value | error, href, log }` (`log`: what page-base.js captured since the last
 * drain, when it captures).
 */
export function evaluateExpression(fn, arg) {
  const wireArg = JSON.stringify(JSON.stringify(skSerialize(arg)));
  let call;
  if (typeof fn === "function") {
    call = `const __skFn = (${fn.toString()});\n__skValue = await __skFn(__skArg);`;
  } else if (isExpression(String(fn))) {
    call = `const __skFn = (${fn}\n);\n__skValue = await (typeof __skFn === "function" ? __skFn(__skArg) : __skFn);`;
  } else {
    // Statements (Playwright evals the string): run them; their completion value is not kept.
    call = `{\n${fn}\n}`;
  }
  return `(async () => {
const __skSer = ${skSerialize.toString()};
const __skParse = ${skParse.toString()};
let __skOut;
try {
  const __skArg = __skParse(JSON.parse(${wireArg}));
  let __skValue;
  ${call}
  __skOut = { ok: true, value: __skSer(__skValue) };
} catch (e) {
  __skOut = { ok: false, error: { name: String(e && e.name || "Error"), message: String(e && e.message !== undefined ? e.message : e), stack: String(e && e.stack || "") } };
}
__skOut.href = location.href;
__skOut.log = window.__skLog ? window.__skLog.splice(0) : [];
return JSON.stringify(__skOut);
})()`;
}
