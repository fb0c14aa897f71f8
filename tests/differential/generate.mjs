#!/usr/bin/env node
// Writes the differential corpus: schemas, JSON Lines of instances, and a manifest.
//
//   node tests/differential/generate.mjs [--out DIR] [--seed N]
//
// Deterministic: the same seed gives byte-identical files. Sources (committed, in corpus/):
//   sources/spec_capabilities.json, spec_templates.json   the spec's capabilities and templates
//   sources/customer-support.{valid,invalid}.json, seeds.json   valid configurations to mutate
//   targeted.mjs                                             hand-picked schemas and instances
// Output (DIR, default tests/differential/generated, git-ignored):
//   manifest.json                 [{name, schema, instances, labels, files, args, count}]
//   schemas/NAME.schema.json      instances/NAME.jsonl (+ NAME.labels.json, one label a line)
//   files/NAME/N.json             the first instances again as files (file mode of the CLI)
//   remotes/capabilities/*.json   capability schemas served through --remote
// Bundles (run.mjs with a real capconf binary, or --capconf BIN here): makeBundleCatalog() copies
// catalog/ and adds a 2020-12 variant of each template, fetchBundles() asks `capconf schema` for
// every template x allowed set, generateBundles() writes a `bundle-*` case per bundle (and a
// `catalog-capability-*` case per capability no template offers) and appends them to the manifest.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { mulberry32 } from "../../tools/ajv/prng.mjs";
import { fileURLToPath, pathToFileURL } from "node:url";

import { FORMAT_SAMPLES, Raw, R, TARGETED } from "./corpus/targeted.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCES = join(HERE, "corpus", "sources");
export const CATALOG_DIR = resolve(HERE, "..", "..", "catalog");
export const DEFAULT_OUT = join(HERE, "generated");
export const DEFAULT_SEED = 20240611;

const D7 = "http://json-schema.org/draft-07/schema#";
const D2020 = "https://json-schema.org/draft/2020-12/schema";
const REMOTE_PREFIX = "https://schemas.capconf.test/";
const CAPABILITY_ORDER = ["branding", "behavior", "rag", "widget", "api", "escalation"];

// ---------------------------------------------------------------------------------------------
// Small utilities

function hashString(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
const pick = (rng, arr) => arr[Math.floor(rng() * arr.length)];
function sample(rng, arr, n) {
  const a = arr.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Raw);
const readJson = (p) => JSON.parse(readFileSync(p, "utf8"));

/** JSON text; a Raw is written verbatim (1.0 stays 1.0). */
export function toJson(v) {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return "[" + v.map(toJson).join(",") + "]";
  if (isObj(v)) return "{" + Object.keys(v).map((k) => JSON.stringify(k) + ":" + toJson(v[k])).join(",") + "}";
  return JSON.stringify(v);
}
const ptr = (path) => (path.length ? "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/") : "(root)");

// Copy-on-write edits along a path. Return undefined when the path no longer exists.
function setAt(root, path, value) {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  if (Array.isArray(root)) {
    if (typeof k !== "number" || k >= root.length) return undefined;
    const child = setAt(root[k], rest, value);
    if (child === undefined) return undefined;
    const copy = root.slice();
    copy[k] = child;
    return copy;
  }
  if (isObj(root)) {
    if (typeof k !== "string" || (rest.length && !(k in root))) return undefined;
    const child = setAt(root[k], rest, value);
    if (child === undefined) return undefined;
    return { ...root, [k]: child };
  }
  return undefined;
}
function deleteAt(root, path) {
  const parentPath = path.slice(0, -1);
  const k = path[path.length - 1];
  const parent = getAt(root, parentPath);
  if (isObj(parent) && k in parent) {
    const copy = { ...parent };
    delete copy[k];
    return setAt(root, parentPath, copy);
  }
  if (Array.isArray(parent) && typeof k === "number" && k < parent.length) {
    return setAt(root, parentPath, parent.filter((_, i) => i !== k));
  }
  return undefined;
}
function getAt(root, path) {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== "object" || v instanceof Raw) return undefined;
    v = v[k];
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Which subschemas apply at an instance location (for schema-aware mutations)

export function makeResolver(root, remotes = new Map()) {
  const byPointer = (doc, frag) => {
    if (!frag || frag === "#") return doc;
    let v = doc;
    for (const raw of frag.replace(/^#\//, "").split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      v = v?.[key];
    }
    return v;
  };
  return (ref) => {
    if (ref.startsWith("#/") || ref === "#") return byPointer(root, ref);
    const [base, frag] = ref.split("#");
    if (remotes.has(base)) return byPointer(remotes.get(base), frag ? "#" + frag : "#");
    return undefined;
  };
}

function applicable(schema, resolveRef, out = [], seen = new Set()) {
  if (!isObj(schema) || seen.has(schema)) return out;
  seen.add(schema);
  out.push(schema);
  if (typeof schema.$ref === "string") applicable(resolveRef(schema.$ref), resolveRef, out, seen);
  for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(schema[k])) for (const s of schema[k]) applicable(s, resolveRef, out, seen);
  for (const k of ["then", "else"]) if (schema[k]) applicable(schema[k], resolveRef, out, seen);
  return out;
}
function children(schema, key) {
  const res = [];
  if (typeof key === "string") {
    if (isObj(schema.properties) && key in schema.properties) res.push(schema.properties[key]);
    else if (isObj(schema.additionalProperties)) res.push(schema.additionalProperties);
  } else {
    if (Array.isArray(schema.prefixItems) && key < schema.prefixItems.length) res.push(schema.prefixItems[key]);
    else if (Array.isArray(schema.items)) {
      if (key < schema.items.length) res.push(schema.items[key]);
    } else if (isObj(schema.items)) res.push(schema.items);
  }
  return res;
}
export function subschemasAt(root, path, resolveRef) {
  let cur = applicable(root, resolveRef);
  for (const k of path) {
    const next = [];
    const seen = new Set();
    for (const s of cur) for (const c of children(s, k)) applicable(c, resolveRef, next, seen);
    cur = next;
  }
  return cur;
}
function constraints(subs) {
  const c = { types: new Set(), enums: [], consts: [], patterns: [], formats: [] };
  for (const s of subs) {
    if (typeof s.type === "string") c.types.add(s.type);
    if (Array.isArray(s.type)) s.type.forEach((t) => c.types.add(t));
    for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems"]) {
      if (typeof s[k] === "number") c[k] = s[k];
    }
    if (s.uniqueItems === true) c.uniqueItems = true;
    if (Array.isArray(s.enum)) c.enums.push(s.enum);
    if ("const" in s) c.consts.push(s.const);
    if (typeof s.pattern === "string") c.patterns.push(s.pattern);
    if (typeof s.format === "string") c.formats.push(s.format);
    if (Array.isArray(s.required)) c.required = (c.required || []).concat(s.required);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Mutations

// Values near the edge of the spec's patterns (domain, IP, colour, repository).
const PATTERN_SAMPLES = {
  "^#[0-9A-Fa-f]{6}$": ["#3b82f6", "#3B82F", "3B82F6", "#3B82F6\n", "#GGGGGG", "#3B82F6A", "#fff", "red"],
  "^[a-zA-Z0-9][a-zA-Z0-9-_.]*\\.[a-zA-Z]{2,}$": ["localhost", "acme.example\n", "-acme.example", "my_site.example",
    "a.b.c.example", "acme.e", "*.acme.example", "acme.example:8080", "https://acme.example", "ünï.example", "a..example"],
  "^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?$": ["999.1.1.1/99", "1.2.3.4/", "::1", "1.2.3.4\n", "1.2.3", "1.2.3.4/333",
    "10.0.0.0/8", "١.2.3.4", " 1.2.3.4"],
  "^[a-zA-Z0-9-]+/[a-zA-Z0-9-_.]+$": ["acme/widget/js", "ac_me/widget", "acme/", "/widget", "acme/wid get", "acme/widget\n", "acme/.."],
};
const TYPE_SWAPS = [42, -1.5, "str", true, false, [], {}, [1], { a: 1 }, R("1.0"), ""];
const typeOf = (v) => (v instanceof Raw ? "number" : v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function mutationsAt(path, v, c, parent, rng) {
  const out = [];
  const set = (value, why) => out.push({ path, op: "set", value, label: `${ptr(path)} := ${why}` });
  if (path.length) {
    set(null, "null");
    for (const w of sample(rng, TYPE_SWAPS.filter((x) => typeOf(x) !== typeOf(v)), 2)) set(w, toJson(w));
    if (isObj(parent)) out.push({ path, op: "delete", label: `${ptr(path)} dropped` });
  }
  const t = typeOf(v);
  if (t === "number") {
    const integerish = c.types.has("integer");
    if (c.minimum !== undefined) {
      set(c.minimum - 1, `minimum-1`);
      set(c.minimum, `minimum`);
      set(R(`${c.minimum}.0`), `minimum as ${c.minimum}.0`);
      set(c.minimum - 0.5, `minimum-0.5`);
    }
    if (c.maximum !== undefined) {
      set(c.maximum + 1, `maximum+1`);
      set(c.maximum, `maximum`);
      set(R(`${c.maximum}.0`), `maximum as ${c.maximum}.0`);
      set(c.maximum + 0.5, `maximum+0.5`);
      set(c.maximum * 1000, `maximum*1000`);
    }
    if (integerish) {
      set(v + 0.5, "fraction");
      set(R(`${v}.0`), `${v}.0`);
      set(R(`${v}e0`), `${v}e0`);
      set(R(`${v}.000000001`), `${v}.000000001`);
    } else {
      set(v + 1e-9, "+1e-9");
      set(R("1.0"), "1.0");
      set(R("0.10000000000000001"), "0.10000000000000001");
    }
    set(-v - 1, "negative");
    set(R("1e9"), "1e9");
    set(R("-0"), "-0");
    set(String(v), "number as string");
  } else if (t === "string") {
    if (c.maxLength !== undefined) {
      set("x".repeat(c.maxLength), "maxLength chars");
      set("x".repeat(c.maxLength + 1), "maxLength+1 chars");
      set("😀".repeat(c.maxLength), "maxLength emoji (2x UTF-16 units)");
      set("😀".repeat(c.maxLength + 1), "maxLength+1 emoji");
      set("é".repeat(c.maxLength) + "\u0301", "maxLength+1 code points with a combining mark");
    }
    if (c.minLength !== undefined && c.minLength > 0) {
      set("x".repeat(c.minLength - 1), "minLength-1");
    }
    if (c.enums.length || c.consts.length) {
      set(v + "x", "not in enum");
      set(v.charAt(0).toUpperCase() + v.slice(1), "capitalised");
      set(` ${v}`, "leading space");
      set("", "empty");
      set("sarcastic", "sarcastic");
    }
    for (const p of c.patterns) {
      set(v + "\n", "trailing newline");
      set(v + "!", "trailing !");
      set("", "empty (pattern)");
      for (const s of PATTERN_SAMPLES[p] || []) set(s, JSON.stringify(s));
    }
    for (const f of c.formats) {
      for (const s of sample(rng, FORMAT_SAMPLES[f] || [], 8)) set(s, `${f} sample ${JSON.stringify(s)}`);
    }
    set(v + "😀", "emoji appended");
  } else if (t === "boolean") {
    set(!v, "negated");
    set(String(v), "as string");
    set(v ? 1 : 0, "as number");
  } else if (t === "array") {
    set([], "empty array");
    if (v.length) {
      set(v.concat([v[0]]), "first item duplicated");
      set(v.slice(1), "first item removed");
      set(v.slice().reverse(), "reversed");
    }
    set(v.concat([42]), "number appended");
    set(v.concat([null]), "null appended");
    set(v.concat([{}]), "{} appended");
    if (c.maxItems !== undefined) set(Array.from({ length: c.maxItems + 1 }, (_, i) => v[i % Math.max(v.length, 1)] ?? "x"), "maxItems+1");
  } else if (t === "object") {
    set({}, "empty object");
    set({ ...v, x_extra: 1 }, "extra property");
    set({ ...v, "x/y~z": null }, "extra property named x/y~z");
  }
  return out;
}

function applyMutation(root, m) {
  return m.op === "delete" ? deleteAt(root, m.path) : setAt(root, m.path, m.value);
}

function* walk(v, path = [], parent = undefined) {
  yield [path, v, parent];
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* walk(v[i], [...path, i], v);
  else if (isObj(v)) for (const k of Object.keys(v)) yield* walk(v[k], [...path, k], v);
}

/** Instances for one schema: the seeds, every single mutation of the primary seeds, a share of
 *  those of the secondary seeds, and random combinations of several at once. */
function mutateAll(schema, resolveRef, { primary, secondary = [], extras = [], combos = 150, maxSingles = Infinity }, rng) {
  const list = [];
  const seen = new Set();
  const add = (value, label) => {
    if (value === undefined) return;
    const text = toJson(value);
    if (seen.has(text)) return;
    seen.add(text);
    list.push({ text, label });
  };
  for (const [name, seed] of [...primary, ...secondary]) add(seed, `seed ${name}`);
  for (const [name, v] of extras) add(v, name);
  const singles = [];
  // With maxSingles (the bundle cases), every mutation is made first and a random maxSingles of
  // them are kept, so that large configurations stay within the instance budget.
  const pending = [];
  const sweep = (name, seed, share) => {
    for (const [path, v, parent] of walk(seed)) {
      const c = constraints(subschemasAt(schema, path, resolveRef));
      for (const m of mutationsAt(path, v, c, parent, rng)) {
        if (share < 1 && rng() >= share) continue;
        if (maxSingles !== Infinity) {
          pending.push({ seed, name, m });
          continue;
        }
        singles.push({ seed, name, m });
        add(applyMutation(seed, m), `${name}: ${m.label}`);
      }
    }
  };
  for (const [name, seed] of primary) sweep(name, seed, 1);
  for (const [name, seed] of secondary) sweep(name, seed, 0.35);
  if (maxSingles !== Infinity) {
    const keep = new Set(sample(rng, pending.map((_, i) => i), maxSingles));
    pending.forEach((s, i) => {
      if (!keep.has(i)) return;
      singles.push(s);
      add(applyMutation(s.seed, s.m), `${s.name}: ${s.m.label}`);
    });
  }
  for (let i = 0; i < combos && singles.length; i++) {
    const base = pick(rng, singles);
    let v = base.seed;
    const labels = [];
    const n = 2 + Math.floor(rng() * 3);
    for (const s of sample(rng, singles.filter((x) => x.seed === base.seed), n)) {
      const next = applyMutation(v, s.m);
      if (next !== undefined) {
        v = next;
        labels.push(s.m.label);
      }
    }
    add(v, `${base.name}: combo ${labels.join("; ")}`);
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The spec's compositions

function snake(title) {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}
function templateSections(tpl, caps) {
  let cs = tpl.config_schema;
  if (typeof cs.$ref === "string" && cs.$ref.startsWith("#/definitions/")) cs = cs.definitions[cs.$ref.slice("#/definitions/".length)];
  return cs.allOf.map((part) => {
    if (typeof part.$ref === "string" && part.$ref.startsWith("capability:")) {
      const name = part.$ref.slice("capability:".length);
      if (!caps[name]) throw new Error(`template ${tpl.template_id}: unknown ${part.$ref}`);
      return [name, caps[name].schema];
    }
    return [snake(part.title), part];
  });
}
function composeInline(title, sections, dollarSchema, extra = {}) {
  const properties = {};
  for (const [k, s] of sections) properties[k] = s;
  return { $schema: dollarSchema, title, type: "object", properties, ...extra };
}
function composeRefs(title, sections, dollarSchema) {
  const is2020 = dollarSchema === D2020;
  const defsKey = is2020 ? "$defs" : "definitions";
  const properties = {};
  const defs = {};
  for (const [k, s] of sections) {
    defs[k] = s;
    properties[k] = { $ref: `#/${defsKey}/${k}` };
  }
  const closing = is2020 ? { unevaluatedProperties: false } : { additionalProperties: false };
  return { $schema: dollarSchema, title, type: "object", [defsKey]: defs, properties, ...closing };
}
function composeRemote(title, sections, dollarSchema) {
  const properties = {};
  for (const [k] of sections) properties[k] = { $ref: `${REMOTE_PREFIX}capabilities/${k}.json` };
  return { $schema: dollarSchema, title, type: "object", properties, additionalProperties: false };
}

// ---------------------------------------------------------------------------------------------

/** emit(name, schema, instances, args, extra): writes one case and adds it to `manifest`.
 *  instances: [{text, label}]; extra.schemaText: the schema file's text as given (a bundle as
 *  capconf printed it) instead of `schema` re-serialised; extra.manifest: more manifest fields. */
function makeEmitter(out, manifest) {
  return (name, schema, instances, args = [], extra = {}) => {
    const schemaRel = `schemas/${name}.schema.json`;
    const instRel = `instances/${name}.jsonl`;
    const labelsRel = `instances/${name}.labels.json`;
    writeFileSync(join(out, schemaRel), extra.schemaText ?? JSON.stringify(schema, null, 1) + "\n");
    writeFileSync(join(out, instRel), instances.map((i) => i.text + "\n").join(""));
    writeFileSync(join(out, labelsRel), JSON.stringify(instances.map((i) => i.label), null, 0) + "\n");
    // File mode: the first three instances that are JSON, as files.
    const files = [];
    mkdirSync(join(out, "files", name), { recursive: true });
    for (let i = 0; i < instances.length && files.length < 3; i++) {
      try {
        JSON.parse(instances[i].text);
      } catch {
        continue;
      }
      const rel = `files/${name}/${i + 1}.json`;
      writeFileSync(join(out, rel), instances[i].text + "\n");
      files.push({ path: rel, line: i + 1 });
    }
    const fullArgs = args.includes("--formats") ? args.slice() : ["--formats", "assert", ...args];
    manifest.push({ name, schema: schemaRel, instances: instRel, labels: labelsRel, files, args: fullArgs, count: instances.length,
      ...(extra.manifest || {}) });
  };
}

export function generate({ out = DEFAULT_OUT, seed = DEFAULT_SEED } = {}) {
  out = resolve(out);
  for (const sub of ["schemas", "instances", "files", "remotes"]) rmSync(join(out, sub), { recursive: true, force: true });
  for (const sub of ["schemas", "instances", "files", "remotes/capabilities"]) mkdirSync(join(out, sub), { recursive: true });

  const caps = readJson(join(SOURCES, "spec_capabilities.json"));
  const templates = readJson(join(SOURCES, "spec_templates.json"));
  const csValid = readJson(join(SOURCES, "customer-support.valid.json"));
  const csInvalid = readJson(join(SOURCES, "customer-support.invalid.json"));
  const seeds = readJson(join(SOURCES, "seeds.json"));

  const remotes = new Map();
  for (const name of CAPABILITY_ORDER) {
    const url = `${REMOTE_PREFIX}capabilities/${name}.json`;
    remotes.set(url, caps[name].schema);
    writeFileSync(join(out, "remotes", "capabilities", `${name}.json`), JSON.stringify(caps[name].schema, null, 1) + "\n");
  }
  const remoteArgs = ["--remote", `${REMOTE_PREFIX}=${join(out, "remotes")}`];

  const manifest = [];
  const emit = makeEmitter(out, manifest);
  const rngFor = (name) => mulberry32((seed ^ hashString(name)) >>> 0);
  const generic = [["generic null", null], ["generic true", true], ["generic 0", 0], ["generic 1.5", 1.5], ["generic string", "x"],
    ["generic []", []], ["generic {}", {}]];

  // (a) each capability on its own, draft-07
  const seedSections = (cap) => {
    const all = [["customer-support.valid", csValid], ["customer-support-alt", seeds["customer-support-alt"]],
      ...["research-agent", "topic-assistant", "code-assistant"].map((t) => [t, seeds[t]])];
    return all.filter(([, s]) => s[cap] !== undefined).map(([n, s]) => [`${n}.${cap}`, s[cap]]);
  };
  for (const cap of CAPABILITY_ORDER) {
    const schema = { $schema: D7, ...caps[cap].schema };
    const [first, ...rest] = seedSections(cap);
    const name = `capability-${cap}`;
    const inst = mutateAll(schema, makeResolver(schema, remotes), {
      primary: [first], secondary: rest, extras: [["invalid seed section", csInvalid[cap]], ...generic], combos: 60,
    }, rngFor(name));
    emit(name, schema, inst);
  }

  // (a)+(b) compositions, namespaced one key per capability / inline section
  const csSections = CAPABILITY_ORDER.map((k) => [k, caps[k].schema]);
  const csSeeds = {
    primary: [["customer-support.valid", csValid]],
    secondary: [["customer-support-alt", seeds["customer-support-alt"]]],
    extras: [["customer-support.invalid (six violations)", csInvalid], ["unknown section", { ...csValid, web_search: { enabled: true } }], ...generic],
    combos: 200,
  };
  const compositions = [
    ["customer-support-inline-draft7", composeInline("Customer Support Agent", csSections, D7), csSeeds, []],
    ["customer-support-inline-2020-12", composeInline("Customer Support Agent", csSections, D2020), csSeeds, []],
    ["customer-support-inline-2020-12-annotate", composeInline("Customer Support Agent", csSections, D2020), csSeeds, ["--formats", "annotate"]],
    ["customer-support-remote-draft7", composeRemote("Customer Support Agent", csSections, D7), csSeeds, remoteArgs],
  ];
  for (const [id, tpl] of Object.entries(templates)) {
    const sections = templateSections(tpl, caps);
    const seedName = id === "customer-support-agent" ? null : id;
    const tplSeeds = seedName
      ? { primary: [[seedName, seeds[seedName]]], secondary: [], extras: [["unknown section", { ...seeds[seedName], rag: {} }], ...generic], combos: 150 }
      : csSeeds;
    compositions.push([`template-${id}-draft7`, composeRefs(tpl.name, sections, D7), tplSeeds, []]);
    compositions.push([`template-${id}-2020-12`, composeRefs(tpl.name, sections, D2020), tplSeeds, []]);
  }
  for (const [name, schema, seedSet, args] of compositions) {
    emit(name, schema, mutateAll(schema, makeResolver(schema, remotes), seedSet, rngFor(name)), args);
  }

  // (c) targeted schemas
  for (const t of TARGETED) {
    const seen = new Set();
    const inst = [];
    const all = [...t.instances.map((v, i) => [v, `targeted #${i + 1}`])];
    if (!t.name.startsWith("bad-schema") && t.name !== "jsonl-edges") all.push(...generic.map(([n, v]) => [v, n]));
    for (const [v, label] of all) {
      const text = toJson(v);
      if (seen.has(text)) continue;
      seen.add(text);
      inst.push({ text, label: `${label}: ${text.length > 80 ? text.slice(0, 77) + "..." : text}` });
    }
    emit(t.name, t.schema, inst, t.args || []);
  }

  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  return { out, manifest };
}

// ---------------------------------------------------------------------------------------------
// Bundles: the catalog's templates as `capconf schema` bundles them, for each allowed set

export const VARIANT_2020_SUFFIX = "-2020";

/** dest := a copy of catalogDir plus, per template, "<template_id>-2020": the same file with the
 *  id suffixed and `"$schema": "https://json-schema.org/draft/2020-12/schema"` in its
 *  config_schema. Returns dest. */
export function makeBundleCatalog(dest, catalogDir = CATALOG_DIR) {
  rmSync(dest, { recursive: true, force: true });
  cpSync(catalogDir, dest, { recursive: true });
  const dir = join(dest, "templates");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const t = readJson(join(dir, f));
    const { $schema, ...rest } = t.config_schema;
    const id = t.template_id + VARIANT_2020_SUFFIX;
    const variant = { ...t, template_id: id, config_schema: { $schema: D2020, ...rest } };
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(variant, null, 2) + "\n");
  }
  return dest;
}

export const bundleName = (templateId, set) => `bundle-${templateId}-${set.length ? set.join("+") : "none"}`;

/** Asks capconf (argv of the binary) for the templates of catalogDir and, per template x allowed
 *  set whose bundle name passes `filter`, the bundle and its initial configuration.
 *  Returns {templates, bundles: [{name, template, base, set, sections, offered, schemaText,
 *  defaultsText}], problems: [text]}; each problem is a bundle that could not be had. */
export function fetchBundles(capconf, catalogDir, { filter = null, timeoutS = 300 } = {}) {
  const run = (args) => {
    const r = spawnSync(capconf[0], [...capconf.slice(1), ...args], { encoding: "utf8", timeout: timeoutS * 1000, maxBuffer: 256 << 20 });
    return { ...r, line: `${capconf.join(" ")} ${args.join(" ")}` };
  };
  const problems = [];
  const t = run(["templates", "--catalog", catalogDir, "--output", "json"]);
  let templates = null;
  try {
    if (t.status === 0) templates = JSON.parse(t.stdout);
  } catch {
    // reported below
  }
  if (!Array.isArray(templates)) {
    return { templates: [], bundles: [], problems: [`${t.line}: exit ${t.status}${t.error ? ` (${t.error.message})` : ""}, ` +
      `no JSON array of templates\n  stderr: ${(t.stderr || "").trim().slice(0, 600)}`] };
  }
  const ids = new Set(templates.map((x) => x.template_id));
  const bundles = [];
  for (const tpl of templates) {
    const id = tpl.template_id;
    const stripped = id.endsWith(VARIANT_2020_SUFFIX) ? id.slice(0, -VARIANT_2020_SUFFIX.length) : null;
    for (const set of tpl.allowed_sets || []) {
      const name = bundleName(id, set);
      if (filter && !filter.test(name)) continue;
      const args = ["schema", "--catalog", catalogDir, id, "--capabilities", set.join(",")];
      const s = run(args);
      const d = run([...args, "--defaults"]);
      const bad = [s, d].filter((r) => r.status !== 0 || r.stdout.trim() === "");
      if (bad.length) {
        for (const r of bad) problems.push(`${name}: ${r.line}: exit ${r.status}\n  stderr: ${(r.stderr || "").trim().slice(0, 600)}`);
        continue;
      }
      bundles.push({ name, template: id, base: stripped && ids.has(stripped) ? stripped : id, set, sections: tpl.sections,
        offered: tpl.capabilities, schemaText: s.stdout.trim(), defaultsText: d.stdout.trim() });
    }
  }
  return { templates, bundles, problems };
}

/** The committed sources and the catalog's capabilities ({id: file}). */
export function loadSources(catalogDir = CATALOG_DIR) {
  const capDir = join(catalogDir, "capabilities");
  const capabilities = {};
  for (const f of readdirSync(capDir).filter((n) => n.endsWith(".json")).sort()) {
    const c = readJson(join(capDir, f));
    capabilities[c.id] = c;
  }
  return {
    csValid: readJson(join(SOURCES, "customer-support.valid.json")),
    seeds: readJson(join(SOURCES, "seeds.json")),
    capabilities,
  };
}

/** The configurations of one bundle (`bundle` as fetchBundles gives it; `schema` its parsed
 *  bundle). A section's sample is the template's seed section (customer-support.valid.json for
 *  customer-support-agent, seeds.json's entry for the others), else seeds.json's `sections`, else
 *  customer-support.valid.json's. Returns
 *   valid:    one key per section present in the bundle (its `properties`), nothing else;
 *   alt:      valid with the inline sections' second samples (null when there are none);
 *   disabled: [{capability, config}] valid plus the section of an offered but disabled capability;
 *   unknown:  [{key, config}] valid plus a key that is no section of the template. */
export function bundleConfigs(bundle, schema, src = loadSources()) {
  const { csValid, seeds, capabilities } = src;
  const tplSeed = bundle.base === "customer-support-agent" ? csValid : seeds[bundle.base] || {};
  const sample = (key) => tplSeed[key] ?? seeds.sections?.[key] ?? csValid[key];
  const present = Object.keys(schema?.properties || {});
  const valid = {};
  for (const key of present) {
    const v = sample(key);
    if (v === undefined) throw new Error(`${bundle.name}: no sample for the section "${key}" (add one to seeds.json's "sections")`);
    valid[key] = v;
  }
  let alt = null;
  for (const sec of bundle.sections) {
    const second = seeds.sections?.[sec.key];
    if (sec.capability === null && present.includes(sec.key) && second !== undefined && toJson(second) !== toJson(valid[sec.key])) {
      alt = { ...(alt || valid), [sec.key]: second };
    }
  }
  const disabled = [];
  for (const sec of bundle.sections) {
    if (!sec.capability || !bundle.offered.includes(sec.capability) || bundle.set.includes(sec.capability)) continue;
    const v = sample(sec.key);
    if (v === undefined) throw new Error(`${bundle.name}: no sample for the disabled section "${sec.key}"`);
    disabled.push({ capability: sec.capability, key: sec.key, config: { ...valid, [sec.key]: v } });
  }
  const keys = new Set(bundle.sections.map((x) => x.key));
  const unknown = [{ key: "x_unknown", config: { ...valid, x_unknown: {} } }];
  const foreign = Object.keys(capabilities).find((id) => !keys.has(id) && seeds.sections?.[id] !== undefined);
  if (foreign) unknown.push({ key: foreign, config: { ...valid, [foreign]: seeds.sections[foreign] } });
  return { valid, alt, disabled, unknown };
}

/** Writes the `bundle-*` cases (and a `catalog-capability-ID` case for each catalog capability
 *  that no template offers but seeds.json has a sample of) into `out` next to generate()'s, and
 *  appends them to its manifest.json. Instances of a bundle case: its valid configuration, the
 *  initial configuration (`capconf schema --defaults`, as printed), the alternative valid one,
 *  each disabled capability's section present (with its sample, and with every value null: both
 *  valid, nothing validates a disabled section), unknown top-level keys (invalid: propertyNames;
 *  also `__proto__`), the generic non-objects, then a random `maxSingles` of the schema-aware
 *  single mutations of the valid configuration and `combos` combinations.
 *  Manifest extras: `expect` [{line, valid}] (what the reference must say) and `templateCheck`
 *  {template, capabilities, file} (a file to validate with --template as well as --schema).
 *  Returns {manifest: the added entries, problems: [text]}. */
export function generateBundles({ out = DEFAULT_OUT, seed = DEFAULT_SEED, bundles, templates = [], catalogDir = CATALOG_DIR,
  filter = null, maxSingles = 260, combos = 40 } = {}) {
  out = resolve(out);
  const src = loadSources(catalogDir);
  const added = [];
  const problems = [];
  const emit = makeEmitter(out, added);
  const rngFor = (name) => mulberry32((seed ^ hashString(name)) >>> 0);
  const generic = [["generic null", null], ["generic []", []], ["generic string", "x"]];
  const finish = (name, list, expected) => {
    const expect = [];
    list.forEach((inst, i) => {
      if (expected.has(inst.text)) expect.push({ line: i + 1, valid: expected.get(inst.text) });
    });
    return expect;
  };

  for (const b of bundles) {
    let schema;
    let cfg;
    try {
      schema = JSON.parse(b.schemaText);
      cfg = bundleConfigs(b, schema, src);
    } catch (e) {
      problems.push(`${b.name}: ${e.message}`);
      continue;
    }
    const expected = new Map();
    const extras = [];
    const extra = (label, value, valid) => {
      extras.push([label, value]);
      if (valid !== undefined) expected.set(toJson(value), valid);
    };
    expected.set(toJson(cfg.valid), true);
    extra("initial configuration (capconf schema --defaults)", new Raw(b.defaultsText));
    if (cfg.alt) extra("valid config with the inline sections' second samples", cfg.alt, true);
    for (const d of cfg.disabled) {
      extra(`disabled capability ${d.capability}: its section present`, d.config, true);
      const nulls = Object.fromEntries(Object.keys(d.config[d.key]).map((k) => [k, null]));
      extra(`disabled capability ${d.capability}: its section present, every value null`, { ...d.config, [d.key]: nulls }, true);
    }
    for (const u of cfg.unknown) extra(`unknown top-level key ${u.key}`, u.config, false);
    const protoText = toJson(cfg.valid).replace(/\}$/, ',"__proto__":{}}');
    extra("unknown top-level key __proto__", new Raw(protoText), false);
    expected.set(protoText, false);
    const list = mutateAll(schema, makeResolver(schema, new Map()), {
      primary: [["valid config", cfg.valid]], extras: [...extras, ...generic], combos, maxSingles,
    }, rngFor(b.name));
    const expect = finish(b.name, list, expected);
    const pickIdx = Math.max(0, list.findIndex((x) => x.label.includes(": combo ")));
    const checkRel = `files/${b.name}/template-check.json`;
    emit(b.name, schema, list, [], {
      schemaText: b.schemaText + "\n",
      manifest: { expect, bundle: { template: b.template, capabilities: b.set.join(",") },
        templateCheck: { template: b.template, capabilities: b.set.join(","), file: checkRel, line: pickIdx + 1 } },
    });
    writeFileSync(join(out, checkRel), list[pickIdx].text + "\n");
  }

  const offered = new Set(templates.flatMap((t) => (t.sections || []).map((s) => s.capability).filter(Boolean)));
  for (const [id, cap] of Object.entries(src.capabilities)) {
    const name = `catalog-capability-${id}`;
    const sampleSection = src.seeds.sections?.[id];
    if (offered.has(id) || sampleSection === undefined || (filter && !filter.test(name))) continue;
    const schema = { $schema: D7, ...cap.schema };
    const list = mutateAll(schema, makeResolver(schema, new Map()), {
      primary: [[`seeds.sections.${id}`, sampleSection]], extras: generic, combos: 20, maxSingles: 120,
    }, rngFor(name));
    emit(name, schema, list, [], { manifest: { expect: finish(name, list, new Map([[toJson(sampleSection), true]])) } });
  }

  const manifestPath = join(out, "manifest.json");
  const manifest = existsSync(manifestPath) ? readJson(manifestPath) : [];
  writeFileSync(manifestPath, JSON.stringify([...manifest, ...added], null, 1) + "\n");
  return { manifest: added, problems };
}

function main() {
  const argv = process.argv.slice(2);
  let out = DEFAULT_OUT;
  let seed = DEFAULT_SEED;
  let capconf = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i] === "--seed") seed = Number(argv[++i]);
    else if (argv[i] === "--capconf") capconf = resolve(argv[++i]);
    else {
      process.stderr.write("usage: generate.mjs [--out DIR] [--seed N] [--capconf BIN]\n");
      process.exit(2);
    }
  }
  let { manifest } = generate({ out, seed });
  if (capconf) {
    // The bundle cases need the binary: `capconf templates` / `capconf schema` on DIR/catalog.
    const catalogDir = makeBundleCatalog(join(resolve(out), "catalog"));
    const fetched = fetchBundles([capconf], catalogDir);
    const gen = generateBundles({ out, seed, bundles: fetched.bundles, templates: fetched.templates, catalogDir });
    for (const p of [...fetched.problems, ...gen.problems]) process.stderr.write(`error: ${p}\n`);
    manifest = manifest.concat(gen.manifest);
  }
  const total = manifest.reduce((n, m) => n + m.count, 0);
  process.stdout.write(`generated ${manifest.length} schemas, ${total} instances in ${resolve(out)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
