import { isObject, pointerToPath } from './errors';

type Schema = Record<string, unknown>;

/** Follows a local `$ref` ("#/definitions/x", "#/$defs/x"); the bundle has no other kind. */
export function resolve(schema: unknown, root: unknown): Schema | undefined {
  let s = schema;
  for (let depth = 0; depth < 32 && isObject(s) && typeof s.$ref === 'string'; depth++) {
    const ref = s.$ref as string;
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    for (const token of pointerToPath(ref.slice(1))) node = isObject(node) ? node[token] : undefined;
    s = node;
  }
  return isObject(s) ? s : undefined;
}

/** The subschemas that may describe property `key` of an object schema: its `properties`, and
 * those of its `allOf`, `if`/`then`/`else` and `oneOf`/`anyOf` branches. */
function propertySchemas(schema: Schema | undefined, key: string, root: unknown, depth = 0): Schema[] {
  if (!schema || depth > 16) return [];
  const out: Schema[] = [];
  const props = schema.properties;
  if (isObject(props) && props[key] !== undefined) {
    const s = resolve(props[key], root);
    if (s) out.push(s);
  }
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    const list = schema[k];
    if (Array.isArray(list)) for (const sub of list) out.push(...propertySchemas(resolve(sub, root), key, root, depth + 1));
  }
  for (const k of ['then', 'else']) out.push(...propertySchemas(resolve(schema[k], root), key, root, depth + 1));
  return out;
}

function itemSchemas(schema: Schema | undefined, root: unknown): Schema[] {
  const items = schema ? resolve(schema.items, root) : undefined;
  if (!items) return [];
  const variants = [items];
  for (const k of ['oneOf', 'anyOf']) {
    const list = items[k];
    if (Array.isArray(list)) for (const sub of list) {
      const s = resolve(sub, root);
      if (s) variants.push(s);
    }
  }
  return variants;
}

/** "/branding/colors/primary" -> ["Branding", "Colors", "Primary Color"], from the schema's titles
 * (the key itself where a level has none), so people read titles rather than pointers. */
export function titlesForPointer(rootSchema: unknown, pointer: string): string[] {
  const out: string[] = [];
  let candidates: Schema[] = [resolve(rootSchema, rootSchema)].filter((s): s is Schema => !!s);
  for (const token of pointerToPath(pointer)) {
    if (/^\d+$/.test(token)) {
      out.push(`item ${Number(token) + 1}`);
      candidates = candidates.flatMap((s) => itemSchemas(s, rootSchema));
      continue;
    }
    const next = candidates.flatMap((s) => propertySchemas(s, token, rootSchema));
    const titled = next.find((s) => typeof s.title === 'string');
    out.push(titled ? (titled.title as string) : token);
    candidates = next;
  }
  return out;
}

export function readablePointer(rootSchema: unknown, pointer: string): string {
  const titles = titlesForPointer(rootSchema, pointer);
  return titles.length ? titles.join(' › ') : 'The configuration';
}

/**
 * Drops the values the schema marks `readOnly` (the server owns them, e.g. a list of API keys
 * kept by their own endpoints): sent back stale they would be refused, and left out they are
 * simply kept by the server.
 */
export function stripReadOnly<T>(rootSchema: unknown, data: T): T {
  const walk = (schemas: Schema[], value: unknown): unknown => {
    if (Array.isArray(value)) {
      const items = schemas.flatMap((s) => itemSchemas(s, rootSchema));
      return items.length ? value.map((v) => walk(items, v)) : value;
    }
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const sub = schemas.flatMap((s) => propertySchemas(s, key, rootSchema));
      if (sub.some((s) => s.readOnly === true)) continue;
      out[key] = walk(sub, v);
    }
    return out;
  };
  const root = resolve(rootSchema, rootSchema);
  return walk(root ? [root] : [], data) as T;
}

/** Equality of two JSON values as they would be sent: key order and `undefined` members do not count. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_key, value) =>
    isObject(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, value[k]]),
        )
      : value,
  ) ?? 'undefined';
}

/** rjsf's id of the field at `pointer`, with the Form's default idPrefix "root" and idSeparator "_". */
export function rjsfIdForPointer(pointer: string): string {
  return ['root', ...pointerToPath(pointer)].join('_');
}
