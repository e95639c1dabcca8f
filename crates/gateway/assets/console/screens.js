// The console's screens, each a custom element (docs/api/console.md). A
// screen module registers itself here; the console shows a screen's tab
// when `shown(organization)` is true, from what the API says the viewer
// may do there (`Organization.viewerCan`), never from the role itself.
export const SCREENS = [];

/** `{ id, label, tag, order, shown(org) }`. */
export function screen(definition) {
  SCREENS.push(definition);
  SCREENS.sort((a, b) => a.order - b.order);
}

/**
 * What the console asks of an organization to decide its tabs; the
 * assistants the viewer sees (`organization.assistants`) decide the
 * Assistants tab (docs/api/console.md).
 */
export const ORGANIZATION_FIELDS = "id name viewerRole viewerCan viewerCanInviteAs assistants { id }";
