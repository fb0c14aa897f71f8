import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderForm } from '../test/helpers';
import { rangeMarks } from './RangeWidget';

describe('RangeWidget (ui:widget "range")', () => {
  const schema = { type: 'object' as const, properties: { creativity: { type: 'number' as const, title: 'Creativity', minimum: 0, maximum: 1 } } };
  const uiSchema = { creativity: { 'ui:widget': 'range', 'ui:options': { showLabel: true, labels: { '0': 'Precise', '0.5': 'Balanced', '1': 'Creative' } } } };

  it('shows the value and the named marks', () => {
    renderForm({ schema, uiSchema, formData: { creativity: 0.7 } });
    const slider = screen.getByLabelText('Creativity');
    expect(slider).toHaveAttribute('type', 'range');
    expect(screen.getByText('0.7', { selector: 'output' })).toBeInTheDocument();
    expect(screen.getByText('Precise')).toBeInTheDocument();
    expect(screen.getByText('Creative')).toBeInTheDocument();
  });

  it('hands the form a number, and names a marked value', () => {
    const form = renderForm({ schema, uiSchema, formData: { creativity: 0.7 } });
    fireEvent.change(screen.getByLabelText('Creativity'), { target: { value: '0.5' } });
    expect(form.last()).toEqual({ creativity: 0.5 });
    expect(screen.getByText('0.5 (Balanced)', { selector: 'output' })).toBeInTheDocument();
    expect(screen.getByLabelText('Creativity')).toHaveAttribute('aria-valuetext', '0.5 (Balanced)');
  });

  it('parses integers as integers and shows the bounds without marks', () => {
    const ints = { type: 'object' as const, properties: { chunk: { type: 'integer' as const, title: 'Chunk Size', minimum: 256, maximum: 2048 } } };
    const form = renderForm({ schema: ints, uiSchema: { chunk: { 'ui:widget': 'range' } }, formData: { chunk: 512 } });
    fireEvent.change(screen.getByLabelText('Chunk Size'), { target: { value: '1024' } });
    expect(form.last()).toEqual({ chunk: 1024 });
    expect(screen.getByText('256')).toBeInTheDocument();
    expect(screen.getByText('2048')).toBeInTheDocument();
  });

  it('sorts marks and skips non-numeric keys', () => {
    expect(rangeMarks({ '1': 'b', x: 'no', '0': 'a' })).toEqual([{ value: 0, text: 'a' }, { value: 1, text: 'b' }]);
    expect(rangeMarks(undefined)).toEqual([]);
  });
});
