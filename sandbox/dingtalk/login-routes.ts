import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import type { AuthCodeUser } from '../../integrations/dingtalk/dingtalk-api';
import { oapiError, oapiOk } from './answers';
import type { CallPipeline } from './call-pipeline';
import type { FakeDingTalkState } from './fake-dingtalk-state';
import { isBlank, isRecord } from './request-fields';

/** DingTalk's sys_level: 1 main administrator, 0 everyone else (2 sub-admin and 100 boss are not modelled). */
const ADMIN_SYS_LEVEL = 1;

/** 免登: a one-use code from `dd.requestAuthCode` → who is logged in to the DingTalk client. */
export function registerLoginRoutes(app: Hono, state: FakeDingTalkState, pipeline: CallPipeline): void {
  app.post(
    '/topapi/v2/user/getuserinfo',
    pipeline.authed({ api: 'user.getuserinfo', host: 'oapi' }, ({ body }) => {
      const code = isRecord(body) ? body.code : undefined;
      if (isBlank(code)) return oapiError(40035, '缺少参数 code');
      const userid = typeof code === 'string' ? state.redeemAuthCode(code) : undefined;
      if (!userid) return oapiError(40078, '不存在的临时授权码');
      const user = state.directory.userById(userid);
      if (!user) return oapiError(60121, '找不到该用户');
      const result: AuthCodeUser = {
        userid: user.userid,
        unionid: user.unionid,
        name: user.name,
        sys_level: user.admin ? ADMIN_SYS_LEVEL : 0,
        sys: user.admin ?? false,
        device_id: randomBytes(8).toString('hex'),
      };
      return oapiOk({ result });
    }),
  );
}
