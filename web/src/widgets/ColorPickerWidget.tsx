import type { WidgetProps } from '@rjsf/utils';

const HEX = /^#[0-9A-Fa-f]{6}$/;

/** A swatch with the browser's colour picker beside a hex text box; writes "#RRGGBB". */
export default function ColorPickerWidget(props: WidgetProps) {
  const { id, value, label, disabled, readonly, required, onChange, onBlur, onFocus, rawErrors } = props;
  const text = typeof value === 'string' ? value : '';
  const invalid = text !== '' && !HEX.test(text);
  const locked = disabled || readonly;

  return (
    <div className="d-flex flex-wrap align-items-center gap-2 color-picker">
      <input
        type="color"
        className="form-control form-control-color"
        aria-label={`${label || 'Colour'}: picker`}
        // The picker cannot show a half-typed colour; it keeps the last whole one.
        value={HEX.test(text) ? text.toLowerCase() : '#000000'}
        disabled={locked}
        onChange={(e) => onChange(e.target.value.toUpperCase())}
      />
      <input
        id={id}
        type="text"
        className={`form-control${invalid || rawErrors?.length ? ' is-invalid' : ''}`}
        style={{ maxWidth: '9rem' }}
        value={text}
        placeholder="#RRGGBB"
        maxLength={7}
        required={required}
        disabled={locked}
        spellCheck={false}
        aria-invalid={invalid || undefined}
        aria-describedby={`${id}__hint`}
        // A partial value still reaches the form data, so validation can say what is wrong with it.
        onChange={(e) => onChange(e.target.value.trim() === '' ? undefined : e.target.value.trim())}
        onBlur={() => onBlur(id, text)}
        onFocus={() => onFocus(id, text)}
      />
      <span id={`${id}__hint`} className={invalid ? 'text-danger small' : 'text-body-secondary small'}>
        {invalid ? 'Use # and six hex digits, e.g. #3B82F6' : 'Hex, e.g. #3B82F6'}
      </span>
    </div>
  );
}
