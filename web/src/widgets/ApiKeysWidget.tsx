import type { WidgetProps } from '@rjsf/utils';
import { useCallback, useEffect, useState } from 'react';
import { errorMessage } from '../api';
import CopyButton from '../components/CopyButton';
import { formatTime } from '../components/format';
import { formContextOf } from '../form/context';
import { isObject } from '../form/errors';
import type { ApiKey, CreatedApiKey } from '../types';

/** The permission names, from the key records' schema (`items.properties.permissions.items.enum`). */
export function permissionChoices(schema: unknown): string[] {
  const items = isObject(schema) ? schema.items : undefined;
  const props = isObject(items) ? items.properties : undefined;
  const perms = isObject(props) ? props.permissions : undefined;
  const permItems = isObject(perms) ? perms.items : undefined;
  const list = isObject(permItems) ? permItems.enum : undefined;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * API keys are records of their own endpoints, not form data: this widget lists them, creates
 * (the secret is shown once, right here) and revokes them, and never calls onChange.
 */
export default function ApiKeysWidget(props: WidgetProps) {
  const { id, value, schema, options, registry } = props;
  const ctx = formContextOf(registry);
  const choices = permissionChoices(schema);
  const [keys, setKeys] = useState<ApiKey[]>(Array.isArray(value) ? (value as ApiKey[]) : []);
  const [name, setName] = useState('');
  const [perms, setPerms] = useState<string[]>(choices.slice(0, 1));
  const [created, setCreated] = useState<CreatedApiKey>();
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const canCreate = options.showCreateButton !== false;
  const canRevoke = options.showRevokeButton !== false;

  const refresh = useCallback(async () => {
    try {
      const all = await ctx.api.apiKeys(ctx.subscriptionId);
      setKeys(all.filter((k) => !k.revoked_at));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [ctx.api, ctx.subscriptionId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const key = await ctx.api.createApiKey(ctx.subscriptionId, name.trim(), perms);
      setCreated(key);
      setName('');
      await refresh();
      ctx.onServerChange();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (keyId: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await ctx.api.revokeApiKey(ctx.subscriptionId, keyId);
      setConfirming(undefined);
      await refresh();
      ctx.onServerChange();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="api-keys" id={id} role="group" aria-label="API keys">
      {created && (
        <div className="alert alert-success" role="status">
          <p className="mb-1">
            <strong>Key “{created.name}” created.</strong> Copy it now: it is shown only this once.
          </p>
          <div className="d-flex flex-wrap align-items-center gap-2">
            <code className="user-select-all text-break" data-testid="new-api-key">
              {created.secret}
            </code>
            <CopyButton text={created.secret} label="Copy key" />
          </div>
          <button type="button" className="btn btn-link btn-sm px-0 mt-1" onClick={() => setCreated(undefined)}>
            I have stored it; hide the key
          </button>
        </div>
      )}

      {keys.length === 0 ? (
        <p className="text-body-secondary small">No API keys yet.</p>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm align-middle">
            <caption className="visually-hidden">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Permissions</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                {canRevoke && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.permissions.join(', ')}</td>
                  <td>{formatTime(k.created_at)}</td>
                  <td>{k.last_used ? formatTime(k.last_used) : 'never'}</td>
                  {canRevoke && (
                    <td className="text-end text-nowrap">
                      {confirming === k.id ? (
                        <>
                          <button
                            type="button"
                            className="btn btn-danger btn-sm me-1"
                            disabled={busy}
                            onClick={() => revoke(k.id)}
                          >
                            Revoke {k.name}
                          </button>
                          <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setConfirming(undefined)}>
                            Cancel
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-outline-danger btn-sm"
                          aria-label={`Revoke key ${k.name}`}
                          onClick={() => setConfirming(k.id)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {canCreate && (
        <fieldset className="border rounded p-2">
          <legend className="fs-6 float-none w-auto px-1 mb-1">New API key</legend>
          <div className="row g-2 align-items-end">
            <div className="col-sm-5">
              <label className="form-label small mb-0" htmlFor={`${id}__name`}>
                Key name
              </label>
              <input
                id={`${id}__name`}
                type="text"
                className="form-control form-control-sm"
                value={name}
                maxLength={100}
                onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => {
                  // Enter would submit the configuration form instead.
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    if (name.trim() && perms.length) void create();
                  }
                }}
              />
            </div>
            <div className="col-sm-4" role="group" aria-label="Key permissions">
              {choices.map((p) => (
                <div className="form-check form-check-inline" key={p}>
                  <input
                    id={`${id}__perm_${p}`}
                    type="checkbox"
                    className="form-check-input"
                    checked={perms.includes(p)}
                    onChange={(e) => setPerms(e.target.checked ? [...perms, p] : perms.filter((x) => x !== p))}
                  />
                  <label className="form-check-label small" htmlFor={`${id}__perm_${p}`}>
                    {p}
                  </label>
                </div>
              ))}
            </div>
            <div className="col-sm-3">
              <button
                type="button"
                className="btn btn-primary btn-sm w-100"
                disabled={busy || !name.trim() || perms.length === 0}
                onClick={create}
              >
                Create key
              </button>
            </div>
          </div>
        </fieldset>
      )}
      {error && (
        <div className="alert alert-danger mt-2 py-1" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
