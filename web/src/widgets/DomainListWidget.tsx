import type { WidgetProps } from '@rjsf/utils';
import { useEffect, useRef } from 'react';

/** What is wrong with a host name, in words; undefined when it looks right. The item schema's
 * `pattern` is the rule (the server checks it too); these say why a value breaks it. */
export function domainProblem(value: string, pattern?: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Enter a host name, or remove this row.';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'Leave out the scheme (https://): enter only the host name.';
  if (v.includes('/')) return 'Enter only the host name, without a path.';
  if (v.includes('*')) return 'Wildcards are not allowed: list each host name.';
  if (/:\d*$/.test(v)) return 'Leave out the port.';
  if (/^localhost$/i.test(v)) return 'localhost cannot be used.';
  if (pattern) {
    try {
      if (!new RegExp(pattern, 'u').test(v)) return 'Enter a host name such as example.com.';
    } catch {
      // A pattern the browser cannot compile is left to the form's validator.
    }
  }
  return undefined;
}

/** An editable list of host names with add and remove buttons and inline checks. */
export default function DomainListWidget(props: WidgetProps) {
  const { id, value, label, schema, options, disabled, readonly, onChange, onBlur, onFocus, rawErrors } = props;
  const domains: string[] = Array.isArray(value) ? value.map((d) => (typeof d === 'string' ? d : '')) : [];
  const items = schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items : {};
  const pattern = typeof items.pattern === 'string' ? items.pattern : undefined;
  const addText = typeof options.addButtonText === 'string' ? options.addButtonText : 'Add';
  const locked = disabled || readonly;
  const name = label || 'Domain';

  // After Add, the new empty row takes the focus, so keyboard users type straight into it.
  const focusRow = useRef<number | null>(null);
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (focusRow.current === null) return;
    list.current?.querySelectorAll('input')[focusRow.current]?.focus();
    focusRow.current = null;
  });

  const set = (index: number, next: string) => onChange(domains.map((d, i) => (i === index ? next : d)));

  return (
    <div className="domain-list" id={id} role="group" aria-label={name}>
      {domains.length === 0 && <p className="text-body-secondary small mb-2">No domains yet.</p>}
      <ul className="list-unstyled mb-2" ref={list}>
        {domains.map((domain, i) => {
          const problem = domainProblem(domain, pattern);
          const inputId = `${id}_${i}`;
          return (
            <li key={i} className="mb-2">
              <div className="input-group has-validation">
                <label className="visually-hidden" htmlFor={inputId}>
                  {`${name} ${i + 1}`}
                </label>
                <input
                  id={inputId}
                  type="text"
                  inputMode="url"
                  autoCapitalize="none"
                  spellCheck={false}
                  className={`form-control${problem ? ' is-invalid' : ''}`}
                  value={domain}
                  placeholder="example.com"
                  disabled={locked}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${inputId}__problem` : undefined}
                  onChange={(e) => set(i, e.target.value)}
                  onBlur={() => onBlur(id, domains)}
                  onFocus={() => onFocus(id, domains)}
                />
                {!locked && (
                  <button
                    type="button"
                    className="btn btn-outline-danger"
                    aria-label={`Remove ${domain || `${name} ${i + 1}`}`}
                    onClick={() => onChange(domains.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                )}
                {problem && (
                  <div id={`${inputId}__problem`} className="invalid-feedback">
                    {problem}
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      {!locked && (
        <button
          type="button"
          className={`btn btn-outline-primary btn-sm${rawErrors?.length ? ' border-danger' : ''}`}
          onClick={() => {
            focusRow.current = domains.length;
            onChange([...domains, '']);
          }}
        >
          {addText}
        </button>
      )}
    </div>
  );
}
