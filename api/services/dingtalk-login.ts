import type { Db } from '../../db/client';
import { findUserByDingTalkId } from '../../db/dingtalk-channel';
import { createSession, type SessionUser } from '../../db/sessions';
import { DingTalkError, type DingTalkApi } from '../../integrations/dingtalk/dingtalk-api';
import { ApiError } from '../errors';

/**
 * 免登 (SPEC §7): DingTalk tells whose the one-use code is; that DingTalk user must be bound to an
 * active user here (org sync or the ERP push bind them), who gets a session.
 */
export async function logInWithDingTalk(db: Db, api: DingTalkApi, authCode: string): Promise<{ token: string; expiresAt: Date; user: SessionUser }> {
  let dingtalkUserId: string;
  try {
    dingtalkUserId = (await api.getUserInfoByAuthCode(authCode)).userid;
  } catch (err) {
    if (err instanceof DingTalkError && err.kind === 'invalid_auth_code')
      throw new ApiError('INVALID_AUTH_CODE', 'the auth code is unknown, expired or already used');
    if (err instanceof DingTalkError) throw new ApiError('DINGTALK_UNAVAILABLE', `DingTalk could not tell whose the code is (${err.code})`);
    throw err;
  }
  const user = await findUserByDingTalkId(db, dingtalkUserId);
  if (!user) throw new ApiError('DINGTALK_USER_UNKNOWN', 'this DingTalk user is not bound to an active user');
  const session = await createSession(db, user.id, 'dingtalk');
  return { ...session, user };
}
