import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CardDeliverResult, CreateAndDeliverCardResult } from '../../integrations/dingtalk/dingtalk-api';
import { apiError, apiOk, type FakeAnswer } from './answers';
import type { CallPipeline } from './call-pipeline';
import { FakeCard } from './fake-card';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { parseOpenSpaceId } from './open-space-id';
import { describeIssues, isBlank, isRecord } from './request-fields';

const paramError = (code: string, message: string): FakeAnswer => apiError(400, code, message);
const invalid = (message: string) => paramError('param.invalid', message);

const cardParamMap = z.record(z.string(), z.string({ error: 'card param values are strings (stringify JSON values)' }));
const cardData = z.looseObject({ cardParamMap });
const privateData = z.record(z.string(), cardData);

const createBody = z.looseObject({
  cardTemplateId: z.string(),
  outTrackId: z.string(),
  cardData,
  privateData: privateData.optional(),
  callbackType: z.enum(['HTTP', 'STREAM']).optional(),
  callbackRouteKey: z.string().min(1).optional(),
  userId: z.string().optional(),
  userIdType: z.union([z.literal(1), z.literal(2)]).optional(),
  openSpaceId: z.string(),
  imRobotOpenSpaceModel: z
    .looseObject({
      supportForward: z.boolean({ error: 'supportForward is required whenever imRobotOpenSpaceModel is sent' }),
      lastMessageI18n: z.record(z.string(), z.string()).optional(),
      notification: z.looseObject({ alertContent: z.string().optional(), notificationOff: z.boolean().optional() }).optional(),
    })
    .optional(),
  imRobotOpenDeliverModel: z.looseObject({ spaceType: z.literal('IM_ROBOT'), robotCode: z.string().optional() }).optional(),
});

const updateBody = z.looseObject({
  outTrackId: z.string(),
  cardData: cardData.optional(),
  privateData: privateData.optional(),
  cardUpdateOptions: z.looseObject({ updateCardDataByKey: z.boolean().optional(), updatePrivateDataByKey: z.boolean().optional() }).optional(),
});

const registerBody = z.looseObject({
  callbackRouteKey: z.string().min(1),
  callbackUrl: z.url({ protocol: /^https?$/, error: 'callbackUrl must be an http(s) URL' }),
  apiSecret: z.string().min(1).optional(),
  forceUpdate: z.boolean().optional(),
});

/** Interactive cards: create-and-deliver, update, and the HTTP callback registration. */
export function registerCardRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  app.post(
    '/v1.0/card/instances/createAndDeliver',
    pipeline.authed({ api: 'card.createAndDeliver', host: 'api' }, ({ app: caller, body }) => {
      if (!isRecord(body)) return invalid('a JSON object body is required');
      if (isBlank(body.cardTemplateId)) return paramError('param.cardTemplateIdEmpty', 'cardTemplateId is empty');
      if (isBlank(body.outTrackId)) return paramError('param.outTrackIdEmpty', 'outTrackId is empty');
      if (!isRecord(body.cardData) || body.cardData.cardParamMap === undefined) return paramError('param.cardPublicDataEmpty', 'cardData is empty');
      if (isBlank(body.openSpaceId)) return paramError('param.openSpaceIdInvalid', 'openSpaceId is empty');
      const parsed = createBody.safeParse(body);
      if (!parsed.success) return invalid(describeIssues(parsed.error));
      const request = parsed.data;
      if (!state.cardTemplateIds.has(request.cardTemplateId))
        return paramError('param.templateNotExist', `card template ${request.cardTemplateId} does not exist`);
      const openSpace = parseOpenSpaceId(request.openSpaceId);
      if (!openSpace.ok) return paramError('param.openSpaceIdInvalid', openSpace.reason);
      if (request.callbackType === 'HTTP' && !request.callbackRouteKey) return invalid('callbackRouteKey is required when callbackType is HTTP');
      if (state.cards.has(request.outTrackId)) return paramError('param.cardAlreadyExist', `a card with outTrackId ${request.outTrackId} already exists`);

      const userIdType = request.userIdType ?? 1;
      const deliverResults: CardDeliverResult[] = openSpace.spaces.map(({ spaceType, spaceId }) => {
        if (spaceType !== 'IM_ROBOT') return { spaceType, spaceId, success: false, errorMsg: `the fake delivers to IM_ROBOT spaces only` };
        if (!state.directory.userByCardId(spaceId, userIdType)) {
          return { spaceType, spaceId, success: false, errorMsg: `${userIdType === 2 ? 'unionId' : 'userId'} ${spaceId} not exist` };
        }
        return { spaceType, spaceId, success: true, carrierId: randomBytes(10).toString('hex') };
      });
      const reached = deliverResults.filter((r) => r.success).map((r) => r.spaceId);
      if (reached.length === 0) return paramError('param.userIdNotExist', deliverResults.map((r) => r.errorMsg).join('; '));

      state.cards.set(
        request.outTrackId,
        new FakeCard({
          outTrackId: request.outTrackId,
          appKey: caller.appKey,
          templateId: request.cardTemplateId,
          cardData: { cardParamMap: request.cardData.cardParamMap },
          privateData: Object.fromEntries(Object.entries(request.privateData ?? {}).map(([id, data]) => [id, { cardParamMap: data.cardParamMap }])),
          openSpaceId: request.openSpaceId,
          spaces: openSpace.spaces,
          userIds: reached,
          userIdType,
          ...(request.callbackType ? { callbackType: request.callbackType } : {}),
          ...(request.callbackRouteKey ? { callbackRouteKey: request.callbackRouteKey } : {}),
          deliverResults,
          createdAt: state.now(),
        }),
      );
      const result: CreateAndDeliverCardResult = { outTrackId: request.outTrackId, deliverResults };
      return apiOk({ success: true, result });
    }),
  );

  app.put(
    '/v1.0/card/instances',
    pipeline.authed({ api: 'card.update', host: 'api' }, ({ app: caller, body }) => {
      if (!isRecord(body)) return invalid('a JSON object body is required');
      if (isBlank(body.outTrackId)) return paramError('param.outTrackIdEmpty', 'outTrackId is empty');
      const parsed = updateBody.safeParse(body);
      if (!parsed.success) return invalid(describeIssues(parsed.error));
      const request = parsed.data;
      if (!request.cardData && !request.privateData) return paramError('param.cardDataAndPrivateDataBothEmpty', 'cardData and privateData are both empty');
      const card = state.cards.get(request.outTrackId);
      if (!card || card.appKey !== caller.appKey) return paramError('param.cardNotExist', `no card with outTrackId ${request.outTrackId}`);
      card.update(
        {
          ...(request.cardData ? { cardData: { cardParamMap: request.cardData.cardParamMap } } : {}),
          ...(request.privateData
            ? { privateData: Object.fromEntries(Object.entries(request.privateData).map(([id, data]) => [id, { cardParamMap: data.cardParamMap }])) }
            : {}),
          ...(request.cardUpdateOptions ? { options: request.cardUpdateOptions } : {}),
        },
        state.now(),
      );
      return apiOk({ success: true, result: true });
    }),
  );

  app.post(
    '/v1.0/card/callbacks/register',
    pipeline.authed({ api: 'card.callbacks.register', host: 'api' }, ({ app: caller, body }) => {
      const parsed = registerBody.safeParse(body);
      if (!parsed.success) return invalid(describeIssues(parsed.error));
      const { callbackRouteKey, callbackUrl, apiSecret, forceUpdate } = parsed.data;
      const registered = state.registerCardCallback(
        { appKey: caller.appKey, callbackRouteKey, callbackUrl, ...(apiSecret ? { apiSecret } : {}) },
        forceUpdate === true,
      );
      if (!registered)
        return apiError(500, 'param.callbackRouteKeyExist', `callbackRouteKey ${callbackRouteKey} is already registered (send forceUpdate: true)`);
      return apiOk({ success: true, result: { callbackUrl, ...(apiSecret ? { apiSecret } : {}) } });
    }),
  );
}
