import type { HttpBindings } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { RegisteredApp } from '../db/apps';
import type { SecretBox } from '../db/secret-box';
import type { DingTalkApi } from '../integrations/dingtalk/dingtalk-api';
import type { Viewer } from './auth/viewer';

/** What the API needs from the outside world, injected so tests use the real things. */
export interface ApiDependencies {
  db: Db;
  temporal: Client;
  secretBox: SecretBox;
  config: Pick<AppConfig, 'temporalNamespace' | 'taskQueue' | 'historyLimit' | 'retries'> & Partial<Pick<AppConfig, 'dingtalk' | 'publicBaseUrl' | 'devLogin'>>;
  /** The DingTalk client (免登 asks it who a code belongs to); set when `config.dingtalk` is. */
  dingtalk?: DingTalkApi;
  /** Check every answer against its route's declaration (contract/register.ts); tests switch it on. */
  checkContract?: boolean;
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
  };
}
