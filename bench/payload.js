'use strict';

const crypto = require('node:crypto');
const { Cookie, Session } = require('express-session');

const DAY_MS = 24 * 60 * 60 * 1000;

/** A session id as express-session makes them (uid-safe, 24 bytes): 32 characters. */
function newSid() {
  return crypto.randomBytes(24).toString('base64url');
}

const PRODUCTS = ['BK-1042', 'MUG-0007', 'TS-3310-M', 'PEN-0420', 'NB-A5-DOT', 'USB-C-2M'];

/**
 * The stored form of a logged-in shopper's session: about 1 KB of JSON, shaped like what
 * express-session, passport, csurf and a shop put there.
 */
function sessionData(seed = crypto.randomInt(1, 1_000_000)) {
  const now = Date.now();
  return {
    cookie: {
      originalMaxAge: DAY_MS,
      expires: new Date(now + DAY_MS).toISOString(),
      secure: true,
      httpOnly: true,
      path: '/',
      sameSite: 'lax',
    },
    passport: { user: `0f8fad5b-d9cb-469f-a165-${String(seed).padStart(12, '0')}` },
    user: {
      id: seed,
      email: `customer.${seed}@example.com`,
      name: 'Ada Lovelace',
      roles: ['customer', 'newsletter', 'beta-checkout'],
      locale: 'en-GB',
      timeZone: 'Europe/London',
    },
    csrfSecret: crypto.randomBytes(18).toString('base64url'),
    flash: {},
    returnTo: '/account/orders?page=2&sort=date-desc',
    cart: {
      currency: 'EUR',
      items: PRODUCTS.slice(0, 3 + (seed % 3)).map((sku, i) => ({ sku, qty: 1 + (i % 2), unitPrice: 1299 + i * 350 })),
      coupon: null,
      updatedAt: new Date(now - 90_000).toISOString(),
    },
    recentlyViewed: ['/products/notebook-a5-dotted', '/products/usb-c-cable-2m'],
    preferences: { theme: 'dark', emailReceipts: true },
    analytics: {
      landingPage: '/collections/stationery',
      referrer: 'https://search.example.org/?q=dotted+notebook+a5',
      utm: { source: 'newsletter', medium: 'email', campaign: 'autumn-sale' },
    },
    views: seed % 40,
    lastSeenAt: new Date(now).toISOString(),
  };
}

/**
 * What express-session hands a store: the stored data turned into a Session with a Cookie, its
 * expiry pushed forward by maxAge as on every request (Store#createSession, then Session#touch).
 */
function asExpressSession(sid, data) {
  const { expires, originalMaxAge } = data.cookie;
  data.cookie = new Cookie(data.cookie);
  if (typeof expires === 'string') data.cookie.expires = new Date(expires);
  data.cookie.originalMaxAge = originalMaxAge;
  const session = new Session({ sessionID: sid }, data);
  session.touch();
  return session;
}

/** A session changed by the request, as before express-session saves it. */
function changed(session) {
  session.views = (session.views ?? 0) + 1;
  session.lastSeenAt = new Date().toISOString();
  return session;
}

module.exports = { DAY_MS, newSid, sessionData, asExpressSession, changed };
