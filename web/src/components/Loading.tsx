export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="d-flex align-items-center gap-2 my-4" role="status">
      <span className="spinner-border spinner-border-sm" aria-hidden="true" />
      <span>{what}…</span>
    </div>
  );
}

export function ErrorAlert({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="alert alert-danger d-flex flex-wrap align-items-center gap-2" role="alert">
      <span className="flex-grow-1">{message}</span>
      {onRetry && (
        <button type="button" className="btn btn-outline-danger btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
