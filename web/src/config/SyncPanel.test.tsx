import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncState, SyncStatus, SyncTarget, SyncTargetStatus } from '../types';
import SyncPanel, { describeNextAttempt, SYNC_POLL_MS } from './SyncPanel';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

function target(name: SyncTarget, state: SyncState, extra: Partial<SyncTargetStatus> = {}): SyncTargetStatus {
  return {
    target: name, state, desired_revision: 3, applied_revision: state === 'in_sync' ? 3 : 2, attempts: 0,
    last_error: null, message: null, progress: null, next_attempt_at: null, resources: {}, updated_at: '2026-03-01T11:59:00.000Z',
    ...extra,
  };
}

function status(...targets: SyncTargetStatus[]): SyncStatus {
  return { subscription_id: 's1', in_sync: targets.every((t) => t.state === 'in_sync'), targets };
}

function json(code: number, body: unknown) {
  return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } });
}

/** What GET …/sync answers, in turn; the last answer repeats. */
let answers: SyncStatus[] = [];
let replayAnswer: () => Response;
let fetchMock: ReturnType<typeof vi.fn>;

const calls = (method: string, suffix: string) =>
  fetchMock.mock.calls.filter(([url, init]) => ((init as RequestInit | undefined)?.method ?? 'GET') === method && String(url).endsWith(suffix));

beforeEach(() => {
  answers = [];
  replayAnswer = () => json(202, target('langflow', 'pending'));
  fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    if (method === 'GET' && url === '/api/v1/subscriptions/s1/sync') return json(200, answers.length > 1 ? answers.shift() : answers[0]);
    if (method === 'POST' && url === '/api/v1/subscriptions/s1/sync/langflow/replay') return replayAnswer();
    return json(404, { status: 404, detail: `no route ${method} ${url}` });
  });
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Lets the pending fetches (and any timers due by then) finish under fake timers. */
async function advance(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('SyncPanel', () => {
  it('should name each target and say its state in words', async () => {
    answers = [status(
      target('langflow', 'in_sync'),
      target('ragflow', 'pending'),
    )];
    render(<SyncPanel subscriptionId="s1" />);
    const langflow = await screen.findByTestId('sync-langflow');
    expect(langflow).toHaveTextContent('Agent runtime (Langflow)');
    expect(within(langflow).getByTestId('sync-langflow-state')).toHaveTextContent('In sync');
    expect(langflow).toHaveTextContent('revision 3 of 3');
    const ragflow = screen.getByTestId('sync-ragflow');
    expect(ragflow).toHaveTextContent('Knowledge base (Ragflow)');
    expect(within(ragflow).getByTestId('sync-ragflow-state')).toHaveTextContent('Waiting');
    expect(ragflow).toHaveTextContent('revision 2 of 3');
  });

  it.each([
    ['pending', 'Waiting'],
    ['syncing', 'Syncing'],
    ['in_sync', 'In sync'],
    ['failing', 'Retrying'],
    ['dead', 'Failed'],
  ] as [SyncState, string][])('should show the state %s as “%s”', async (state, words) => {
    answers = [status(target('langflow', state))];
    render(<SyncPanel subscriptionId="s1" />);
    expect(await screen.findByTestId('sync-langflow-state')).toHaveTextContent(words);
  });

  it('should show the progress and the last error when there are some', async () => {
    answers = [status(
      target('ragflow', 'syncing', { progress: 'Parsing 3 of 7 documents' }),
      target('langflow', 'failing', { attempts: 2, last_error: 'Langflow answered 503: the service is unavailable' }),
    )];
    render(<SyncPanel subscriptionId="s1" />);
    expect(await screen.findByTestId('sync-ragflow-progress')).toHaveTextContent('Parsing 3 of 7 documents');
    expect(screen.queryByTestId('sync-ragflow-error')).toBeNull();
    expect(screen.getByTestId('sync-langflow-error')).toHaveTextContent('Last error: Langflow answered 503: the service is unavailable');
    expect(screen.queryByTestId('sync-langflow-progress')).toBeNull();
  });

  it('should say why a waiting target waits, and when it is next tried', async () => {
    vi.useFakeTimers({ now: NOW });
    answers = [status(target('langflow', 'pending', {
      last_error: 'Langflow is not configured on this server; the agent waits until it is',
      next_attempt_at: new Date(NOW + 42_000).toISOString(),
    }))];
    render(<SyncPanel subscriptionId="s1" />);
    await advance();
    const line = screen.getByTestId('sync-langflow');
    expect(line).toHaveTextContent('Langflow is not configured on this server; the agent waits until it is');
    expect(line).not.toHaveTextContent('Last error');
    expect(line).toHaveTextContent('next attempt in 42 s');
  });

  it('should word the next attempt by how far off it is', () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    expect(describeNextAttempt(at(-5_000), NOW)).toBe('next attempt due now');
    expect(describeNextAttempt(at(9_000), NOW)).toBe('next attempt in 9 s');
    expect(describeNextAttempt(at(5 * 60_000), NOW)).toBe('next attempt in 5 min');
    expect(describeNextAttempt(at(3 * 3600_000), NOW)).toMatch(/^next attempt at /);
  });

  it('should offer “Try again” only for a failed target', async () => {
    answers = [status(
      target('langflow', 'dead', { attempts: 8, last_error: 'Langflow refused the flow: unknown component' }),
      target('ragflow', 'failing', { attempts: 2, last_error: 'Ragflow timed out' }),
    )];
    render(<SyncPanel subscriptionId="s1" />);
    const button = await screen.findByRole('button', { name: 'Try again syncing Agent runtime (Langflow)' });
    expect(button).toHaveAccessibleDescription('Last error: Langflow refused the flow: unknown component');
    expect(screen.getAllByRole('button', { name: /Try again/ })).toHaveLength(1);
    expect(within(screen.getByTestId('sync-ragflow')).queryByRole('button')).toBeNull();
  });

  it('should replay a failed target and then ask for the status again', async () => {
    answers = [
      status(target('langflow', 'dead', { last_error: 'Langflow refused the flow' })),
      status(target('langflow', 'pending')),
    ];
    render(<SyncPanel subscriptionId="s1" />);
    await userEvent.click(await screen.findByRole('button', { name: /Try again/ }));
    expect(await screen.findByText('Waiting')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Try again/ })).toBeNull();
    const [replay] = calls('POST', '/sync/langflow/replay');
    expect(replay).toBeDefined();
    expect(calls('GET', '/sync')).toHaveLength(2);
  });

  it('should show the server’s reason when the replay is refused', async () => {
    answers = [status(target('langflow', 'dead', { last_error: 'Langflow refused the flow' }))];
    replayAnswer = () => json(409, { status: 409, title: 'Conflict', detail: 'a worker is syncing langflow right now; try again shortly' });
    render(<SyncPanel subscriptionId="s1" />);
    await userEvent.click(await screen.findByRole('button', { name: /Try again/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('a worker is syncing langflow right now; try again shortly');
    expect(screen.getByRole('button', { name: /Try again/ })).toBeEnabled();
  });

  it('should ask every 3 s while a target is behind and stop once all are in sync', async () => {
    vi.useFakeTimers({ now: NOW });
    answers = [
      status(target('langflow', 'pending'), target('ragflow', 'in_sync')),
      status(target('langflow', 'syncing', { progress: 'Updating the flow' }), target('ragflow', 'in_sync')),
      status(target('langflow', 'in_sync'), target('ragflow', 'in_sync')),
    ];
    render(<SyncPanel subscriptionId="s1" />);
    await advance();
    expect(calls('GET', '/sync')).toHaveLength(1);
    expect(screen.getByTestId('sync-langflow-state')).toHaveTextContent('Waiting');
    await advance(SYNC_POLL_MS - 1);
    expect(calls('GET', '/sync')).toHaveLength(1);
    await advance(1);
    expect(calls('GET', '/sync')).toHaveLength(2);
    expect(screen.getByTestId('sync-langflow-state')).toHaveTextContent('Syncing');
    await advance(SYNC_POLL_MS);
    expect(calls('GET', '/sync')).toHaveLength(3);
    expect(screen.getByTestId('sync-langflow-state')).toHaveTextContent('In sync');
    expect(screen.getByTestId('sync-summary')).toHaveTextContent('Every part of the agent has the newest revision.');
    await advance(10 * SYNC_POLL_MS);
    expect(calls('GET', '/sync')).toHaveLength(3);
  });

  it('should stop asking once it is gone', async () => {
    vi.useFakeTimers({ now: NOW });
    answers = [status(target('langflow', 'pending'))];
    const { unmount } = render(<SyncPanel subscriptionId="s1" />);
    await advance();
    expect(calls('GET', '/sync')).toHaveLength(1);
    unmount();
    await advance(10 * SYNC_POLL_MS);
    expect(calls('GET', '/sync')).toHaveLength(1);
  });

  it('should ask again at once when the refresh key changes', async () => {
    vi.useFakeTimers({ now: NOW });
    answers = [status(target('langflow', 'in_sync')), status(target('langflow', 'pending', { desired_revision: 4, applied_revision: 3 }))];
    const { rerender } = render(<SyncPanel subscriptionId="s1" refreshKey={0} />);
    await advance();
    expect(screen.getByTestId('sync-langflow')).toHaveTextContent('revision 3 of 3');
    rerender(<SyncPanel subscriptionId="s1" refreshKey={1} />);
    await advance();
    expect(calls('GET', '/sync')).toHaveLength(2);
    expect(screen.getByTestId('sync-langflow')).toHaveTextContent('revision 3 of 4');
  });

  it('should say so when the status cannot be loaded, and offer to ask again', async () => {
    fetchMock.mockImplementationOnce(async () => json(500, { status: 500, detail: 'the store is unavailable' }));
    answers = [status(target('langflow', 'in_sync'))];
    render(<SyncPanel subscriptionId="s1" />);
    expect(await screen.findByRole('alert')).toHaveTextContent('the store is unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('sync-langflow-state')).toHaveTextContent('In sync');
  });
});
