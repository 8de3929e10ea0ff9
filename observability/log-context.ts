import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of one piece of work (a request, an activity) carries, where it is known (SPEC §9). */
export interface LogFields {
  requestId?: string;
  instanceId?: string;
  taskId?: string;
  actionId?: string;
  appKey?: string;
  userId?: string;
  activityType?: string;
}

const storage = new AsyncLocalStorage<LogFields>();
const NONE: Readonly<LogFields> = Object.freeze({});

/** Runs `work` in a context of its own: the fields around it, and `fields` on top. */
export function runWithLogFields<T>(fields: LogFields, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...definedOnly(fields) }, work);
}

/**
 * Adds fields to the context of the work running now (the request, the activity): every line it
 * logs from here on carries them, its access line too. Outside any context it does nothing.
 */
export function withLogFields(fields: LogFields): void {
  const current = storage.getStore();
  if (current) Object.assign(current, definedOnly(fields));
}

export function currentLogFields(): Readonly<LogFields> {
  return storage.getStore() ?? NONE;
}

/** The fields that hold a value. */
export function definedOnly(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''));
}
