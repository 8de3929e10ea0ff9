import type { HttpBindings } from '@hono/node-server';
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { RegisteredApp } from '../db/apps';
import type { SecretBox } from '../db/secret-box';
import type { DingTalkApi } from '../integrations/dingtalk/dingtalk-api';
import type { VerifiedApps } from './auth/verified-apps';
import type { Viewer } from './auth/viewer';

/** What the API needs from the outside world, injected so tests use the real things. */
export interface ApiDependencies {
  db: Db;
  temporal: Client;
  secretBox: SecretBox;
  /**
   * `rateLimits` unset: no request rate limit. The processes (`npm start`, api/main.ts) pass what
   * loadConfig read (API_RATE_LIMIT_*, on by default); the tests and the bench build their own.
   */
  config: Pick<AppConfig, 'temporalNamespace' | 'taskQueue' | 'historyLimit' | 'retries'> &
    Partial<Pick<AppConfig, 'dingtalk' | 'publicBaseUrl' | 'devLogin' | 'rateLimits'>>;
  /** The DingTalk client (免登 asks it who a code belongs to); set when `config.dingtalk` is. */
  dingtalk?: DingTalkApi;
  /** Check every answer against its route's declaration (contract/register.ts); tests switch it on. */
  checkContract?: boolean;
  /** A server span per request (request-tracing.ts) when tracing is on (observability/tracing.ts). */
  tracer?: Tracer;
  /** Apps read for signed requests, kept a few seconds (auth/verified-apps.ts); createApi makes one when none is given. */
  verifiedApps?: VerifiedApps;
}

export interface ApiEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The app whose signature this request carried (unset for a user's session). */
    caller: RegisteredApp;
    /** The app or the user asking. */
    viewer: Viewer;
    /** The raw request body, read once for the signature and then parsed. */
    rawBody: string;
    /**
     * A signed request's nonce, used up once its inputs passed their schemas (contract/register.ts):
     * a request refused before (401, 403, 413, 429, 400) records no nonce and may be sent again.
     */
    useNonce: (() => Promise<void>) | undefined;
  };
}
