import { describe, expect, it } from 'vitest';
import { mergeEdits } from './merge';

describe('mergeEdits', () => {
  const base = { branding: { agent_name: 'Assistant', colors: { primary: '#111111' } }, behavior: { tone: 'professional' } };

  it('keeps what the buyer changed and takes the server elsewhere', () => {
    const local = { ...base, branding: { ...base.branding, agent_name: 'Helper' } };
    const server = { ...base, behavior: { tone: 'friendly' }, rag: { chunk_size: 512 } };
    expect(mergeEdits(base, local, server)).toEqual({
      branding: { agent_name: 'Helper', colors: { primary: '#111111' } },
      behavior: { tone: 'friendly' },
      rag: { chunk_size: 512 },
    });
  });

  it('returns the server copy when nothing was edited', () => {
    const server = { x: 1 };
    expect(mergeEdits(base, structuredClone(base), server)).toBe(server);
  });

  it('respects removals on either side unless the other side edited', () => {
    const local = { branding: base.branding };
    expect(mergeEdits(base, local, base)).toEqual({ branding: base.branding });
    const server = { branding: base.branding };
    const edited = { ...base, behavior: { tone: 'casual' } };
    expect(mergeEdits(base, edited, server)).toEqual({ branding: base.branding, behavior: { tone: 'casual' } });
  });

  it('treats arrays as values', () => {
    expect(mergeEdits({ a: [1] }, { a: [1, 2] }, { a: [3] })).toEqual({ a: [1, 2] });
  });
});
