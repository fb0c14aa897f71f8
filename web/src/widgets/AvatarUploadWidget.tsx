import type { FieldProps } from '@rjsf/utils';
import { useState } from 'react';
import { errorMessage } from '../api';
import { formContextOf } from '../form/context';
import { isObject } from '../form/errors';

type Avatar = { type?: string; url?: string };

const CHOICES: { type: string; label: string }[] = [
  { type: 'default', label: 'Default image' },
  { type: 'upload', label: 'Upload an image' },
  { type: 'url', label: 'Image from a URL' },
];

/**
 * The agent's avatar `{type, url}`: the default image, an uploaded one (stored through
 * POST /files?purpose=avatar; its public address is kept) or an image URL. A field, not a
 * widget: rjsf ignores `ui:widget` on objects.
 */
export default function AvatarUploadWidget(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, errorSchema, disabled, readonly, registry, name } = props;
  const ctx = formContextOf(registry);
  const avatar: Avatar = isObject(formData) ? (formData as Avatar) : {};
  const type = avatar.type ?? 'default';
  const id = fieldPathId.$id;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const locked = disabled || readonly;
  const offered = enumOf(schema);
  const choices = CHOICES.filter((c) => offered.length === 0 || offered.includes(c.type));
  // The field's own errors are shown by rjsf's FieldTemplate; those of `url` only here.
  const errors = (errorSchema as Record<string, { __errors?: string[] }> | undefined)?.url?.__errors ?? [];

  const set = (next: Avatar) => onChange(next, fieldPathId.path);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const stored = await ctx.api.uploadFile(file, file.name, 'avatar');
      // The schema wants an absolute URI; the API gives the path on this origin.
      const url = new URL(stored.public_url ?? `/public/avatars/${stored.id}`, window.location.origin).href;
      set({ type: 'upload', url });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="mb-3 avatar-field" id={id}>
      <legend className="fs-6 fw-semibold">{schema.title ?? name}</legend>
      <div className="d-flex flex-wrap gap-3 align-items-start">
        <div className="avatar-preview border rounded d-flex align-items-center justify-content-center bg-body-tertiary">
          {type !== 'default' && avatar.url ? (
            <img src={avatar.url} alt="Avatar preview" width={64} height={64} style={{ objectFit: 'cover' }} />
          ) : (
            <span aria-label="Default avatar" role="img" className="fs-3">
              ◎
            </span>
          )}
        </div>
        <div className="flex-grow-1">
          {choices.map((c) => (
            <div className="form-check" key={c.type}>
              <input
                className="form-check-input"
                type="radio"
                name={`${id}__type`}
                id={`${id}__type_${c.type}`}
                checked={type === c.type}
                disabled={locked}
                onChange={() => set(c.type === 'default' ? { type: 'default' } : { type: c.type, url: type === c.type ? avatar.url : undefined })}
              />
              <label className="form-check-label" htmlFor={`${id}__type_${c.type}`}>
                {c.label}
              </label>
            </div>
          ))}
          {type === 'upload' && (
            <div className="mt-2">
              <label className="form-label small" htmlFor={`${id}__file`}>
                Image file (PNG, JPEG, GIF or WebP)
              </label>
              <input
                id={`${id}__file`}
                type="file"
                accept="image/png,image/jpeg,image/gif,image/webp"
                className="form-control form-control-sm"
                disabled={locked || busy}
                onChange={(e) => upload(e.target.files?.[0])}
              />
              {busy && <div className="small text-body-secondary" role="status">Uploading…</div>}
              {avatar.url && !busy && <div className="small text-body-secondary mt-1 text-break">Stored at {avatar.url}</div>}
            </div>
          )}
          {type === 'url' && (
            <div className="mt-2">
              <label className="form-label small" htmlFor={`${id}__url`}>
                Image URL
              </label>
              <input
                id={`${id}__url`}
                type="url"
                className={`form-control form-control-sm${errors.length ? ' is-invalid' : ''}`}
                placeholder="https://example.com/avatar.png"
                value={avatar.url ?? ''}
                disabled={locked}
                onChange={(e) => set({ type: 'url', url: e.target.value || undefined })}
              />
            </div>
          )}
        </div>
      </div>
      {[...errors, ...(error ? [error] : [])].map((m, i) => (
        <div key={i} className="text-danger small mt-1" role="alert">
          {m}
        </div>
      ))}
    </fieldset>
  );
}

function enumOf(schema: unknown): string[] {
  const props = isObject(schema) ? schema.properties : undefined;
  const type = isObject(props) ? props.type : undefined;
  const list = isObject(type) ? type.enum : undefined;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}
