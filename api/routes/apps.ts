import { randomBytes } from 'node:crypto';
import { findAppSummary, listApps, registerApp, rotateAppSecret, type AppSummary } from '../../db/apps';
import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError } from '../errors';
import { appList, appParams, appWithSecret, registerAppBody, rotateSecretBody } from '../schemas/apps';

/** 32 random bytes, hex: what an app signs with. */
const newSecret = () => randomBytes(32).toString('hex');

const summaryOf = (app: AppSummary) => ({
  key: app.key,
  name: app.name,
  permissions: app.permissions,
  createdAt: app.createdAt.toISOString(),
  ...(app.previousSecretExpiresAt ? { previousSecretExpiresAt: app.previousSecretExpiresAt.toISOString() } : {}),
});

const route = routesOf('apps');

/** The apps that may call the API (SPEC §7), for admin apps: register one, list them, rotate a secret. */
export const appRoutes: AnyRoute[] = [
  route(
    { operationId: 'listApps', method: 'get', path: '/api/v1/apps', auth: 'admin' },
    { summary: 'The registered apps and their permissions (never a secret)', responses: okWith('every app', appList) },
    async ({ deps }) => ok({ items: (await listApps(deps.db)).map(summaryOf) }),
  ),
  route(
    { operationId: 'registerApp', method: 'post', path: '/api/v1/apps', auth: 'admin', body: registerAppBody },
    {
      summary: 'Register an app: it gets a new secret, shown in this answer only',
      responses: { 201: { description: 'registered', schema: appWithSecret } },
      errors: ['APP_EXISTS'],
    },
    async ({ body, deps }) => {
      const secret = newSecret();
      if (!(await registerApp(deps.db, deps.secretBox, { ...body, secret })))
        throw new ApiError('APP_EXISTS', `an app with key "${body.key}" is registered already`);
      return { status: 201 as const, body: { ...summaryOf((await findAppSummary(deps.db, body.key))!), secret } };
    },
  ),
  route(
    { operationId: 'rotateAppSecret', method: 'post', path: '/api/v1/apps/{key}/secret', auth: 'admin', params: appParams, body: rotateSecretBody },
    {
      summary: 'Rotate an app’s secret: a new one, shown in this answer only; the one before stays valid on inbound requests for `graceSeconds`',
      description: 'Webhooks are signed with the new secret at once; requests signed with the secret before verify until `previousSecretExpiresAt`.',
      responses: okWith('the new secret', appWithSecret),
      errors: ['APP_NOT_FOUND'],
    },
    async ({ params, body, deps }) => {
      const secret = newSecret();
      if (!(await rotateAppSecret(deps.db, deps.secretBox, params.key, secret, body.graceSeconds * 1000))) {
        throw new ApiError('APP_NOT_FOUND', `no app with key "${params.key}"`);
      }
      deps.verifiedApps?.forget(params.key);
      return ok({ ...summaryOf((await findAppSummary(deps.db, params.key))!), secret });
    },
  ),
];
