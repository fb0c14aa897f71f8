import { useState } from 'react';

/** Copies `text` to the clipboard and says so; where the Clipboard API is refused (no secure
 * context, no permission) it says that instead, so the text can be selected by hand. */
export default function CopyButton({ text, label = 'Copy', className = 'btn btn-outline-secondary btn-sm' }: {
  text: string;
  label?: string;
  className?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {label}
      </button>
      <span className="small ms-2" role="status" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text and copy it by hand' : ''}
      </span>
    </>
  );
}
