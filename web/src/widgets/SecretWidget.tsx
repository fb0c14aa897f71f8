import type { WidgetProps } from '@rjsf/utils';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api';
import { formContextOf } from '../form/context';
import { rjsfIdForPointer } from '../form/schema';

/**
 * A write-only credential. The stored value never comes back from the server: the widget shows
 * whether one is set (and its last four characters) from the configuration's `secrets` list, takes
 * a new value to replace it (saved with the form; an empty box keeps the stored one), or clears it.
 */
export default function SecretWidget(props: WidgetProps) {
  const { id, value, label, disabled, readonly, onChange, onBlur, onFocus, rawErrors, registry } = props;
  const ctx = formContextOf(registry);
  // The secrets list is keyed by JSON Pointer; rjsf gives widgets only their id.
  const stored = ctx.secrets.find((s) => s.set && rjsfIdForPointer(s.pointer) === id);
  const typed = typeof value === 'string' ? value : '';
  const [replacing, setReplacing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const locked = disabled || readonly;
  const showInput = !stored || replacing || typed !== '';
  // Replace swaps the button for the box: the focus follows, or keyboard users lose their place.
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (replacing) box.current?.focus();
  }, [replacing]);

  const clear = async () => {
    if (!stored) return;
    setBusy(true);
    setError(undefined);
    try {
      await ctx.api.deleteSecret(ctx.subscriptionId, stored.pointer);
      onChange(undefined);
      setReplacing(false);
      ctx.onServerChange();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="secret-widget">
      <p className="mb-2" id={`${id}__status`}>
        {stored ? (
          <>
            <span className="badge text-bg-success me-2">Set</span>
            <span className="text-body-secondary small">
              ends in <code>{stored.last4}</code>, updated {new Date(stored.updated_at).toLocaleString()}
            </span>
          </>
        ) : (
          <span className="badge text-bg-warning">Not set</span>
        )}
      </p>
      {showInput ? (
        <div className="input-group">
          <input
            ref={box}
            id={id}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            className={`form-control${rawErrors?.length ? ' is-invalid' : ''}`}
            value={typed}
            disabled={locked}
            placeholder={stored ? 'New value (replaces the stored one when you save)' : 'Paste the value; it is stored encrypted'}
            aria-describedby={`${id}__status`}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
            onBlur={() => onBlur(id, '')}
            onFocus={() => onFocus(id, '')}
          />
          {stored && (
            <button
              type="button"
              className="btn btn-outline-secondary"
              onClick={() => {
                onChange(undefined);
                setReplacing(false);
              }}
            >
              Keep stored value
            </button>
          )}
        </div>
      ) : (
        <div className="d-flex gap-2">
          <button
            id={id}
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={locked}
            aria-label={`Replace ${label || 'secret'}`}
            onClick={() => setReplacing(true)}
          >
            Replace
          </button>
          <button
            type="button"
            className="btn btn-outline-danger btn-sm"
            disabled={locked || busy}
            aria-label={`Clear ${label || 'secret'}`}
            onClick={clear}
          >
            {busy ? 'Clearing…' : 'Clear'}
          </button>
        </div>
      )}
      {error && (
        <div className="text-danger small mt-1" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
