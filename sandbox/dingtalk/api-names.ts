/** The names the call log and `failNext` use for the APIs the fake serves. */
export const API_NAMES = [
  'oauth2.accessToken',
  'gettoken',
  'card.createAndDeliver',
  'card.update',
  'card.callbacks.register',
  'todo.create',
  'todo.update',
  'todo.executorStatus',
  'todo.delete',
  'todo.getBySource',
  'message.asyncsend_v2',
  'message.getsendresult',
  'department.listsub',
  'department.get',
  'user.list',
  'user.get',
  'user.getuserinfo',
  'gateway.connections.open',
] as const;

export type ApiName = (typeof API_NAMES)[number];

/** A request to a path the fake does not serve. */
export const UNKNOWN_API = 'unknown';
