// Request validation for every API group: one zod parse that turns a refusal into a 400 the
// page can word (HttpError with a message code), instead of safeParse → throw in each route.
import type { z } from 'zod';
import { HttpError } from './context.js';

export interface ParseFailure {
  /** The message code when no field of `fields` is at fault. */
  code: string;
  /** A more precise code when an issue names this top-level field (the first listed wins). */
  fields?: Record<string, string>;
  /** The English text; default: "path: message" for every issue, joined by "; ". */
  message?: (issues: readonly z.core.$ZodIssue[]) => string;
}

const listIssues = (issues: readonly z.core.$ZodIssue[]) => issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

export function parse<S extends z.ZodType>(schema: S, value: unknown, failure: ParseFailure): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { issues } = result.error;
  const field = Object.keys(failure.fields ?? {}).find((f) => issues.some((i) => i.path[0] === f));
  const code = field !== undefined ? (failure.fields?.[field] ?? failure.code) : failure.code;
  return fail(new HttpError(400, (failure.message ?? listIssues)(issues), code));
}

function fail(err: HttpError): never {
  throw err;
}

/** A 400 the page words by `code`. */
export function badRequest(message: string, code = 'invalid', params: Record<string, string | number> = {}): HttpError {
  return new HttpError(400, message, code, params);
}
