import type { ErrorSchema, RJSFValidationError, UiSchema } from '@rjsf/utils';
import type { FieldError } from '../types';

/** RFC 6901: "/a~1b/0" -> ["a/b", "0"]; "" (the whole document) -> []. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return [pointer];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pathToPointer(path: readonly (string | number)[]): string {
  return path.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * A widget (`ui:widget` on an array or object) or a `ui:field` renders its whole subtree, so rjsf
 * shows only the errors keyed at that node: an error deeper down (`/rag/sources/0/url`) would be
 * listed nowhere near the field. Such an error is moved up to the node that renders it, and what
 * was below is said in words ("item 1, url").
 */
export function liftToRenderedNode(
  path: readonly string[],
  uiSchema: UiSchema | undefined,
): { path: string[]; where: string } {
  let node: unknown = uiSchema;
  for (let i = 0; i < path.length - 1; i++) {
    node = isObject(node) ? childUi(node, path[i]) : undefined;
    if (!isObject(node)) break;
    if (typeof node['ui:widget'] === 'string' || node['ui:field'] !== undefined) {
      return { path: path.slice(0, i + 1), where: describeRest(path.slice(i + 1)) };
    }
  }
  return { path: [...path], where: '' };
}

// The UI schema of array items sits under `items`, whatever the index.
function childUi(node: Record<string, unknown>, token: string): unknown {
  return /^\d+$/.test(token) && node.items !== undefined ? node.items : node[token];
}

function describeRest(rest: readonly string[]): string {
  return rest.map((t) => (/^\d+$/.test(t) ? `item ${Number(t) + 1}` : t)).join(', ');
}

function withWhere(message: string, where: string): string {
  return where ? `${where}: ${message}` : message;
}

/** The server's `errors: [{pointer, keyword, message}]` (pointers into the form data) as rjsf
 * `extraErrors`, so each message shows next to its field. */
export function serverErrorsToExtraErrors(
  errors: readonly FieldError[],
  uiSchema?: UiSchema,
): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const e of errors) {
    const lifted = liftToRenderedNode(pointerToPath(e.pointer), uiSchema);
    let node = root;
    for (const token of lifted.path) {
      const next = node[token];
      node = (isObject(next) ? next : (node[token] = {})) as Record<string, unknown>;
    }
    const list = (node.__errors as string[] | undefined) ?? (node.__errors = []);
    const message = withWhere(e.message, lifted.where);
    if (!(list as string[]).includes(message)) (list as string[]).push(message);
  }
  return root as ErrorSchema;
}

/** The same lifting for the page's own (ajv) errors, as rjsf's `transformErrors`. rjsf keys them by
 * `property`, a dotted path (".widget.allowed_domains.0"); section keys never hold a dot. */
export function liftValidationErrors(
  errors: RJSFValidationError[],
  uiSchema?: UiSchema,
): RJSFValidationError[] {
  return errors.map((e) => {
    if (!e.property) return e;
    const path = e.property.split('.').filter((t) => t !== '');
    const lifted = liftToRenderedNode(path, uiSchema);
    if (!lifted.where) return e;
    const message = withWhere(e.message ?? '', lifted.where);
    return { ...e, property: '.' + lifted.path.join('.'), message, stack: message };
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
