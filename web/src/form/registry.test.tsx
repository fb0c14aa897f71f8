import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getDefaultRegistry } from '@rjsf/core';
import { getWidget, type RJSFSchema } from '@rjsf/utils';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderForm } from '../test/helpers';
import { fields, widgets } from './registry';

// The catalog's own list, read from the repository rather than copied, so a name added there
// fails here until the page implements it.
const catalogFile = path.resolve(__dirname, '../../../catalog/widgets.json');
const catalog = JSON.parse(readFileSync(catalogFile, 'utf8')) as { widgets: { name: string; kind: 'widget' | 'field' }[] };

describe('catalog/widgets.json names', () => {
  it('lists some names of each kind', () => {
    expect(catalog.widgets.some((w) => w.kind === 'widget')).toBe(true);
    expect(catalog.widgets.some((w) => w.kind === 'field')).toBe(true);
  });

  it.each(catalog.widgets.filter((w) => w.kind === 'widget').map((w) => w.name))('%s is a registered widget', (name) => {
    expect(widgets[name]).toBeTypeOf('function');
    // rjsf resolves the name through the merged registry the Form uses.
    const registry = { ...getDefaultRegistry().widgets, ...widgets };
    expect(() => getWidget({ type: 'string' } as RJSFSchema, name, registry)).not.toThrow();
  });

  it.each(catalog.widgets.filter((w) => w.kind === 'field').map((w) => w.name))('%s is a registered field', (name) => {
    expect(fields[name]).toBeTypeOf('function');
    expect(widgets[name]).toBeUndefined();
  });

  it('registers nothing under a name the catalog gives to the other kind', () => {
    for (const w of catalog.widgets) {
      if (w.kind === 'widget') expect(fields[w.name]).toBeUndefined();
    }
  });

  it('renders a ui:field by its catalog name inside a Form', () => {
    const field = catalog.widgets.find((w) => w.kind === 'field')!.name;
    renderForm({
      schema: { type: 'object', properties: { avatar: { type: 'object', title: 'Avatar', properties: { type: { type: 'string', enum: ['default', 'upload', 'url'] }, url: { type: 'string' } } } } },
      uiSchema: { avatar: { 'ui:field': field } },
      formData: { avatar: { type: 'default' } },
    });
    expect(screen.getByRole('radio', { name: 'Default image' })).toBeChecked();
  });
});
