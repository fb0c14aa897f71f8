#!/usr/bin/env node
// The Node equivalent of `capconf validate --schema S --output json -`: reads JSON Lines from
// stdin, validates each line with ajv configured as @rjsf/validator-ajv8 does, and writes one
// line per instance, in order, in the CLI's shape:
//   {"line":N,"valid":true,"errors":[]}   {"line":N,"valid":false,"errors":[...]}
//   {"line":N,"error":"line 1, column C: ..."}   (not JSON)
// Streams (never holds the whole input). Exit 0 all valid, 1 any invalid, 2 bad schema.
//
//   node bench/compare/ajv_bulk.mjs [--schema S] [--formats assert|annotate] < lines.jsonl > out.jsonl
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createAjv, dialectOf, shapeError } from "../../tools/ajv/rjsf-ajv.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
let schemaPath = join(HERE, "..", "data", "customer-support.schema.json");
let formats = "assert";
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--schema" && i + 1 < argv.length) schemaPath = argv[++i];
  else if (argv[i] === "--formats" && i + 1 < argv.length) formats = argv[++i];
  else if (argv[i] === "-") continue;
  else {
    process.stderr.write("usage: ajv_bulk.mjs [--schema S] [--formats assert|annotate] [-] < lines.jsonl\n");
    process.exit(2);
  }
}

let validate;
try {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  validate = createAjv({ dialect: dialectOf(schema), formats }).compile(schema);
} catch (e) {
  process.stderr.write(`error: schema ${schemaPath}: ${e.message}\n`);
  process.exit(2);
}

let lineNo = 0;
let anyInvalid = false;
let pending = "";
let out = [];
let outLen = 0;

function flush() {
  if (out.length) process.stdout.write(out.join(""));
  out = [];
  outLen = 0;
}
function handle(line) {
  lineNo++;
  if (line.trim() === "") return;
  let data;
  let s;
  try {
    data = JSON.parse(line);
  } catch (e) {
    anyInvalid = true;
    const m = /at position (\d+)/.exec(e.message);
    const col = m ? Number(m[1]) + 1 : line.length + 1;
    s = JSON.stringify({ line: lineNo, error: `line 1, column ${col}: ${e.message.replace(/ in JSON at position \d+.*$/, "")}` });
  }
  if (s === undefined) {
    if (validate(data)) s = `{"line":${lineNo},"valid":true,"errors":[]}`;
    else {
      anyInvalid = true;
      s = JSON.stringify({ line: lineNo, valid: false, errors: validate.errors.map(shapeError) });
    }
  }
  out.push(s, "\n");
  outLen += s.length + 1;
  if (outLen > 1 << 16) flush();
}

process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) {
  pending += chunk;
  let start = 0;
  let nl;
  while ((nl = pending.indexOf("\n", start)) >= 0) {
    handle(pending.slice(start, nl));
    start = nl + 1;
  }
  pending = pending.slice(start);
}
if (pending !== "") handle(pending);
flush();
process.exitCode = anyInvalid ? 1 : 0;
