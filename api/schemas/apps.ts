import { z } from 'zod';
import { APP_PERMISSIONS } from '../../db/schema';
import { timestamp } from './common';

/** Apps that call the API (SPEC §7): registered and rotated by an admin app; a secret is shown once, when it is made. */

/** The longest a rotated secret stays valid beside the new one. */
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

export const appParams = z.object({ key: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, ".", "_" or "-"') });

export const registerAppBody = z
  .strictObject({
    key: appParams.shape.key.describe('the X-App-Key the app signs with'),
    name: z.string().trim().min(1).max(128),
    permissions: z
      .array(z.enum(APP_PERMISSIONS))
      .min(1)
      .refine((p) => new Set(p).size === p.length, 'must not repeat a permission'),
  })
  .meta({ id: 'RegisterAppRequest' });

export const rotateSecretBody = z
  .strictObject({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .default(DEFAULT_GRACE_SECONDS)
      .describe(`how long the secret before stays valid on inbound requests (0: not at all; default ${DEFAULT_GRACE_SECONDS}, one day)`),
  })
  .meta({ id: 'RotateAppSecretRequest' });

export const appSummary = z
  .object({
    key: z.string(),
    name: z.string(),
    permissions: z.array(z.enum(APP_PERMISSIONS)),
    createdAt: timestamp,
    previousSecretExpiresAt: timestamp.optional().describe('after a rotation: until when the secret before is still accepted'),
  })
  .meta({ id: 'App' });

export const appWithSecret = appSummary
  .extend({ secret: z.string().describe('shown this once: it is stored sealed and never read back') })
  .meta({ id: 'AppWithSecret' });

export const appList = z.object({ items: z.array(appSummary) }).meta({ id: 'AppList' });
