import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export type StreamFrameType = 'SYSTEM' | 'EVENT' | 'CALLBACK';

/** The headers every frame carries; EVENT frames add `eventId`, `eventType`, `eventCorpId`, …. */
export interface StreamFrameBaseHeaders {
  appId: string;
  connectionId: string;
  messageId: string;
  time: string;
  topic: string;
}

export type StreamFrameHeaders = StreamFrameBaseHeaders & { contentType: 'application/json' } & Record<string, string>;

/** What DingTalk's Stream gateway sends; `data` is a JSON string. */
export interface StreamFrame {
  specVersion: '1.0';
  type: StreamFrameType;
  headers: StreamFrameHeaders;
  data: string;
}

/** What the client answers every frame with (`data`: a JSON string). */
export const streamAckSchema = z.looseObject({
  code: z.number(),
  headers: z.looseObject({ messageId: z.string().min(1), contentType: z.string().optional() }),
  message: z.string().optional(),
  data: z.string().optional(),
});
export type StreamAck = z.infer<typeof streamAckSchema>;

export function parseStreamAck(raw: string): { ok: true; ack: StreamAck } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const ack = streamAckSchema.safeParse(value);
  if (!ack.success) return { ok: false, reason: ack.error.issues.map((i) => `${i.path.join('.') || '(ack)'}: ${i.message}`).join('; ') };
  return { ok: true, ack: ack.data };
}

export function newMessageId(): string {
  return `${randomBytes(4).toString('hex')}_${randomBytes(12).toString('hex')}`;
}

export function streamFrame(type: StreamFrameType, headers: StreamFrameBaseHeaders & Record<string, string>, data: string): StreamFrame {
  return { specVersion: '1.0', type, headers: { ...headers, contentType: 'application/json' }, data };
}
