import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage } from '../api';
import { creditLabels } from '../catalog';
import { CapabilityBadges, CreditCosts } from '../components/CreditCosts';
import { formatTime, humanize } from '../components/format';
import { ErrorAlert, Loading } from '../components/Loading';
import { useAsync } from '../components/useAsync';
import type { Capability, Offering, OfferingState, SubscriptionSummary, Template } from '../types';

/** The billable actions a template's offering may price: those its capabilities (and the universal
 * ones) bring, plus any the template prices already. */
export function pricedActions(template: Template, capabilities: Capability[]): string[] {
  const offered = new Set(template.capabilities.map((c) => c.id));
  const actions = new Set(Object.keys(template.credit_costs));
  for (const c of capabilities) {
    if (c.universal || offered.has(c.id)) for (const a of c.credit_actions) actions.add(a.action);
  }
  return [...actions];
}

export default function SellerPage() {
  const data = useAsync(async () => {
    const [templates, capabilities, offerings] = await Promise.all([api.templates(), api.capabilities(), api.offerings()]);
    return { templates, capabilities, offerings };
  }, []);
  const labels = useMemo(() => creditLabels(data.value?.capabilities ?? []), [data.value]);

  return (
    <>
      <h1 className="h3 mb-3">Offerings</h1>
      {data.error && <ErrorAlert message={data.error} onRetry={data.reload} />}
      {data.loading && !data.value && <Loading what="Loading templates and offerings" />}
      {data.value && (
        <>
          <section className="mb-4" aria-labelledby="mine-title">
            <h2 className="h4" id="mine-title">Your offerings</h2>
            <OfferingList offerings={data.value.offerings} templates={data.value.templates}
              onChanged={(o) => data.setValue({ ...data.value!, offerings: data.value!.offerings.map((x) => (x.id === o.id ? o : x)) })} />
          </section>
          <section className="mb-4" aria-labelledby="publish-title">
            <h2 className="h4" id="publish-title">Publish an offering</h2>
            <PublishForm templates={data.value.templates} capabilities={data.value.capabilities} labels={labels}
              onCreated={(o) => data.setValue({ ...data.value!, offerings: [...data.value!.offerings, o] })} />
          </section>
          <section aria-labelledby="templates-title">
            <h2 className="h4" id="templates-title">Templates</h2>
            <div className="row g-3">
              {data.value.templates.map((t) => (
                <div className="col-md-6 col-xl-4" key={t.template_id}>
                  <article className="card h-100 template-card" aria-labelledby={`template-${t.template_id}`}>
                    <div className="card-body d-flex flex-column gap-2">
                      <h3 className="h5 mb-0" id={`template-${t.template_id}`}>{t.name}</h3>
                      <div className="small text-body-secondary">{t.category} · version {t.version}</div>
                      {t.description && <p className="mb-0 small">{t.description}</p>}
                      <CapabilityBadges capabilities={t.capabilities} />
                      <h4 className="h6 mb-0 mt-1">Default credit costs</h4>
                      <CreditCosts costs={t.credit_costs} labels={labels} />
                    </div>
                  </article>
                </div>
              ))}
            </div>
          </section>
        </>
      )}
    </>
  );
}

const STATE_BADGE: Record<OfferingState, string> = { draft: 'text-bg-secondary', active: 'text-bg-success', archived: 'text-bg-dark' };

function OfferingList({ offerings, templates, onChanged }: { offerings: Offering[]; templates: Template[]; onChanged: (o: Offering) => void }) {
  const [busy, setBusy] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [confirmArchive, setConfirmArchive] = useState<string>();
  const [open, setOpen] = useState<string>();
  const [subs, setSubs] = useState<Record<string, SubscriptionSummary[] | string>>({});

  if (offerings.length === 0) return <p>You have no offerings yet.</p>;

  const setState = async (o: Offering, state: OfferingState) => {
    setBusy(o.id);
    setErrors({});
    try {
      onChanged(await api.setOfferingState(o.id, state));
    } catch (e) {
      setErrors({ [o.id]: errorMessage(e) });
    } finally {
      setBusy(undefined);
      setConfirmArchive(undefined);
    }
  };

  const toggleSubs = async (o: Offering) => {
    if (open === o.id) {
      setOpen(undefined);
      return;
    }
    setOpen(o.id);
    try {
      const list = await api.offeringSubscriptions(o.id);
      setSubs((s) => ({ ...s, [o.id]: list }));
    } catch (e) {
      setSubs((s) => ({ ...s, [o.id]: errorMessage(e) }));
    }
  };

  return (
    <ul className="list-group offering-list">
      {offerings.map((o) => {
        const t = templates.find((x) => x.template_id === o.template_id);
        const list = subs[o.id];
        return (
          <li key={o.id} className="list-group-item offering-row" data-offering={o.name}>
            <div className="d-flex flex-wrap align-items-center gap-2">
              <div className="flex-grow-1">
                <div className="fw-semibold">{o.name}</div>
                <div className="small text-body-secondary">
                  {t?.name ?? o.template_id} v{o.template_version} · created {formatTime(o.created_at)}
                </div>
              </div>
              <span className={`badge ${STATE_BADGE[o.state]}`} data-testid="offering-state">{o.state}</span>
              {o.state === 'draft' && (
                <button type="button" className="btn btn-success btn-sm" disabled={busy === o.id}
                  aria-label={`Activate ${o.name}`} onClick={() => setState(o, 'active')}>Activate</button>
              )}
              {o.state !== 'archived' && (confirmArchive === o.id ? (
                <>
                  <button type="button" className="btn btn-danger btn-sm" disabled={busy === o.id} onClick={() => setState(o, 'archived')}>
                    Archive {o.name} for good
                  </button>
                  <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setConfirmArchive(undefined)}>Cancel</button>
                </>
              ) : (
                <button type="button" className="btn btn-outline-danger btn-sm" aria-label={`Archive ${o.name}`}
                  onClick={() => setConfirmArchive(o.id)}>Archive</button>
              ))}
              <button type="button" className="btn btn-outline-secondary btn-sm" aria-expanded={open === o.id}
                aria-label={`Subscriptions to ${o.name}`} onClick={() => toggleSubs(o)}>
                Subscriptions
              </button>
            </div>
            {errors[o.id] && <div className="text-danger small mt-1" role="alert">{errors[o.id]}</div>}
            {open === o.id && (
              <div className="mt-2 small offering-subscriptions">
                {list === undefined && <span role="status">Loading…</span>}
                {typeof list === 'string' && <span className="text-danger" role="alert">{list}</span>}
                {Array.isArray(list) && list.length === 0 && <span>No subscriptions yet.</span>}
                {Array.isArray(list) && list.length > 0 && (
                  <div className="table-responsive">
                    <table className="table table-sm mb-0">
                      <caption className="visually-hidden">Subscriptions to {o.name}</caption>
                      <thead>
                        <tr><th scope="col">Subscription</th><th scope="col">Buyer organisation</th><th scope="col">State</th><th scope="col">Configured</th><th scope="col">Since</th></tr>
                      </thead>
                      <tbody>
                        {list.map((s) => (
                          <tr key={s.id}>
                            <td><code>{s.id}</code></td>
                            <td>{s.organization_name}</td>
                            <td>{s.state}</td>
                            <td>{s.is_configured ? 'yes' : 'not yet'}</td>
                            <td>{formatTime(s.created_at)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function PublishForm({ templates, capabilities, labels, onCreated }: {
  templates: Template[];
  capabilities: Capability[];
  labels: Map<string, string>;
  onCreated: (o: Offering) => void;
}) {
  const [templateId, setTemplateId] = useState(templates[0]?.template_id ?? '');
  const template = templates.find((t) => t.template_id === templateId);
  const actions = template ? pricedActions(template, capabilities) : [];
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [costs, setCosts] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Offering>();

  const costOf = (action: string) => costs[action] ?? String(template?.credit_costs[action] ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!template) return;
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    const credit_costs: Record<string, number> = {};
    for (const a of actions) {
      const text = costOf(a).trim();
      if (text !== '') credit_costs[a] = Number(text);
    }
    try {
      const o = await api.createOffering({ template_id: template.template_id, template_version: template.version, name: name.trim(), description: description.trim(), credit_costs });
      onCreated(o);
      setCreated(o);
      setName('');
      setDescription('');
      setCosts({});
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof ApiError) setFieldErrors(Object.fromEntries(err.errors.map((x) => [x.pointer, x.message])));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card card-body publish-form" onSubmit={submit} noValidate>
      <div className="row g-3">
        <div className="col-md-6">
          <label htmlFor="publish-template" className="form-label">Template</label>
          <select id="publish-template" className="form-select" value={templateId} onChange={(e) => { setTemplateId(e.target.value); setCosts({}); }}>
            {templates.map((t) => (
              <option key={t.template_id} value={t.template_id}>{t.name} (v{t.version})</option>
            ))}
          </select>
        </div>
        <div className="col-md-6">
          <label htmlFor="publish-name" className="form-label">Offering name</label>
          <input id="publish-name" className={`form-control${fieldErrors['/name'] ? ' is-invalid' : ''}`} value={name} maxLength={200} required
            onChange={(e) => setName(e.target.value)} aria-describedby={fieldErrors['/name'] ? 'publish-name-error' : undefined} />
          {fieldErrors['/name'] && <div id="publish-name-error" className="invalid-feedback">{fieldErrors['/name']}</div>}
        </div>
        <div className="col-12">
          <label htmlFor="publish-description" className="form-label">Description</label>
          <textarea id="publish-description" className="form-control" rows={3} maxLength={5000} value={description}
            onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="col-12">
          <legend className="fs-6">Credit costs per action</legend>
          <div className="row g-2">
            {actions.map((a) => (
              <div className="col-sm-6 col-lg-4" key={a}>
                <label htmlFor={`publish-cost-${a}`} className="form-label small mb-0">{labels.get(a) ?? humanize(a)}</label>
                <div className="input-group input-group-sm">
                  <input id={`publish-cost-${a}`} type="number" min={0} max={1000000} step={1} className="form-control"
                    value={costOf(a)} onChange={(e) => setCosts({ ...costs, [a]: e.target.value })} />
                  <span className="input-group-text">credits</span>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      {error && <div className="alert alert-danger mt-3 mb-0 py-2" role="alert">{error}</div>}
      {created && !error && (
        <div className="alert alert-success mt-3 mb-0 py-2" role="status">
          “{created.name}” is published as a draft. Activate it above to list it in the marketplace.
        </div>
      )}
      <div className="mt-3">
        <button type="submit" className="btn btn-primary" disabled={busy || !template || !name.trim()}>
          {busy ? 'Publishing…' : 'Publish offering'}
        </button>
      </div>
    </form>
  );
}
