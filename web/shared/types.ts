import type { z } from 'zod';
import type { sessionOwner, userSearchAnswer } from '../../api/schemas/sessions';
import type { userSession } from '../../api/schemas/dingtalk';

/** What both browser apps (H5, designer) read of the API: the server's own schemas, so the two cannot drift apart. */
export type UserSummary = z.output<typeof userSearchAnswer>['items'][number];
export type UserSession = z.output<typeof userSession>;
export type SessionOwner = z.output<typeof sessionOwner>;

/** What the server writes into each app's page (`<script type="application/json" id="page-config">`). */
export interface PageConfig {
  /** DingTalk's corpId for `requestAuthCode`; absent: no DingTalk configured. */
  corpId?: string;
  /** The sandbox's dev login is on. */
  devLogin: boolean;
}

export const readPageConfig = (): PageConfig => JSON.parse(document.getElementById('page-config')?.textContent ?? '{}') as PageConfig;
