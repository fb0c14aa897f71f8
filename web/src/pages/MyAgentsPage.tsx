import { Link } from 'react-router';
import { api } from '../api';
import { formatTime } from '../components/format';
import { ErrorAlert, Loading } from '../components/Loading';
import { useAsync } from '../components/useAsync';
import type { SubscriptionSummary } from '../types';

interface Agent {
  subscription: SubscriptionSummary;
  /** The offering is no longer listed in the marketplace (archived). */
  unlisted: boolean;
}

export default function MyAgentsPage() {
  // The list carries each agent's offering name and configured state; the listed offerings only
  // tell which of them are still in the marketplace.
  const data = useAsync(async (): Promise<Agent[]> => {
    const [subs, offerings] = await Promise.all([api.subscriptions(), api.offerings()]);
    return subs.map((s) => ({ subscription: s, unlisted: !offerings.some((o) => o.id === s.offering_id) }));
  }, []);

  return (
    <>
      <h1 className="h3 mb-3">My agents</h1>
      {data.error && <ErrorAlert message={data.error} onRetry={data.reload} />}
      {data.loading && !data.value && <Loading what="Loading your agents" />}
      {data.value && data.value.length === 0 && (
        <p>
          You have no agents yet. <Link to="/marketplace">Browse the marketplace</Link> to subscribe to one.
        </p>
      )}
      {data.value && data.value.length > 0 && (
        <ul className="list-group agent-list">
          {data.value.map(({ subscription: s, unlisted }) => (
            <li key={s.id} className="list-group-item d-flex flex-wrap align-items-center gap-2 agent-row">
              <div className="flex-grow-1">
                <div className="fw-semibold">{s.offering_name}</div>
                <div className="small text-body-secondary">
                  Subscribed {formatTime(s.created_at)}
                  {s.state !== 'active' && ` · ${s.state}`}
                  {unlisted && ' · no longer offered in the marketplace'}
                </div>
              </div>
              {s.state === 'active' && (
                <span className={`badge ${s.is_configured ? 'text-bg-success' : 'text-bg-warning'}`} data-testid="configured-state">
                  {s.is_configured ? 'Configured' : 'Not configured yet'}
                </span>
              )}
              {s.state === 'active' && (
                <Link className="btn btn-outline-primary btn-sm" to={`/agents/${s.id}`} aria-label={`Configure ${s.offering_name}`}>
                  Configure
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
