import type { CardClickAnswer, CardData, CardDeliverResult, CardParamMap, CardUpdateOptions } from '../../integrations/dingtalk/dingtalk-api';
import type { OpenSpace } from './open-space-id';

export interface NewFakeCard {
  outTrackId: string;
  appKey: string;
  templateId: string;
  cardData: CardData;
  privateData: Record<string, CardData>;
  openSpaceId: string;
  spaces: OpenSpace[];
  userIds: string[];
  userIdType: 1 | 2;
  callbackType?: 'HTTP' | 'STREAM';
  callbackRouteKey?: string;
  deliverResults: CardDeliverResult[];
  createdAt: number;
}

/** `byKey`: the given keys overwrite, the others stay; else the given map replaces the old one. */
function nextParams(current: CardParamMap | undefined, given: CardParamMap, byKey: boolean | undefined): CardParamMap {
  return byKey ? { ...(current ?? {}), ...given } : { ...given };
}

/** An interactive card as DingTalk holds it: public params, each user's private params, where it went, how it calls back. */
export class FakeCard {
  readonly outTrackId: string;
  readonly appKey: string;
  readonly templateId: string;
  cardData: CardData;
  /** By the card's user id (userId or unionId, per `userIdType`). */
  privateData: Record<string, CardData>;
  readonly openSpaceId: string;
  readonly spaces: OpenSpace[];
  /** The ids of the IM_ROBOT spaces it reached, of the card's `userIdType`. */
  readonly userIds: string[];
  readonly userIdType: 1 | 2;
  readonly callbackType: 'HTTP' | 'STREAM' | undefined;
  readonly callbackRouteKey: string | undefined;
  readonly deliverResults: CardDeliverResult[];
  readonly createdAt: number;
  updatedAt: number;
  /** `PUT /v1.0/card/instances` calls applied. */
  updateCount = 0;
  /** Click answers applied. */
  answerCount = 0;

  constructor(card: NewFakeCard) {
    this.outTrackId = card.outTrackId;
    this.appKey = card.appKey;
    this.templateId = card.templateId;
    this.cardData = structuredClone(card.cardData);
    this.privateData = structuredClone(card.privateData);
    this.openSpaceId = card.openSpaceId;
    this.spaces = card.spaces;
    this.userIds = card.userIds;
    this.userIdType = card.userIdType;
    this.callbackType = card.callbackType;
    this.callbackRouteKey = card.callbackRouteKey;
    this.deliverResults = card.deliverResults;
    this.createdAt = card.createdAt;
    this.updatedAt = card.createdAt;
  }

  /** What `userId` (of the card's id type) sees: the public params overlaid with their private ones. */
  paramsFor(userId: string): CardParamMap {
    return { ...this.cardData.cardParamMap, ...(this.privateData[userId]?.cardParamMap ?? {}) };
  }

  /** `PUT /v1.0/card/instances`: options default to replacing; private data is replaced or merged per user given. */
  update(change: { cardData?: CardData; privateData?: Record<string, CardData>; options?: CardUpdateOptions }, at: number): void {
    this.apply(change.cardData, change.privateData ?? {}, change.options);
    this.updateCount += 1;
    this.updatedAt = at;
  }

  /** A click answer: `userPrivateData` is the clicker's. */
  applyAnswer(answer: CardClickAnswer, clickerId: string, at: number): void {
    this.apply(answer.cardData, answer.userPrivateData ? { [clickerId]: answer.userPrivateData } : {}, answer.cardUpdateOptions);
    this.answerCount += 1;
    this.updatedAt = at;
  }

  toJSON(): Record<string, unknown> {
    const { outTrackId, appKey, templateId, cardData, privateData, openSpaceId, userIds, userIdType, callbackType, callbackRouteKey } = this;
    return {
      outTrackId,
      appKey,
      templateId,
      cardData,
      privateData,
      openSpaceId,
      userIds,
      userIdType,
      callbackType,
      callbackRouteKey,
      deliverResults: this.deliverResults,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      updateCount: this.updateCount,
      answerCount: this.answerCount,
    };
  }

  private apply(cardData: CardData | undefined, privateData: Record<string, CardData>, options: CardUpdateOptions | undefined): void {
    if (cardData) this.cardData = { cardParamMap: nextParams(this.cardData.cardParamMap, cardData.cardParamMap, options?.updateCardDataByKey) };
    for (const [userId, data] of Object.entries(privateData)) {
      this.privateData[userId] = { cardParamMap: nextParams(this.privateData[userId]?.cardParamMap, data.cardParamMap, options?.updatePrivateDataByKey) };
    }
  }
}
