#!/usr/bin/env node
// Reference: rjsf 6.x default form state, as <Form> computes it with default props.
//
// stdin:  JSON Lines, each {"schema": <JSON Schema>, "formData": <optional>}
// stdout: one JSON line per non-blank input line:
//   - the value of getDefaultFormState(validator, schema, formData, schema),
//     serialised with JSON.stringify (so an `undefined` property is absent and
//     an `undefined` array element becomes null);
//   - {"$undefined": true} when the whole result is `undefined` (JSON.stringify
//     returns no text for it);
//   - {"error": "<message>"} when the line is not JSON or rjsf throws.
// Blank input lines are skipped. Exit status is always 0.
//
// `formData` absent from the line -> undefined is passed (as <Form> without a
// formData prop). `includeUndefinedValues` = false and
// `experimental_defaultFormStateBehavior` = undefined (the rjsf defaults), as in
// Form.getStateFromProps. A fresh validator is made per line so no ajv cache is
// shared between lines.
//
// Anything rjsf/ajv logs goes to stderr, never stdout.
import readline from 'node:readline';
import { getDefaultFormState } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';

for (const level of ['log', 'info', 'debug']) {
  console[level] = (...args) => console.error(...args);
}

const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  try {
    const input = JSON.parse(line);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new Error('input line must be a JSON object {"schema": ..., "formData": ...}');
    }
    const { schema, formData } = input;
    const validator = customizeValidator();
    const result = getDefaultFormState(validator, schema, formData, schema);
    out(result === undefined ? { $undefined: true } : result);
  } catch (err) {
    out({ error: err instanceof Error ? err.message : String(err) });
  }
}
process.exitCode = 0;
