import { linkClickWithin } from '../shared/links';

export { navigate, useLocation } from '../shared/links';

/** The H5 app's pages and their addresses under `/h5/` (the card's 查看详情 opens `/h5/tasks/{instanceId}/{taskId}`). */
export type Page =
  | { name: 'todo' }
  | { name: 'done' }
  | { name: 'mine' }
  | { name: 'cc' }
  | { name: 'login'; next: string }
  | { name: 'instance'; instanceId: string; taskId?: string; ccId?: string }
  | { name: 'not_found' };

export const BASE = '/h5';

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

export function pageOf(pathname: string, search: string): Page {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean);
  const query = new URLSearchParams(search);
  if (parts.length === 0) return { name: 'todo' };
  if (parts.length === 1 && (parts[0] === 'done' || parts[0] === 'mine' || parts[0] === 'cc')) return { name: parts[0] };
  if (parts.length === 1 && parts[0] === 'login') return { name: 'login', next: query.get('next') ?? `${BASE}/` };
  const instanceId = parts[1] === undefined ? undefined : decode(parts[1]);
  if (parts[0] === 'instances' && parts.length === 2 && instanceId) {
    const ccId = query.get('cc');
    return { name: 'instance', instanceId, ...(ccId ? { ccId } : {}) };
  }
  const taskId = parts[2] === undefined ? undefined : decode(parts[2]);
  if (parts[0] === 'tasks' && parts.length === 3 && instanceId && taskId) return { name: 'instance', instanceId, taskId };
  return { name: 'not_found' };
}

export const taskHref = (instanceId: string, taskId: string) => `${BASE}/tasks/${encodeURIComponent(instanceId)}/${encodeURIComponent(taskId)}`;
export const instanceHref = (instanceId: string, ccId?: string) => `${BASE}/instances/${encodeURIComponent(instanceId)}${ccId ? `?cc=${ccId}` : ''}`;

export const onLinkClick = linkClickWithin(BASE);
