import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api';

/** Loads on mount, when `deps` change, and on `reload`; only the latest call's answer is kept. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  // `deps` name what `load` reads: a new `load` on every render would reload on every render.
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const call = ++latest.current;
    setLoading(true);
    setError(undefined);
    try {
      const v = await run();
      if (call === latest.current) setValue(v);
    } catch (e) {
      if (call === latest.current) setError(errorMessage(e));
    } finally {
      if (call === latest.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, loading, reload, setValue };
}
