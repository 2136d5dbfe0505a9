'use strict';
const express = require('express');
const { Op } = require('sequelize');
const { deviceName } = require('./device-name');
const { escapeHtml, htmlPage } = require('./html');

const MINUTE = 60 * 1000;

/**
 * "Last seen" is kept in the session itself, not taken from the row's expiry: a touch moves the
 * row's expiry, but `iterate()` lists what the sessions hold. Refreshed at most once a minute, so
 * that a request which changes nothing else stays a touch instead of a full save.
 */
function rememberLastSeen(req, res, next) {
  if (req.session.user && !(Date.now() - req.session.lastSeen < MINUTE)) req.session.lastSeen = Date.now();
  next();
}

/** "3 min ago": a session lasts a day, so minutes and hours say enough. */
function ago(time) {
  if (typeof time !== 'number') return 'unknown';
  const minutes = Math.floor((Date.now() - time) / MINUTE);
  if (minutes < 1) return 'just now';
  return minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`;
}

function sessionsPage({ user, sessions, thisSid, ended }) {
  const rows = sessions.map(
    (s) => `<tr><td title="${escapeHtml(s.userAgent ?? '')}">${escapeHtml(deviceName(s.userAgent))}</td>
      <td>${ago(s.lastSeen)}</td><td>${s.id === thisSid ? 'this device' : ''}</td></tr>`,
  );
  const done = ended === undefined ? '' : `<p>Logged out ${ended} other session${ended === 1 ? '' : 's'}.</p>`;
  return htmlPage(`<h2>Your sessions</h2>
<p>Where <strong>${escapeHtml(user)}</strong> is logged in.</p>${done}
<table><thead><tr><th>Device</th><th>Last seen</th><th></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<form method="post" action="/sessions/log-out-others"><button>Log out everywhere else</button></form>
<p><a href="/">Back</a></p>`);
}

/**
 * The "Your sessions" page and its "Log out everywhere else" button. The store must be built with
 * ./session-model.js: both conditions are on its userName column. A session's id is the one in
 * its cookie (req.sessionID) because the store has no `sidSecret`; with one, ids are its hashes.
 */
function yourSessions(store) {
  const router = express.Router();

  router.get('/sessions', async (req, res) => {
    const { user } = req.session;
    if (!user) return res.redirect('/');
    const sessions = [];
    // The conditions findWhere() takes, read a page (1000 sessions) at a time.
    for await (const listed of store.iterate({ where: { userName: user } })) sessions.push(listed);
    const isThis = (s) => s.id === req.sessionID;
    sessions.sort((a, b) => isThis(b) - isThis(a) || (b.lastSeen ?? 0) - (a.lastSeen ?? 0)); // this device first
    const ended = Number(req.query.ended); // the count the button's redirect passes on, if any
    const page = { user, sessions, thisSid: req.sessionID, ended: Number.isSafeInteger(ended) ? ended : undefined };
    res.type('html').send(sessionsPage(page));
  });

  router.post('/sessions/log-out-others', async (req, res) => {
    const { user } = req.session;
    if (!user) return res.redirect(303, '/');
    // Each becomes a tombstone: a request of that device still running cannot save it back.
    const ended = await store.destroyWhere({ userName: user, sid: { [Op.ne]: req.sessionID } });
    res.redirect(303, `/sessions?ended=${ended}`);
  });

  return router;
}

module.exports = { rememberLastSeen, yourSessions };
