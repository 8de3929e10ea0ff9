import type { Hono } from 'hono';
import { apiError, apiOk, oapiError, oapiOk } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { isRecord } from './request-fields';

const BAD_CREDENTIALS = () => apiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');

/** `POST /v1.0/oauth2/accessToken` and the legacy `GET /gettoken`: one token per app, shared by both. */
export function registerTokenRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  app.post(
    '/v1.0/oauth2/accessToken',
    pipeline.open({ api: 'oauth2.accessToken', host: 'api', paramError: BAD_CREDENTIALS }, ({ body }) => {
      const appKey = isRecord(body) && typeof body.appKey === 'string' ? body.appKey : undefined;
      const appSecret = isRecord(body) && typeof body.appSecret === 'string' ? body.appSecret : undefined;
      const known = appKey === undefined ? undefined : state.apps.get(appKey);
      if (!known || known.appSecret !== appSecret) return BAD_CREDENTIALS();
      const { token, expiresInSeconds } = state.tokens.issue(known.appKey);
      return apiOk({ accessToken: token, expireIn: expiresInSeconds });
    }),
  );

  app.get(
    '/gettoken',
    pipeline.open({ api: 'gettoken', host: 'oapi' }, ({ query }) => {
      const appKey = query('appkey');
      const appSecret = query('appsecret');
      if (!appKey) return oapiError(40035, '缺少参数 appkey');
      if (!appSecret) return oapiError(40035, '缺少参数 appsecret');
      const known = state.apps.get(appKey);
      if (!known || known.appSecret !== appSecret) return oapiError(40096, '不合法的appKey或appSecret');
      const { token, expiresInSeconds } = state.tokens.issue(known.appKey);
      return oapiOk({ access_token: token, expires_in: expiresInSeconds });
    }),
  );
}
