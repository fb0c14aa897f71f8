import type { WidgetProps } from '@rjsf/utils';
import { useState } from 'react';

/** Free-text chips for an array of strings: type a phrase and press Enter (or Add); × removes one. */
export default function TagsWidget(props: WidgetProps) {
  const { id, value, label, disabled, readonly, onChange, onBlur, onFocus, rawErrors } = props;
  const tags: string[] = Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  const [draft, setDraft] = useState('');
  const locked = disabled || readonly;

  const add = () => {
    const phrase = draft.trim();
    if (!phrase) return;
    if (!tags.includes(phrase)) onChange([...tags, phrase]);
    setDraft('');
  };
  const remove = (index: number) => onChange(tags.filter((_, i) => i !== index));

  return (
    <div className="tags-widget">
      <ul className="list-unstyled d-flex flex-wrap gap-2 mb-2" aria-label={`${label || 'Tags'}: list`}>
        {tags.map((tag, i) => (
          <li key={`${tag}-${i}`} className="badge rounded-pill text-bg-secondary d-flex align-items-center gap-1 fs-6 fw-normal">
            <span>{tag}</span>
            {!locked && (
              <button
                type="button"
                className="btn-close btn-close-white"
                style={{ fontSize: '0.6rem' }}
                aria-label={`Remove ${tag}`}
                onClick={() => remove(i)}
              />
            )}
          </li>
        ))}
        {tags.length === 0 && <li className="text-body-secondary small">None yet.</li>}
      </ul>
      {!locked && (
        <div className="input-group">
          <input
            id={id}
            type="text"
            className={`form-control${rawErrors?.length ? ' is-invalid' : ''}`}
            value={draft}
            placeholder="Type a phrase and press Enter"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              // Enter would submit the whole configuration form.
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
            onBlur={() => onBlur(id, tags)}
            onFocus={() => onFocus(id, tags)}
          />
          <button type="button" className="btn btn-outline-secondary" onClick={add} disabled={!draft.trim()}>
            Add
          </button>
        </div>
      )}
    </div>
  );
}
