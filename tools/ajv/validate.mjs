#!/usr/bin/env node
// Reference validator with capconf's command line:
//
//   node tools/ajv/validate.mjs [validate] --schema SCHEMA.json
//        [--default-dialect draft7|2019-09|2020-12] [--formats assert|annotate]
//        [--remote URI_PREFIX=DIR]... [--output text|json] INSTANCE...
//
// INSTANCE is a file, or `-` for JSON Lines on stdin (one instance per line; blank lines are
// skipped but still counted). `--output json` prints one line per instance, in input order:
//   {"instance":"a.json","valid":true,"errors":[]}            (a file)
//   {"line":3,"valid":false,"errors":[{instancePath,schemaPath,keyword,params,message}]}
//   {"line":4,"error":"line 1, column 5: ..."}                  (a line that is not JSON)
// Exit: 0 all valid, 1 any invalid, 2 usage / unreadable file or line (not JSON) / bad schema,
// as capconf validate documents it.
import { readFileSync } from "node:fs";

import { addRemotes, createAjv, dialectOf, shapeError } from "./rjsf-ajv.mjs";

const USAGE =
  "usage: validate.mjs [validate] --schema SCHEMA.json [--default-dialect draft7|2019-09|2020-12]\n" +
  "       [--formats assert|annotate] [--remote URI_PREFIX=DIR]... [--output text|json] INSTANCE...\n" +
  "       INSTANCE is a JSON file or - (JSON Lines on stdin)\n";

class UsageError extends Error {}

function parseArgs(argv) {
  const args = { schema: null, defaultDialect: "draft7", formats: "assert", remotes: [], output: "text", instances: [] };
  let i = 0;
  if (argv[0] === "validate") i = 1;
  const valueOf = (name, inline) => {
    if (inline !== undefined) return inline;
    if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
    return argv[++i];
  };
  let onlyOperands = false;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (onlyOperands || a === "-" || !a.startsWith("--")) {
      args.instances.push(a);
      continue;
    }
    if (a === "--") {
      onlyOperands = true;
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    switch (name) {
      case "--schema":
        args.schema = valueOf(name, inline);
        break;
      case "--default-dialect": {
        const v = valueOf(name, inline);
        if (!["draft7", "2019-09", "2020-12"].includes(v)) throw new UsageError(`bad --default-dialect "${v}"`);
        args.defaultDialect = v;
        break;
      }
      case "--formats": {
        const v = valueOf(name, inline);
        if (v !== "assert" && v !== "annotate") throw new UsageError(`bad --formats "${v}"`);
        args.formats = v;
        break;
      }
      case "--remote": {
        const v = valueOf(name, inline);
        const k = v.indexOf("=");
        if (k <= 0 || k === v.length - 1) throw new UsageError(`--remote needs URI_PREFIX=DIR, got "${v}"`);
        args.remotes.push({ prefix: v.slice(0, k), dir: v.slice(k + 1) });
        break;
      }
      case "--output": {
        const v = valueOf(name, inline);
        if (v !== "text" && v !== "json") throw new UsageError(`bad --output "${v}"`);
        args.output = v;
        break;
      }
      case "--help":
        process.stdout.write(USAGE);
        process.exit(0);
      // falls through (never reached)
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  if (!args.schema) throw new UsageError("--schema is required");
  if (args.instances.length === 0) throw new UsageError("no INSTANCE given");
  return args;
}

// "line L, column C: message" for a JSON.parse failure of `text`.
function parseErrorText(text, err) {
  let pos = text.length;
  const m = /at position (\d+)/.exec(err.message);
  if (m) pos = Number(m[1]);
  let line = 1;
  let col = 1;
  for (let k = 0; k < pos && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  const msg = err.message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
  return `line ${line}, column ${col}: ${msg}`;
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n${USAGE}`);
    return 2;
  }

  let schema;
  try {
    schema = JSON.parse(readFileSync(args.schema, "utf8"));
  } catch (e) {
    process.stderr.write(`error: schema ${args.schema}: ${e.message}\n`);
    return 2;
  }
  let validate;
  try {
    const ajv = createAjv({ dialect: dialectOf(schema, args.defaultDialect), formats: args.formats });
    for (const r of args.remotes) addRemotes(ajv, r.prefix, r.dir);
    validate = ajv.compile(schema);
  } catch (e) {
    process.stderr.write(`error: schema ${args.schema}: ${e.message}\n`);
    return 2;
  }

  const json = args.output === "json";
  let out = [];
  let outLen = 0;
  const emit = (s) => {
    out.push(s);
    outLen += s.length;
    if (outLen > 1 << 16) flush();
  };
  const flush = () => {
    if (out.length) process.stdout.write(out.join(""));
    out = [];
    outLen = 0;
  };

  let anyInvalid = false;
  let anyUnreadable = false;

  const report = (where, label, data) => {
    const valid = validate(data);
    const errors = valid ? [] : (validate.errors || []).map(shapeError);
    if (!valid) anyInvalid = true;
    if (json) emit(JSON.stringify({ ...where, valid, errors }) + "\n");
    else {
      emit(`${label}: ${valid ? "valid" : "invalid"}\n`);
      for (const e of errors) emit(`  ${e.instancePath || "/"}: ${e.message} (${e.keyword} at ${e.schemaPath})\n`);
    }
  };
  const reportNotJson = (where, label, message) => {
    anyUnreadable = true;
    if (json) emit(JSON.stringify({ ...where, error: message }) + "\n");
    else emit(`${label}: error: ${message}\n`);
  };

  for (const inst of args.instances) {
    if (inst === "-") {
      let text;
      try {
        text = await readStdin();
      } catch (e) {
        process.stderr.write(`error: stdin: ${e.message}\n`);
        anyUnreadable = true;
        continue;
      }
      const lines = text.split("\n");
      if (lines.length && lines[lines.length - 1] === "") lines.pop(); // the final newline
      for (let n = 0; n < lines.length; n++) {
        const line = lines[n];
        if (line.trim() === "") continue;
        let data;
        try {
          data = JSON.parse(line);
        } catch (e) {
          reportNotJson({ line: n + 1 }, `line ${n + 1}`, parseErrorText(line, e));
          continue;
        }
        report({ line: n + 1 }, `line ${n + 1}`, data);
      }
      continue;
    }
    let text;
    try {
      text = readFileSync(inst, "utf8");
    } catch (e) {
      anyUnreadable = true;
      process.stderr.write(`error: ${inst}: ${e.message}\n`);
      if (json) emit(JSON.stringify({ instance: inst, error: `cannot read: ${e.code || e.message}` }) + "\n");
      else emit(`${inst}: error: cannot read: ${e.code || e.message}\n`);
      continue;
    }
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      reportNotJson({ instance: inst }, inst, parseErrorText(text, e));
      continue;
    }
    report({ instance: inst }, inst, data);
  }
  flush();
  return anyUnreadable ? 2 : anyInvalid ? 1 : 0;
}

process.exitCode = await main();
