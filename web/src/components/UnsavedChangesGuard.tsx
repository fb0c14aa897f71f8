import { useEffect, useRef } from 'react';
import { useBlocker } from 'react-router';

/**
 * Keeps unsaved edits from being lost by leaving: the browser's own prompt for reloads, closed tabs
 * and other sites (beforeunload), and a dialog of ours for moves inside the page.
 */
export default function UnsavedChangesGuard({ when }: { when: boolean }) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => when && currentLocation.pathname !== nextLocation.pathname);
  const stay = useRef<HTMLButtonElement>(null);
  const leave = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!when) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [when]);

  useEffect(() => {
    if (blocker.state === 'blocked') stay.current?.focus();
  }, [blocker.state]);

  if (blocker.state !== 'blocked') return null;
  return (
    <div className="modal d-block" style={{ background: 'rgba(0,0,0,.4)' }} role="dialog" aria-modal="true" aria-labelledby="leave-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') blocker.reset();
        // A modal keeps the focus: Tab cycles between its two buttons.
        if (e.key === 'Tab') {
          e.preventDefault();
          (document.activeElement === stay.current ? leave : stay).current?.focus();
        }
      }}>
      <div className="modal-dialog modal-dialog-centered">
        <div className="modal-content">
          <div className="modal-header">
            <h2 className="modal-title h5" id="leave-title">Leave without saving?</h2>
          </div>
          <div className="modal-body">
            <p className="mb-0">You have changes that are not saved. If you leave now, they are lost.</p>
          </div>
          <div className="modal-footer">
            <button type="button" className="btn btn-primary" ref={stay} onClick={() => blocker.reset()}>
              Stay on this page
            </button>
            <button type="button" className="btn btn-outline-danger" ref={leave} onClick={() => blocker.proceed()}>
              Leave and discard changes
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
