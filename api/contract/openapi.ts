import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_CODES, type ErrorCode } from '../error-codes';
import { BODY_LIMITS, bodyLimitOf, formatBytes } from '../limits';
import { errorBody } from '../schemas/common';
import { isJsonResponse, type AnyRoute, type RouteSpec } from './route';
import { errorCodesByStatus } from './route-errors';

/** The four SPEC §7 headers: together they are the signature, so the document requires all of them. */
const SIGNATURE_SCHEMES = {
  AppKey: { name: 'X-App-Key', description: 'the app key' },
  Timestamp: { name: 'X-Timestamp', description: 'unix milliseconds; within 300 s of server time' },
  Nonce: { name: 'X-Nonce', description: 'single use within the window, at most 128 characters' },
  Signature: {
    name: 'X-Signature',
    description:
      'lowercase hex HMAC-SHA256(appSecret, `METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256_HEX(BODY)`), PATH being the request target as sent (query included) and BODY the raw body bytes (empty for none)',
  },
} as const;

const SIGNED = Object.fromEntries(Object.keys(SIGNATURE_SCHEMES).map((name) => [name, []]));
const SESSION = { Session: [] };

/** Either requirement suffices (OpenAPI's security list is an OR of its entries). */
function securityOf(spec: RouteSpec) {
  if (spec.auth === 'none') return [];
  if (spec.auth === 'session') return [SESSION];
  return spec.sessions ? [SIGNED, SESSION] : [SIGNED];
}

const PERMISSIONS: Record<string, string> = {
  start: 'start instances (and preview their route)',
  act_for: 'act for users, manage their delegations',
  sync: 'push the org',
  read_all: 'read every instance and todo list, not only those of the instances it started',
  admin: 'flow definitions, ERP systems, ops',
};

function describe(spec: RouteSpec): string | undefined {
  const needs =
    spec.auth === 'none' || spec.auth === 'signed' || spec.auth === 'session'
      ? undefined
      : `Needs the \`${spec.auth}\` permission (${PERMISSIONS[spec.auth]}).`;
  return [spec.description, needs].filter(Boolean).join('\n\n') || undefined;
}

/** What a code means on this route: the body limit is the route's own. */
function meaningOn(spec: RouteSpec, code: ErrorCode): string {
  const limit = bodyLimitOf(spec);
  return code === 'PAYLOAD_TOO_LARGE'
    ? `the request body is over ${limit} bytes (${formatBytes(limit)}), this route’s limit; it was not read`
    : ERROR_CODES[code].meaning;
}

function errorResponses(spec: RouteSpec): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const [status, codes] of errorCodesByStatus(spec)) {
    responses[status] = {
      description: codes.map((code: ErrorCode) => `\`${code}\`: ${meaningOn(spec, code)}`).join('; '),
      ...(codes.includes('RATE_LIMITED')
        ? {
            headers: {
              'Retry-After': { description: 'whole seconds (at least 1) until the request would be let through', schema: { type: 'integer', minimum: 1 } },
            },
          }
        : {}),
      content: { 'application/json': { schema: errorBody(codes as [ErrorCode, ...ErrorCode[]]) } },
    };
  }
  return responses;
}

function pathOf(spec: RouteSpec): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = isJsonResponse(response)
      ? { description: response.description, content: { 'application/json': { schema: response.schema } } }
      : { description: response.description, content: { [response.contentType]: { schema: { type: 'string' } } } };
  }
  const description = describe(spec);
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(description ? { description } : {}),
    security: securityOf(spec),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body
        ? {
            body: {
              required: true,
              description: `at most ${bodyLimitOf(spec)} bytes (${formatBytes(bodyLimitOf(spec))}); a bigger body answers 413 \`PAYLOAD_TOO_LARGE\``,
              content: { 'application/json': { schema: spec.body } },
            },
          }
        : {}),
    },
    responses: { ...responses, ...errorResponses(spec) },
  };
}

/** The OpenAPI 3.1 document of these routes: what an ERP integrator generates a client from. */
export function openApiDocument(routes: readonly AnyRoute[], version: string) {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SIGNATURE_SCHEMES)) {
    registry.registerComponent('securitySchemes', name, { type: 'apiKey', in: 'header', name: scheme.name, description: scheme.description });
  }
  registry.registerComponent('securitySchemes', 'Session', {
    type: 'http',
    scheme: 'bearer',
    description: 'a user session from 免登 (`POST /api/v1/auth/dingtalk`) or the sandbox’s dev login; 8 hours, revocable',
  });
  for (const { spec } of routes) registry.registerPath(pathOf(spec));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Approval orchestration API',
      version,
      description:
        'Business approvals on Temporal (SPEC §6). Every `/api/v1` call of an app is signed (SPEC §7): the X-App-Key, X-Timestamp, X-Nonce and X-Signature headers. Users call the routes that say so with their session (`Authorization: Bearer`), from 免登. DingTalk’s card callback is signed DingTalk’s way. Errors have one shape: `{"error": {"code", "message", "details?"}}`. ' +
        `A request body over its route’s limit (${formatBytes(BODY_LIMITS.default)}; the org push ${formatBytes(BODY_LIMITS.orgPush)}) answers 413 \`PAYLOAD_TOO_LARGE\`; ` +
        'an app or a user over its request rate 429 `RATE_LIMITED` with `Retry-After` (seconds), and its nonce stays unused. ' +
        'Any route answers 503 `UNAVAILABLE` with `Retry-After` while PostgreSQL or Temporal cannot be reached (a restart): the same request may be sent again.',
    },
    tags: [
      { name: 'instances', description: 'start, read and act on approvals' },
      { name: 'tasks', description: 'the task center (待办 / 已办)' },
      { name: 'definitions', description: 'flow definitions (SPEC §4 DSL) and their versions' },
      { name: 'org', description: 'the org push: departments and users' },
      { name: 'delegations', description: '委托' },
      { name: 'systems', description: 'ERP systems for service nodes and write-back' },
      { name: 'webhooks', description: 'dead letters and the delivery log' },
      { name: 'dingtalk', description: 'card clicks from DingTalk (HTTP callback mode) and 免登 login' },
      { name: 'users', description: 'sessions, the user picker, 抄送我的' },
      { name: 'ops', description: 'health, the drift check, this document' },
    ],
  });
}
