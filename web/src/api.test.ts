import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, errorMessage } from './api';

function respond(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

afterEach(() => {
  document.cookie = 'capconf_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
});

describe('ApiClient', () => {
  it('turns problem+json into an ApiError with status, detail and errors', async () => {
    const fetch = vi.fn(async () =>
      respond(422, { type: 'https://capconf.dev/problems/validation', title: 'Unprocessable content', status: 422, detail: 'the configuration is not valid', errors: [{ pointer: '/a', keyword: 'type', message: 'must be string' }] }),
    );
    const api = new ApiClient('/api/v1', fetch);
    const e = await api.saveConfig('s1', { a: 1 }, '"r3"').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.detail).toBe('the configuration is not valid');
    expect(e.errors).toEqual([{ pointer: '/a', keyword: 'type', message: 'must be string' }]);
    expect(errorMessage(e)).toBe('the configuration is not valid');
  });

  it('copes with a non-JSON error body', async () => {
    const api = new ApiClient('/api/v1', vi.fn(async () => new Response('oops', { status: 502, statusText: 'Bad Gateway' })));
    const e = await api.me().catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.errors).toEqual([]);
  });

  it('sends the CSRF token from sign-in on unsafe requests only, and If-Match on saves', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'POST') return respond(200, { user: { id: 'u' }, csrf_token: 'tok1' });
      return respond(200, { revision: 4 }, { ETag: '"r4"' });
    });
    const api = new ApiClient('/api/v1', fetch);
    await api.signIn('a@b.c', 'pw');
    await api.config('s1');
    const saved = await api.saveConfig('s1', { x: 1 }, '"r3"');
    const headers = (i: number) => fetch.mock.calls[i][1]!.headers as Record<string, string>;
    expect(headers(0)['X-CSRF-Token']).toBeUndefined();
    expect(headers(1)['X-CSRF-Token']).toBeUndefined();
    expect(headers(2)['X-CSRF-Token']).toBe('tok1');
    expect(headers(2)['If-Match']).toBe('"r3"');
    expect(fetch.mock.calls[2][0]).toBe('/api/v1/subscriptions/s1/config');
    expect(JSON.parse(fetch.mock.calls[2][1]!.body as string)).toEqual({ config: { x: 1 } });
    expect(saved.etag).toBe('"r4"');
  });

  it('reads the token from the readable cookie after a reload', async () => {
    document.cookie = 'capconf_csrf=fromcookie; path=/';
    const fetch = vi.fn(async () => respond(204));
    await new ApiClient('/api/v1', fetch).deleteSecret('s1', '/web_search/api_key');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('fromcookie');
    expect(url).toBe('/api/v1/subscriptions/s1/secrets?pointer=%2Fweb_search%2Fapi_key');
  });

  it('uploads raw bytes with the filename and purpose in the query', async () => {
    const fetch = vi.fn(async () => respond(201, { id: 'f1', public_url: '/public/avatars/f1' }));
    const file = new Blob(['x']);
    await new ApiClient('/api/v1', fetch).uploadFile(file, 'my logo.png', 'avatar');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/files?filename=my%20logo.png&purpose=avatar');
    expect(init.body).toBe(file);
  });

  it('should ask for the sync status and replay a target with the CSRF token', async () => {
    document.cookie = 'capconf_csrf=tok2; path=/';
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      init?.method === 'POST' ? respond(202, { target: 'ragflow', state: 'pending' }) : respond(200, { subscription_id: 's 1', in_sync: true, targets: [] }));
    const api = new ApiClient('/api/v1', fetch);
    expect((await api.syncStatus('s 1')).in_sync).toBe(true);
    expect((await api.replaySync('s 1', 'ragflow')).state).toBe('pending');
    const [[getUrl, getInit], [postUrl, postInit]] = fetch.mock.calls as unknown as [string, RequestInit][];
    expect(getUrl).toBe('/api/v1/subscriptions/s%201/sync');
    expect((getInit.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
    expect(postUrl).toBe('/api/v1/subscriptions/s%201/sync/ragflow/replay');
    expect(postInit.method).toBe('POST');
    expect((postInit.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok2');
  });
});
