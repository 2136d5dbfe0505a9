'use strict';
const express = require('express');
const session = require('express-session');
const { escapeHtml, htmlPage } = require('./html');
const { rememberLastSeen, yourSessions } = require('./your-sessions');

function page({ views, user }) {
  const who = user
    ? `<p>Logged in as <strong>${escapeHtml(user)}</strong>.</p>
       <p><a href="/sessions">Your sessions</a></p>
       <form method="post" action="/logout"><button>Log out</button></form>`
    : `<p>Nobody is logged in.</p>
       <form method="post" action="/login">
         <input name="username" placeholder="user name" required maxlength="50"> <button>Log in</button>
       </form>`;
  return htmlPage(`<p>Visits in this session: <strong>${views}</strong></p>${who}`);
}

/**
 * The demo app; the caller chooses the store, so the same app runs on any database. Its
 * "Your sessions" page needs the store built with ./session-model.js (see server.js).
 */
function createApp({ store, secret = process.env.SESSION_SECRET || 'dev-only secret, set SESSION_SECRET' }) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      store,
      secret,
      name: 'demo.sid',
      resave: false, // an unchanged session is only touched (its expiry refreshed), never rewritten
      saveUninitialized: false, // no row and no cookie until the session holds something
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
    }),
  );
  app.use(rememberLastSeen);

  app.get('/', (req, res) => {
    req.session.views = (req.session.views || 0) + 1;
    res.type('html').send(page({ views: req.session.views, user: req.session.user }));
  });

  app.post('/login', (req, res, next) => {
    const username = String(req.body.username || '')
      .trim()
      .slice(0, 50);
    if (!username) return res.redirect(303, '/');
    const views = req.session.views;
    // A new session id at login, so an id planted before login (session fixation) is worthless.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.views = views;
      req.session.user = username;
      // For "Your sessions"; a header can be kilobytes long, the row needs no more than this.
      req.session.userAgent = String(req.get('User-Agent') ?? '').slice(0, 300);
      req.session.lastSeen = Date.now();
      // Save before redirecting: otherwise the next request may race the write and miss the login.
      req.session.save((err) => (err ? next(err) : res.redirect(303, '/')));
    });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('demo.sid').redirect(303, '/');
    });
  });

  app.use(yourSessions(store));

  return app;
}

module.exports = { createApp };
