import { useEffect, useState } from 'preact/hooks';
import { get } from '../shared/api-client';
import type { UserSummary } from '../shared/types';
import type { DepartmentItem, RoleItem, SystemItem } from './api-types';

/** The org and the ERP registry as the pickers need them, read once per page and shared. */

const names = new Map<string, string>();
const listeners = new Set<() => void>();

export const userName = (id: string) => names.get(id) ?? id;

export function rememberUsers(users: UserSummary[]): void {
  let changed = false;
  for (const u of users)
    if (names.get(u.id) !== u.name) {
      names.set(u.id, u.name);
      changed = true;
    }
  if (changed) for (const listener of listeners) listener();
}

const asked = new Set<string>();

/** Looks up the names of user ids a definition names, up to 50 in a request. */
export function learnNames(ids: string[]): void {
  const unknown = [...new Set(ids)].filter((id) => !names.has(id) && !asked.has(id) && !id.includes(','));
  for (const id of unknown) asked.add(id);
  for (let i = 0; i < unknown.length; i += 50) {
    const batch = unknown.slice(i, i + 50);
    get<{ items: UserSummary[] }>(`/users?ids=${batch.map(encodeURIComponent).join(',')}&limit=50`)
      .then((answer) => rememberUsers(answer.items))
      .catch(() => undefined);
  }
}

/** Re-renders when a name arrives. */
export function useNames(): (id: string) => string {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return userName;
}

function cached<T>(path: string): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => (answer ??= get<T>(path).catch((err: unknown) => ((answer = undefined), Promise.reject(err))));
}

const roles = cached<{ items: RoleItem[] }>('/roles');
const departments = cached<{ items: DepartmentItem[] }>('/departments');
const systems = cached<{ items: SystemItem[] }>('/systems');

function useList<T>(load: () => Promise<{ items: T[] }>): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    let current = true;
    load()
      .then((answer) => current && setItems(answer.items))
      .catch(() => undefined);
    return () => void (current = false);
  }, []);
  return items;
}

export const useRoles = () => useList(roles);
export const useDepartments = () => useList(departments);
export const useSystems = () => useList(systems);
