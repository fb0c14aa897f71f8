import CopyButton from '../components/CopyButton';

export default function EmbedCode({ html }: { html: string }) {
  return (
    <div className="embed-code">
      <p className="small mb-2">Paste this into the pages of your site where the chat widget should appear.</p>
      <pre className="bg-body-tertiary border rounded p-2 small text-wrap text-break mb-2" tabIndex={0} aria-label="Embed code">
        <code data-testid="embed-html">{html}</code>
      </pre>
      <CopyButton text={html} label="Copy embed code" />
    </div>
  );
}
