import type { ApiClient } from './api';
import type { Capability, Offering, Template } from './types';

/** The template version each offering was made from, fetched once per template id. */
export async function templatesFor(api: ApiClient, offerings: Offering[]): Promise<Map<string, Template>> {
  const ids = [...new Set(offerings.map((o) => o.template_id))];
  const versions = await Promise.all(ids.map((id) => api.templateVersions(id).catch(() => [] as Template[])));
  const out = new Map<string, Template>();
  for (const list of versions) for (const t of list) out.set(templateKey(t.template_id, t.version), t);
  return out;
}

export function templateKey(id: string, version: number): string {
  return `${id}@${version}`;
}

/** action -> its label, from the capabilities' credit actions. */
export function creditLabels(capabilities: Capability[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of capabilities) for (const a of c.credit_actions) out.set(a.action, a.label);
  return out;
}
