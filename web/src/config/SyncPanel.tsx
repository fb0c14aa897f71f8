import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api';
import { formatTime, humanize } from '../components/format';
import { ErrorAlert, Loading } from '../components/Loading';
import type { SyncState, SyncStatus, SyncTarget, SyncTargetStatus } from '../types';

/** How often the status is asked for again while a target is behind. */
export const SYNC_POLL_MS = 3000;

const TARGET_NAMES: Record<SyncTarget, string> = {
  langflow: 'Agent runtime (Langflow)',
  ragflow: 'Knowledge base (Ragflow)',
};

const STATES: Record<SyncState, { label: string; badge: string }> = {
  in_sync: { label: 'In sync', badge: 'text-bg-success' },
  pending: { label: 'Waiting', badge: 'text-bg-secondary' },
  syncing: { label: 'Syncing', badge: 'text-bg-info' },
  failing: { label: 'Retrying', badge: 'text-bg-warning' },
  dead: { label: 'Failed', badge: 'text-bg-danger' },
};

export function targetName(target: string): string {
  return TARGET_NAMES[target as SyncTarget] ?? humanize(target);
}

/** "next attempt in 42 s", "… in 5 min", "… at <local time>", or "… due now" once the time has come. */
export function describeNextAttempt(iso: string, now: number): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  if (seconds <= 0) return 'next attempt due now';
  if (seconds < 60) return `next attempt in ${seconds} s`;
  if (seconds < 3600) return `next attempt in ${Math.round(seconds / 60)} min`;
  return `next attempt at ${formatTime(iso)}`;
}

/**
 * Where the agent runtime and the knowledge base are with the saved configuration. Asks again
 * every few seconds while a target is behind, and whenever `refreshKey` changes (after a save).
 */
export default function SyncPanel({ subscriptionId, refreshKey = 0 }: { subscriptionId: string; refreshKey?: number }) {
  const [status, setStatus] = useState<SyncStatus>();
  const [error, setError] = useState<string>();
  // Bumped to ask again now: the retry of a failed load, and after a replay.
  const [reloads, setReloads] = useState(0);
  const [replaying, setReplaying] = useState<SyncTarget>();
  const [replayErrors, setReplayErrors] = useState<Partial<Record<SyncTarget, string>>>({});

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.syncStatus(subscriptionId);
        if (cancelled) return;
        setStatus(next);
        setError(undefined);
        if (!next.in_sync) timer = setTimeout(poll, SYNC_POLL_MS);
      } catch (e) {
        // No retry loop on failure: the alert's button asks again.
        if (!cancelled) setError(errorMessage(e));
      }
    };
    void poll();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [subscriptionId, refreshKey, reloads]);

  const replay = async (target: SyncTarget) => {
    setReplaying(target);
    setReplayErrors((r) => ({ ...r, [target]: undefined }));
    try {
      await api.replaySync(subscriptionId, target);
      setReloads((n) => n + 1);
    } catch (e) {
      // 409 while a worker runs it: the server's sentence says so.
      setReplayErrors((r) => ({ ...r, [target]: errorMessage(e) }));
    } finally {
      setReplaying(undefined);
    }
  };

  if (error && !status) return <ErrorAlert message={error} onRetry={() => setReloads((n) => n + 1)} />;
  if (!status) return <Loading what="Loading the sync status" />;
  const now = Date.now();

  return (
    <div className="sync-status">
      <p className="mb-2" role="status" data-testid="sync-summary">
        {status.in_sync
          ? 'Every part of the agent has the newest revision.'
          : status.targets.length === 0
            ? 'Nothing to sync yet.'
            : 'Not every part of the agent has the newest revision yet; this updates by itself.'}
      </p>
      {error && <ErrorAlert message={error} onRetry={() => setReloads((n) => n + 1)} />}
      <ul className="list-unstyled mb-0 sync-list">
        {status.targets.map((t) => (
          <SyncTargetLine key={t.target} target={t} now={now} busy={replaying === t.target}
            replayError={replayErrors[t.target]} onReplay={() => replay(t.target)} />
        ))}
      </ul>
    </div>
  );
}

function SyncTargetLine({ target: t, now, busy, replayError, onReplay }: {
  target: SyncTargetStatus;
  now: number;
  busy: boolean;
  replayError?: string;
  onReplay: () => void;
}) {
  const state = STATES[t.state] ?? { label: humanize(t.state), badge: 'text-bg-secondary' };
  const name = targetName(t.target);
  const waiting = t.state === 'pending' || t.state === 'failing' || t.state === 'syncing';
  const troubled = t.state === 'failing' || t.state === 'dead';
  const errorId = `sync-${t.target}-error`;
  return (
    <li className="sync-item border-top pt-2 mt-2" data-testid={`sync-${t.target}`} data-state={t.state}>
      <div className="d-flex flex-wrap align-items-center column-gap-2">
        <strong>{name}</strong>
        <span className={`badge ${state.badge}`} data-testid={`sync-${t.target}-state`}>{state.label}</span>
      </div>
      <div className="small text-body-secondary">
        revision {t.applied_revision} of {t.desired_revision}
        {waiting && t.next_attempt_at && <> · {describeNextAttempt(t.next_attempt_at, now)}</>}
      </div>
      {t.progress && <div className="small text-break" data-testid={`sync-${t.target}-progress`}>{t.progress}</div>}
      {t.message && <div className="small text-break">{t.message}</div>}
      {t.last_error && (
        <div id={errorId} className={`small text-break ${troubled ? 'text-danger-emphasis' : 'text-body-secondary'}`}
          data-testid={`sync-${t.target}-error`}>
          {troubled ? `Last error: ${t.last_error}` : t.last_error}
        </div>
      )}
      {t.state === 'dead' && (
        <div className="mt-1">
          {/* The name says which target: a page can have two of these buttons. */}
          <button type="button" className="btn btn-outline-danger btn-sm" disabled={busy}
            aria-label={`${busy ? 'Trying again' : 'Try again'} syncing ${name}`}
            aria-describedby={t.last_error ? errorId : undefined} onClick={onReplay}>
            {busy ? 'Trying again…' : 'Try again'}
          </button>
          {replayError && (
            <div className="small text-danger-emphasis text-break mt-1" role="alert">
              {replayError}
            </div>
          )}
        </div>
      )}
    </li>
  );
}
