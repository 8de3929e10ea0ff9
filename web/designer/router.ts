export { navigate, useLocation } from '../shared/links';

/** The designer's pages: `/designer/` (flow list) and `/designer/flows/{code}` (one flow's editor). */
export type Page = { name: 'list' } | { name: 'flow'; code: string } | { name: 'not_found' };

export const BASE = '/designer';

export function pageOf(pathname: string): Page {
  const parts = pathname.slice(BASE.length).split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'list' };
  if (parts.length === 2 && parts[0] === 'flows') {
    try {
      return { name: 'flow', code: decodeURIComponent(parts[1]!) };
    } catch {
      return { name: 'not_found' };
    }
  }
  return { name: 'not_found' };
}

export const flowHref = (code: string) => `${BASE}/flows/${encodeURIComponent(code)}`;
