import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, fakeContext, renderForm } from '../test/helpers';
import type { ApiKey } from '../types';

const schema = {
  type: 'object' as const,
  properties: {
    api: {
      type: 'object' as const,
      title: 'API Settings',
      properties: {
        keys: {
          type: 'array' as const,
          title: 'API Keys',
          readOnly: true,
          items: {
            type: 'object' as const,
            properties: {
              id: { type: 'string' as const },
              name: { type: 'string' as const },
              permissions: { type: 'array' as const, items: { type: 'string' as const, enum: ['chat', 'upload', 'config'] } },
            },
          },
        },
      },
    },
  },
};
const uiSchema = { api: { keys: { 'ui:widget': 'ApiKeysWidget', 'ui:options': { showCreateButton: true, showRevokeButton: true } } } };
const existing: ApiKey = { id: 'k1', name: 'Website', prefix: 'cck_ab12', permissions: ['chat'], created_at: '2026-01-01T00:00:00.000Z', last_used: '2026-01-03T00:00:00.000Z', revoked_at: null };
const revoked: ApiKey = { ...existing, id: 'k0', name: 'Old', revoked_at: '2026-01-02T00:00:00.000Z' };

describe('ApiKeysWidget', () => {
  it('lists live keys with prefix, permissions and last use', async () => {
    const apiKeys = vi.fn(() => Promise.resolve([existing, revoked]));
    renderForm({ schema, uiSchema, formData: { api: { keys: [] } }, context: fakeContext(fakeApi({ apiKeys })) });
    const row = (await screen.findByText('Website')).closest('tr')!;
    expect(within(row).getByText('cck_ab12…')).toBeInTheDocument();
    expect(within(row).getByText('chat')).toBeInTheDocument();
    expect(within(row).getByText(new Date(existing.last_used!).toLocaleString())).toBeInTheDocument();
    expect(screen.queryByText('Old')).toBeNull();
    expect(apiKeys).toHaveBeenCalledWith('sub1');
  });

  it('creates a key with a name and permissions, shows the secret once, and never edits the form data', async () => {
    const created = { ...existing, id: 'k2', name: 'CI', permissions: ['chat', 'config'], secret: 'cck_secret_value_123' };
    let keys: ApiKey[] = [];
    const apiKeys = vi.fn(() => Promise.resolve(keys));
    const createApiKey = vi.fn(() => {
      keys = [created];
      return Promise.resolve(created);
    });
    const ctx = fakeContext(fakeApi({ apiKeys, createApiKey }));
    const form = renderForm({ schema, uiSchema, formData: { api: { keys: [] } }, context: ctx });
    await userEvent.type(screen.getByLabelText('Key name'), 'CI');
    await userEvent.click(screen.getByLabelText('config'));
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(createApiKey).toHaveBeenCalledWith('sub1', 'CI', ['chat', 'config']);
    expect(await screen.findByTestId('new-api-key')).toHaveTextContent('cck_secret_value_123');
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
    await waitFor(() => expect(ctx.onServerChange).toHaveBeenCalled());
    await userEvent.click(screen.getByRole('button', { name: /hide the key/ }));
    expect(screen.queryByText('cck_secret_value_123')).toBeNull();
    expect(form.changes).toEqual([]);
  });

  it('copies the new key to the clipboard', async () => {
    const created = { ...existing, secret: 'cck_copy_me' };
    const writeText = vi.fn(() => Promise.resolve());
    const user = userEvent.setup();
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderForm({ schema, uiSchema, formData: {}, context: fakeContext(fakeApi({ apiKeys: vi.fn(() => Promise.resolve([])), createApiKey: vi.fn(() => Promise.resolve(created)) })) });
    await user.type(screen.getByLabelText('Key name'), 'x');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await user.click(await screen.findByRole('button', { name: 'Copy key' }));
    expect(writeText).toHaveBeenCalledWith('cck_copy_me');
    expect(await screen.findByText('Copied')).toBeInTheDocument();
  });

  it('revokes after a confirmation', async () => {
    let keys = [existing];
    const apiKeys = vi.fn(() => Promise.resolve(keys));
    const revokeApiKey = vi.fn(() => {
      keys = [];
      return Promise.resolve();
    });
    renderForm({ schema, uiSchema, formData: {}, context: fakeContext(fakeApi({ apiKeys, revokeApiKey })) });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke key Website' }));
    expect(revokeApiKey).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Revoke Website' }));
    expect(revokeApiKey).toHaveBeenCalledWith('sub1', 'k1');
    expect(await screen.findByText('No API keys yet.')).toBeInTheDocument();
  });

  it('shows the server’s refusal', async () => {
    const createApiKey = vi.fn(() => Promise.reject(new Error('API Access is not enabled for this agent')));
    renderForm({ schema, uiSchema, formData: {}, context: fakeContext(fakeApi({ apiKeys: vi.fn(() => Promise.resolve([])), createApiKey })) });
    await userEvent.type(screen.getByLabelText('Key name'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('API Access is not enabled');
  });
});
