import { describe, expect, it } from 'vitest';
import type { RJSFValidationError } from '@rjsf/utils';
import { liftToRenderedNode, liftValidationErrors, pathToPointer, pointerToPath, serverErrorsToExtraErrors } from './errors';

const ui = {
  rag: { sources: { 'ui:widget': 'DocumentSourcesWidget' } },
  widget: { allowed_domains: { 'ui:widget': 'DomainListWidget' } },
  branding: { avatar: { 'ui:field': 'AvatarUploadWidget' }, colors: { primary: { 'ui:widget': 'ColorPickerWidget' } } },
  api: { ip_whitelist: {} },
};

describe('JSON Pointers', () => {
  it('splits and escapes per RFC 6901', () => {
    expect(pointerToPath('')).toEqual([]);
    expect(pointerToPath('/a/0/b')).toEqual(['a', '0', 'b']);
    expect(pointerToPath('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
    expect(pathToPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });
});

describe('serverErrorsToExtraErrors', () => {
  it('puts each message at its field', () => {
    const es = serverErrorsToExtraErrors([
      { pointer: '/branding/agent_name', keyword: 'maxLength', message: 'must NOT have more than 50 characters' },
      { pointer: '/branding/colors/primary', keyword: 'pattern', message: 'must match pattern "^#[0-9A-Fa-f]{6}$"' },
      { pointer: '/assistant_configuration/system_prompt', keyword: 'required', message: 'is required' },
    ]);
    expect(es).toEqual({
      branding: {
        agent_name: { __errors: ['must NOT have more than 50 characters'] },
        colors: { primary: { __errors: ['must match pattern "^#[0-9A-Fa-f]{6}$"'] } },
      },
      assistant_configuration: { system_prompt: { __errors: ['is required'] } },
    });
  });

  it('keys array items by index where rjsf renders them one by one', () => {
    const es = serverErrorsToExtraErrors([{ pointer: '/api/ip_whitelist/1', keyword: 'pattern', message: 'bad address' }], ui);
    expect(es).toEqual({ api: { ip_whitelist: { 1: { __errors: ['bad address'] } } } });
  });

  it('lifts errors below a custom widget or field to the node that renders them, saying where', () => {
    const es = serverErrorsToExtraErrors(
      [
        { pointer: '/rag/sources/0/url', keyword: 'format', message: 'must match format "uri"' },
        { pointer: '/widget/allowed_domains/2', keyword: 'pattern', message: 'must match pattern' },
        { pointer: '/branding/avatar/url', keyword: 'format', message: 'must match format "uri"' },
      ],
      ui,
    );
    expect(es).toEqual({
      rag: { sources: { __errors: ['item 1, url: must match format "uri"'] } },
      widget: { allowed_domains: { __errors: ['item 3: must match pattern'] } },
      branding: { avatar: { __errors: ['url: must match format "uri"'] } },
    });
  });

  it('keeps an error on the widget itself where it is', () => {
    const es = serverErrorsToExtraErrors([{ pointer: '/widget/allowed_domains', keyword: 'minItems', message: 'must NOT have fewer than 1 items' }], ui);
    expect(es).toEqual({ widget: { allowed_domains: { __errors: ['must NOT have fewer than 1 items'] } } });
  });

  it('puts whole-document errors at the root and merges, without repeating, several at one field', () => {
    const es = serverErrorsToExtraErrors([
      { pointer: '', keyword: 'propertyNames', message: 'is not a section of this configuration' },
      { pointer: '/a', keyword: 'x', message: 'one' },
      { pointer: '/a', keyword: 'y', message: 'two' },
      { pointer: '/a', keyword: 'y', message: 'two' },
      { pointer: '/a/b', keyword: 'z', message: 'three' },
    ]);
    expect(es).toEqual({ __errors: ['is not a section of this configuration'], a: { __errors: ['one', 'two'], b: { __errors: ['three'] } } });
  });

  it('unescapes pointer tokens into keys', () => {
    expect(serverErrorsToExtraErrors([{ pointer: '/a~1b', keyword: 'k', message: 'm' }])).toEqual({ 'a/b': { __errors: ['m'] } });
  });
});

describe('liftToRenderedNode', () => {
  it('follows array items through `items` in the UI schema', () => {
    const uiItems = { list: { items: { 'ui:field': 'X' } } };
    expect(liftToRenderedNode(['list', '3', 'a'], uiItems)).toEqual({ path: ['list', '3'], where: 'a' });
  });
  it('leaves paths without a rendering widget alone', () => {
    expect(liftToRenderedNode(['branding', 'colors', 'primary'], ui)).toEqual({ path: ['branding', 'colors', 'primary'], where: '' });
  });
});

describe('liftValidationErrors (the page validator)', () => {
  it('rewrites the property of item errors under a custom widget', () => {
    const errors: RJSFValidationError[] = [
      { name: 'pattern', property: '.widget.allowed_domains.0', message: 'must match pattern "x"', stack: '...', schemaPath: '' },
      { name: 'maxLength', property: '.branding.agent_name', message: 'too long', stack: 'too long', schemaPath: '' },
    ];
    const out = liftValidationErrors(errors, ui);
    expect(out[0].property).toBe('.widget.allowed_domains');
    expect(out[0].message).toBe('item 1: must match pattern "x"');
    expect(out[1]).toBe(errors[1]);
  });
});
