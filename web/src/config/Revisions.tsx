import { useState } from 'react';
import { api, errorMessage } from '../api';
import { formatTime } from '../components/format';
import { readablePointer } from '../form/schema';
import type { DiffChange, Revision, RevisionDiff } from '../types';

export interface RevisionsProps {
  subscriptionId: string;
  revisions: Revision[];
  current: number;
  schema: unknown;
  labels: Map<string, string>;
  myUserId?: string;
  busy: boolean;
  onRestore: (revision: number) => void;
}

function short(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? `“${v}”` : JSON.stringify(v);
  return text.length > 120 ? text.slice(0, 117) + '…' : text;
}

export function describeChange(c: DiffChange, schema: unknown): string {
  const where = readablePointer(schema, c.path);
  if (c.op === 'add') return `${where}: set to ${short(c.to)}`;
  if (c.op === 'remove') return `${where}: removed (was ${short(c.from)})`;
  return `${where}: ${short(c.from)} → ${short(c.to)}`;
}

/** Who saved what when; the changes a revision made; putting an earlier one back. */
export default function Revisions({ subscriptionId, revisions, current, schema, labels, myUserId, busy, onRestore }: RevisionsProps) {
  const [open, setOpen] = useState<number>();
  const [diff, setDiff] = useState<RevisionDiff>();
  const [error, setError] = useState<string>();
  const [confirm, setConfirm] = useState<number>();

  const showChanges = async (n: number) => {
    if (open === n) {
      setOpen(undefined);
      return;
    }
    setOpen(n);
    setDiff(undefined);
    setError(undefined);
    try {
      setDiff(await api.diff(subscriptionId, n - 1, n));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const capList = (ids: string[]) => ids.map((id) => labels.get(id) ?? id).join(', ');

  return (
    <div className="revisions">
      <ol className="list-group revision-list" reversed>
        {revisions.map((r) => (
          <li key={r.revision} className="list-group-item revision-item" data-revision={r.revision}>
            <div className="d-flex flex-wrap align-items-center gap-2">
              <div className="flex-grow-1">
                <strong>Revision {r.revision}</strong>
                {r.revision === current && <span className="badge text-bg-info ms-2">current</span>}
                <div className="small text-body-secondary">
                  {r.note || 'saved'} · {formatTime(r.created_at)} · by {r.created_by === myUserId ? 'you' : (r.created_by_name ?? 'someone outside your organisation')}
                  {' · '}
                  {r.is_configured ? 'configured' : 'not configured'}
                </div>
              </div>
              {r.revision > 1 && (
                <button type="button" className="btn btn-outline-secondary btn-sm" aria-expanded={open === r.revision}
                  aria-controls={`revision-${r.revision}-changes`} onClick={() => showChanges(r.revision)}>
                  {open === r.revision ? 'Hide changes' : `Changes in ${r.revision}`}
                </button>
              )}
              {r.revision !== current && (confirm === r.revision ? (
                <span className="d-flex gap-1">
                  <button type="button" className="btn btn-warning btn-sm" disabled={busy} onClick={() => { setConfirm(undefined); onRestore(r.revision); }}>
                    Restore revision {r.revision}
                  </button>
                  <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setConfirm(undefined)}>Cancel</button>
                </span>
              ) : (
                <button type="button" className="btn btn-outline-primary btn-sm" disabled={busy}
                  aria-label={`Restore revision ${r.revision}`} onClick={() => setConfirm(r.revision)}>
                  Restore
                </button>
              ))}
            </div>
            {open === r.revision && (
              <div id={`revision-${r.revision}-changes`} className="mt-2 small revision-diff">
                {error && <div className="text-danger" role="alert">{error}</div>}
                {!diff && !error && <span role="status">Loading changes…</span>}
                {diff && (
                  <ul className="mb-0">
                    {diff.enabled.length > 0 && <li>Turned on: {capList(diff.enabled)}</li>}
                    {diff.disabled.length > 0 && <li>Turned off: {capList(diff.disabled)}</li>}
                    {diff.changes.map((c, i) => (
                      <li key={i}>{describeChange(c, schema)}</li>
                    ))}
                    {diff.enabled.length + diff.disabled.length + diff.changes.length === 0 && <li>No changes.</li>}
                  </ul>
                )}
              </div>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
