import { Link } from 'react-router';
import { api } from '../api';
import { formatTime } from '../components/format';
import { ErrorAlert, Loading } from '../components/Loading';
import { useAsync } from '../components/useAsync';
import type { ConfigView, Subscription } from '../types';

interface Agent {
  subscription: Subscription;
  name: string;
  /** The offering is no longer listed (archived): a buyer cannot read it any more. */
  unlisted: boolean;
  config?: ConfigView;
}

export default function MyAgentsPage() {
  // The subscription list carries neither the offering's name nor the configured state. Names come
  // from the listed offerings (GET /offerings/{id} answers 404 for an archived one), then from the
  // template; the state costs one GET .../config per agent.
  const data = useAsync(async (): Promise<Agent[]> => {
    const [subs, offerings, templates] = await Promise.all([api.subscriptions(), api.offerings(), api.templates().catch(() => [])]);
    return Promise.all(
      subs.map(async (s) => {
        const config = s.state === 'active' ? await api.config(s.id).then((r) => r.data).catch(() => undefined) : undefined;
        const offering = offerings.find((o) => o.id === s.offering_id);
        const template = templates.find((t) => t.template_id === config?.template_id);
        return { subscription: s, name: offering?.name ?? template?.name ?? config?.template_id ?? 'Agent', unlisted: !offering, config };
      }),
    );
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
          {data.value.map(({ subscription: s, name, unlisted, config }) => (
            <li key={s.id} className="list-group-item d-flex flex-wrap align-items-center gap-2 agent-row">
              <div className="flex-grow-1">
                <div className="fw-semibold">{name}</div>
                <div className="small text-body-secondary">
                  Subscribed {formatTime(s.created_at)}
                  {s.state !== 'active' && ` · ${s.state}`}
                  {unlisted && ' · no longer offered in the marketplace'}
                </div>
              </div>
              {config && (
                <span className={`badge ${config.is_configured ? 'text-bg-success' : 'text-bg-warning'}`} data-testid="configured-state">
                  {config.is_configured ? 'Configured' : `Not configured (${config.missing.length + config.errors.length} to do)`}
                </span>
              )}
              {s.state === 'active' && (
                <Link className="btn btn-outline-primary btn-sm" to={`/agents/${s.id}`} aria-label={`Configure ${name}`}>
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
