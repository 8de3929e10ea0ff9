import { z } from 'zod';
import { templateIssues } from '../../integrations/erp/templates';

/** `POST /systems` (SPEC §8): an ERP system for `service` nodes and write-back, validated at the edge. */

export const SYSTEM_CODE = /^[a-z][a-z0-9_]{0,63}$/;
export const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

const secret = z.string().min(1).max(4096);

const erpAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hmac'), appKey: z.string().min(1).max(128), secret }),
  z.strictObject({ type: z.literal('bearer'), token: secret }),
  z.strictObject({ type: z.literal('none') }),
]);

/** One request to the ERP; unknown templates in `path` or `body` are named where they are. */
const httpOperation = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z
      .string()
      .max(2048)
      .startsWith('/', 'must start with "/"')
      .refine((path) => !/\s/.test(path.replace(/\{\{[^{}]*\}\}/g, '')), 'must contain no whitespace outside {{…}} templates')
      .describe('may hold templates: {{form.X}}, {{instance.id}}, {{businessKey}}, {{source.id}}, {{source.type}}, {{status}}'),
    /** Any JSON; string values may hold templates. */
    body: z.unknown().optional().describe('any JSON; its strings may hold the same templates'),
  })
  .superRefine((operation, ctx) => {
    for (const key of ['path', 'body'] as const) {
      for (const issue of templateIssues(operation[key])) ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message });
    }
  });

export const registerSystemBody = z
  .strictObject({
    code: z.string().regex(SYSTEM_CODE, 'must be 1–64 lowercase letters, digits or "_", starting with a letter'),
    name: z.string().min(1).max(128).optional(),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2048)
      .refine((url) => !/[?#]/.test(url), 'must not have a query string or fragment (put those in the operation paths)'),
    auth: erpAuth,
    operations: z.record(z.string(), httpOperation).superRefine((operations, ctx) => {
      const names = Object.keys(operations);
      if (names.length > 200) ctx.addIssue({ code: 'custom', path: [], message: 'at most 200 operations' });
      for (const name of names) {
        if (!OPERATION_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'operation names must be 1–64 letters, digits, "_", "." or "-", starting with a letter or "_"',
          });
        }
      }
    }),
    writeBack: httpOperation.optional(),
  })
  .meta({ id: 'ErpSystemRegistration', description: 'credentials go in, never come out' });
export type RegisterSystemBody = z.infer<typeof registerSystemBody>;

export const systemParams = z.object({ code: z.string().describe('the system code') });

/** A registered system as answers show it: the auth without its secret parts. */
export const registeredSystem = z
  .object({
    code: z.string(),
    name: z.string().optional(),
    baseUrl: z.string(),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('hmac'), appKey: z.string() }),
      z.object({ type: z.literal('bearer') }),
      z.object({ type: z.literal('none') }),
    ]),
    operations: z.record(z.string(), z.object({ method: z.string(), path: z.string(), body: z.unknown().optional() })),
    writeBack: z.object({ method: z.string(), path: z.string(), body: z.unknown().optional() }).optional(),
  })
  .meta({ id: 'ErpSystem' });

export const systemList = z
  .object({
    items: z.array(
      z.object({
        code: z.string(),
        name: z.string().nullable(),
        operations: z.array(z.string()).describe('operation names, sorted'),
        hasWriteBack: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'ErpSystemList', description: 'the registered systems by code, for `service` nodes: no base URL, no credentials' });
