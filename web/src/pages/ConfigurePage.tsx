import type { ErrorSchema, RJSFValidationError } from '@rjsf/utils';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api';
import { ErrorAlert, Loading } from '../components/Loading';
import UnsavedChangesGuard from '../components/UnsavedChangesGuard';
import CapabilitySwitches from '../config/CapabilitySwitches';
import EmbedCode from '../config/EmbedCode';
import Readiness from '../config/Readiness';
import Revisions from '../config/Revisions';
import SyncPanel from '../config/SyncPanel';
import ConfigForm from '../form/ConfigForm';
import type { ConfigFormContext } from '../form/context';
import { pathToPointer, serverErrorsToExtraErrors } from '../form/errors';
import { mergeEdits } from '../form/merge';
import { readablePointer, rjsfIdForPointer, sameJson, stripReadOnly } from '../form/schema';
import { useSession } from '../session';
import type { ConfigView, FormBundle, JsonObject, Revision, Template } from '../types';

interface ServerState {
  form: FormBundle;
  etag: string;
  view: ConfigView;
}

type SaveStatus =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; revision: number }
  | { kind: 'invalid'; problems: { pointer: string; message: string }[]; fromServer: boolean; detail?: string }
  | { kind: 'stale'; detail: string }
  | { kind: 'reloaded' }
  | { kind: 'failed'; detail: string };

/** The form (schema, UI schema, data, ETag) and the view (readiness, secrets) of one revision. */
async function fetchServer(id: string): Promise<ServerState> {
  for (let attempt = 0; ; attempt++) {
    const [form, config] = await Promise.all([api.form(id), api.config(id)]);
    // Two requests may straddle a save; the pair must describe the same revision.
    if (form.data.revision === config.data.revision || attempt >= 2) {
      return { form: form.data, etag: form.etag || config.etag, view: config.data };
    }
  }
}

export default function ConfigurePage() {
  const { id = '' } = useParams();
  const { user } = useSession();
  const [server, setServer] = useState<ServerState>();
  const [meta, setMeta] = useState<{ name: string; template?: Template; labels: Map<string, string> }>();
  const [loadError, setLoadError] = useState<string>();
  // What the buyer sees and edits, and the server data those edits started from.
  const [formData, setFormData] = useState<JsonObject>({});
  const [base, setBase] = useState<JsonObject>({});
  const [extraErrors, setExtraErrors] = useState<ErrorSchema>();
  const [status, setStatus] = useState<SaveStatus>({ kind: 'idle' });
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<{ id: string; on: boolean }>();
  const [revisions, setRevisions] = useState<Revision[]>([]);
  const [embed, setEmbed] = useState<string>();
  const [restoring, setRestoring] = useState(false);
  // Bumped by every new revision, so the sync panel asks at once rather than at its next poll.
  const [syncKey, setSyncKey] = useState(0);
  const latest = useRef({ formData, base });
  latest.current = { formData, base };

  const schema = server?.form.schema;
  const dirty = useMemo(
    () => !!schema && !sameJson(stripReadOnly(schema, formData), stripReadOnly(schema, base)),
    [schema, formData, base],
  );

  /** Takes the server's newer state; with `keepEdits`, what the buyer changed survives it. */
  const apply = useCallback((next: ServerState, keepEdits: boolean) => {
    const serverData = next.form.form_data;
    const { formData: local, base: oldBase } = latest.current;
    setFormData(keepEdits ? (mergeEdits(oldBase, local, serverData) as JsonObject) : serverData);
    setBase(serverData);
    setServer(next);
  }, []);

  const refreshSide = useCallback(async () => {
    const [revs, snippet] = await Promise.all([
      api.revisions(id).catch(() => undefined),
      // No snippet while the widget capability is off (or when the call fails).
      api.embed(id).then((r) => (r.enabled && r.html ? r.html : undefined), () => undefined),
    ]);
    if (revs) setRevisions(revs);
    setEmbed(snippet);
  }, [id]);

  const load = useCallback(async () => {
    setLoadError(undefined);
    try {
      // The offering's name from the listed ones: GET /offerings/{id} answers 404 to its buyers
      // once it is archived.
      const [state, sub, capabilities, offerings] = await Promise.all([fetchServer(id), api.subscription(id), api.capabilities(), api.offerings()]);
      const offering = offerings.find((o) => o.id === sub.offering_id);
      const versions = await api.templateVersions(state.view.template_id).catch(() => [] as Template[]);
      const template = versions.find((t) => t.version === state.view.template_version);
      const labels = new Map(capabilities.map((c) => [c.id, c.label] as [string, string]));
      setMeta({ name: offering?.name ?? template?.name ?? 'Agent', template, labels });
      apply(state, false);
      void refreshSide();
    } catch (e) {
      setLoadError(errorMessage(e));
    }
  }, [id, apply, refreshSide]);

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (capability: string, on: boolean) => {
    setPending({ id: capability, on });
    setRefusals({});
    try {
      await api.setCapabilities(id, on ? { enable: [capability] } : { disable: [capability] });
      apply(await fetchServer(id), true);
      // A switch is a revision of its own: "saved as revision N" would now be out of date.
      setStatus({ kind: 'idle' });
      void refreshSide();
      setSyncKey((k) => k + 1);
    } catch (e) {
      // 409: the server's sentence saying which rule the change would break.
      setRefusals({ [capability]: errorMessage(e) });
    } finally {
      setPending(undefined);
    }
  };

  const save = async (data: JsonObject) => {
    if (!server) return;
    setStatus({ kind: 'saving' });
    try {
      const { data: view, etag } = await api.saveConfig(id, stripReadOnly(server.form.schema, data), server.etag);
      setExtraErrors(undefined);
      setFormData(view.config);
      setBase(view.config);
      setServer({ ...server, etag, view, form: { ...server.form, form_data: view.config, revision: view.revision } });
      setStatus({ kind: 'saved', revision: view.revision });
      void refreshSide();
      setSyncKey((k) => k + 1);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        setExtraErrors(serverErrorsToExtraErrors(e.errors, server.form.ui_schema));
        setStatus({ kind: 'invalid', problems: e.errors.map((x) => ({ pointer: x.pointer, message: x.message })), fromServer: true, detail: e.detail });
      } else if (e instanceof ApiError && e.status === 412) {
        setStatus({ kind: 'stale', detail: e.detail });
      } else {
        setStatus({ kind: 'failed', detail: errorMessage(e) });
      }
    }
  };

  const onInvalid = (errors: RJSFValidationError[]) => {
    const problems = errors.map((e) => ({ pointer: pathToPointer((e.property ?? '').split('.').filter(Boolean)), message: e.message ?? e.stack }));
    setStatus({ kind: 'invalid', problems, fromServer: false });
  };

  const reloadKeepingEdits = async () => {
    try {
      apply(await fetchServer(id), true);
      setStatus({ kind: 'reloaded' });
      void refreshSide();
    } catch (e) {
      setStatus({ kind: 'failed', detail: errorMessage(e) });
    }
  };

  const restore = async (revision: number) => {
    setRestoring(true);
    try {
      await api.restore(id, revision);
      apply(await fetchServer(id), false);
      setExtraErrors(undefined);
      setStatus({ kind: 'idle' });
      void refreshSide();
      setSyncKey((k) => k + 1);
    } catch (e) {
      setStatus({ kind: 'failed', detail: errorMessage(e) });
    } finally {
      setRestoring(false);
    }
  };

  const refreshView = useCallback(async () => {
    try {
      const { data } = await api.config(id);
      setServer((s) => (s ? { ...s, view: data } : s));
    } catch {
      // The next full load says what is wrong.
    }
  }, [id]);

  const context: ConfigFormContext | undefined = useMemo(
    () => server && { subscriptionId: id, api, csrfToken: api.csrfToken(), secrets: server.view.secrets, onServerChange: refreshView },
    [id, server, refreshView],
  );

  const goTo = (pointer: string) => {
    const el = document.getElementById(rjsfIdForPointer(pointer));
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    const focusable = el.matches('input,select,textarea,button') ? el : el.querySelector<HTMLElement>('input,select,textarea,button');
    focusable?.focus();
  };

  if (loadError) return <ErrorAlert message={loadError} onRetry={load} />;
  if (!server || !meta || !context) return <Loading what="Loading the configuration" />;
  const { view, form } = server;

  return (
    <>
      <UnsavedChangesGuard when={dirty} />
      <nav aria-label="Breadcrumb" className="small mb-2">
        <Link to="/agents">My agents</Link> › Configure
      </nav>
      <h1 className="h3 mb-1">{meta.name}</h1>
      <p className="text-body-secondary small mb-3">
        {meta.template?.name ?? view.template_id} · revision {view.revision}
      </p>

      <div className="row g-3">
        <div className="col-lg-8">
          <section className="card mb-3" aria-labelledby="readiness-title">
            <div className="card-body">
              <h2 className="h5" id="readiness-title">Readiness</h2>
              <Readiness view={view} schema={form.schema} onGoTo={goTo} />
            </div>
          </section>

          <section className="card mb-3" aria-labelledby="capabilities-title">
            <div className="card-body">
              <h2 className="h5" id="capabilities-title">Capabilities</h2>
              <CapabilitySwitches capabilities={meta.template?.capabilities ?? []} enabled={view.enabled_capabilities}
                pending={pending} refusals={refusals} onToggle={toggle} />
            </div>
          </section>

          <h2 className="h5 mt-4">Configuration</h2>
          <ConfigForm schema={form.schema} uiSchema={form.ui_schema} formData={formData} extraErrors={extraErrors}
            context={context} disabled={restoring} onChange={setFormData} onSubmit={save} onError={onInvalid}>
            <SaveBar status={status} dirty={dirty} schema={form.schema} onReload={reloadKeepingEdits} onGoTo={goTo} />
          </ConfigForm>
        </div>

        <div className="col-lg-4">
          <section className="card mb-3" aria-labelledby="sync-title">
            <div className="card-body">
              <h2 className="h5" id="sync-title">Sync</h2>
              <SyncPanel subscriptionId={id} refreshKey={syncKey} />
            </div>
          </section>
          {embed !== undefined && (
            <section className="card mb-3" aria-labelledby="embed-title">
              <div className="card-body">
                <h2 className="h5" id="embed-title">Widget embed code</h2>
                <EmbedCode html={embed} />
              </div>
            </section>
          )}
          <section className="card mb-3" aria-labelledby="revisions-title">
            <div className="card-body">
              <h2 className="h5" id="revisions-title">Revisions</h2>
              {dirty && <p className="small text-warning-emphasis">Restoring a revision discards your unsaved changes.</p>}
              <Revisions subscriptionId={id} revisions={revisions} current={view.revision} schema={form.schema}
                labels={meta.labels} myUserId={user?.id} busy={restoring} onRestore={restore} />
            </div>
          </section>
        </div>
      </div>
    </>
  );
}

function SaveBar({ status, dirty, schema, onReload, onGoTo }: {
  status: SaveStatus;
  dirty: boolean;
  schema: unknown;
  onReload: () => void;
  onGoTo: (pointer: string) => void;
}) {
  return (
    <div className="save-bar sticky-bottom bg-body border-top py-2 mt-3">
      <div className="d-flex flex-wrap align-items-center gap-2">
        <button type="submit" className="btn btn-primary" disabled={!dirty || status.kind === 'saving'}>
          {status.kind === 'saving' ? 'Saving…' : 'Save configuration'}
        </button>
        <span className="small text-body-secondary" role="status" aria-live="polite" data-testid="save-status">
          {status.kind === 'reloaded'
            ? 'Reloaded the newest revision; your changes are kept. Save again.'
            : dirty
              ? 'Unsaved changes'
              : status.kind === 'saved'
                ? `Saved as revision ${status.revision}.`
                : 'No unsaved changes'}
        </span>
      </div>
      {status.kind === 'invalid' && (
        <div className="alert alert-danger mt-2 mb-0 py-2" role="alert" data-testid="save-errors">
          <p className="mb-1">
            {status.fromServer ? `Not saved: ${status.detail ?? 'the server found problems'}.` : 'Not saved: fix these first.'}
          </p>
          <ul className="mb-0">
            {status.problems.map((p, i) => (
              <li key={i}>
                <button type="button" className="btn btn-link btn-sm p-0 align-baseline text-start" onClick={() => onGoTo(p.pointer)}>
                  {readablePointer(schema, p.pointer)}
                </button>
                : {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status.kind === 'stale' && (
        <div className="alert alert-warning mt-2 mb-0 py-2 d-flex flex-wrap align-items-center gap-2" role="alert" data-testid="stale-alert">
          <span className="flex-grow-1">Someone saved this configuration after you opened it ({status.detail}).</span>
          <button type="button" className="btn btn-warning btn-sm" onClick={onReload}>
            Reload and keep my changes
          </button>
        </div>
      )}
      {status.kind === 'failed' && (
        <div className="alert alert-danger mt-2 mb-0 py-2" role="alert">
          {status.detail}
        </div>
      )}
    </div>
  );
}
