import type { DingTalkConfig } from '../config';
import { CARD_CALLBACK_TOPIC, type DingTalkApi } from '../integrations/dingtalk/dingtalk-api';
import { startStreamClient } from '../integrations/dingtalk/stream-client';
import { runWithLogFields } from '../observability/log-context';
import { logRecord } from '../observability/logger';
import type { ApiDependencies } from './context';
import { acceptedRequestId } from './request-context';
import { cardClickBody } from './schemas/dingtalk';
import { answerCardClick } from './services/card-clicks';

/** The path DingTalk posts card clicks to in HTTP mode. */
export const CARD_CALLBACK_PATH = '/api/v1/dingtalk/callback';

export interface CardClickTransport {
  mode: DingTalkConfig['callbackMode'];
  /** Stream mode: the connection is up. */
  connected(): boolean;
  stop(): Promise<void>;
}

/**
 * Where card clicks come from (SPEC §8, `DINGTALK_CALLBACK_MODE`). HTTP: the callback URL (with its
 * apiSecret) is registered with DingTalk and clicks arrive at `POST /api/v1/dingtalk/callback`.
 * Stream: an outbound WebSocket to DingTalk's gateway delivers them. Both end in `answerCardClick`.
 */
export async function connectCardClicks(
  deps: ApiDependencies & { dingtalk: DingTalkApi },
  config: DingTalkConfig,
  publicBaseUrl: string,
  log: (line: Record<string, unknown>) => void = logRecord,
): Promise<CardClickTransport> {
  if (config.callbackMode === 'http') {
    const callbackUrl = `${publicBaseUrl.replace(/\/+$/, '')}${CARD_CALLBACK_PATH}`;
    await deps.dingtalk.registerCardCallback({ callbackRouteKey: config.callbackRouteKey, callbackUrl, apiSecret: config.callbackSecret, forceUpdate: true });
    log({ level: 'info', msg: 'DingTalk card callback registered', callbackRouteKey: config.callbackRouteKey, callbackUrl });
    return { mode: 'http', connected: () => true, stop: async () => undefined };
  }
  const stream = startStreamClient({
    api: deps.dingtalk,
    subscriptions: [{ type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC }],
    // A frame is a request like a callback's: its message id is its request id.
    onCallback: (topic, data, headers) =>
      runWithLogFields({ requestId: acceptedRequestId(headers.messageId) }, async () => {
        if (topic !== CARD_CALLBACK_TOPIC) return {};
        const click = cardClickBody.safeParse(data);
        if (!click.success) {
          log({ level: 'warn', msg: 'DingTalk Stream: a card callback that is not a click', topic });
          return {};
        }
        return answerCardClick(deps, publicBaseUrl, click.data);
      }),
    log,
  });
  await stream.ready;
  log({ level: 'info', msg: 'DingTalk Stream connected', topic: CARD_CALLBACK_TOPIC });
  return { mode: 'stream', connected: () => stream.connected(), stop: () => stream.stop() };
}
