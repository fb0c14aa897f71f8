import type {
  ApiKey,
  Capability,
  ConfigView,
  CreatedApiKey,
  EmbedCode,
  FieldError,
  FormBundle,
  JsonObject,
  Offering,
  OfferingState,
  Revision,
  RevisionDiff,
  SecretStatus,
  SessionResponse,
  StoredFile,
  Subscription,
  SubscriptionSummary,
  SyncStatus,
  SyncTarget,
  SyncTargetStatus,
  Template,
  User,
} from './types';

/** An RFC 9457 problem+json answer (or any non-2xx answer) of the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly errors: FieldError[];
  /** The whole problem document, for the members a route adds (e.g. `problems` of a 409). */
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    const title = typeof body.title === 'string' ? body.title : `HTTP ${status}`;
    const detail = typeof body.detail === 'string' ? body.detail : '';
    super(detail || title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = typeof body.type === 'string' ? body.type : 'about:blank';
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    this.body = body;
  }
}

/** A message for people: the problem's detail when there is one. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.detail || e.title;
  if (e instanceof Error) return e.message;
  return String(e);
}

export interface WithETag<T> {
  data: T;
  etag: string;
}

type Fetch = typeof fetch;

const CSRF_COOKIE = 'capconf_csrf';

function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

interface RequestOptions {
  body?: unknown;
  raw?: Blob | ArrayBuffer;
  headers?: Record<string, string>;
}

export class ApiClient {
  private csrf: string | undefined;

  constructor(
    private readonly base = '/api/v1',
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  /** The token every unsafe request echoes. The sign-in answer carries it; after a reload the
   * server's readable cookie is the only place left that has it. */
  csrfToken(): string | undefined {
    return readCookie(CSRF_COOKIE) ?? this.csrf;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<WithETag<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    let body: BodyInit | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['Content-Type'] ??= 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const token = this.csrfToken();
      if (token) headers['X-CSRF-Token'] = token;
    }
    const response = await this.fetchImpl(this.base + path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const problem =
        parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { title: response.statusText };
      throw new ApiError(response.status, problem);
    }
    return { data: parsed as T, etag: response.headers.get('ETag') ?? '' };
  }

  private async get<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).data;
  }

  // --- session ---
  async signIn(email: string, password: string): Promise<SessionResponse> {
    const { data } = await this.request<SessionResponse>('POST', '/session', { body: { email, password } });
    this.csrf = data.csrf_token;
    return data;
  }
  async signOut(): Promise<void> {
    await this.request('DELETE', '/session');
    this.csrf = undefined;
  }
  me(): Promise<User> {
    return this.get('/me');
  }

  // --- catalog ---
  async capabilities(): Promise<Capability[]> {
    return (await this.get<{ capabilities: Capability[] }>('/capabilities')).capabilities;
  }
  async templates(): Promise<Template[]> {
    return (await this.get<{ templates: Template[] }>('/templates')).templates;
  }
  async templateVersions(id: string): Promise<Template[]> {
    return (await this.get<{ versions: Template[] }>(`/templates/${enc(id)}`)).versions;
  }

  // --- offerings ---
  async offerings(): Promise<Offering[]> {
    return (await this.get<{ offerings: Offering[] }>('/offerings')).offerings;
  }
  offering(id: string): Promise<Offering> {
    return this.get(`/offerings/${enc(id)}`);
  }
  async createOffering(body: {
    template_id: string;
    template_version?: number;
    name: string;
    description: string;
    credit_costs: Record<string, number>;
  }): Promise<Offering> {
    return (await this.request<Offering>('POST', '/offerings', { body })).data;
  }
  async setOfferingState(id: string, state: OfferingState): Promise<Offering> {
    return (await this.request<Offering>('PATCH', `/offerings/${enc(id)}`, { body: { state } })).data;
  }
  async offeringSubscriptions(id: string): Promise<SubscriptionSummary[]> {
    return (await this.get<{ subscriptions: SubscriptionSummary[] }>(`/offerings/${enc(id)}/subscriptions`)).subscriptions;
  }

  // --- subscriptions ---
  async subscriptions(): Promise<SubscriptionSummary[]> {
    return (await this.get<{ subscriptions: SubscriptionSummary[] }>('/subscriptions')).subscriptions;
  }
  subscription(id: string): Promise<Subscription> {
    return this.get(`/subscriptions/${enc(id)}`);
  }
  async subscribe(offeringId: string): Promise<Subscription> {
    return (await this.request<Subscription>('POST', '/subscriptions', { body: { offering_id: offeringId } })).data;
  }

  // --- configuration ---
  config(id: string): Promise<WithETag<ConfigView>> {
    return this.request<ConfigView>('GET', `/subscriptions/${enc(id)}/config`);
  }
  form(id: string): Promise<WithETag<FormBundle>> {
    return this.request<FormBundle>('GET', `/subscriptions/${enc(id)}/form`);
  }
  saveConfig(id: string, config: JsonObject, etag: string): Promise<WithETag<ConfigView>> {
    return this.request<ConfigView>('PUT', `/subscriptions/${enc(id)}/config`, {
      body: { config },
      headers: { 'If-Match': etag },
    });
  }
  setCapabilities(id: string, change: { enable?: string[]; disable?: string[] }): Promise<WithETag<ConfigView>> {
    return this.request<ConfigView>('PATCH', `/subscriptions/${enc(id)}/capabilities`, { body: change });
  }
  async revisions(id: string): Promise<Revision[]> {
    return (await this.get<{ revisions: Revision[] }>(`/subscriptions/${enc(id)}/revisions`)).revisions;
  }
  diff(id: string, a: number, b: number): Promise<RevisionDiff> {
    return this.get(`/subscriptions/${enc(id)}/revisions/${a}/diff/${b}`);
  }
  restore(id: string, revision: number): Promise<WithETag<ConfigView>> {
    return this.request<ConfigView>('POST', `/subscriptions/${enc(id)}/revisions/${revision}/restore`);
  }
  /** The widget's snippet; `enabled` false (and `html` null) while the widget capability is off. */
  async embed(id: string): Promise<EmbedCode> {
    return this.get(`/subscriptions/${enc(id)}/embed`);
  }
  /** Where the agent runtime and the knowledge base are with the newest revision. */
  syncStatus(id: string): Promise<SyncStatus> {
    return this.get(`/subscriptions/${enc(id)}/sync`);
  }
  /** Syncs one target again with fresh attempts; 409 while a worker runs it, 404 for a target it lacks. */
  async replaySync(id: string, target: SyncTarget): Promise<SyncTargetStatus> {
    return (await this.request<SyncTargetStatus>('POST', `/subscriptions/${enc(id)}/sync/${enc(target)}/replay`)).data;
  }

  // --- API keys and secrets ---
  async apiKeys(id: string): Promise<ApiKey[]> {
    return (await this.get<{ api_keys: ApiKey[] }>(`/subscriptions/${enc(id)}/api-keys`)).api_keys;
  }
  async createApiKey(id: string, name: string, permissions: string[]): Promise<CreatedApiKey> {
    return (
      await this.request<CreatedApiKey>('POST', `/subscriptions/${enc(id)}/api-keys`, { body: { name, permissions } })
    ).data;
  }
  async revokeApiKey(id: string, keyId: string): Promise<void> {
    await this.request('DELETE', `/subscriptions/${enc(id)}/api-keys/${enc(keyId)}`);
  }
  async secrets(id: string): Promise<SecretStatus[]> {
    return (await this.get<{ secrets: SecretStatus[] }>(`/subscriptions/${enc(id)}/secrets`)).secrets;
  }
  async deleteSecret(id: string, pointer: string): Promise<void> {
    await this.request('DELETE', `/subscriptions/${enc(id)}/secrets?pointer=${encodeURIComponent(pointer)}`);
  }

  // --- files ---
  async uploadFile(file: Blob, filename: string, purpose: 'document' | 'avatar'): Promise<StoredFile> {
    const query = `?filename=${encodeURIComponent(filename)}&purpose=${purpose}`;
    return (await this.request<StoredFile>('POST', `/files${query}`, { raw: file })).data;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

export const api = new ApiClient();
