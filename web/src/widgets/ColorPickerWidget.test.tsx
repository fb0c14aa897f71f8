import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderForm } from '../test/helpers';

const schema = { type: 'object' as const, properties: { primary: { type: 'string' as const, title: 'Primary Color', pattern: '^#[0-9A-Fa-f]{6}$' } } };
const uiSchema = { primary: { 'ui:widget': 'ColorPickerWidget' } };

describe('ColorPickerWidget', () => {
  it('shows the colour in the swatch and the hex box, labelled', () => {
    renderForm({ schema, uiSchema, formData: { primary: '#3B82F6' } });
    expect(screen.getByLabelText('Primary Color')).toHaveValue('#3B82F6');
    expect(screen.getByLabelText('Primary Color: picker')).toHaveValue('#3b82f6');
  });

  it('writes #RRGGBB from the picker', () => {
    const form = renderForm({ schema, uiSchema, formData: { primary: '#3B82F6' } });
    fireEvent.input(screen.getByLabelText('Primary Color: picker'), { target: { value: '#ff0000' } });
    expect(form.last()).toEqual({ primary: '#FF0000' });
  });

  it('passes typed text on and says when it is not a colour', async () => {
    const form = renderForm({ schema, uiSchema, formData: { primary: '#3B82F6' } });
    const box = screen.getByLabelText('Primary Color');
    await userEvent.clear(box);
    await userEvent.type(box, '#12');
    expect(form.last()).toEqual({ primary: '#12' });
    expect(screen.getByText(/six hex digits/)).toBeInTheDocument();
    expect(box).toHaveAttribute('aria-invalid', 'true');
    await userEvent.type(box, 'abCD');
    expect(form.last()).toEqual({ primary: '#12abCD' });
    expect(box).not.toHaveAttribute('aria-invalid');
  });

  it('clears to undefined', async () => {
    const form = renderForm({ schema, uiSchema, formData: { primary: '#3B82F6' } });
    await userEvent.clear(screen.getByLabelText('Primary Color'));
    expect(form.last()).toEqual({});
  });
});
