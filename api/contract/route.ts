import type { Context } from 'hono';
import type { z } from 'zod';
import type { RegisteredApp } from '../../db/apps';
import type { AppPermission } from '../../db/schema';
import type { ApiEnv } from '../context';
import type { ErrorCode } from '../error-codes';

/**
 * One route of the API, declared once: its method and path, who may call it, the zod schemas of
 * its path, query, body and answers, and the error codes it may answer. The same declaration
 * validates requests (contract/register.ts) and writes the OpenAPI document (contract/openapi.ts).
 */

export type HttpMethod = 'get' | 'post' | 'delete';

/** `none`: unsigned (health, the docs); `signed`: any app with a valid signature; else the permission it needs. */
export type RouteAuth = 'none' | 'signed' | AppPermission;

export type SuccessStatus = 200 | 201 | 503;

export interface JsonResponse {
  description: string;
  schema: z.ZodType;
}

/** A response that is not JSON (the docs page): documented, not checked. */
export interface OtherResponse {
  description: string;
  contentType: string;
}

export interface RouteSpec {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI style: `/api/v1/instances/{id}`. */
  path: `/${string}`;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body is documented by `body` but checked by the handler, whose problems answer something else than 400 (a flow definition: 422). */
  bodyCheckedByHandler?: true;
  responses: Partial<Record<SuccessStatus, JsonResponse | OtherResponse>>;
  /** The error codes this route answers besides those its auth and its inputs imply (contract/route-errors.ts). */
  errors: readonly ErrorCode[];
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Output<S['params']>;
  query: Output<S['query']>;
  body: S['bodyCheckedByHandler'] extends true ? unknown : Output<S['body']>;
  /** The app whose signature the request carried. */
  caller: S['auth'] extends 'none' ? undefined : RegisteredApp;
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

/** Declares a route and its handler; `const` keeps the literal statuses and paths, so replies are typed by the declaration. */
export function route<const S extends RouteSpec>(spec: S, handle: (input: RouteInput<NoInfer<S>>) => Promise<RouteReply<NoInfer<S>>>): Route<S> {
  return { spec, handle };
}

/** Routes side by side, as the app mounts them (each one's input is typed by its own declaration). */
export type AnyRoute = Route<any>;

export const isJsonResponse = (response: JsonResponse | OtherResponse): response is JsonResponse => 'schema' in response;
