// Shapes of the capconf HTTP API (/api/v1), as src/api/api.cc and src/service/service.cc write them.

export type Role = 'buyer' | 'seller' | 'operator';

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  organization_id: string;
  organization?: { id: string; name: string; kind: string };
}

export interface SessionResponse {
  user: User;
  csrf_token: string;
}

export interface CreditAction {
  action: string;
  label: string;
  description: string;
}

export interface Capability {
  id: string;
  label: string;
  description: string;
  runtime: string;
  config_required: boolean;
  universal: boolean;
  credit_actions: CreditAction[];
}

export interface TemplateCapability {
  id: string;
  label: string;
  description: string;
  default: boolean;
}

export interface Template {
  template_id: string;
  version: number;
  name: string;
  description: string;
  category: string;
  capabilities: TemplateCapability[];
  credit_costs: Record<string, number>;
  sections: { key: string; title: string; capability: string | null }[];
  allowed_sets: string[][];
  langflow_flow_id: string;
}

export type OfferingState = 'draft' | 'active' | 'archived';

export interface Offering {
  id: string;
  organization_id: string;
  template_id: string;
  template_version: number;
  name: string;
  description: string;
  credit_costs: Record<string, number>;
  state: OfferingState;
  created_at: string;
  updated_at: string;
}

export interface Subscription {
  id: string;
  offering_id: string;
  organization_id: string;
  state: 'active' | 'cancelled';
  created_at: string;
  cancelled_at: string | null;
}

/** A subscription as the lists give it (GET /subscriptions, GET /offerings/{id}/subscriptions). */
export interface SubscriptionSummary extends Subscription {
  offering_name: string;
  template_id: string;
  template_version: number;
  /** The buyer organisation's name. */
  organization_name: string;
  is_configured: boolean;
  revision: number;
}

/** One validation error: `pointer` is a JSON Pointer into the document the route validated. */
export interface FieldError {
  pointer: string;
  keyword: string;
  message: string;
}

export interface MissingNeed {
  capability: string;
  need: string;
  message: string;
  pointer?: string;
}

export interface SecretStatus {
  pointer: string;
  set: boolean;
  last4: string;
  updated_at: string;
  updated_by?: string;
}

export type JsonObject = { [key: string]: unknown };

export interface ConfigView {
  subscription_id: string;
  template_id: string;
  template_version: number;
  enabled_capabilities: string[];
  config: JsonObject;
  revision: number;
  is_configured: boolean;
  missing: MissingNeed[];
  errors: FieldError[];
  secrets: SecretStatus[];
  updated_at: string;
  updated_by: string;
}

export interface FormBundle {
  schema: JsonObject;
  ui_schema: JsonObject;
  form_data: JsonObject;
  revision: number;
  enabled_capabilities: string[];
}

export interface Revision {
  revision: number;
  enabled_capabilities: string[];
  is_configured: boolean;
  created_at: string;
  created_by: string;
  /** In lists: the author's name when they belong to the buyer's organisation, else null. */
  created_by_name?: string | null;
  note: string;
  config?: JsonObject;
}

export interface DiffChange {
  op: 'add' | 'remove' | 'replace';
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface RevisionDiff {
  from: number;
  to: number;
  enabled: string[];
  disabled: string[];
  changes: DiffChange[];
}

export type Permission = 'chat' | 'upload' | 'config';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  created_at: string;
  last_used?: string | null;
  revoked_at?: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The whole key: returned by the create call only, never again. */
  secret: string;
}

export interface StoredFile {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  purpose: 'document' | 'avatar';
  created_at: string;
  created_by: string;
  public_url?: string;
}

/** GET /subscriptions/{id}/embed */
export interface EmbedCode {
  subscription_id: string;
  enabled: boolean;
  reason: string | null;
  script_url: string | null;
  html: string | null;
  is_configured: boolean;
}

/** An outside system that holds a copy of the configuration. */
export type SyncTarget = 'langflow' | 'ragflow';

export type SyncState = 'pending' | 'syncing' | 'in_sync' | 'failing' | 'dead';

/** One target's copy of the configuration (POST …/sync/{target}/replay answers one of these). */
export interface SyncTargetStatus {
  target: SyncTarget;
  state: SyncState;
  desired_revision: number;
  /** The newest revision the target has; 0 before the first. */
  applied_revision: number;
  attempts: number;
  /** Why the last attempt failed (or why the target waits), in plain words. */
  last_error: string | null;
  message: string | null;
  progress: string | null;
  next_attempt_at: string | null;
  resources: Record<string, string>;
  updated_at: string;
}

/** GET /subscriptions/{id}/sync: `in_sync` when every target has the newest revision. */
export interface SyncStatus {
  subscription_id: string;
  in_sync: boolean;
  targets: SyncTargetStatus[];
}
