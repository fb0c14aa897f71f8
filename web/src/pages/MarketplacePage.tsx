import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage } from '../api';
import { creditLabels, templateKey, templatesFor } from '../catalog';
import { CapabilityBadges, CreditCosts } from '../components/CreditCosts';
import { ErrorAlert, Loading } from '../components/Loading';
import { useAsync } from '../components/useAsync';
import { useSession } from '../session';

export default function MarketplacePage() {
  const { user } = useSession();
  const navigate = useNavigate();
  const data = useAsync(async () => {
    const [offerings, capabilities] = await Promise.all([api.offerings(), api.capabilities()]);
    const active = offerings.filter((o) => o.state === 'active');
    return { offerings: active, templates: await templatesFor(api, active), labels: creditLabels(capabilities) };
  }, []);
  const [busy, setBusy] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const subscribe = async (offeringId: string) => {
    setBusy(offeringId);
    setErrors({});
    try {
      const s = await api.subscribe(offeringId);
      navigate(`/agents/${s.id}`);
    } catch (e) {
      setErrors({ [offeringId]: errorMessage(e) });
      setBusy(undefined);
    }
  };

  return (
    <>
      <h1 className="h3 mb-3">Marketplace</h1>
      {data.error && <ErrorAlert message={data.error} onRetry={data.reload} />}
      {data.loading && !data.value && <Loading what="Loading offerings" />}
      {data.value && data.value.offerings.length === 0 && <p>No offerings are available yet.</p>}
      <div className="row g-3">
        {data.value?.offerings.map((o) => {
          const t = data.value!.templates.get(templateKey(o.template_id, o.template_version));
          const headingId = `offering-${o.id}`;
          return (
            <div className="col-md-6 col-xl-4" key={o.id}>
              <article className="card h-100 offering-card" aria-labelledby={headingId}>
                <div className="card-body d-flex flex-column gap-2">
                  <h2 className="h5 card-title mb-0" id={headingId}>{o.name}</h2>
                  {t && <div className="small text-body-secondary">{t.name} · {t.category}</div>}
                  <p className="card-text mb-1">{o.description}</p>
                  {t && <CapabilityBadges capabilities={t.capabilities} />}
                  <h3 className="h6 mt-2 mb-0">Credit costs</h3>
                  <CreditCosts costs={o.credit_costs} labels={data.value!.labels} />
                  <div className="mt-auto pt-2">
                    {user?.role === 'buyer' && (
                      <button type="button" className="btn btn-primary" disabled={busy !== undefined}
                        aria-label={`Subscribe to ${o.name}`} onClick={() => subscribe(o.id)}>
                        {busy === o.id ? 'Subscribing…' : 'Subscribe'}
                      </button>
                    )}
                    {errors[o.id] && <div className="text-danger small mt-1" role="alert">{errors[o.id]}</div>}
                  </div>
                </div>
              </article>
            </div>
          );
        })}
      </div>
    </>
  );
}
