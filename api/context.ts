import type { HttpBindings } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { RegisteredApp } from '../db/apps';
import type { SecretBox } from '../db/secret-box';

/** What the API needs from the outside world, injected so tests use the real things. */
export interface ApiDependencies {
  db: Db;
  temporal: Client;
  secretBox: SecretBox;
  config: Pick<AppConfig, 'temporalNamespace' | 'taskQueue' | 'historyLimit' | 'retries'>;
  /** Check every answer against its route's declaration (contract/register.ts); tests switch it on. */
  checkContract?: boolean;
}

export interface ApiEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The app whose signature this request carried. */
    caller: RegisteredApp;
    /** The raw request body, read once for the signature and then parsed. */
    rawBody: string;
  };
}
