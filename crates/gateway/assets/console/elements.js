// Every element, for a page that embeds them (docs/api/console.md):
//   <script type="module" src="https://roster.example.com/elements.js"></script>
// then <roster-members organization="…"> and the others, with a token
// from `configure({ getToken })`, a `token` attribute or a `getToken`
// property.
export { configure, RosterError } from "./client.js";
export { SCREENS } from "./screens.js";
import "./org-switcher.js";
import "./members.js";
import "./workspaces.js";
import "./assistants.js";
import "./leads.js";
import "./dashboard.js";
import "./audit-log.js";
import "./billing.js";
import "./settings.js";
import "./invite.js";
import "./console-app.js";
