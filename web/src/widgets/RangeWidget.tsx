import type { WidgetProps } from '@rjsf/utils';
import { rangeSpec } from '@rjsf/utils';

/** `ui:options.labels` ({"0": "Precise", "1": "Creative"}) as sorted marks. */
export function rangeMarks(labels: unknown): { value: number; text: string }[] {
  if (!labels || typeof labels !== 'object') return [];
  return Object.entries(labels as Record<string, unknown>)
    .map(([k, v]) => ({ value: Number(k), text: String(v) }))
    .filter((m) => Number.isFinite(m.value))
    .sort((a, b) => a.value - b.value);
}

/**
 * A slider that shows its value (rjsf's ranges are numbers; the theme's passes the input's string
 * on) and, with `ui:options.labels`, the named marks under it.
 */
export default function RangeWidget(props: WidgetProps) {
  const { id, value, schema, options, disabled, readonly, onChange, onBlur, onFocus, rawErrors } = props;
  const spec = rangeSpec(schema);
  const min = spec.min ?? 0;
  const max = spec.max ?? 100;
  const step = spec.step ?? (schema.type === 'integer' ? 1 : (max - min) / 100);
  const marks = rangeMarks(options.labels);
  const current = typeof value === 'number' ? value : undefined;
  const named = marks.find((m) => m.value === current)?.text;
  const shown = current === undefined ? '—' : named ? `${current} (${named})` : String(current);
  const toNumber = (s: string) => (schema.type === 'integer' ? parseInt(s, 10) : parseFloat(s));

  return (
    <div className="range-widget">
      <div className="d-flex align-items-center gap-3">
        <input
          id={id}
          type="range"
          className={`form-range flex-grow-1${rawErrors?.length ? ' is-invalid' : ''}`}
          min={min}
          max={max}
          step={step}
          value={current ?? min}
          disabled={disabled || readonly}
          aria-valuetext={shown}
          list={marks.length ? `${id}__marks` : undefined}
          onChange={(e) => onChange(toNumber(e.target.value))}
          onBlur={(e) => onBlur(id, toNumber(e.target.value))}
          onFocus={(e) => onFocus(id, toNumber(e.target.value))}
        />
        <output htmlFor={id} className="badge text-bg-light border range-value" style={{ minWidth: '4rem' }}>
          {shown}
        </output>
      </div>
      {marks.length > 0 && (
        <>
          <datalist id={`${id}__marks`}>
            {marks.map((m) => (
              <option key={m.value} value={m.value} label={m.text} />
            ))}
          </datalist>
          <div className="position-relative small text-body-secondary range-marks" aria-hidden="true" style={{ height: '1.25rem', marginRight: '5rem' }}>
            {marks.map((m) => {
              const pct = max > min ? ((m.value - min) / (max - min)) * 100 : 0;
              const align = pct <= 0 ? 'translateX(0)' : pct >= 100 ? 'translateX(-100%)' : 'translateX(-50%)';
              return (
                <span key={m.value} className="position-absolute text-nowrap" style={{ left: `${pct}%`, transform: align }}>
                  {m.text}
                </span>
              );
            })}
          </div>
        </>
      )}
      {marks.length === 0 && (
        <div className="d-flex justify-content-between small text-body-secondary" style={{ marginRight: '5rem' }} aria-hidden="true">
          <span>{min}</span>
          <span>{max}</span>
        </div>
      )}
    </div>
  );
}
