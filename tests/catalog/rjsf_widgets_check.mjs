#!/usr/bin/env node
// Checks that rjsf's widget names are still what tests/catalog/rjsf_widgets.json recorded: the
// output of `node tools/rjsf/widgets.mjs` (@rjsf/core's registered widgets and, per type, the
// `ui:widget` aliases of @rjsf/utils' getWidget), which capconf's catalog lint mirrors
// (src/catalog/lint.cc: RjsfRegisteredWidgets, RjsfAliases).
//
//   node tests/catalog/rjsf_widgets_check.mjs            compare (runs `npm ci` in tools/rjsf
//                                                        when node_modules is missing)
//   node tests/catalog/rjsf_widgets_check.mjs --update   rewrite the snapshot from the live output
//
// On a difference it prints what was added, removed or reordered and a line diff of the two
// documents, and exits 1 (also when widgets.mjs itself fails). On success it prints
// `rjsf widgets: snapshot matches`. Exit 2 on a usage or setup error.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const RJSF_DIR = join(ROOT, "tools", "rjsf");
const SNAPSHOT = join(HERE, "rjsf_widgets.json");

const argv = process.argv.slice(2);
const update = argv.includes("--update");
if (argv.some((a) => a !== "--update")) {
  process.stderr.write("usage: rjsf_widgets_check.mjs [--update]\n");
  process.exit(2);
}

if (!["@rjsf/core", "@rjsf/utils"].every((p) => existsSync(join(RJSF_DIR, "node_modules", p, "package.json")))) {
  process.stdout.write("tools/rjsf: node_modules missing, running npm ci\n");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: RJSF_DIR, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write("error: npm ci in tools/rjsf failed\n");
    process.exit(2);
  }
}

const live = spawnSync(process.execPath, [join(RJSF_DIR, "widgets.mjs")], { cwd: RJSF_DIR, encoding: "utf8" });
if (live.status !== 0) {
  process.stdout.write(`tools/rjsf/widgets.mjs exited ${live.status}:\n${live.stderr}${live.stdout}`);
  process.stdout.write("rjsf widgets: the live output could not be had\n");
  process.exit(1);
}
const current = JSON.parse(live.stdout);

// Arrays on one line each, so a changed list is one changed line.
const pretty = (v) => {
  const lines = ["{"];
  const top = Object.entries(v);
  top.forEach(([k, val], i) => {
    const comma = i < top.length - 1 ? "," : "";
    if (Array.isArray(val)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(val)}${comma}`);
    else {
      lines.push(`  ${JSON.stringify(k)}: {`);
      const inner = Object.entries(val);
      inner.forEach(([k2, v2], j) => lines.push(`    ${JSON.stringify(k2)}: ${JSON.stringify(v2)}${j < inner.length - 1 ? "," : ""}`));
      lines.push(`  }${comma}`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
};

if (update) {
  writeFileSync(SNAPSHOT, pretty(current));
  process.stdout.write(`rjsf widgets: snapshot written to ${SNAPSHOT}\n`);
  process.exit(0);
}
if (!existsSync(SNAPSHOT)) {
  process.stderr.write(`error: ${SNAPSHOT} is missing (make it with --update)\n`);
  process.exit(2);
}
const snapshot = JSON.parse(readFileSync(SNAPSHOT, "utf8"));

// What differs, list by list: [where, snapshot value, live value].
const problems = [];
const compareList = (where, want, got) => {
  if (JSON.stringify(want) === JSON.stringify(got)) return;
  if (!Array.isArray(want) || !Array.isArray(got)) {
    problems.push(`${where}: snapshot ${JSON.stringify(want)}, live ${JSON.stringify(got)}`);
    return;
  }
  const added = got.filter((x) => !want.includes(x));
  const removed = want.filter((x) => !got.includes(x));
  if (added.length) problems.push(`${where}: added in rjsf ${JSON.stringify(added)}`);
  if (removed.length) problems.push(`${where}: gone from rjsf ${JSON.stringify(removed)}`);
  if (!added.length && !removed.length) problems.push(`${where}: same names in another order`);
};
for (const key of new Set([...Object.keys(snapshot), ...Object.keys(current)])) {
  const want = snapshot[key];
  const got = current[key];
  if (Array.isArray(want) || Array.isArray(got) || want === undefined || got === undefined) compareList(key, want, got);
  else for (const t of new Set([...Object.keys(want), ...Object.keys(got)])) compareList(`${key}.${t}`, want[t], got[t]);
}

if (problems.length) {
  const a = pretty(snapshot).split("\n");
  const b = pretty(current).split("\n");
  const diff = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) diff.push(`- ${a[i]}`);
    if (b[i] !== undefined) diff.push(`+ ${b[i]}`);
  }
  process.stdout.write(`rjsf's widget names differ from ${SNAPSHOT}:\n` + problems.map((p) => `  ${p}\n`).join("") +
    `diff (- snapshot, + live):\n` + diff.map((l) => `  ${l}\n`).join("") +
    "If rjsf changed on purpose, update src/catalog/lint.cc's tables and rerun with --update.\n");
  process.stdout.write("rjsf widgets: snapshot differs\n");
  process.exit(1);
}
process.stdout.write("rjsf widgets: snapshot matches\n");
