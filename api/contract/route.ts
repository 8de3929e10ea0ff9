import type { Context } from 'hono';
import type { z } from 'zod';
import type { RegisteredApp } from '../../db/apps';
import type { AppPermission } from '../../db/schema';
import type { UserViewer, Viewer } from '../auth/viewer';
import type { ApiDependencies, ApiEnv } from '../context';
import type { ErrorCode } from '../error-codes';

/**
 * One route of the API, declared once: its method and path, who may call it, the zod schemas of
 * its path, query, body and answers, and the error codes it may answer. The same declaration
 * validates requests (contract/register.ts) and writes the OpenAPI document (contract/openapi.ts).
 */

export type HttpMethod = 'get' | 'post' | 'delete';

/**
 * `none`: unsigned (health, the docs, login); `session`: a user's session only; `signed`: any app
 * with a valid signature; else the permission the app needs. `sessions: true` lets users in too.
 */
export type RouteAuth = 'none' | 'session' | 'signed' | AppPermission;

export type SuccessStatus = 200 | 201 | 202 | 503;

export interface JsonResponse {
  description: string;
  schema: z.ZodType;
}

/** A response that is not JSON (the docs page): documented, not checked. */
export interface OtherResponse {
  description: string;
  contentType: string;
}

/** Where a route is and what it takes. */
export interface Endpoint {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI style: `/api/v1/instances/{id}`. */
  path: `/${string}`;
  auth: RouteAuth;
  /** An app route that users may call with their session as well (SPEC §7: "the same `/api/v1` routes"). */
  sessions?: true;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body is documented by `body` but checked by the handler, whose problems answer something else than 400 (a flow definition: 422). */
  bodyCheckedByHandler?: true;
  /** The most bytes the request body may have, when more than BODY_LIMITS.default (api/limits.ts); a bigger one answers 413. */
  bodyLimit?: number;
}

/** What a route does and answers. */
export interface Answers {
  summary: string;
  description?: string;
  responses: Partial<Record<SuccessStatus, JsonResponse | OtherResponse>>;
  /** The error codes this route answers besides those its auth and its inputs imply (contract/route-errors.ts). */
  errors?: readonly ErrorCode[];
}

export type RouteSpec = Endpoint & Answers & { tag: string };

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Output<S['params']>;
  query: Output<S['query']>;
  body: S['bodyCheckedByHandler'] extends true ? unknown : Output<S['body']>;
  /** The app whose signature the request carried (none when a user's session did). */
  caller: S['auth'] extends 'none' | 'session' ? undefined : S['sessions'] extends true ? RegisteredApp | undefined : RegisteredApp;
  /** The app or the user asking. */
  viewer: S['auth'] extends 'none' ? undefined : S['auth'] extends 'session' ? UserViewer : Viewer;
  deps: ApiDependencies;
  c: Context<ApiEnv>;
}

type JsonStatus<S extends RouteSpec> = {
  [K in keyof S['responses'] & SuccessStatus]: S['responses'][K] extends JsonResponse ? K : never;
}[keyof S['responses'] & SuccessStatus];
type JsonBody<S extends RouteSpec> = {
  [K in JsonStatus<S>]: S['responses'][K] extends JsonResponse ? z.input<S['responses'][K]['schema']> : never;
}[JsonStatus<S>];

/** A JSON answer (one of the route's success statuses, with a body of its schema), or a Response for the other kinds. */
export type RouteReply<S extends RouteSpec> = [JsonStatus<S>] extends [never] ? Response : { status: JsonStatus<S>; body: JsonBody<S> };

export interface Route<S extends RouteSpec = RouteSpec> {
  spec: S;
  handle(input: RouteInput<S>): Promise<RouteReply<S>>;
}

/**
 * The route declarer of one resource (its OpenAPI tag): `route(endpoint, answers, handler)`.
 * `const` keeps the literal statuses and paths, so the handler's input and reply are typed by the declaration.
 */
export function routesOf(tag: string) {
  return function route<const E extends Endpoint, const A extends Answers>(
    endpoint: E,
    answers: A,
    handle: (input: RouteInput<NoInfer<E & A & { tag: string }>>) => Promise<RouteReply<NoInfer<E & A & { tag: string }>>>,
  ): Route<E & A & { tag: string }> {
    return { spec: { ...endpoint, ...answers, tag }, handle };
  };
}

/** The one answer of most routes: 200 with a body of `schema`. */
export const okWith = <S extends z.ZodType>(description: string, schema: S) => ({ 200: { description, schema } }) as const;

/** The answers of a call that creates something or finds it there (an idempotent repeat, a replaced draft): 201 and 200, of one schema. */
export const createdOrFound = <S extends z.ZodType>(schema: S, created: string, found: string) =>
  ({ 201: { description: created, schema }, 200: { description: found, schema } }) as const;

/** `{status: 200, body}` — the usual answer. */
export const ok = <B>(body: B) => ({ status: 200 as const, body });

/** 201 when the call created something, 200 when it was there already (an idempotent repeat, a replaced draft). */
export const createdOrOk = <B>(created: boolean, body: B) => ({ status: created ? (201 as const) : (200 as const), body });

/** Routes side by side, as the app mounts them (each one's input is typed by its own declaration). */
export type AnyRoute = Route<any>;

export const isJsonResponse = (response: JsonResponse | OtherResponse): response is JsonResponse => 'schema' in response;
