'use strict';

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Every value a user typed or sent (a name, a User-Agent) goes through this before it is written into a page. */
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** A whole page of the demo around `body`, already escaped by the caller. */
function htmlPage(body) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Session demo</title></head>
<body><h1>sequelize-session-store demo</h1>${body}</body></html>`;
}

module.exports = { escapeHtml, htmlPage };
