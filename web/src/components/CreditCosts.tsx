import { humanize } from './format';

export function CreditCosts({ costs, labels }: { costs: Record<string, number>; labels: Map<string, string> }) {
  const entries = Object.entries(costs);
  if (entries.length === 0) return <p className="small text-body-secondary mb-0">No credit costs.</p>;
  return (
    <dl className="row small mb-0 credit-costs">
      {entries.map(([action, cost]) => (
        <div key={action} className="col-12 d-flex justify-content-between border-bottom py-1">
          <dt className="fw-normal">{labels.get(action) ?? humanize(action)}</dt>
          <dd className="mb-0">
            {cost} {cost === 1 ? 'credit' : 'credits'}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function CapabilityBadges({ capabilities }: { capabilities: { id: string; label: string; description: string; default: boolean }[] }) {
  return (
    <ul className="list-unstyled d-flex flex-wrap gap-1 mb-0" aria-label="Capabilities">
      {capabilities.map((c) => (
        <li key={c.id} className={`badge ${c.default ? 'text-bg-primary' : 'text-bg-light border'}`} title={c.description}>
          {c.label}
          <span className="visually-hidden">{c.default ? ' (included)' : ' (optional)'}</span>
          {!c.default && <span aria-hidden="true"> (optional)</span>}
        </li>
      ))}
    </ul>
  );
}
