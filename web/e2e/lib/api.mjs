// A signed-in API session for setting scenarios up (and for playing "someone else") without the
// page: the same routes the page uses, with the cookie and CSRF token a browser would send.
export async function signIn(base, email, password) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 200) throw new Error(`sign-in of ${email}: HTTP ${r.status} ${await r.text()}`);
  const body = await r.json();
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = body.csrf_token;

  async function call(method, path, { body: payload, headers = {}, expect } = {}) {
    const h = { Cookie: cookies, ...headers };
    if (method !== 'GET') h['X-CSRF-Token'] = csrf;
    if (payload !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: h, body: payload === undefined ? undefined : JSON.stringify(payload) });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (expect !== undefined ? res.status !== expect : res.status >= 400) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    }
    return { status: res.status, data, etag: res.headers.get('ETag') };
  }
  return { user: body.user, csrf, call };
}

export const PASSWORD = 'capconf-demo-1234';
export const BUYER = 'buyer@demo.capconf.dev';
export const SELLER = 'seller@demo.capconf.dev';
