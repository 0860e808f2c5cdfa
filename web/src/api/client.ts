// The typed client of the vif REST API: openapi-fetch over the types that openapi-typescript
// derives from gateway/openapi/openapi.json (src/api/schema.d.ts, generated: `npm run api:types`).
// The console calls the API through it only; no URL is built by hand.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths };
export type ApiError = components["schemas"]["Error"];

/** A client of the API at baseUrl ("" for the same origin), sending the token getToken gives. */
export function apiClient(baseUrl: string, getToken: () => string | undefined) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = getToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** The field violations of an error, by field as the client wrote it (displayName). */
export function fieldErrors(err: ApiError | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of err?.error.details ?? []) {
    if ("fieldViolations" in d) {
      for (const v of d.fieldViolations) out.set(v.field, v.description);
    }
  }
  return out;
}

/** The ErrorInfo reason of an error (ETAG_MISMATCH, REQUEST_ID_REUSED…), or undefined. */
export function reason(err: ApiError | undefined): string | undefined {
  for (const d of err?.error.details ?? []) {
    if ("reason" in d) return d.reason;
  }
  return undefined;
}
