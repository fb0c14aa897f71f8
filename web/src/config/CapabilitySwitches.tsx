import type { TemplateCapability } from '../types';

export interface CapabilitySwitchesProps {
  capabilities: TemplateCapability[];
  enabled: string[];
  /** The change on its way to the server: its switch shows the asked-for state until the answer. */
  pending?: { id: string; on: boolean };
  /** The server's reason (409 `detail`) per capability whose switch was refused. */
  refusals: Record<string, string>;
  onToggle: (id: string, on: boolean) => void;
}

/** One switch per capability the offering has; the offering's own (default) ones are locked on. */
export default function CapabilitySwitches({ capabilities, enabled, pending, refusals, onToggle }: CapabilitySwitchesProps) {
  if (capabilities.length === 0) return <p className="mb-0 text-body-secondary">This agent has no optional capabilities.</p>;
  return (
    <ul className="list-unstyled mb-0 capability-switches">
      {capabilities.map((c) => {
        const on = pending?.id === c.id ? pending.on : enabled.includes(c.id);
        const id = `capability-${c.id}`;
        const reason = refusals[c.id];
        return (
          <li key={c.id} className="mb-2">
            <div className="form-check form-switch">
              <input
                className={`form-check-input${reason ? ' is-invalid' : ''}`}
                type="checkbox"
                role="switch"
                id={id}
                checked={on}
                disabled={c.default || pending !== undefined}
                aria-describedby={`${id}-help${reason ? ` ${id}-reason` : ''}`}
                aria-invalid={reason ? true : undefined}
                onChange={(e) => onToggle(c.id, e.target.checked)}
              />
              <label className="form-check-label fw-semibold" htmlFor={id}>
                {c.label}
              </label>
              {c.default && <span className="badge text-bg-secondary ms-2">Included</span>}
              {pending?.id === c.id && <span className="spinner-border spinner-border-sm ms-2" role="status" aria-label="Saving" />}
              <div id={`${id}-help`} className="small text-body-secondary">
                {c.description}
                {c.default && ' Included in this offering: always on.'}
              </div>
              {reason && (
                <div id={`${id}-reason`} className="small text-danger capability-refusal" role="alert">
                  {reason}
                </div>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
