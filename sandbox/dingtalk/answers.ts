import { randomBytes } from 'node:crypto';

/** `api`: api.dingtalk.com (`/v1.0/…`); `oapi`: oapi.dingtalk.com (`/gettoken`, `/topapi/…`). */
export type HostStyle = 'api' | 'oapi';

/** An answer before it becomes a Response: what the call log records comes from it. */
export interface FakeAnswer {
  status: number;
  body: string;
  contentType: string;
  /** DingTalk's code of a failure (`param.cardNotExist`, `90018`, `88:40014`, `http_502`). */
  errorCode?: string;
}

const JSON_TYPE = 'application/json;charset=utf-8';

export function requestId(): string {
  return randomBytes(10).toString('hex');
}

function json(status: number, body: unknown, errorCode?: string): FakeAnswer {
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, ...(errorCode === undefined ? {} : { errorCode }) };
}

/** api.dingtalk.com success: the plain object. */
export function apiOk(body: unknown): FakeAnswer {
  return json(200, body);
}

/** api.dingtalk.com failure: HTTP 4xx/5xx `{code, message, requestid}`. */
export function apiError(status: number, code: string, message: string): FakeAnswer {
  return json(status, { code, message, requestid: requestId() }, code);
}

/** oapi.dingtalk.com success: HTTP 200 `{errcode: 0, errmsg: "ok", …, request_id}`. */
export function oapiOk(fields: Record<string, unknown>): FakeAnswer {
  return json(200, { errcode: 0, errmsg: 'ok', ...fields, request_id: requestId() });
}

/** oapi.dingtalk.com failure: still HTTP 200, a non-zero `errcode`. */
export function oapiError(errcode: number, errmsg: string): FakeAnswer {
  return json(200, { errcode, errmsg, request_id: requestId() }, String(errcode));
}

/** topapi's wrapped auth failures: errcode 88 with the real reason in `sub_code`. */
export function oapiSubError(subCode: string, subMsg: string): FakeAnswer {
  return json(
    200,
    { errcode: 88, errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]`, sub_code: subCode, sub_msg: subMsg, request_id: requestId() },
    `88:${subCode}`,
  );
}

/** What a gateway in front of DingTalk answers when it is out: an HTML page, not JSON. */
export function htmlError(status: 502 | 503): FakeAnswer {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return {
    status,
    body: `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>Tengine</center>\n</body>\n</html>\n`,
    contentType: 'text/html',
    errorCode: `http_${status}`,
  };
}

const INVALID_TOKEN_MSG = '不合法的access_token';

/** A bad, expired or revoked token, as each host says it. */
export function invalidTokenAnswer(host: HostStyle, path: string): FakeAnswer {
  if (host === 'api') return apiError(401, 'InvalidAuthentication', '不合法的access_token');
  return path.startsWith('/topapi/') ? oapiSubError('40014', INVALID_TOKEN_MSG) : oapiError(40014, INVALID_TOKEN_MSG);
}

export function toResponse(answer: FakeAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: { 'content-type': answer.contentType } });
}
