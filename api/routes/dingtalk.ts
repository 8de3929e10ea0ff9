import { ok, okWith, routesOf, type AnyRoute } from '../contract/route';
import { ApiError, validationFailed } from '../errors';
import { fieldProblems } from '../request-body';
import { cardClickAnswer, cardClickBody, dingTalkLoginBody, userSession } from '../schemas/dingtalk';
import { verifyCardCallback } from '../../integrations/dingtalk/card-callback-signature';
import { answerCardClick } from '../services/card-clicks';
import { logInWithDingTalk } from '../services/dingtalk-login';
import type { ApiDependencies } from '../context';

const route = routesOf('dingtalk');

function dingTalkOf(deps: ApiDependencies) {
  const config = deps.config.dingtalk;
  if (!config || !deps.dingtalk) throw new ApiError('DINGTALK_NOT_CONFIGURED', 'this server has no DingTalk configured');
  return { config, api: deps.dingtalk };
}

/** DingTalk calls us (card clicks, HTTP mode) and users log in with DingTalk's 免登 code. */
export const dingTalkRoutes: AnyRoute[] = [
  route(
    { operationId: 'dingTalkCardCallback', method: 'post', path: '/api/v1/dingtalk/callback', auth: 'none', body: cardClickBody, bodyCheckedByHandler: true },
    {
      summary: 'A DingTalk card button click (HTTP callback mode)',
      description:
        'Verified by `x-ddpaas-signature` = Base64(HMAC-SHA256(DINGTALK_CALLBACK_SECRET, `x-ddpaas-signature-timestamp`)), the timestamp within 5 minutes. ' +
        'The clicker must be the card’s assignee; a repeated click applies once. The answer is the card as it should now look.',
      responses: okWith('the card to show', cardClickAnswer),
      errors: ['DINGTALK_BAD_SIGNATURE', 'DINGTALK_NOT_CONFIGURED', 'VALIDATION_FAILED'],
    },
    async ({ body, deps, c }) => {
      const { config } = dingTalkOf(deps);
      const verified = verifyCardCallback({
        timestampHeader: c.req.header('x-ddpaas-signature-timestamp'),
        signatureHeader: c.req.header('x-ddpaas-signature'),
        apiSecret: config.callbackSecret,
        now: Date.now(),
      });
      if (!verified.ok) throw new ApiError('DINGTALK_BAD_SIGNATURE', `card callback refused: ${verified.reason}`);
      const parsed = cardClickBody.safeParse(body);
      if (!parsed.success) throw validationFailed(fieldProblems(parsed.error.issues, ''));
      return ok(await answerCardClick(deps, deps.config.publicBaseUrl ?? '', parsed.data));
    },
  ),
  route(
    { operationId: 'logInWithDingTalk', method: 'post', path: '/api/v1/auth/dingtalk', auth: 'none', body: dingTalkLoginBody },
    {
      summary: '免登: a DingTalk auth code for a user session',
      description: 'The page gets the code from `dd.requestAuthCode`; the server asks DingTalk whose it is. A code works once.',
      responses: okWith('the session', userSession),
      errors: ['INVALID_AUTH_CODE', 'DINGTALK_USER_UNKNOWN', 'DINGTALK_NOT_CONFIGURED', 'DINGTALK_UNAVAILABLE'],
    },
    async ({ body, deps }) => {
      const { api } = dingTalkOf(deps);
      const session = await logInWithDingTalk(deps.db, api, body.authCode);
      return ok({ token: session.token, expiresAt: session.expiresAt.toISOString(), user: session.user });
    },
  ),
];
