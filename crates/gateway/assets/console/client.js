// The elements' one way to the server (docs/api/console.md): GraphQL over
// fetch to the /graphql of the origin these modules were loaded from, and
// graphql-transport-ws for live events. Where the token comes from is the
// host's choice: an element's `token` attribute or `getToken` property, or
// `configure({ getToken })` for every element on the page.
import { createClient } from "../lib/graphql-ws-6.4.2/client.js";

export const ENDPOINT = new URL("/graphql", import.meta.url).href;

let pageTokenSource = null;

/** Sets where every element on the page gets the user's access token. */
export function configure({ getToken = null, token = null } = {}) {
  pageTokenSource = getToken ?? (token ? () => token : null);
  live?.dispose();
  live = null;
  window.dispatchEvent(new CustomEvent("roster-token-changed"));
}

export class RosterError extends Error {
  constructor(message, code, reason = null) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** The token from an element's own source, else the page's. */
async function tokenFor(source) {
  const get = source ?? pageTokenSource;
  return get ? await get() : null;
}

/** One operation; its `data`, or a RosterError with the first error's code. */
export async function gql(query, variables = {}, source = null) {
  const headers = { "content-type": "application/json", accept: "application/graphql-response+json" };
  const token = await tokenFor(source);
  if (token) headers.authorization = "Bearer " + token;
  let body;
  try {
    const res = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
    body = await res.json();
  } catch (_) {
    throw new RosterError("The server could not be reached. Check your connection and try again.", "NETWORK");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const ext = first.extensions || {};
    throw new RosterError(first.message, ext.code || "INTERNAL", ext.reason || null);
  }
  return body.data;
}

let live = null;

/**
 * Subscribes to `query`; `onEvent(data)` for each event, `onEnd(error)`
 * when the server ends it. Returns the function that unsubscribes.
 */
export function subscribe(query, variables, onEvent, onEnd, source = null) {
  if (!live) {
    live = createClient({
      url: ENDPOINT.replace(/^http/, "ws") + "/ws",
      lazy: true,
      retryAttempts: 3,
      connectionParams: async () => {
        const token = await tokenFor(source);
        return token ? { Authorization: "Bearer " + token } : {};
      },
    });
  }
  return live.subscribe(
    { query, variables },
    {
      next: (result) => (result.errors ? onEnd(toError(result.errors)) : onEvent(result.data)),
      error: (error) => onEnd(Array.isArray(error) ? toError(error) : new RosterError("Live updates stopped.", "NETWORK")),
      complete: () => onEnd(null),
    },
  );
}

function toError(errors) {
  const ext = errors[0].extensions || {};
  return new RosterError(errors[0].message, ext.code || "INTERNAL", ext.reason || null);
}
