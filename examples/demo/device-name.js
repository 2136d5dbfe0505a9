'use strict';

// Enough to tell one's own devices apart; a real app would use a User-Agent parsing library.
// The order matters: Edge's and Opera's strings also name Chrome, and Chrome's names Safari.
const BROWSERS = [
  ['Edge', /Edg\/(\d+)/],
  ['Opera', /OPR\/(\d+)/],
  ['Firefox', /Firefox\/(\d+)/],
  ['Chrome', /Chrome\/(\d+)/],
  ['Safari', /Version\/(\d+).*Safari\//],
];
// iOS and Android before macOS and Linux, whose names their strings contain too.
const SYSTEMS = [
  ['iPhone', 'iOS'],
  ['iPad', 'iPadOS'],
  ['Android', 'Android'],
  ['Windows', 'Windows'],
  ['Mac OS X', 'macOS'],
  ['CrOS', 'ChromeOS'],
  ['Linux', 'Linux'],
];

function browserOf(userAgent) {
  for (const [name, pattern] of BROWSERS) {
    const version = pattern.exec(userAgent)?.[1];
    if (version) return `${name} ${version}`;
  }
  return 'Unknown browser';
}

/** A User-Agent header made readable: "Firefox 127 on macOS". */
function deviceName(userAgent = '') {
  const system = SYSTEMS.find(([token]) => userAgent.includes(token))?.[1] ?? 'an unknown system';
  return `${browserOf(userAgent)} on ${system}`;
}

module.exports = { deviceName };
