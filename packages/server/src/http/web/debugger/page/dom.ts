/**
 * Small DOM helpers for the debugger page. Text always goes in through textContent, never
 * innerHTML: a token's claims are attacker-controlled strings.
 */

/** The element with this id, of the expected type; a missing element is a bug in index.html. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** A new element with text and classes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** Shows a message in a status element, styled as ok, bad or neutral. */
export function setStatus(element: HTMLElement, text: string, kind: 'ok' | 'bad' | 'info'): void {
  element.textContent = text;
  element.dataset.kind = kind;
  element.hidden = text.length === 0;
}

/** Pretty JSON with keys, strings, numbers and literals in spans, for the header and payload. */
export function renderJson(target: HTMLElement, value: unknown): void {
  target.replaceChildren();
  const text = JSON.stringify(value, null, 2);
  const pattern = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) target.append(text.slice(last, at));
    if (match[1] !== undefined) {
      target.append(el('span', match[1], match[2] ? 'json-key' : 'json-string'));
      if (match[2]) target.append(match[2]);
    } else {
      target.append(el('span', match[0], match[3] !== undefined ? 'json-number' : 'json-literal'));
    }
    last = at + match[0].length;
  }
  target.append(text.slice(last));
}
