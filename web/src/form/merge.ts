import { isObject } from './errors';
import { sameJson } from './schema';

/**
 * Three-way merge of form data: what the buyer changed since `base` (the server's data their edits
 * started from) wins; everything they left alone takes the server's newer value. Used when the
 * server's copy moved on under unsaved edits (a 412, or a capability switch that added defaults).
 * Arrays are values, not merged element by element.
 */
export function mergeEdits(base: unknown, local: unknown, server: unknown): unknown {
  if (sameJson(local, base)) return server;
  if (isObject(base) && isObject(local) && isObject(server)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(server), ...Object.keys(local)])) {
      const inBase = key in base;
      if (!(key in local)) {
        // Removed by the buyer: stays removed unless the server changed it meanwhile.
        if (inBase && sameJson(base[key], server[key])) continue;
        if (key in server) out[key] = server[key];
        continue;
      }
      if (!(key in server)) {
        // Removed on the server: stays removed unless the buyer edited it.
        if (inBase && sameJson(base[key], local[key])) continue;
        out[key] = local[key];
        continue;
      }
      const merged = mergeEdits(base[key], local[key], server[key]);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  return local;
}
