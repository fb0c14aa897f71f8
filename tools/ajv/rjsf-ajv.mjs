// The reference validator's core: ajv 8 set up the way @rjsf/validator-ajv8 sets it up
// (createAjvInstance in its source), so that capconf can be compared with what the page runs.
//
//   new Ajv({allErrors: true, multipleOfPrecision: 8, strict: false, verbose: true,
//            discriminator: false})
//   addFormats(ajv)                    // ajv-formats, full mode, with formatMinimum & co.
//   ajv.addFormat("data-url", ...)     // rjsf's own two formats
//   ajv.addFormat("color", ...)
//   ajv.addKeyword("__rjsf_additionalProperties")
//
// The class follows the schema's dialect: Ajv (draft-07), Ajv2019 or Ajv2020. rjsf uses the
// draft-07 class unless the page passes another AjvClass; we pick by `$schema` so the 2020-12
// compositions can be checked too.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// Options exactly as @rjsf/validator-ajv8's AJV_CONFIG.
export const RJSF_AJV_OPTIONS = Object.freeze({
  allErrors: true,
  multipleOfPrecision: 8,
  strict: false,
  verbose: true,
  discriminator: false,
});

// rjsf's two custom formats. These are the regular expressions rjsf documents for `color`
// (a hex colour with an optional '#', 16 colour names, rgb() with 0-255 or percentages) and
// `data-url` (data:[mime];[name=...;]base64,...). Compiled without flags, as rjsf compiles them.
export const COLOR_FORMAT_REGEX = new RegExp(
  "^(#?([0-9A-Fa-f]{3}){1,2}\\b" +
    "|aqua|black|blue|fuchsia|gray|green|lime|maroon|navy|olive|orange|purple|red|silver|teal|white|yellow" +
    "|(rgb\\(\\s*\\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\b\\s*,\\s*\\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\b\\s*,\\s*\\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\b\\s*\\))" +
    "|(rgb\\(\\s*(\\d?\\d%|100%)+\\s*,\\s*(\\d?\\d%|100%)+\\s*,\\s*(\\d?\\d%|100%)+\\s*\\)))$",
);
export const DATA_URL_FORMAT_REGEX = new RegExp(
  "^data:([a-z]+\\/[a-z0-9-+.]+)?;(?:name=(.*);)?base64,(.*)$",
);

// rjsf registers this string-keyed property as a (no-op) keyword.
export const RJSF_ADDITIONAL_PROPERTIES_FLAG = "__rjsf_additionalProperties";

export const DIALECTS = Object.freeze({
  draft7: Ajv,
  "2019-09": Ajv2019,
  "2020-12": Ajv2020,
});

// `$schema` values that select a class. Anything else is left to the default dialect's class,
// which rejects a meta-schema it does not know (a bad schema, exit 2), as ajv itself would.
const META_TO_DIALECT = new Map([
  ["http://json-schema.org/draft-07/schema", "draft7"],
  ["https://json-schema.org/draft/2019-09/schema", "2019-09"],
  ["https://json-schema.org/draft/2020-12/schema", "2020-12"],
]);

export function dialectOf(schema, defaultDialect = "draft7") {
  if (schema !== null && typeof schema === "object" && typeof schema.$schema === "string") {
    const uri = schema.$schema.replace(/#$/, "");
    if (META_TO_DIALECT.has(uri)) return META_TO_DIALECT.get(uri);
  }
  return defaultDialect;
}

/** Creates an ajv instance configured as @rjsf/validator-ajv8 configures it. */
export function createAjv({ dialect = "draft7", formats = "assert", logger } = {}) {
  const AjvClass = DIALECTS[dialect];
  if (!AjvClass) throw new Error(`unknown dialect "${dialect}" (draft7, 2019-09 or 2020-12)`);
  const options = { ...RJSF_AJV_OPTIONS };
  if (formats === "annotate") options.validateFormats = false;
  else if (formats !== "assert") throw new Error(`--formats must be assert or annotate, not "${formats}"`);
  if (logger !== undefined) options.logger = logger;
  const ajv = new AjvClass(options);
  addFormats(ajv);
  ajv.addFormat("data-url", DATA_URL_FORMAT_REGEX);
  ajv.addFormat("color", COLOR_FORMAT_REGEX);
  ajv.addKeyword(RJSF_ADDITIONAL_PROPERTIES_FLAG);
  return ajv;
}

/** Every *.json file under dir (sorted, so loading order is deterministic), relative, '/'-separated. */
export function listJsonFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && name.endsWith(".json")) out.push(relative(dir, full).split(sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

/** Adds every JSON file under dir as a schema keyed prefix + relativePath, so remote refs resolve. */
export function addRemotes(ajv, prefix, dir) {
  for (const rel of listJsonFiles(dir)) {
    const file = join(dir, rel);
    let content;
    try {
      content = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`remote ${file}: ${e.message}`);
    }
    const key = prefix + rel;
    // Remotes are not checked against a meta-schema: a tree such as the official test suite's
    // remotes/ mixes drafts (a draft-06 `$id: "#foo"`, a 2020-12 `$schema` in a draft-07 run).
    // ajv reads each with the class's own vocabulary, as if it had fetched it; a remote that
    // ajv cannot compile still fails when a schema that refers to it is compiled.
    try {
      ajv.addSchema(content, key, undefined, false);
    } catch (e) {
      throw new Error(`remote ${file} (as ${key}): ${e.message}`);
    }
  }
}

/** The error object capconf prints: ajv's, without the `verbose` extras (schema, parentSchema, data). */
export function shapeError(e) {
  return {
    instancePath: e.instancePath,
    schemaPath: e.schemaPath,
    keyword: e.keyword,
    params: e.params,
    message: e.message,
  };
}
