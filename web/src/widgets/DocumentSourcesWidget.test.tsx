import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, fakeContext, renderForm } from '../test/helpers';
import { describeSource, sourceKinds } from './DocumentSourcesWidget';

const sources = {
  type: 'array' as const,
  title: 'Document Sources',
  items: {
    type: 'object' as const,
    oneOf: [
      { type: 'object', title: 'URL', properties: { type: { const: 'url' }, url: { type: 'string', format: 'uri' }, crawl_depth: { type: 'integer', default: 1, minimum: 1, maximum: 3 } }, required: ['type', 'url'] },
      { type: 'object', title: 'File Upload', properties: { type: { const: 'file' }, file_id: { type: 'string' }, filename: { type: 'string' } }, required: ['type', 'file_id'] },
      { type: 'object', title: 'Notion', properties: { type: { const: 'notion' }, workspace_id: { type: 'string' }, page_ids: { type: 'array', items: { type: 'string' } } }, required: ['type', 'workspace_id'] },
      { type: 'object', title: 'Confluence', properties: { type: { const: 'confluence' }, site_url: { type: 'string', format: 'uri' }, space_key: { type: 'string' } }, required: ['type', 'site_url', 'space_key'] },
    ],
  },
};
const schema = { type: 'object' as const, properties: { sources } };
const uiSchema = { sources: { 'ui:widget': 'DocumentSourcesWidget', 'ui:options': { orderable: true, addable: true, removable: true } } };

describe('sourceKinds', () => {
  it('reads the kinds from the item schema', () => {
    const kinds = sourceKinds(sources, schema);
    expect(kinds.map((k) => [k.type, k.title, k.upload])).toEqual([
      ['url', 'URL', false],
      ['file', 'File Upload', true],
      ['notion', 'Notion', false],
      ['confluence', 'Confluence', false],
    ]);
    expect(describeSource({ type: 'confluence', site_url: 'https://x.atlassian.net', space_key: 'DOC' }, kinds)).toBe('Confluence: https://x.atlassian.net · DOC');
    expect(describeSource({ type: 'file', file_id: 'f1', filename: 'a.pdf' }, kinds)).toBe('File Upload: a.pdf');
  });
});

describe('DocumentSourcesWidget', () => {
  it('adds a URL source with a crawl depth', async () => {
    const form = renderForm({ schema, uiSchema, formData: { sources: [] } });
    await userEvent.type(screen.getByLabelText(/^url/), 'https://docs.example.com');
    await userEvent.type(screen.getByLabelText(/crawl depth/), '2');
    await userEvent.click(screen.getByRole('button', { name: 'Add source' }));
    expect(form.last()).toEqual({ sources: [{ type: 'url', url: 'https://docs.example.com', crawl_depth: 2 }] });
  });

  it('refuses a source without its required fields', async () => {
    const form = renderForm({ schema, uiSchema, formData: { sources: [] } });
    await userEvent.selectOptions(screen.getByLabelText('Source type'), 'confluence');
    await userEvent.type(screen.getByLabelText(/site url/), 'https://x.atlassian.net');
    await userEvent.click(screen.getByRole('button', { name: 'Add source' }));
    expect(screen.getByRole('alert')).toHaveTextContent('space key is required');
    expect(form.changes).toEqual([]);
  });

  it('adds Notion page ids as a list', async () => {
    const form = renderForm({ schema, uiSchema, formData: { sources: [] } });
    await userEvent.selectOptions(screen.getByLabelText('Source type'), 'notion');
    await userEvent.type(screen.getByLabelText(/workspace id/), 'ws1');
    await userEvent.type(screen.getByLabelText(/page ids/), 'p1, p2');
    await userEvent.click(screen.getByRole('button', { name: 'Add source' }));
    expect(form.last()).toEqual({ sources: [{ type: 'notion', workspace_id: 'ws1', page_ids: ['p1', 'p2'] }] });
  });

  it('uploads a file through POST /files?purpose=document and keeps its id', async () => {
    const uploadFile = vi.fn(() => Promise.resolve({ id: 'file9', filename: 'guide.pdf' }));
    const form = renderForm({ schema, uiSchema, formData: { sources: [] }, context: fakeContext(fakeApi({ uploadFile })) });
    await userEvent.selectOptions(screen.getByLabelText('Source type'), 'file');
    const file = new File(['%PDF-1.4'], 'guide.pdf', { type: 'application/pdf' });
    await userEvent.upload(screen.getByLabelText(/^File/), file);
    await waitFor(() => expect(form.last()).toEqual({ sources: [{ type: 'file', file_id: 'file9', filename: 'guide.pdf' }] }));
    expect(uploadFile).toHaveBeenCalledWith(file, 'guide.pdf', 'document');
  });

  it('reorders and removes', async () => {
    // rjsf fills the variant's defaults in (crawl_depth), as the server's initial data does.
    const a = { type: 'url', url: 'https://a.example', crawl_depth: 1 };
    const b = { type: 'notion', workspace_id: 'ws' };
    const form = renderForm({ schema, uiSchema, formData: { sources: [a, b] } });
    expect(screen.getByRole('button', { name: 'Move source 1 up' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Move source 2 up' }));
    expect(form.last()).toEqual({ sources: [b, a] });
    await userEvent.click(screen.getByRole('button', { name: /Remove source 2: URL: https:\/\/a.example/ }));
    expect(form.last()).toEqual({ sources: [b] });
  });
});
