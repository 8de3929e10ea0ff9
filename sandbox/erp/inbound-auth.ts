import { createHash, timingSafeEqual } from 'node:crypto';
import type { ReceivedRequest } from '../../protocol/request-signature';
import { verifySignedRequest, type NonceLedger } from './signed-requests';

/** How the approval center authenticates when it calls the ERP's operations (SPEC §8 `auth`). */
export type InboundAuth = { type: 'hmac'; appKey: string; secret: string } | { type: 'bearer'; token: string } | { type: 'none' };

type AuthOutcome = { ok: true } | { ok: false; code: string; message: string };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function checkBearer(token: string, authorization: string | undefined): AuthOutcome {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (presented === undefined) return { ok: false, code: 'MISSING_TOKEN', message: 'Authorization: Bearer <token> is required' };
  // Digests first so the comparison is constant-time whatever the lengths.
  if (!timingSafeEqual(digest(presented), digest(token))) return { ok: false, code: 'BAD_TOKEN', message: 'the bearer token is not the configured one' };
  return { ok: true };
}

export async function authenticateInbound(auth: InboundAuth, request: ReceivedRequest, nonces: NonceLedger): Promise<AuthOutcome> {
  switch (auth.type) {
    case 'none':
      return { ok: true };
    case 'bearer':
      return checkBearer(auth.token, request.header('authorization'));
    case 'hmac':
      return verifySignedRequest(request, (appKey) => (appKey === auth.appKey ? auth.secret : undefined), nonces);
  }
}
