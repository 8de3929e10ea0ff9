import type { Hono } from 'hono';
import { z } from 'zod';
import type { StreamTicket } from '../../integrations/dingtalk/dingtalk-api';
import { apiError, apiOk, type FakeAnswer } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { describeIssues } from './request-fields';

/** The path the Stream endpoint is served at, on the fake's own port. */
export const STREAM_CONNECT_PATH = '/connect';

const openBody = z.looseObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  subscriptions: z.array(z.looseObject({ type: z.enum(['CALLBACK', 'EVENT']), topic: z.string().min(1) })).min(1, 'subscriptions is empty'),
  ua: z.string().optional(),
  localIp: z.string().optional(),
});

/** What the gateway answers a client that did not ask for JSON. */
function xmlAnswer(ticket: StreamTicket): FakeAnswer {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return {
    status: 200,
    body: `<?xml version="1.0" encoding="UTF-8"?><OpenConnectionResponse><endpoint>${escape(ticket.endpoint)}</endpoint><ticket>${escape(ticket.ticket)}</ticket></OpenConnectionResponse>`,
    contentType: 'application/xml;charset=utf-8',
  };
}

/** `POST /v1.0/gateway/connections/open`: app credentials in the body (no token) → a one-use ticket for `ws://…/connect`. */
export function registerGatewayRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  app.post(
    '/v1.0/gateway/connections/open',
    pipeline.open({ api: 'gateway.connections.open', host: 'api' }, ({ c, body }) => {
      const parsed = openBody.safeParse(body ?? {});
      if (!parsed.success) return apiError(400, 'param.invalid', describeIssues(parsed.error));
      const { clientId, clientSecret, subscriptions } = parsed.data;
      const known = state.apps.get(clientId);
      if (!known || known.appSecret !== clientSecret) return apiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
      const ticket: StreamTicket = {
        endpoint: `ws://${c.req.header('host') ?? new URL(c.req.url).host}${STREAM_CONNECT_PATH}`,
        ticket: state.stream.issueTicket({ appKey: known.appKey, subscriptions: subscriptions.map(({ type, topic }) => ({ type, topic })) }),
      };
      return (c.req.header('accept') ?? '').includes('application/json') ? apiOk(ticket) : xmlAnswer(ticket);
    }),
  );
}
