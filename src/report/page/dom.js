/**
 * Element building for the report page. Report data is untrusted (query texts, document and system ids come
 * from users' files), so it enters the page only as text nodes and attribute values: a string child becomes
 * a Text node (what textContent creates), never markup. Attribute and event names always come from this code.
 */

/**
 * Bidirectional formatting characters would reorder what is shown around them (`D‮evil‬gnp.exe` reads as
 * "Dlivegnp.exe"): each is shown as a mark naming it, as src/visible-text.ts does for the server-drawn parts.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function revealBidi(text) {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}

/** Attributes whose value is shown to the reader (the rest are names the script looks up). */
const SHOWN_ATTRIBUTES = new Set(['title', 'aria-label', 'placeholder']);

/** el('td', { className: 'x', title: text, on: { click } }, 'text', childNode, [more]) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener);
    } else if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else {
      const text = value === true ? '' : String(value);
      node.setAttribute(name, SHOWN_ATTRIBUTES.has(name) ? revealBidi(text) : text);
    }
  }
  append(node, children);
  return node;
}

/** Appends nodes and strings (as text nodes); null, undefined and false are skipped, arrays flattened. */
export function append(node, children) {
  for (const child of [children].flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(revealBidi(String(child))));
  }
}

/** Replaces a node's children. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** A short paragraph that says why something is not shown. */
export function note(text) {
  return el('p', { className: 'note' }, text);
}

/**
 * A labelled <select> (named after its label: "Compared with" → compared-with); `options` are [value, label]
 * pairs, `onChange` receives the selected value.
 */
export function select(label, options, selected, onChange) {
  const control = el(
    'select',
    { name: label.toLowerCase().replaceAll(' ', '-'), on: { change: () => onChange(control.value) } },
    options.map(([value, text]) =>
      el('option', { value, selected: String(value) === String(selected) }, text),
    ),
  );
  return el('label', { className: 'control' }, `${label} `, control);
}
