import { z } from 'zod';
import { timestamp } from './common';

/** DingTalk's side of the API: card clicks (HTTP mode) and 免登. */

export const cardClickBody = z
  .looseObject({
    type: z.string(),
    outTrackId: z.string().min(1).max(256),
    userId: z.string().min(1).max(128),
    content: z.string().max(16_384).optional(),
    value: z.string().max(16_384).optional(),
    corpId: z.string().optional(),
    userIdType: z.number().int().optional(),
  })
  .refine((b) => b.content !== undefined || b.value !== undefined, { message: 'needs content (or value)', path: ['content'] })
  .meta({ id: 'DingTalkCardClick', description: 'A card button click as DingTalk posts it; `content` is a JSON string' });

const cardParamMap = z.record(z.string(), z.string());
export const cardClickAnswer = z
  .object({
    cardData: z.object({ cardParamMap }).optional(),
    userPrivateData: z.object({ cardParamMap }).optional(),
    cardUpdateOptions: z.object({ updateCardDataByKey: z.boolean().optional(), updatePrivateDataByKey: z.boolean().optional() }).optional(),
  })
  .meta({ id: 'DingTalkCardClickAnswer', description: 'The card as it should look now; DingTalk applies it' });

export const dingTalkLoginBody = z
  .strictObject({ authCode: z.string().min(1).max(256).describe('the one-use code from `dd.requestAuthCode` (valid 5 minutes)') })
  .meta({ id: 'DingTalkLogin' });

export const userSession = z
  .object({
    token: z.string().describe('send as `Authorization: Bearer <token>`'),
    expiresAt: timestamp,
    user: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'UserSession' });
