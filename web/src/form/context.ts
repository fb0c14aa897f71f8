import type { ApiClient } from '../api';
import type { SecretStatus } from '../types';

/** Server facts the widgets need, handed to them through rjsf's `formContext`
 * (`props.registry.formContext`): widgets never fetch the configuration themselves. */
export interface ConfigFormContext {
  subscriptionId: string;
  api: ApiClient;
  /** The token unsafe requests carry; `api` sends it already, widgets that post by other means use it. */
  csrfToken?: string;
  /** The configuration's write-only values that are set (`secrets` of GET .../config). */
  secrets: SecretStatus[];
  /** Called after a widget changed server state the page shows (a secret cleared, a key made). */
  onServerChange: () => void;
}

export function formContextOf(registry: { formContext?: unknown }): ConfigFormContext {
  const ctx = registry.formContext as ConfigFormContext | undefined;
  if (!ctx || !ctx.api) throw new Error('the configuration widgets need a ConfigFormContext in formContext');
  return ctx;
}
