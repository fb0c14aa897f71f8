#!/usr/bin/env node
// capconf's initial configuration against rjsf's: `capconf schema T --capabilities S --defaults
// [CONFIG]` must give what @rjsf/utils 6.11.1's getDefaultFormState gives for the same bundle
// (tools/rjsf/defaults.mjs, the reference; it runs `npm ci` in tools/rjsf when node_modules is
// missing).
//
//   node tests/catalog/rjsf_defaults.mjs --capconf PATH
//
// For every template x allowed set of the embedded catalog (`capconf templates --output json`),
// the bundle (`capconf schema T --capabilities S`) is given to both
//   - with no formData (capconf: `--defaults`; rjsf: formData undefined), and
//   - with formData = each valid configuration the differential test builds for that bundle
//     (tests/differential/generate.mjs bundleConfigs: the valid configuration, the one with the
//     inline sections' second samples, and the valid one plus the section of each offered but
//     disabled capability), written to a temporary file and passed as CONFIG (rjsf: formData).
// The two results must be equal as JSON values (numbers by value, object keys in any order).
//
// Normalisation (the one documented difference, src/catalog/include/capconf/catalog/defaults.h):
// for an absent array whose schema has `minItems` and whose item schema has no default, rjsf pads
// the array with `undefined` items up to minItems, which JSON.stringify prints as `null`; capconf
// leaves the array as the data had it. So a `null` element is dropped from rjsf's output, before
// comparing, only where it stems from that: the formData has no value there, a schema that
// applies to the array has minItems greater than the element's index, and no schema that applies
// to the element has a `default` or `const` or allows null. (The catalog has no null-typed
// items, so every other `null` is a real difference and is compared.)
//
// Each mismatch is printed with the template, the set, the formData, both outputs and the paths
// that differ. The last line is `rjsf defaults: N passed, M failed`; exit 1 on any failure, 2 on a
// usage or setup error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { bundleConfigs, loadSources, makeResolver, subschemasAt } from "../differential/generate.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const RJSF_DIR = join(ROOT, "tools", "rjsf");

function die(msg, code = 2) {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  let capconf = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--capconf" && i + 1 < argv.length) capconf = resolve(argv[++i]);
    else die(`unknown argument ${argv[i]}\nusage: rjsf_defaults.mjs --capconf PATH`);
  }
  if (!capconf) die("--capconf is required\nusage: rjsf_defaults.mjs --capconf PATH");
  return { capconf };
}

function ensureRjsfInstalled() {
  const need = ["@rjsf/utils", "@rjsf/validator-ajv8"];
  if (need.every((p) => existsSync(join(RJSF_DIR, "node_modules", p, "package.json")))) return;
  process.stdout.write("tools/rjsf: node_modules missing, running npm ci\n");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: RJSF_DIR, stdio: "inherit" });
  if (r.status !== 0) die("npm ci in tools/rjsf failed");
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 256 << 20 });
  if (r.error) die(`cannot run ${cmd}: ${r.error.message}`);
  return r;
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v) => (v === undefined ? "(absent)" : JSON.stringify(v));

/** The paths where a (capconf) and b (rjsf) differ: [{path, a, b}]. */
function diffPaths(a, b, path = "") {
  if (isObj(a) && isObj(b)) {
    const out = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      out.push(...diffPaths(a[k], b[k], `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffPaths(a[i], b[i], `${path}/${i}`));
    return out;
  }
  if (a === b) return [];
  return [{ path: path || "(root)", a, b }];
}

/** rjsf's output with the minItems padding nulls dropped (see the header); `dropped` lists them. */
function normalise(value, formData, schema, resolveRef) {
  const dropped = [];
  const walk = (v, data, path) => {
    if (Array.isArray(v)) {
      const out = [];
      const subs = v.some((x) => x === null) ? subschemasAt(schema, path, resolveRef) : [];
      const minItems = Math.max(0, ...subs.map((s) => (typeof s.minItems === "number" ? s.minItems : 0)));
      v.forEach((item, i) => {
        const dataItem = Array.isArray(data) ? data[i] : undefined;
        if (item === null && dataItem === undefined && i < minItems) {
          const itemSubs = subschemasAt(schema, [...path, i], resolveRef);
          const givesValue = itemSubs.some((s) => "default" in s || "const" in s ||
            s.type === "null" || (Array.isArray(s.type) && s.type.includes("null")));
          if (!givesValue) {
            dropped.push("/" + [...path, i].join("/"));
            return;
          }
        }
        out.push(walk(item, dataItem, [...path, i]));
      });
      return out;
    }
    if (isObj(v)) {
      const out = {};
      for (const k of Object.keys(v)) out[k] = walk(v[k], isObj(data) ? data[k] : undefined, [...path, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, formData, []), dropped };
}

function main() {
  const { capconf } = parseArgs(process.argv.slice(2));
  if (!existsSync(capconf)) die(`${capconf} does not exist`);
  ensureRjsfInstalled();

  const t = run(capconf, ["templates", "--output", "json"]);
  let templates;
  try {
    templates = JSON.parse(t.stdout);
  } catch {
    die(`capconf templates --output json: exit ${t.status}, no JSON\n${t.stderr}`);
  }

  const tmp = mkdtempSync(join(tmpdir(), "capconf-rjsf-defaults-"));
  const src = loadSources();
  const cases = [];
  const problems = [];
  for (const tpl of templates) {
    for (const set of tpl.allowed_sets) {
      const caps = set.join(",");
      const s = run(capconf, ["schema", tpl.template_id, "--capabilities", caps]);
      let schema;
      try {
        schema = JSON.parse(s.stdout);
      } catch {
        problems.push(`capconf schema ${tpl.template_id} --capabilities ${caps}: exit ${s.status}: ${s.stderr.trim()}`);
        continue;
      }
      const bundle = { name: `${tpl.template_id} [${caps}]`, template: tpl.template_id, base: tpl.template_id, set,
        sections: tpl.sections, offered: tpl.capabilities };
      const inputs = [{ label: "no formData", formData: undefined }];
      try {
        const c = bundleConfigs(bundle, schema, src);
        inputs.push({ label: "formData: the valid configuration", formData: c.valid });
        if (c.alt) inputs.push({ label: "formData: the valid configuration with the inline sections' second samples", formData: c.alt });
        for (const d of c.disabled) inputs.push({ label: `formData: the valid configuration + the disabled ${d.capability} section`, formData: d.config });
      } catch (e) {
        problems.push(e.message);
      }
      for (const input of inputs) {
        const args = ["schema", tpl.template_id, "--capabilities", caps, "--defaults"];
        if (input.formData !== undefined) {
          const file = join(tmp, `${cases.length}.json`);
          writeFileSync(file, JSON.stringify(input.formData) + "\n");
          args.push(file);
        }
        const r = run(capconf, args);
        cases.push({ template: tpl.template_id, caps, schema, ...input, args, capconfRun: r });
      }
    }
  }

  // One reference process for every case, JSON Lines in and out.
  const lines = cases.map((c) => JSON.stringify(c.formData === undefined ? { schema: c.schema } : { schema: c.schema, formData: c.formData }));
  const ref = run(process.execPath, [join(RJSF_DIR, "defaults.mjs")], lines.join("\n") + "\n");
  const refOut = ref.stdout.split("\n").filter((l) => l.trim() !== "");
  if (ref.status !== 0 || refOut.length !== cases.length) {
    die(`tools/rjsf/defaults.mjs: exit ${ref.status}, ${refOut.length} lines for ${cases.length} inputs\n${ref.stderr}`);
  }

  let passed = 0;
  let failed = 0;
  let paddingDropped = 0;
  for (const p of problems) {
    failed++;
    process.stdout.write(`\nFAIL setup: ${p}\n`);
  }
  cases.forEach((c, i) => {
    const head = `${c.template} [${c.caps}] ${c.label}`;
    const rjsfRaw = JSON.parse(refOut[i]);
    let mine;
    try {
      mine = c.capconfRun.status === 0 ? JSON.parse(c.capconfRun.stdout) : undefined;
    } catch {
      mine = undefined;
    }
    if (mine === undefined || "error" in rjsfRaw) {
      failed++;
      process.stdout.write(`\nFAIL ${head}\n  capconf ${c.args.join(" ")}: exit ${c.capconfRun.status}\n` +
        `    stdout: ${c.capconfRun.stdout.trim() || "(nothing)"}\n    stderr: ${c.capconfRun.stderr.trim() || "(nothing)"}\n` +
        `  rjsf: ${refOut[i]}\n`);
      return;
    }
    const { value: rjsf, dropped } = normalise(rjsfRaw, c.formData, c.schema, makeResolver(c.schema));
    paddingDropped += dropped.length;
    const diffs = diffPaths(mine, rjsf);
    if (diffs.length === 0) {
      passed++;
      return;
    }
    failed++;
    process.stdout.write(`\nFAIL ${head}\n` +
      (c.formData !== undefined ? `  formData: ${JSON.stringify(c.formData)}\n` : "") +
      `  capconf:  ${c.capconfRun.stdout.trim()}\n  rjsf:     ${refOut[i]}\n` +
      (dropped.length ? `  (rjsf's minItems padding dropped before comparing: ${dropped.join(", ")})\n` : "") +
      `  differs (capconf | rjsf):\n` + diffs.map((d) => `    ${d.path}: ${show(d.a)} | ${show(d.b)}\n`).join(""));
  });
  rmSync(tmp, { recursive: true, force: true });
  if (paddingDropped) process.stdout.write(`normalised: ${paddingDropped} minItems padding null(s) dropped from rjsf's output\n`);
  process.stdout.write(`rjsf defaults: ${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

process.exitCode = main();
