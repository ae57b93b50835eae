/**
 * How a card page is shown and kept live, without ever sharing the Jupyter page's origin.
 *
 * A card's HTML comes from whoever ran the flow. It is shown only in
 * `<iframe sandbox="allow-scripts" srcdoc=...>` (never `allow-same-origin`): its scripts
 * run in an opaque origin, so they reach neither this page's DOM, its cookies and token,
 * nor the REST API. The HTML is fetched by the page (`api.cardHtml`), because the frame
 * cannot authenticate itself.
 *
 * Metaflow's card viewer keeps a live card current by calling the page's
 * `metaflow_card_update(data)` when a data update's `reload_token` equals the page's
 * `METAFLOW_RELOAD_TOKEN`, and reloading the page otherwise (`card_viewer/viewer.html`).
 * Across the sandbox that needs messages: a few lines appended to the card's HTML (they run
 * with the card's own rights, no more) take `card-data` from the parent and answer
 * `card-updated`, `card-reload` (fetch the page again) or `card-static` (a final page with
 * no update function: nothing to do until the task ends).
 */

/** Marks every message of this protocol (both ways). */
export const PROTOCOL = 'jupyter-mfns-card';

/** The frame's `sandbox` attribute: scripts, nothing else (no same-origin, popups, forms). */
export const SANDBOX = 'allow-scripts';

/** Parent to frame: a data update for the card. */
export interface ICardDataMessage {
  protocol: typeof PROTOCOL;
  type: 'card-data';
  seq: number;
  token: string;
  data: unknown;
}

/** Frame to parent: what the card did with update `seq`. */
export interface ICardReply {
  protocol: typeof PROTOCOL;
  type: 'card-updated' | 'card-reload' | 'card-static';
  seq: number;
}

const REPLIES: readonly string[] = [
  'card-updated',
  'card-reload',
  'card-static'
];

// Runs inside the card's frame. ES5, no dependencies; answers only its parent.
const SHIM = `
(function () {
  var P = ${JSON.stringify(PROTOCOL)};
  function reply(type, seq) { window.parent.postMessage({protocol: P, type: type, seq: seq}, "*"); }
  window.addEventListener("message", function (event) {
    var m = event.data;
    if (event.source !== window.parent || !m || m.protocol !== P || m.type !== "card-data") {
      return;
    }
    var update = window.metaflow_card_update;
    if (typeof update !== "function") { reply("card-static", m.seq); return; }
    if (m.token !== window.METAFLOW_RELOAD_TOKEN) { reply("card-reload", m.seq); return; }
    try { update(m.data); reply("card-updated", m.seq); }
    catch (error) { reply("card-reload", m.seq); }
  });
})();
`;

/** The `srcdoc` of a card's frame: its HTML as stored, with the protocol's listener. */
export function sandboxedDocument(html: string): string {
  // After the whole page (the parser puts a trailing script in its body): the doctype and
  // head stay first, and the listener reads the card's globals only when a message comes.
  return `${html}\n<script>${SHIM}</script>\n`;
}

/** The message that hands a data update to the card page. */
export function dataMessage(
  seq: number,
  token: string,
  data: unknown
): ICardDataMessage {
  return { protocol: PROTOCOL, type: 'card-data', seq, token, data };
}

/**
 * A frame's message, when it is one of the protocol's replies (anything else, including
 * whatever a hostile card posts, is ignored).
 */
export function asReply(message: unknown): ICardReply | null {
  if (!message || typeof message !== 'object') {
    return null;
  }
  const m = message as Record<string, unknown>;
  if (
    m.protocol !== PROTOCOL ||
    typeof m.type !== 'string' ||
    !REPLIES.includes(m.type) ||
    typeof m.seq !== 'number'
  ) {
    return null;
  }
  return { protocol: PROTOCOL, type: m.type as ICardReply['type'], seq: m.seq };
}
