// Finds elements as a person with a screen reader would: by role and
// accessible name, or by label, in the document and every open shadow root
// (docs/development.md, "Browser tests"). Run by WebDriver's execute
// script, which Chromium does not hold to the page's CSP; `arguments[0]` is
// one query:
//   { role, name }   the first shown element of `role` named `name` (any
//                    name when `name` is null), or the names of the shown
//                    elements of that role when there is none;
//   { label }        the first shown form field labelled `label`, or the
//                    labels of the shown fields;
//   { role, texts }  the text of every shown element of `role`;
//   { role, names }  the accessible name of every shown element of `role`.
const query = arguments[0];

const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();

// Every element in tree order, each shadow root's content after its host.
function* elements(root) {
  for (const el of root.children) {
    yield el;
    if (el.shadowRoot) yield* elements(el.shadowRoot);
    yield* elements(el);
  }
}

const TEXT_INPUTS = ['text', 'email', 'password', 'search', 'tel', 'url'];

function roleOf(el) {
  const explicit = clean(el.getAttribute('role')).split(' ')[0];
  if (explicit) return explicit;
  const tag = el.localName;
  if (tag === 'input') {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (type === 'search') return 'searchbox';
    if (TEXT_INPUTS.includes(type)) return 'textbox';
    if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
    if (type === 'checkbox' || type === 'radio') return type;
    if (type === 'number') return 'spinbutton';
    return null;
  }
  if (/^h[1-6]$/.test(tag)) return 'heading';
  const implicit = {
    a: el.hasAttribute('href') ? 'link' : null,
    button: 'button',
    textarea: 'textbox',
    select: el.multiple || el.size > 1 ? 'listbox' : 'combobox',
    option: 'option',
    tr: 'row',
    td: 'cell',
    th: el.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader',
    table: 'table',
    dialog: 'dialog',
    nav: 'navigation',
    main: 'main',
    form: 'form',
    output: 'status',
    ul: 'list',
    ol: 'list',
    li: 'listitem',
    img: 'img',
  };
  return implicit[tag] || null;
}

function shown(el) {
  if (el.checkVisibility) return el.checkVisibility({ visibilityProperty: true });
  return el.getClientRects().length > 0;
}

// The text a person sees in `node`: shadow content and slotted nodes
// included, hidden parts left out.
function textOf(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.data;
  if (node.nodeType === Node.ELEMENT_NODE) {
    if (node.hidden || node.getAttribute('aria-hidden') === 'true') return '';
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return '';
    // A field inside a label is not the label's text.
    if (['select', 'textarea', 'input'].includes(node.localName)) return '';
    if (node.localName === 'slot') {
      return node.assignedNodes({ flatten: true }).map(textOf).join('');
    }
    const inner = node.shadowRoot ? textOf(node.shadowRoot) : childText(node);
    return style.display.startsWith('inline') ? inner : ` ${inner} `;
  }
  if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE) return childText(node);
  return '';
}

const childText = (node) => Array.from(node.childNodes, textOf).join('');

const LABELABLE = ['input', 'select', 'textarea', 'button', 'output', 'meter', 'progress'];

// The label text of a field: aria-label, aria-labelledby, `<label for>` in
// the same root, or the `<label>` around it.
function labelOf(el) {
  const aria = clean(el.getAttribute('aria-label'));
  if (aria) return aria;
  const root = el.getRootNode();
  const ids = clean(el.getAttribute('aria-labelledby'));
  if (ids) {
    const byId = (id) => root.getElementById ? root.getElementById(id)
      : root.querySelector(`#${CSS.escape(id)}`);
    return clean(ids.split(' ').map((id) => {
      const e = byId(id);
      return e ? textOf(e) : '';
    }).join(' '));
  }
  if (!LABELABLE.includes(el.localName)) return '';
  const labels = [];
  if (el.id) labels.push(...root.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`));
  const around = el.closest('label');
  if (around && !labels.includes(around)) labels.push(around);
  return clean(labels.map(textOf).join(' '));
}

function nameOf(el) {
  const label = labelOf(el);
  if (label) return label;
  if (el.localName === 'input' && ['button', 'submit', 'reset'].includes(el.type)) {
    return clean(el.value);
  }
  if (el.localName === 'img') return clean(el.getAttribute('alt'));
  const text = LABELABLE.includes(el.localName) && el.localName !== 'button' ? '' : clean(textOf(el));
  return text || clean(el.getAttribute('title'));
}

const visible = [...elements(document)].filter(shown);
if (query.label !== undefined) {
  const fields = visible.filter((el) => ['input', 'select', 'textarea'].includes(el.localName)
    || ['textbox', 'combobox', 'checkbox', 'radio', 'listbox', 'switch'].includes(el.getAttribute('role')));
  return fields.find((el) => labelOf(el) === query.label) || fields.map(labelOf);
}
const ofRole = visible.filter((el) => roleOf(el) === query.role);
if (query.texts) return ofRole.map((el) => clean(textOf(el)));
if (query.names) return ofRole.map(nameOf);
return ofRole.find((el) => query.name === null || nameOf(el) === query.name) || ofRole.map(nameOf);
