import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { CardClickAnswer, CardClickCallback } from '../../integrations/dingtalk/dingtalk-api';

export type CardAction = 'approve' | 'reject';

/** What DingTalk posts (HTTP) or frames (Stream) when a card button is pressed. */
export function cardClickPayload(input: {
  outTrackId: string;
  corpId: string;
  userId: string;
  userIdType: 1 | 2;
  action: CardAction;
}): CardClickCallback & { userIdType: 1 | 2; value: string; spaceType: string; spaceId: string } {
  const content = JSON.stringify({ cardPrivateData: { actionIds: [input.action], params: { action: input.action } } });
  return {
    type: 'actionCallback',
    outTrackId: input.outTrackId,
    corpId: input.corpId,
    userId: input.userId,
    userIdType: input.userIdType,
    content,
    value: content,
    spaceType: 'IM_ROBOT',
    spaceId: input.userId,
  };
}

/** `x-ddpaas-signature`: Base64(HMAC-SHA256(key = apiSecret, message = the timestamp string)). */
export function cardCallbackSignature(apiSecret: string, timestamp: string): string {
  return createHmac('sha256', apiSecret).update(timestamp).digest('base64');
}

const cardParamMap = z.record(z.string(), z.string());
/** A click answer as DingTalk applies it: param values are strings. */
export const cardClickAnswerSchema = z.looseObject({
  cardData: z.looseObject({ cardParamMap }).optional(),
  userPrivateData: z.looseObject({ cardParamMap }).optional(),
  cardUpdateOptions: z.looseObject({ updateCardDataByKey: z.boolean().optional(), updatePrivateDataByKey: z.boolean().optional() }).optional(),
});

export function readClickAnswer(value: unknown): { ok: true; answer: CardClickAnswer } | { ok: false; reason: string } {
  const parsed = cardClickAnswerSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ') };
  return { ok: true, answer: parsed.data };
}

export interface ClickDeliveryOutcome {
  status: number;
  answer?: CardClickAnswer;
  error?: string;
}

/** Posts a click to an HTTP-mode callback URL, signed when an apiSecret was registered. */
export async function postCardClick(request: {
  callbackUrl: string;
  apiSecret: string | undefined;
  payload: CardClickCallback;
  timestamp: number;
  timeoutMs: number;
}): Promise<ClickDeliveryOutcome> {
  const timestamp = String(request.timestamp);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.apiSecret !== undefined) {
    headers['x-ddpaas-signature-timestamp'] = timestamp;
    headers['x-ddpaas-signature'] = cardCallbackSignature(request.apiSecret, timestamp);
  }
  let response: Response;
  try {
    response = await fetch(request.callbackUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify(request.payload),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (err) {
    return { status: 0, error: `callback not reached: ${err instanceof Error ? err.message : String(err)}` };
  }
  const text = await response.text();
  if (!response.ok) return { status: response.status, error: `callback answered HTTP ${response.status}` };
  if (text.trim() === '') return { status: response.status };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: response.status, error: 'the callback answer is not JSON' };
  }
  const answer = readClickAnswer(body);
  return answer.ok
    ? { status: response.status, answer: answer.answer }
    : { status: response.status, error: `the callback answer is not a card answer: ${answer.reason}` };
}
