import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ConfigForm from '../form/ConfigForm';
import { fakeApi, fakeContext, nearestAncestorWithText, renderForm } from '../test/helpers';
import { domainProblem } from './DomainListWidget';

const pattern = '^[a-zA-Z0-9][a-zA-Z0-9-_.]*\\.[a-zA-Z]{2,}$';
const schema = {
  type: 'object' as const,
  properties: { allowed_domains: { type: 'array' as const, title: 'Allowed Domains', minItems: 1, items: { type: 'string' as const, pattern } } },
};
const uiSchema = { allowed_domains: { 'ui:widget': 'DomainListWidget', 'ui:options': { addButtonText: 'Add Domain' } } };

describe('domainProblem', () => {
  it('says why a host name breaks the rule', () => {
    expect(domainProblem('example.com', pattern)).toBeUndefined();
    expect(domainProblem('shop.example.co.uk', pattern)).toBeUndefined();
    expect(domainProblem('https://example.com', pattern)).toMatch(/scheme/);
    expect(domainProblem('example.com:8080', pattern)).toMatch(/port/);
    expect(domainProblem('*.example.com', pattern)).toMatch(/Wildcards/);
    expect(domainProblem('localhost', pattern)).toMatch(/localhost/);
    expect(domainProblem('example.com/path', pattern)).toMatch(/path/);
    expect(domainProblem('nodot', pattern)).toMatch(/host name such as/);
    expect(domainProblem('  ', pattern)).toMatch(/Enter a host name/);
  });
});

describe('DomainListWidget', () => {
  it('adds a row with the configured button text, focuses it, and edits it', async () => {
    const form = renderForm({ schema, uiSchema, formData: { allowed_domains: [] } });
    await userEvent.click(screen.getByRole('button', { name: 'Add Domain' }));
    expect(form.last()).toEqual({ allowed_domains: [''] });
    const row = screen.getByLabelText('Allowed Domains 1');
    expect(row).toHaveFocus();
    await userEvent.type(row, 'example.com');
    expect(form.last()).toEqual({ allowed_domains: ['example.com'] });
    expect(row).not.toHaveAttribute('aria-invalid');
  });

  it('checks each row inline', () => {
    renderForm({ schema, uiSchema, formData: { allowed_domains: ['https://example.com', 'ok.example.org'] } });
    expect(screen.getByLabelText('Allowed Domains 1')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/Leave out the scheme/)).toBeInTheDocument();
    expect(screen.getByLabelText('Allowed Domains 2')).not.toHaveAttribute('aria-invalid');
  });

  it('removes a row', async () => {
    const form = renderForm({ schema, uiSchema, formData: { allowed_domains: ['a.com', 'b.com'] } });
    await userEvent.click(screen.getByRole('button', { name: 'Remove a.com' }));
    expect(form.last()).toEqual({ allowed_domains: ['b.com'] });
  });

  it('shows the page validator’s error for a bad item at the list, not only in a summary', async () => {
    const onSubmit = vi.fn();
    const onError = vi.fn();
    render(
      <ConfigForm schema={schema} uiSchema={uiSchema} formData={{ allowed_domains: ['bad'] }} context={fakeContext(fakeApi())}
        onChange={() => {}} onSubmit={onSubmit} onError={onError}>
        <button type="submit">Save</button>
      </ConfigForm>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalled();
    const list = screen.getByRole('group', { name: 'Allowed Domains' });
    expect(nearestAncestorWithText(list, 'item 1: must match pattern')).toContainElement(list);
    expect(within(nearestAncestorWithText(list, 'item 1: must match pattern')).getByText(/item 1: must match pattern/)).toBeInTheDocument();
  });
});
