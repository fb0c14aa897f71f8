import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, fakeContext, renderForm } from '../test/helpers';

const schema = {
  type: 'object' as const,
  properties: { web_search: { type: 'object' as const, title: 'Web Search', properties: { api_key: { type: 'string' as const, title: 'Search API Key', writeOnly: true } } } },
};
const uiSchema = { web_search: { api_key: { 'ui:widget': 'SecretWidget' } } };
const stored = { pointer: '/web_search/api_key', set: true, last4: 'wxyz', updated_at: '2026-01-02T03:04:05.000Z' };

describe('SecretWidget', () => {
  it('says "Not set" and takes a value in a password box when nothing is stored', async () => {
    const form = renderForm({ schema, uiSchema, formData: { web_search: {} } });
    expect(screen.getByText('Not set')).toBeInTheDocument();
    const box = screen.getByLabelText('Search API Key');
    expect(box).toHaveAttribute('type', 'password');
    await userEvent.type(box, 'sk-123');
    expect(form.last()).toEqual({ web_search: { api_key: 'sk-123' } });
  });

  it('shows set + last four, never a value, and replaces on demand', async () => {
    const form = renderForm({ schema, uiSchema, formData: { web_search: {} }, context: fakeContext(fakeApi(), [stored]) });
    expect(screen.getByText('Set')).toBeInTheDocument();
    expect(screen.getByText('wxyz')).toBeInTheDocument();
    expect(document.querySelector('input[type="password"]')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Replace Search API Key' }));
    const box = screen.getByLabelText('Search API Key');
    expect(box).toHaveValue('');
    expect(box).toHaveFocus();
    await userEvent.type(box, 'new-secret');
    expect(form.last()).toEqual({ web_search: { api_key: 'new-secret' } });
    await userEvent.click(screen.getByRole('button', { name: 'Keep stored value' }));
    expect(form.last()).toEqual({ web_search: {} });
    expect(document.querySelector('input[type="password"]')).toBeNull();
  });

  it('clears through DELETE .../secrets?pointer= and tells the page', async () => {
    const deleteSecret = vi.fn(() => Promise.resolve());
    const ctx = fakeContext(fakeApi({ deleteSecret }), [stored]);
    renderForm({ schema, uiSchema, formData: { web_search: {} }, context: ctx });
    await userEvent.click(screen.getByRole('button', { name: 'Clear Search API Key' }));
    await waitFor(() => expect(ctx.onServerChange).toHaveBeenCalled());
    expect(deleteSecret).toHaveBeenCalledWith('sub1', '/web_search/api_key');
  });

  it('shows a refused clear', async () => {
    const deleteSecret = vi.fn(() => Promise.reject(new Error('nope')));
    renderForm({ schema, uiSchema, formData: { web_search: {} }, context: fakeContext(fakeApi({ deleteSecret }), [stored]) });
    await userEvent.click(screen.getByRole('button', { name: 'Clear Search API Key' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('nope');
  });
});
