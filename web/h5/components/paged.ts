import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure, get } from '../../shared/api-client';

/** A keyset-paged list (`items`, `nextCursor`): the first page on mount, the next on `loadMore`. */
export function usePagedList<T>(path: string) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await get<{ items: T[]; nextCursor?: string }>(
          `${path}${path.includes('?') ? '&' : '?'}limit=20${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
        );
        setItems((shown) => (after ? [...shown, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (err) {
        setError(err instanceof ApiFailure ? err.message : String(err));
      } finally {
        setLoading(false);
      }
    },
    [path],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return { items, loading, error, hasMore: cursor !== undefined, loadMore: () => load(cursor), reload: () => load() };
}
