/**
 * The Sesame token debugger. Everything happens in this page: a token is decoded, verified,
 * decrypted and signed here and is never sent to a server. It lives at most in the URL fragment
 * (which browsers never send), and only when the person asks for a link.
 */
import { type DecodedToken, showToken } from './decode-view.js';
import { resetDecrypt, setUpDecrypt } from './decrypt-view.js';
import { byId, setStatus } from './dom.js';
import { setUpEncode } from './encode-view.js';
import { setUpVerify } from './verify-view.js';

let decoded: DecodedToken | undefined;
const tokenInput = byId<HTMLTextAreaElement>('token');

function refresh(): void {
  decoded = showToken(tokenInput.value);
  setStatus(byId('verify-result'), '', 'info');
  resetDecrypt();
}

/** Tabs per the WAI-ARIA tabs pattern: arrow keys move between tabs, the panel follows. */
function selectTab(name: 'decode' | 'encode', focus = false): void {
  for (const other of ['decode', 'encode'] as const) {
    const tab = byId(`tab-${other}`);
    const selected = other === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(`panel-${other}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
}

function setUpTabs(): void {
  for (const name of ['decode', 'encode'] as const) {
    const tab = byId(`tab-${name}`);
    tab.addEventListener('click', () => selectTab(name));
    tab.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
        selectTab(name === 'decode' ? 'encode' : 'decode', true);
        event.preventDefault();
      }
    });
  }
}

/** A token in the fragment (#token=…) is shown on load; the fragment never reaches a server. */
function tokenFromFragment(): string {
  const match = /^#token=([A-Za-z0-9_.-]*)$/.exec(location.hash);
  return match ? match[1]! : '';
}

function setUpLink(): void {
  byId('token-link').addEventListener('click', () => {
    const token = tokenInput.value.trim();
    history.replaceState(null, '', token ? `#token=${token}` : location.pathname);
    setStatus(byId('link-status'), token ? 'The address now holds the token in its fragment.' : '', 'info');
  });
}

setUpTabs();
setUpLink();
setUpVerify(() => decoded);
setUpDecrypt(
  () => decoded,
  (inner) => {
    tokenInput.value = inner;
    refresh();
  },
);
setUpEncode((token) => {
  tokenInput.value = token;
  refresh();
  selectTab('decode', true);
});
tokenInput.addEventListener('input', refresh);
function loadFragment(): void {
  const token = tokenFromFragment();
  if (token === '') return;
  tokenInput.value = token;
  refresh();
  selectTab('decode');
}
// A link with another token, opened while the page is open, changes only the fragment.
window.addEventListener('hashchange', loadFragment);
loadFragment();
refresh();
document.documentElement.dataset.ready = 'true';
