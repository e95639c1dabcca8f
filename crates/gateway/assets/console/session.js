// The console's own session (docs/api/console.md): the access token in
// memory, refreshed before it expires; the refresh token in
// sessionStorage, so a reload of the tab stays logged in and closing it
// logs out.
import { configure, gql } from "./client.js";

const KEY = "roster.refreshToken";
const PAYLOAD = "accessToken refreshToken accessTokenExpiresAt user { id email displayName mustChangePassword }";

let current = null;

function keep(payload) {
  current = { ...payload, expires: Date.parse(payload.accessTokenExpiresAt) };
  sessionStorage.setItem(KEY, payload.refreshToken);
  configure({ getToken: accessToken });
  return current.user;
}

async function accessToken() {
  if (current && current.expires - Date.now() < 30_000) {
    const refreshed = (await gql(`mutation($r: String!) { refreshSession(refreshToken: $r) { ${PAYLOAD} } }`, { r: current.refreshToken })).refreshSession;
    current = { ...refreshed, expires: Date.parse(refreshed.accessTokenExpiresAt) };
    sessionStorage.setItem(KEY, refreshed.refreshToken);
  }
  return current?.accessToken ?? null;
}

export async function logIn(email, password) {
  return keep((await gql(`mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { ${PAYLOAD} } }`, { e: email, p: password })).logIn);
}

export async function changePassword(currentPassword, newPassword) {
  return keep((await gql(`mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { ${PAYLOAD} } }`, { c: currentPassword, n: newPassword }, accessToken)).changePassword);
}

/** The user of a session kept from before a reload, or null. */
export async function resume() {
  const refresh = sessionStorage.getItem(KEY);
  if (!refresh) return null;
  try {
    return keep((await gql(`mutation($r: String!) { refreshSession(refreshToken: $r) { ${PAYLOAD} } }`, { r: refresh })).refreshSession);
  } catch (_) {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export async function logOut() {
  try {
    await gql("mutation { logOut }", {}, accessToken);
  } finally {
    current = null;
    sessionStorage.removeItem(KEY);
    configure({});
  }
}
