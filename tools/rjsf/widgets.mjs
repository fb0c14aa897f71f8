#!/usr/bin/env node
// Reference: rjsf 6.x widget names.
//
// stdout: {"registered": [...], "aliases": {"string": [...], "number": [...],
//          "integer": [...], "boolean": [...], "array": [...]}}
//   registered: keys of getDefaultRegistry().widgets from @rjsf/core (sorted).
//   aliases:    per schema type, the `ui:widget` alias names that getWidget()
//               in @rjsf/utils maps to a registered widget (its private
//               `widgetMap`), in source order.
// With --targets, an extra key "aliasTargets" gives {type: {alias: WidgetName}}.
//
// `widgetMap` is not exported by @rjsf/utils, so it is read from
// node_modules/@rjsf/utils/lib/getWidget.js: the `const widgetMap = {...};`
// object literal is cut out and evaluated (it is a plain literal of strings).
// Every alias is then checked against the real getWidget(): it must resolve to
// the same component as the widget it names in the default registry; the tool
// exits 1 if any check fails or the literal cannot be found.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import vm from 'node:vm';
import { getWidget } from '@rjsf/utils';
import { getDefaultRegistry } from '@rjsf/core';

for (const level of ['log', 'info', 'debug']) {
  console[level] = (...args) => console.error(...args);
}

// The ESM entry of @rjsf/utils is lib/index.js; getWidget.js sits beside it.
const utilsLib = path.dirname(fileURLToPath(import.meta.resolve('@rjsf/utils')));
const src = readFileSync(path.join(utilsLib, 'getWidget.js'), 'utf8');
const m = src.match(/const widgetMap = (\{[\s\S]*?\n\});/);
if (!m) {
  console.error('widgets.mjs: `const widgetMap = {...};` not found in @rjsf/utils/lib/getWidget.js');
  process.exit(1);
}
const widgetMap = vm.runInNewContext(`(${m[1]})`, {});

const widgets = getDefaultRegistry().widgets;
const registered = Object.keys(widgets).sort();

const TYPES = ['string', 'number', 'integer', 'boolean', 'array'];
const aliases = {};
const aliasTargets = {};
const problems = [];
for (const type of TYPES) {
  const table = widgetMap[type] ?? {};
  aliases[type] = Object.keys(table);
  aliasTargets[type] = { ...table };
  for (const [alias, target] of Object.entries(table)) {
    const schema = { type };
    try {
      const got = getWidget(schema, alias, widgets);
      const want = getWidget(schema, widgets[target], widgets);
      if (got !== want) problems.push(`${type}/${alias}: getWidget result differs from ${target}`);
    } catch (err) {
      problems.push(`${type}/${alias}: ${err.message}`);
    }
  }
}
for (const type of Object.keys(widgetMap)) {
  if (!TYPES.includes(type)) problems.push(`widgetMap has unexpected type ${type}`);
}

const result = { registered, aliases };
if (process.argv.includes('--targets')) result.aliasTargets = aliasTargets;
process.stdout.write(JSON.stringify(result) + '\n');
if (problems.length) {
  for (const p of problems) console.error('widgets.mjs: ' + p);
  process.exit(1);
}
