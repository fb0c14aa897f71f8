import type { WidgetProps } from '@rjsf/utils';
import { useMemo, useState } from 'react';
import { errorMessage } from '../api';
import { humanize } from '../components/format';
import { formContextOf } from '../form/context';
import { isObject } from '../form/errors';
import { resolve } from '../form/schema';

type Source = Record<string, unknown>;
type Schema = Record<string, unknown>;

export interface SourceKind {
  /** The value of the variant's `type` const ("url", "file", ...). */
  type: string;
  title: string;
  fields: { key: string; label: string; schema: Schema; required: boolean }[];
  /** A variant with a `file_id` is filled by uploading a file, not by typing an id. */
  upload: boolean;
}

/** The kinds of source, read from the item schema's `oneOf` (each variant has a `type` const). */
export function sourceKinds(schema: unknown, rootSchema: unknown): SourceKind[] {
  const items = isObject(schema) ? resolve(schema.items, rootSchema) : undefined;
  const variants = items && Array.isArray(items.oneOf) ? items.oneOf : [];
  const kinds: SourceKind[] = [];
  for (const raw of variants) {
    const v = resolve(raw, rootSchema);
    const props = v && isObject(v.properties) ? v.properties : undefined;
    const typeSchema = props ? resolve(props.type, rootSchema) : undefined;
    if (!v || !props || !typeSchema || typeof typeSchema.const !== 'string') continue;
    const required = Array.isArray(v.required) ? (v.required as string[]) : [];
    const fields = Object.entries(props)
      .filter(([key]) => key !== 'type')
      .map(([key, s]) => {
        const sub = resolve(s, rootSchema) ?? {};
        return { key, label: typeof sub.title === 'string' ? sub.title : humanize(key), schema: sub, required: required.includes(key) };
      });
    kinds.push({
      type: typeSchema.const,
      title: typeof v.title === 'string' ? v.title : humanize(typeSchema.const),
      fields,
      upload: 'file_id' in props,
    });
  }
  return kinds;
}

/** One line that tells a source from the others. */
export function describeSource(source: Source, kinds: SourceKind[]): string {
  const kind = kinds.find((k) => k.type === source.type);
  const parts = (kind?.fields ?? [])
    .filter((f) => f.key !== 'file_id' || !source.filename)
    .map((f) => source[f.key])
    .filter((v) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map((v) => (Array.isArray(v) ? v.join(', ') : String(v)));
  return `${kind?.title ?? String(source.type ?? 'Source')}: ${parts.join(' · ') || '(empty)'}`;
}

/**
 * The knowledge base's sources: adds one by URL, file upload (the stored file's id is kept),
 * Notion or Confluence (whatever variants the item schema offers), reorders and removes them.
 */
export default function DocumentSourcesWidget(props: WidgetProps) {
  const { id, value, schema, options, disabled, readonly, onChange, registry, label } = props;
  const ctx = formContextOf(registry);
  const kinds = useMemo(() => sourceKinds(schema, registry.rootSchema), [schema, registry.rootSchema]);
  const sources: Source[] = Array.isArray(value) ? value.filter(isObject) : [];
  const [kindType, setKindType] = useState(kinds[0]?.type ?? '');
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const kind = kinds.find((k) => k.type === kindType);
  const locked = disabled || readonly;
  const orderable = options.orderable !== false;
  const removable = options.removable !== false;
  const addable = options.addable !== false;

  const move = (from: number, to: number) => {
    const next = [...sources];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    onChange(next);
  };

  const fromDraft = (k: SourceKind): Source | string => {
    const source: Source = { type: k.type };
    for (const f of k.fields) {
      if (k.upload && (f.key === 'file_id' || f.key === 'filename')) continue;
      const text = (draft[f.key] ?? '').trim();
      if (text === '') {
        if (f.required) return `${f.label} is required.`;
        continue;
      }
      const t = f.schema.type;
      if (t === 'integer' || t === 'number') {
        const n = Number(text);
        if (!Number.isFinite(n)) return `${f.label} must be a number.`;
        source[f.key] = n;
      } else if (t === 'array') {
        source[f.key] = text.split(',').map((s) => s.trim()).filter(Boolean);
      } else {
        source[f.key] = text;
      }
    }
    return source;
  };

  const add = (extra: Source = {}) => {
    if (!kind) return;
    const made = fromDraft(kind);
    if (typeof made === 'string') {
      setError(made);
      return;
    }
    setError(undefined);
    onChange([...sources, { ...made, ...extra }]);
    setDraft({});
  };

  const upload = async (file: File | undefined) => {
    if (!file || !kind) return;
    setBusy(true);
    setError(undefined);
    try {
      const stored = await ctx.api.uploadFile(file, file.name, 'document');
      add({ file_id: stored.id, filename: stored.filename });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const inputId = (key: string) => `${id}__new_${key}`;

  return (
    <div className="document-sources" id={id} role="group" aria-label={label || 'Document sources'}>
      {sources.length === 0 ? (
        <p className="text-body-secondary small">No sources yet.</p>
      ) : (
        <ol className="list-group list-group-numbered mb-3">
          {sources.map((s, i) => {
            const text = describeSource(s, kinds);
            return (
              <li key={i} className="list-group-item d-flex flex-wrap align-items-center gap-2">
                <span className="flex-grow-1 text-break">{text}</span>
                {!locked && orderable && (
                  <>
                    <button type="button" className="btn btn-outline-secondary btn-sm" disabled={i === 0}
                      aria-label={`Move source ${i + 1} up`} onClick={() => move(i, i - 1)}>
                      ↑
                    </button>
                    <button type="button" className="btn btn-outline-secondary btn-sm" disabled={i === sources.length - 1}
                      aria-label={`Move source ${i + 1} down`} onClick={() => move(i, i + 1)}>
                      ↓
                    </button>
                  </>
                )}
                {!locked && removable && (
                  <button type="button" className="btn btn-outline-danger btn-sm" aria-label={`Remove source ${i + 1}: ${text}`}
                    onClick={() => onChange(sources.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}

      {!locked && addable && kinds.length > 0 && (
        <fieldset className="border rounded p-2">
          <legend className="fs-6 float-none w-auto px-1 mb-1">Add a source</legend>
          <div className="mb-2">
            <label className="form-label small mb-0" htmlFor={`${id}__kind`}>Source type</label>
            <select id={`${id}__kind`} className="form-select form-select-sm" value={kindType}
              onChange={(e) => { setKindType(e.target.value); setDraft({}); setError(undefined); }}>
              {kinds.map((k) => (
                <option key={k.type} value={k.type}>{k.title}</option>
              ))}
            </select>
          </div>
          {kind?.fields
            .filter((f) => !(kind.upload && (f.key === 'file_id' || f.key === 'filename')))
            .map((f) => {
              const numeric = f.schema.type === 'integer' || f.schema.type === 'number';
              const list = f.schema.type === 'array';
              return (
                <div className="mb-2" key={f.key}>
                  <label className="form-label small mb-0" htmlFor={inputId(f.key)}>
                    {f.label}
                    {list ? ' (comma-separated)' : ''}
                    {f.required ? ' *' : ''}
                  </label>
                  <input
                    id={inputId(f.key)}
                    className="form-control form-control-sm"
                    type={numeric ? 'number' : f.schema.format === 'uri' ? 'url' : 'text'}
                    min={numeric && typeof f.schema.minimum === 'number' ? f.schema.minimum : undefined}
                    max={numeric && typeof f.schema.maximum === 'number' ? f.schema.maximum : undefined}
                    placeholder={f.schema.default !== undefined ? String(f.schema.default) : f.schema.format === 'uri' ? 'https://' : ''}
                    value={draft[f.key] ?? ''}
                    onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        if (!kind.upload) add();
                      }
                    }}
                  />
                </div>
              );
            })}
          {kind?.upload ? (
            <div className="mb-2">
              <label className="form-label small mb-0" htmlFor={inputId('file')}>File (PDF, DOCX, XLSX, text, Markdown or CSV)</label>
              <input id={inputId('file')} type="file" className="form-control form-control-sm" disabled={busy}
                onChange={(e) => { void upload(e.target.files?.[0]); e.target.value = ''; }} />
              {busy && <div className="small text-body-secondary" role="status">Uploading…</div>}
            </div>
          ) : (
            <button type="button" className="btn btn-primary btn-sm" onClick={() => add()}>
              Add source
            </button>
          )}
          {error && <div className="text-danger small mt-1" role="alert">{error}</div>}
        </fieldset>
      )}
    </div>
  );
}
