import { describe, expect, it } from 'vitest';
import { readablePointer, rjsfIdForPointer, sameJson, stripReadOnly, titlesForPointer } from './schema';

const schema = {
  type: 'object',
  definitions: { 'api.key': { type: 'object', properties: { name: { type: 'string', title: 'Name' } } } },
  properties: {
    branding: {
      type: 'object',
      title: 'Branding',
      properties: { colors: { type: 'object', title: 'Colors', properties: { primary: { type: 'string', title: 'Primary Color' } } } },
    },
    escalation: {
      type: 'object',
      title: 'Human Handoff',
      properties: {
        handoff_config: {
          type: 'object',
          title: 'Handoff Configuration',
          properties: { method: { type: 'string' } },
          if: { properties: { method: { const: 'webhook' } } },
          then: { properties: { webhook_url: { type: 'string', title: 'Webhook URL' } } },
        },
      },
    },
    rag: {
      type: 'object',
      title: 'Knowledge Base',
      properties: {
        sources: {
          type: 'array',
          title: 'Document Sources',
          items: { type: 'object', oneOf: [{ properties: { url: { type: 'string', title: 'URL' } } }] },
        },
      },
    },
    api: {
      type: 'object',
      title: 'API Settings',
      properties: {
        keys: { type: 'array', readOnly: true, items: { $ref: '#/definitions/api.key' } },
        rate_limit: { type: 'object', properties: { rpm: { type: 'integer' } } },
      },
    },
  },
};

describe('titlesForPointer', () => {
  it('reads titles along the pointer, through if/then, $ref and array items', () => {
    expect(titlesForPointer(schema, '/branding/colors/primary')).toEqual(['Branding', 'Colors', 'Primary Color']);
    expect(titlesForPointer(schema, '/escalation/handoff_config/webhook_url')).toEqual(['Human Handoff', 'Handoff Configuration', 'Webhook URL']);
    expect(titlesForPointer(schema, '/rag/sources/1/url')).toEqual(['Knowledge Base', 'Document Sources', 'item 2', 'URL']);
    expect(titlesForPointer(schema, '/api/keys/0/name')).toEqual(['API Settings', 'keys', 'item 1', 'Name']);
  });
  it('falls back to keys where there is no title, and names the whole document', () => {
    expect(readablePointer(schema, '/api/rate_limit/rpm')).toBe('API Settings › rate_limit › rpm');
    expect(readablePointer(schema, '/nope')).toBe('nope');
    expect(readablePointer(schema, '')).toBe('The configuration');
  });
});

describe('stripReadOnly', () => {
  it('drops readOnly values and keeps the rest, sections the schema lacks included', () => {
    const data = { api: { keys: [{ id: 'k' }], rate_limit: { rpm: 5 } }, branding: { colors: { primary: '#000000' } }, voice: { speed: 1 } };
    expect(stripReadOnly(schema, data)).toEqual({ api: { rate_limit: { rpm: 5 } }, branding: { colors: { primary: '#000000' } }, voice: { speed: 1 } });
    expect(data.api.keys).toHaveLength(1);
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined members', () => {
    expect(sameJson({ a: 1, b: { c: 2, d: undefined } }, { b: { c: 2 }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson(undefined, undefined)).toBe(true);
  });
});

it('builds rjsf ids from pointers', () => {
  expect(rjsfIdForPointer('/web_search/api_key')).toBe('root_web_search_api_key');
  expect(rjsfIdForPointer('')).toBe('root');
});
