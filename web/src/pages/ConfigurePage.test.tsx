import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from '../session';
import { nearestAncestorWithText } from '../test/helpers';
import ConfigurePage from './ConfigurePage';

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    branding: { type: 'object', title: 'Branding', properties: { agent_name: { type: 'string', title: 'Agent Name', maxLength: 50 } } },
    behavior: { type: 'object', title: 'Behavior', properties: { tone: { type: 'string', title: 'Tone', enum: ['friendly', 'formal'] } } },
  },
};

function view(revision: number, config: object) {
  return {
    subscription_id: 's1', template_id: 't', template_version: 1, enabled_capabilities: [], config, revision,
    is_configured: false, missing: [{ capability: 'x', need: 'n', message: 'Add a thing.' }], errors: [], secrets: [],
    updated_at: '2026-01-01T00:00:00.000Z', updated_by: 'u1',
  };
}

let serverRevision = 1;
let serverConfig: object = { branding: { agent_name: 'Assistant' }, behavior: { tone: 'formal' } };
let putAnswers: (() => Response)[] = [];
/** The revision the agent runtime has: behind the saved one after a save, until the fake syncs it. */
let syncedRevision = 1;
const puts: { etag: string | null; body: unknown }[] = [];

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

beforeEach(() => {
  serverRevision = 1;
  serverConfig = { branding: { agent_name: 'Assistant' }, behavior: { tone: 'formal' } };
  puts.length = 0;
  syncedRevision = 1;
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const etag = { ETag: `"r${serverRevision}"` };
    if (url.endsWith('/subscriptions/s1/form')) return json(200, { schema, ui_schema: {}, form_data: serverConfig, revision: serverRevision, enabled_capabilities: [] }, etag);
    if (url.endsWith('/subscriptions/s1/config') && method === 'GET') return json(200, view(serverRevision, serverConfig), etag);
    if (url.endsWith('/subscriptions/s1/config') && method === 'PUT') {
      puts.push({ etag: (init.headers as Record<string, string>)['If-Match'], body: JSON.parse(init.body as string) });
      return putAnswers.shift()!();
    }
    if (url.endsWith('/subscriptions/s1')) return json(200, { id: 's1', offering_id: 'o1', organization_id: 'b', state: 'active', created_at: '', cancelled_at: null });
    if (url.endsWith('/offerings')) return json(200, { offerings: [{ id: 'o1', name: 'Acme Agent' }] });
    if (url.endsWith('/templates/t')) return json(200, { versions: [{ template_id: 't', version: 1, name: 'T', capabilities: [] }] });
    if (url.endsWith('/capabilities')) return json(200, { capabilities: [] });
    if (url.endsWith('/revisions')) return json(200, { revisions: [] });
    if (url.endsWith('/embed'))
      return json(200, { subscription_id: 's1', enabled: false, reason: 'Enable the Embeddable Widget to get its embed code.', script_url: null, html: null, is_configured: false });
    if (url.endsWith('/subscriptions/s1/sync'))
      return json(200, {
        subscription_id: 's1', in_sync: syncedRevision === serverRevision,
        targets: [{
          target: 'langflow', state: syncedRevision === serverRevision ? 'in_sync' : 'pending', desired_revision: serverRevision,
          applied_revision: syncedRevision, attempts: 0, last_error: null, message: null, progress: null, next_attempt_at: null,
          resources: {}, updated_at: '2026-01-01T00:00:00.000Z',
        }],
      });
    return json(404, { status: 404, detail: `no route ${method} ${url}` });
  }));
});
afterEach(() => vi.unstubAllGlobals());

function renderPage() {
  const router = createMemoryRouter(
    [
      { path: '/agents/:id', element: <ConfigurePage /> },
      { path: '/agents', element: <h1>Agents list</h1> },
    ],
    { initialEntries: ['/agents/s1'] },
  );
  render(
    <SessionContext.Provider value={{ user: { id: 'u1', email: 'b@x', display_name: 'B', role: 'buyer', organization_id: 'o' }, setUser: () => {} }}>
      <RouterProvider router={router} />
    </SessionContext.Provider>,
  );
}

describe('ConfigurePage', () => {
  it('shows what is missing and no embed code while the widget is off', async () => {
    renderPage();
    expect(await screen.findByRole('heading', { name: 'Acme Agent' })).toBeInTheDocument();
    expect(screen.getByText('Add a thing.')).toBeInTheDocument();
    expect(screen.queryByText('Widget embed code')).toBeNull();
  });

  it('puts the server’s 422 errors next to their fields', async () => {
    putAnswers = [() => json(422, { status: 422, detail: 'the configuration is not valid', errors: [{ pointer: '/branding/agent_name', keyword: 'x', message: 'is taken by another agent' }] })];
    renderPage();
    const name = await screen.findByLabelText('Agent Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Helper');
    await userEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await screen.findAllByText('is taken by another agent');
    // The message sits in the field's own group, beside its input, not in another field's.
    const group = nearestAncestorWithText(name, 'is taken by another agent');
    expect(within(group).queryByLabelText('Tone')).toBeNull();
    expect(screen.getByTestId('save-errors')).toHaveTextContent('Branding › Agent Name');
    expect(puts[0].etag).toBe('"r1"');
  });

  it('offers a reload after a 412 that keeps the buyer’s edits and takes the new ETag', async () => {
    putAnswers = [
      () => {
        // Someone else saved meanwhile: a new revision with another tone.
        serverRevision = 2;
        serverConfig = { branding: { agent_name: 'Assistant' }, behavior: { tone: 'friendly' } };
        return json(412, { status: 412, detail: 'revision 1 is not current; the current revision is 2' });
      },
      () => {
        serverRevision = 3;
        serverConfig = puts[1].body as object;
        return json(200, view(3, (puts[1].body as { config: object }).config), { ETag: '"r3"' });
      },
    ];
    renderPage();
    const name = await screen.findByLabelText('Agent Name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Helper');
    await userEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Reload and keep my changes' }));
    await waitFor(() => expect(screen.getByLabelText('Tone')).toHaveDisplayValue('friendly'));
    expect(screen.getByLabelText('Agent Name')).toHaveValue('Helper');
    await userEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await screen.findByText('Saved as revision 3.');
    expect(puts[1].etag).toBe('"r2"');
    expect(puts[1].body).toEqual({ config: { branding: { agent_name: 'Helper' }, behavior: { tone: 'friendly' } } });
  });

  it('blocks the save in the page when its own validator finds a problem', async () => {
    renderPage();
    const name = await screen.findByLabelText('Agent Name');
    await userEvent.type(name, 'x'.repeat(51));
    await userEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(await screen.findByTestId('save-errors')).toHaveTextContent(/Agent Name.*must NOT have more than 50 characters/);
    expect(puts).toHaveLength(0);
  });

  it('lets the buyer leave without asking when nothing is unsaved', async () => {
    renderPage();
    await screen.findByLabelText('Agent Name');
    await userEvent.click(screen.getByRole('link', { name: 'My agents' }));
    expect(await screen.findByRole('heading', { name: 'Agents list' })).toBeInTheDocument();
  });

  it('asks before leaving with unsaved changes (and warns the browser), staying or leaving as chosen', async () => {
    const add = vi.spyOn(window, 'addEventListener');
    renderPage();
    const name = await screen.findByLabelText('Agent Name');
    await userEvent.type(name, ' 2');
    expect(add.mock.calls.some(([type]) => type === 'beforeunload')).toBe(true);
    await userEvent.click(screen.getByRole('link', { name: 'My agents' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' });
    expect(within(dialog).getByRole('button', { name: 'Stay on this page' })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Stay on this page' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByLabelText('Agent Name')).toHaveValue('Assistant 2');
    await userEvent.click(screen.getByRole('link', { name: 'My agents' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Leave and discard changes' }));
    expect(await screen.findByRole('heading', { name: 'Agents list' })).toBeInTheDocument();
  });

  it('should show the sync status and ask for it again right after a save', async () => {
    putAnswers = [
      () => {
        serverRevision = 2;
        serverConfig = (puts[0].body as { config: object }).config;
        return json(200, view(2, serverConfig), { ETag: '"r2"' });
      },
    ];
    renderPage();
    const sync = await screen.findByRole('region', { name: 'Sync' });
    expect(await within(sync).findByTestId('sync-langflow-state')).toHaveTextContent('In sync');
    expect(within(sync).getByTestId('sync-langflow')).toHaveTextContent('revision 1 of 1');
    const name = screen.getByLabelText('Agent Name');
    await userEvent.type(name, ' 2');
    await userEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await screen.findByText('Saved as revision 2.');
    // No wait for a poll: in sync, the panel had stopped asking.
    await waitFor(() => expect(within(sync).getByTestId('sync-langflow')).toHaveTextContent('revision 1 of 2'));
    expect(within(sync).getByTestId('sync-langflow-state')).toHaveTextContent('Waiting');
  });
});
