import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import CapabilitySwitches from './CapabilitySwitches';

const caps = [
  { id: 'rag', label: 'Knowledge Base', description: 'Docs', default: true },
  { id: 'escalation', label: 'Human Handoff', description: 'Humans', default: false },
];

describe('CapabilitySwitches', () => {
  it('locks the offering’s own capabilities on', () => {
    render(<CapabilitySwitches capabilities={caps} enabled={['rag']} refusals={{}} onToggle={() => {}} />);
    const rag = screen.getByRole('switch', { name: 'Knowledge Base' });
    expect(rag).toBeChecked();
    expect(rag).toBeDisabled();
    expect(screen.getByRole('switch', { name: 'Human Handoff' })).toBeEnabled();
  });

  it('reports a toggle and shows a refusal next to its switch', async () => {
    const onToggle = vi.fn();
    const { rerender } = render(<CapabilitySwitches capabilities={caps} enabled={['rag']} refusals={{}} onToggle={onToggle} />);
    await userEvent.click(screen.getByRole('switch', { name: 'Human Handoff' }));
    expect(onToggle).toHaveBeenCalledWith('escalation', true);
    rerender(<CapabilitySwitches capabilities={caps} enabled={['rag']} refusals={{ escalation: 'Human Handoff needs X.' }} onToggle={onToggle} />);
    const sw = screen.getByRole('switch', { name: 'Human Handoff' });
    expect(sw).toHaveAttribute('aria-invalid', 'true');
    expect(sw).toHaveAccessibleDescription(/Human Handoff needs X\./);
  });
});
