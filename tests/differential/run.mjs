#!/usr/bin/env node
// Differential test: capconf's validator against ajv configured as @rjsf/validator-ajv8 does.
//
//   node tests/differential/run.mjs --capconf build/release/capconf [options]
//
// Options:
//   --capconf CMD       the capconf binary, or a command line ("node tools/ajv/validate.mjs" runs
//                       the reference against itself); `validate ...` is appended to it
//   --ajv FILE          the reference validator (default tools/ajv/validate.mjs)
//   --work DIR          where the corpus is generated (default: a fresh temporary directory,
//                       removed afterwards unless --keep)
//   --keep              keep the temporary work directory
//   --seed N            generator seed (default: generate.mjs's)
//   --filter REGEX      only schemas whose name matches
//   --jobs N            schemas checked at once (default 2)
//   --timeout S         seconds allowed for one run of either tool (default 300)
//   --max-report N      disagreements printed in full (default 200; the rest are counted)
//   --exclusions FILE   default tests/differential/exclusions.json
//   --no-bundles        leave out the catalog's bundles (below)
//
// For every schema, both tools validate the same JSON Lines (`--output json -`) and the first
// instances again as files. Per instance they must agree on (1) the verdict and (2) the multiset
// of (instancePath, keyword) of the errors; a line that is not JSON must be an error for both.
// Where ajv rejects the schema (exit 2, no output) capconf must reject it too. A differing exit
// code is one more failure for that run. Excluded instances are reported, not failed, and
// counted in neither number. The last line is `differential: N passed, M failed`.
//
// Bundles (when --capconf is a real binary, not a node script): WORK/catalog is made, a copy of
// catalog/ plus a 2020-12 variant "<id>-2020" of each template; for every template x allowed set
// (`capconf templates --catalog`) the bundle (`capconf schema --catalog WORK/catalog T
// --capabilities S`) becomes a case `bundle-T-S1+S2` (see generate.mjs's generateBundles). Beside
// the comparison above: the reference must give the verdicts the case expects (valid
// configuration valid, disabled sections kept, unknown top-level keys rejected), and for one file
// per bundle `capconf validate --template T --capabilities S --catalog WORK/catalog` must print
// exactly what `capconf validate --schema BUNDLE` prints, with the same exit code. A bundle that
// cannot be had is a failure too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { DEFAULT_SEED, fetchBundles, generate, generateBundles, makeBundleCatalog } from "./generate.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const AJV_DIR = join(ROOT, "tools", "ajv");

function usage(msg) {
  process.stderr.write(`error: ${msg}\nusage: run.mjs --capconf CMD [--ajv FILE] [--work DIR] [--keep] [--seed N] ` +
    `[--filter REGEX] [--jobs N] [--timeout S] [--max-report N] [--exclusions FILE] [--no-bundles]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { capconf: null, ajv: join(AJV_DIR, "validate.mjs"), work: null, keep: false, seed: DEFAULT_SEED, filter: null,
    jobs: 2, timeout: 300, maxReport: 200, exclusions: join(HERE, "exclusions.json"), bundles: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    switch (a) {
      case "--capconf": o.capconf = val(); break;
      case "--ajv": o.ajv = resolve(val()); break;
      case "--work": o.work = resolve(val()); break;
      case "--keep": o.keep = true; break;
      case "--seed": o.seed = Number(val()); break;
      case "--filter": o.filter = new RegExp(val()); break;
      case "--jobs": o.jobs = Math.max(1, Number(val())); break;
      case "--timeout": o.timeout = Number(val()); break;
      case "--max-report": o.maxReport = Number(val()); break;
      case "--exclusions": o.exclusions = resolve(val()); break;
      case "--no-bundles": o.bundles = false; break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.capconf) usage("--capconf is required");
  return o;
}

// "path/to/capconf" or "node tools/ajv/validate.mjs" -> argv; a lone .mjs/.js file runs under node.
function commandOf(spec) {
  const parts = spec.trim().split(/\s+/);
  if (parts.length === 1 && /\.(c|m)?js$/.test(parts[0])) return [process.execPath, resolve(parts[0])];
  if (parts[0] === "node") parts[0] = process.execPath;
  else if (parts[0].includes("/")) parts[0] = resolve(parts[0]);
  for (let i = 1; i < parts.length; i++) if (/\.(c|m)?js$/.test(parts[i]) && existsSync(parts[i])) parts[i] = resolve(parts[i]);
  return parts;
}

function ensureAjvInstalled() {
  if (existsSync(join(AJV_DIR, "node_modules", "ajv", "package.json")) && existsSync(join(AJV_DIR, "node_modules", "ajv-formats", "package.json"))) return;
  process.stdout.write("tools/ajv: node_modules missing, running npm ci\n");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: AJV_DIR, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write("error: npm ci in tools/ajv failed\n");
    process.exit(2);
  }
}

function runTool(cmd, args, stdinFile, timeoutS) {
  return new Promise((res) => {
    const stdinFd = stdinFile ? openSync(stdinFile, "r") : "ignore";
    const child = spawn(cmd[0], [...cmd.slice(1), ...args], { stdio: [stdinFd, "pipe", "pipe"] });
    if (typeof stdinFd === "number") closeSync(stdinFd);
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", (e) => {
      clearTimeout(timer);
      res({ code: -1, stdout: "", stderr: `cannot run ${cmd.join(" ")}: ${e.message}`, timedOut });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code: code ?? -1, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), timedOut });
    });
  });
}

// Output lines keyed "line:N" (stdin) or "file:PATH"; lines that are not JSON objects are kept apart.
function parseOutput(stdout) {
  const byKey = new Map();
  const junk = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    let o;
    try {
      o = JSON.parse(line);
    } catch {
      junk.push(line);
      continue;
    }
    if (o && typeof o === "object" && Number.isInteger(o.line)) byKey.set(`line:${o.line}`, o);
    else if (o && typeof o === "object" && typeof o.instance === "string") byKey.set(`file:${o.instance}`, o);
    else junk.push(line);
  }
  return { byKey, junk };
}

const pairKey = (e) => `${e?.instancePath}\u0000${e?.keyword}`;
function multiset(errors) {
  const m = new Map();
  for (const e of Array.isArray(errors) ? errors : []) m.set(pairKey(e), (m.get(pairKey(e)) || 0) + 1);
  return m;
}
function msDiff(a, b) {
  const only = [];
  for (const [k, n] of a) {
    const d = n - (b.get(k) || 0);
    if (d > 0) only.push(`${k.replace("\u0000", " ") || "(root)"}${d > 1 ? ` x${d}` : ""}`);
  }
  return only;
}

/** null when the two agree, else a reason. */
function compareOne(c, a, bothRejectedSchema, cCode, aCode) {
  if (!a && !c) return bothRejectedSchema ? null : `neither tool printed a result (exit codes: capconf ${cCode}, ajv ${aCode})`;
  if (!c) return aCode === 2 ? "capconf printed no result" : `capconf printed no result (exit ${cCode}${cCode === 2 ? ": it rejected the schema or an argument" : ""})`;
  if (!a) return aCode === 2 ? `ajv rejected the schema (exit 2) but capconf validated against it` : "ajv printed no result";
  const cErr = "error" in c;
  const aErr = "error" in a;
  if (cErr || aErr) return cErr && aErr ? null : `not-JSON verdict differs (capconf ${cErr ? "error" : "validated"}, ajv ${aErr ? "error" : "validated"})`;
  if (typeof c.valid !== "boolean") return "capconf result has no boolean `valid`";
  if (c.valid !== a.valid) return `verdict differs: capconf ${c.valid ? "valid" : "invalid"}, ajv ${a.valid ? "valid" : "invalid"}`;
  const mc = multiset(c.errors);
  const ma = multiset(a.errors);
  const onlyC = msDiff(mc, ma);
  const onlyA = msDiff(ma, mc);
  if (onlyC.length || onlyA.length) {
    return `errors differ: only capconf [${onlyC.join(", ") || "none"}], only ajv [${onlyA.join(", ") || "none"}]`;
  }
  return null;
}

const clip = (s, n) => (s.length > n ? s.slice(0, n) + `... (${s.length} chars)` : s);
const summarize = (o) => {
  if (!o) return "(nothing)";
  if ("error" in o) return `not JSON: ${o.error}`;
  const errs = (o.errors || []).map((e) => `${e.instancePath || "(root)"} ${e.keyword}`).join(", ");
  return `${o.valid ? "valid" : "invalid"}${errs ? `  [${errs}]` : ""}`;
};

async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  ensureAjvInstalled();
  const capconf = commandOf(o.capconf);
  const ajv = [process.execPath, o.ajv];
  const ver = (p) => {
    try {
      return JSON.parse(readFileSync(join(AJV_DIR, "node_modules", p, "package.json"), "utf8")).version;
    } catch {
      return "?";
    }
  };
  const work = o.work || mkdtempSync(join(tmpdir(), "capconf-differential-"));
  const { manifest } = generate({ out: work, seed: o.seed });
  // The bundles need `capconf templates` and `capconf schema`: only a real binary has them.
  const isReference = capconf[0] === process.execPath;
  const catalogDir = join(work, "catalog");
  const setupProblems = [];
  let bundleCount = 0;
  if (o.bundles && !isReference) {
    makeBundleCatalog(catalogDir);
    const fetched = fetchBundles(capconf, catalogDir, { filter: o.filter, timeoutS: o.timeout });
    const gen = generateBundles({ out: work, seed: o.seed, bundles: fetched.bundles, templates: fetched.templates, catalogDir, filter: o.filter });
    manifest.push(...gen.manifest);
    setupProblems.push(...fetched.problems, ...gen.problems);
    bundleCount = gen.manifest.filter((m) => m.bundle).length;
  }
  const entries = manifest.filter((m) => !o.filter || o.filter.test(m.name));
  const exclusions = existsSync(o.exclusions) ? JSON.parse(readFileSync(o.exclusions, "utf8")) : [];
  const excluded = (schema, line) => exclusions.find((x) => x.schema === schema && (x.line === undefined || x.line === line));

  process.stdout.write(`capconf: ${capconf.join(" ")}\n`);
  process.stdout.write(`ajv:     ${ajv.join(" ")} (ajv ${ver("ajv")}, ajv-formats ${ver("ajv-formats")}, node ${process.version})\n`);
  process.stdout.write(`corpus:  ${work} (${entries.length} schemas, seed ${o.seed})\n`);
  if (o.bundles && !isReference) process.stdout.write(`bundles: ${bundleCount} from ${catalogDir} (capconf templates/schema --catalog)\n`);

  let passed = 0;
  let failed = 0;
  let excludedCount = 0;
  let reported = 0;
  const perSchema = new Map();
  const usedExclusions = new Set();

  const fail = (m, where, reason, detail) => {
    failed++;
    perSchema.set(m.name, (perSchema.get(m.name) || 0) + 1);
    if (reported++ < o.maxReport) process.stdout.write(`\nFAIL ${m.name} ${where}: ${reason}\n${detail}`);
  };
  for (const p of setupProblems) fail({ name: "bundles" }, "setup", "a bundle case could not be made", `  ${p}\n`);

  const results = await pool(entries, o.jobs, async (m) => {
    const schema = join(work, m.schema);
    const base = ["validate", "--schema", schema, ...m.args, "--output", "json"];
    const stdinFile = join(work, m.instances);
    const files = m.files.map((f) => join(work, f.path));
    const tc = m.templateCheck;
    const tcFile = tc ? join(work, tc.file) : null;
    const [cL, aL, cF, aF, cT, cS] = await Promise.all([
      runTool(capconf, [...base, "-"], stdinFile, o.timeout),
      runTool(ajv, [...base, "-"], stdinFile, o.timeout),
      files.length ? runTool(capconf, [...base, ...files], null, o.timeout) : null,
      files.length ? runTool(ajv, [...base, ...files], null, o.timeout) : null,
      tc ? runTool(capconf, ["validate", "--template", tc.template, "--capabilities", tc.capabilities, "--catalog", catalogDir,
        "--output", "json", tcFile], null, o.timeout) : null,
      tc ? runTool(capconf, ["validate", "--schema", schema, "--output", "json", tcFile], null, o.timeout) : null,
    ]);
    return { m, schema, files, cL, aL, cF, aF, cT, cS, tcFile };
  });

  for (const { m, schema, files, cL, aL, cF, aF, cT, cS, tcFile } of results) {
    const texts = readFileSync(join(work, m.instances), "utf8").split("\n");
    const labels = JSON.parse(readFileSync(join(work, m.labels), "utf8"));
    const header = (runC, runA) =>
      `  schema:   ${schema}\n  args:     ${m.args.join(" ")}\n` +
      (runC.stderr.trim() ? `  capconf stderr: ${clip(runC.stderr.trim(), 600)}\n` : "") +
      (runA.stderr.trim() ? `  ajv stderr:     ${clip(runA.stderr.trim(), 600)}\n` : "");

    const expectOf = new Map((m.expect || []).map((x) => [x.line, x.valid]));
    const check = (mode, runC, runA, keys) => {
      if (runC.timedOut || runA.timedOut) {
        fail(m, mode, `${runC.timedOut ? "capconf" : "ajv"} timed out after ${o.timeout}s`, header(runC, runA));
      }
      const pc = parseOutput(runC.stdout);
      const pa = parseOutput(runA.stdout);
      const bothRejected = runC.code === 2 && runA.code === 2 && pa.byKey.size === 0 && pc.byKey.size === 0;
      for (const { key, line, label } of keys) {
        const c = pc.byKey.get(key);
        const a = pa.byKey.get(key);
        // What the corpus knows the verdict must be (bundle cases): checks the corpus and the reference.
        if (mode === "stdin" && expectOf.has(line) && a?.valid !== expectOf.get(line)) {
          fail(m, `${mode} line ${line}`, `the reference says ${a ? (a.valid ? "valid" : "invalid") : "nothing"}, the corpus expects ` +
            `${expectOf.get(line) ? "valid" : "invalid"}`, header(runC, runA) + `  instance: ${clip(texts[line - 1] ?? "", 400)}\n` +
            `  label:    ${label}\n  ajv:      ${clip(summarize(a), 800)}\n  capconf:  ${clip(summarize(c), 800)}\n`);
        }
        const reason = compareOne(c, a, bothRejected, runC.code, runA.code);
        const ex = excluded(m.name, line);
        if (reason === null) {
          passed++;
          continue;
        }
        const detail = header(runC, runA) +
          `  instance: ${clip(texts[line - 1] ?? "", 400)}\n` +
          `  label:    ${label}\n` +
          `  capconf:  ${clip(summarize(c), 800)}\n  ajv:      ${clip(summarize(a), 800)}\n` +
          `  capconf raw: ${clip(c ? JSON.stringify(c) : "(none)", 1500)}\n  ajv raw:     ${clip(a ? JSON.stringify(a) : "(none)", 1500)}\n`;
        if (ex) {
          excludedCount++;
          usedExclusions.add(ex);
          process.stdout.write(`\nEXCLUDED ${m.name} ${mode} line ${line} (${ex.reason}): ${reason}\n`);
          continue;
        }
        fail(m, `${mode} line ${line}`, reason, detail);
      }
      const expected = new Set(keys.map((k) => k.key));
      const extra = [...pc.byKey.keys()].filter((k) => !expected.has(k));
      if (pc.junk.length || extra.length) {
        fail(m, mode, `capconf printed ${pc.junk.length} line(s) that are not result objects and ${extra.length} unexpected result(s)`,
          header(runC, runA) + `  e.g.: ${clip(pc.junk[0] ?? extra[0], 400)}\n`);
      }
      if (runC.code !== runA.code) {
        fail(m, mode, `exit code differs: capconf ${runC.code}${runC.signal ? ` (${runC.signal})` : ""}, ajv ${runA.code}`, header(runC, runA));
      }
    };

    const lineKeys = [];
    for (let n = 1; n <= m.count; n++) lineKeys.push({ key: `line:${n}`, line: n, label: labels[n - 1] });
    check("stdin", cL, aL, lineKeys);
    if (cF && aF) check("files", cF, aF, m.files.map((f, i) => ({ key: `file:${files[i]}`, line: f.line, label: labels[f.line - 1] })));
    if (cT && cS) {
      const tc = m.templateCheck;
      const args = `validate --template ${tc.template} --capabilities ${tc.capabilities} --catalog ${catalogDir} --output json ${tcFile}`;
      if (cT.stdout === cS.stdout && cT.code === cS.code && !cT.timedOut && !cS.timedOut) passed++;
      else {
        fail(m, "--template", cT.stdout !== cS.stdout ? "validate --template prints something else than validate --schema BUNDLE"
          : `exit code differs: --template ${cT.code}, --schema ${cS.code}`,
          `  capconf ${args}\n    exit ${cT.code}: ${clip(cT.stdout.trim() || "(nothing)", 1500)}\n` +
          (cT.stderr.trim() ? `    stderr: ${clip(cT.stderr.trim(), 600)}\n` : "") +
          `  capconf validate --schema ${schema} --output json ${tcFile}\n    exit ${cS.code}: ${clip(cS.stdout.trim() || "(nothing)", 1500)}\n` +
          (cS.stderr.trim() ? `    stderr: ${clip(cS.stderr.trim(), 600)}\n` : "") +
          `  instance: line ${tc.line}, ${labels[tc.line - 1]}\n`);
      }
    }
  }

  if (reported > o.maxReport) process.stdout.write(`\n(${reported - o.maxReport} more disagreements not printed; raise --max-report)\n`);
  if (perSchema.size) {
    process.stdout.write("\nfailures per schema:\n");
    for (const [name, n] of [...perSchema].sort((x, y) => y[1] - x[1])) process.stdout.write(`  ${String(n).padStart(6)}  ${name}\n`);
  }
  const stale = exclusions.filter((x) => !usedExclusions.has(x) && (!o.filter || o.filter.test(x.schema)));
  for (const x of stale) process.stdout.write(`note: exclusion not needed any more: ${JSON.stringify(x)}\n`);
  if (excludedCount) process.stdout.write(`excluded: ${excludedCount} (listed in ${o.exclusions})\n`);
  if (!o.work && !o.keep) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`corpus kept in ${work}\n`);
  process.stdout.write(`differential: ${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
