import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderForm } from '../test/helpers';

const schema = { type: 'object' as const, properties: { keywords: { type: 'array' as const, title: 'Trigger Keywords', items: { type: 'string' as const } } } };
const uiSchema = { keywords: { 'ui:widget': 'TagsWidget' } };

describe('TagsWidget', () => {
  it('lists the phrases as chips', () => {
    renderForm({ schema, uiSchema, formData: { keywords: ['speak to human', 'escalate'] } });
    expect(screen.getByText('speak to human')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove escalate' })).toBeInTheDocument();
  });

  it('adds a phrase on Enter without submitting the form, and ignores duplicates', async () => {
    const form = renderForm({ schema, uiSchema, formData: { keywords: ['a'] } });
    const input = screen.getByLabelText('Trigger Keywords');
    await userEvent.type(input, '  talk to agent {Enter}');
    expect(form.last()).toEqual({ keywords: ['a', 'talk to agent'] });
    expect(input).toHaveValue('');
    expect(form.onSubmit).not.toHaveBeenCalled();
    const before = form.changes.length;
    await userEvent.type(input, 'a{Enter}');
    expect(form.changes.length).toBe(before);
  });

  it('adds with the Add button and removes with ×', async () => {
    const form = renderForm({ schema, uiSchema, formData: { keywords: ['x', 'y'] } });
    await userEvent.type(screen.getByLabelText('Trigger Keywords'), 'z');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(form.last()).toEqual({ keywords: ['x', 'y', 'z'] });
    await userEvent.click(screen.getByRole('button', { name: 'Remove x' }));
    expect(form.last()).toEqual({ keywords: ['y', 'z'] });
  });
});
