import { readablePointer } from '../form/schema';
import type { ConfigView } from '../types';

/** What still stands between the saved configuration and a configured agent, in the server's words. */
export default function Readiness({ view, schema, onGoTo }: { view: ConfigView; schema: unknown; onGoTo: (pointer: string) => void }) {
  const todo = view.missing.length + view.errors.length;
  return (
    <div className="readiness">
      <p className="mb-2">
        {view.is_configured ? (
          <span className="badge text-bg-success fs-6" data-testid="readiness-state">Ready: the agent is configured</span>
        ) : (
          <span className="badge text-bg-warning fs-6" data-testid="readiness-state">
            Not configured yet: {todo} {todo === 1 ? 'thing' : 'things'} to do
          </span>
        )}
      </p>
      {todo > 0 && (
        <ul className="mb-0 readiness-list">
          {view.missing.map((m) => (
            <li key={`${m.capability}-${m.need}`}>
              {m.message}
              {m.pointer && (
                <button type="button" className="btn btn-link btn-sm py-0" onClick={() => onGoTo(m.pointer!)}>
                  Go to {readablePointer(schema, m.pointer)}
                </button>
              )}
            </li>
          ))}
          {view.errors.map((e) => (
            <li key={`${e.pointer}-${e.keyword}`}>
              {readablePointer(schema, e.pointer)}: {e.message}
              <button type="button" className="btn btn-link btn-sm py-0" onClick={() => onGoTo(e.pointer)}>
                Go to field
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="small text-body-secondary mt-2 mb-0">Based on the saved configuration.</p>
    </div>
  );
}
