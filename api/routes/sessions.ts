import { listCc, markCcRead } from '../../db/cc-inbox';
import { findActivePerson, listActivePeople, searchUsers } from '../../db/people';
import { createSession, revokeSession, revokeSessionsOf } from '../../db/sessions';
import { APPROVAL_ADMIN_ROLE } from '../../db/approver-sources';
import { userSession } from '../schemas/dingtalk';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError } from '../errors';
import { pagedOrBadCursor } from '../paging';
import {
  ccListQuery,
  ccPage,
  ccParams,
  ccRead,
  devLoginBody,
  loggedOut,
  sessionOwner,
  sessionsRevoked,
  userParams,
  userSearchAnswer,
  userSearchQuery,
} from '../schemas/sessions';
import type { ApiDependencies } from '../context';

const route = routesOf('users');

/** Without DEV_LOGIN the dev login does not exist: it answers as an unknown route would. */
function requireDevLogin(deps: ApiDependencies, method: string, path: string): void {
  if (deps.config.devLogin !== true) throw new ApiError('NOT_FOUND', `no route ${method} ${path}`);
}

/** Users' own side (SPEC §6–§7): sessions, the user picker, 抄送我的. */
export const sessionRoutes: AnyRoute[] = [
  route(
    { operationId: 'listDevLoginUsers', method: 'get', path: '/api/v1/auth/dev-login', auth: 'none' },
    {
      summary: 'Sandbox only (DEV_LOGIN=1): the users one may log in as',
      responses: okWith('active users', userSearchAnswer),
      errors: ['NOT_FOUND'],
    },
    async ({ deps }) => {
      requireDevLogin(deps, 'GET', '/api/v1/auth/dev-login');
      return ok({ items: await listActivePeople(deps.db, 200) });
    },
  ),
  route(
    { operationId: 'devLogin', method: 'post', path: '/api/v1/auth/dev-login', auth: 'none', body: devLoginBody },
    {
      summary: 'Sandbox only (DEV_LOGIN=1): a session for any active user, without DingTalk',
      description: 'On by default in embedded mode (`npm start`), off when PostgreSQL or Temporal are external; anywhere else this route does not exist (404).',
      responses: okWith('the session', userSession),
      errors: ['NOT_FOUND', 'UNKNOWN_USER'],
    },
    async ({ body, deps }) => {
      requireDevLogin(deps, 'POST', '/api/v1/auth/dev-login');
      const person = await findActivePerson(deps.db, body.userId);
      if (!person) throw new ApiError('UNKNOWN_USER', `no active user ${body.userId}`);
      const session = await createSession(deps.db, person.id, 'dev');
      return ok({ token: session.token, expiresAt: session.expiresAt.toISOString(), user: { id: person.id, name: person.name } });
    },
  ),
  route(
    { operationId: 'logOut', method: 'post', path: '/api/v1/auth/logout', auth: 'session' },
    { summary: 'End this session: its token stops working at once', responses: okWith('done', loggedOut) },
    async ({ viewer, deps }) => ok({ revoked: await revokeSession(deps.db, viewer.token) }),
  ),
  route(
    { operationId: 'whoAmI', method: 'get', path: '/api/v1/me', auth: 'session' },
    { summary: 'The session’s user', responses: okWith('the user', sessionOwner) },
    async ({ viewer, deps }) => {
      const person = await findActivePerson(deps.db, viewer.user.id);
      if (!person) throw new ApiError('SESSION_INVALID', 'the session’s user is no longer active');
      const { roles, ...shown } = person;
      return ok({ ...shown, flowAdmin: roles.includes(APPROVAL_ADMIN_ROLE) });
    },
  ),
  route(
    { operationId: 'revokeUserSessions', method: 'post', path: '/api/v1/users/{id}/sessions/revoke', auth: 'admin', params: userParams },
    { summary: 'Ops: end every live session of a user (a lost phone, a leaver)', responses: okWith('how many ended', sessionsRevoked) },
    async ({ params, deps }) => ok({ revoked: await revokeSessionsOf(deps.db, params.id) }),
  ),
  route(
    { operationId: 'searchUsers', method: 'get', path: '/api/v1/users', auth: 'signed', sessions: true, query: userSearchQuery },
    {
      summary: 'The user picker: active users by name, id or mobile tail, by department, or by id',
      description:
        'A name containing `q`, an id starting with it, or (3 digits or more) a mobile number ending with it; names that start with `q` first. `deptId`: the department’s members, by name. `ids`: those users (the designer names the people a definition lists). At least one of `q`, `deptId` and `ids`; several: users matching all.',
      responses: okWith('up to `limit` users', userSearchAnswer),
    },
    async ({ query: { ids, ...search }, deps }) =>
      ok({ items: await searchUsers(deps.db, { ...search, ...(ids ? { ids: ids.split(',') } : {}) }, search.limit) }),
  ),
  route(
    { operationId: 'listCc', method: 'get', path: '/api/v1/cc', auth: 'session', query: ccListQuery },
    { summary: '抄送我的: the session user’s cc notices, newest first, with read state', responses: okWith('a page', ccPage) },
    async ({ query, viewer, deps }) => {
      const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
      return ok(await pagedOrBadCursor(() => listCc(deps.db, viewer.user.id, { unread: query.unread === 'true' }, page)));
    },
  ),
  route(
    { operationId: 'markCcRead', method: 'post', path: '/api/v1/cc/{ccId}/read', auth: 'session', params: ccParams },
    { summary: 'Mark a cc notice read (the first time counts)', responses: okWith('when it was read', ccRead), errors: ['CC_NOT_FOUND'] },
    async ({ params, viewer, deps }) => {
      const read = await markCcRead(deps.db, viewer.user.id, Number(params.ccId));
      if (!read) throw new ApiError('CC_NOT_FOUND', `no cc notice ${params.ccId} for this user`);
      return ok({ ccId: params.ccId, readAt: read.readAt.toISOString() });
    },
  ),
];
