#!/usr/bin/env node
// Validations per second of ajv, configured as @rjsf/validator-ajv8 configures it (allErrors,
// multipleOfPrecision 8, strict off, verbose, ajv-formats full + rjsf's color and data-url),
// on the valid and on the invalid customer-support config. The schema is compiled once; the
// instances are parsed once (like capconf's BM_Validate* benchmarks, which validate a parsed value).
//
//   node bench/compare/ajv_bench.mjs [--schema S] [--valid V] [--invalid I] [--seconds 2] [--warmup 0.5]
//
// Prints one JSON line: {"valid_per_s":..., "invalid_per_s":..., "errors_per_invalid":6, ...}
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { createAjv, dialectOf } from "../../tools/ajv/rjsf-ajv.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, "..", "data");
const o = {
  schema: join(DATA, "customer-support.schema.json"),
  valid: join(DATA, "customer-support.valid.json"),
  invalid: join(DATA, "customer-support.invalid.json"),
  seconds: 2,
  warmup: 0.5,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const k = argv[i].replace(/^--/, "");
  if (!(k in o) || i + 1 >= argv.length) {
    process.stderr.write("usage: ajv_bench.mjs [--schema S] [--valid V] [--invalid I] [--seconds N] [--warmup N]\n");
    process.exit(2);
  }
  o[k] = typeof o[k] === "number" ? Number(argv[++i]) : argv[++i];
}

const load = (p) => JSON.parse(readFileSync(p, "utf8"));
const schema = load(o.schema);
const validate = createAjv({ dialect: dialectOf(schema) }).compile(schema);
const valid = load(o.valid);
const invalid = load(o.invalid);

if (!validate(valid)) throw new Error(`the valid config is invalid: ${JSON.stringify(validate.errors)}`);
if (validate(invalid)) throw new Error("the invalid config is valid");
const errorsPerInvalid = validate.errors.length;

const now = () => Number(process.hrtime.bigint()) / 1e9;
let sink = 0;

function measure(data, seconds) {
  const batch = 256;
  let n = 0;
  const start = now();
  let t = start;
  while (t - start < seconds) {
    for (let i = 0; i < batch; i++) {
      if (!validate(data)) sink += validate.errors.length; // the errors are built (allErrors) and read
      else sink++;
    }
    n += batch;
    t = now();
  }
  return n / (t - start);
}

measure(valid, o.warmup);
const validPerS = measure(valid, o.seconds);
measure(invalid, o.warmup);
const invalidPerS = measure(invalid, o.seconds);

process.stdout.write(
  JSON.stringify({
    valid_per_s: Math.round(validPerS),
    invalid_per_s: Math.round(invalidPerS),
    errors_per_invalid: errorsPerInvalid,
    seconds: o.seconds,
    node: process.version,
    sink: sink > 0,
  }) + "\n",
);
