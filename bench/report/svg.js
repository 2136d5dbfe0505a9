'use strict';

/**
 * The chart docs/performance.md shows: mixed-workload throughput, one group of horizontal bars per
 * backend, each bar labelled with its req/s and its cost ratio to the floor. Bars are scaled
 * within their backend: the backends differ too much for one axis.
 */
const { BACKEND_LABELS, int, ratio } = require('./format');
const { MIXED } = require('../targets');

const COLORS = { floor: '#9aa0a6', ours: '#1a73e8', 'ours-touchafter': '#8ab4f8' };
const PEER_COLOR = '#f29900';

/** "MariaDB 10.11.19-MariaDB-0+deb12u1" → "10.11.19", "PostgreSQL 15.20 (Debian …)" → "15.20". */
const shortVersion = (version) => /\d+(\.\d+)+/.exec(version ?? '')?.[0] ?? '';

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function renderSvg(results) {
  const width = 860;
  const labelWidth = 290;
  const barMax = 360;
  const rowHeight = 24;
  const groups = Object.entries(results.backends)
    .filter(([, b]) => b.summary?.[MIXED])
    .map(([name, b]) => ({
      name,
      title: `${BACKEND_LABELS[name]} ${shortVersion(b.version)}`,
      bars: b.contenders.map((c) => ({ c, m: b.summary[MIXED][c.name] })).filter(({ m }) => m && m.opsPerSec > 0),
    }));

  const parts = [];
  let y = 74;
  for (const group of groups) {
    const max = Math.max(...group.bars.map(({ m }) => m.opsPerSec));
    parts.push(`<text x="16" y="${y}" class="group">${escape(group.title)}</text>`);
    y += 12;
    for (const { c, m } of group.bars) {
      const w = Math.max(2, (m.opsPerSec / max) * barMax);
      const color = COLORS[c.name] ?? PEER_COLOR;
      const cost = c.name === 'floor' ? 'the floor' : `${ratio(m.costRatio)} floor cost`;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 15}" class="name" text-anchor="end">${escape(c.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" rx="2" fill="${color}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" class="value">${int(m.opsPerSec)} req/s · ${escape(cost)}</text>`,
      );
      y += rowHeight;
    }
    y += 22;
  }
  const height = y + 8;
  const subtitle = `get + touch 90%, get + set 10%; concurrency 32; 1,000 live sessions; pool of 5. Longer is better; bars scaled per backend. ${results.meta.startedAt.slice(0, 10)}.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    '<style>.title{font-size:17px;font-weight:600;fill:#202124}.sub{font-size:12px;fill:#5f6368}.group{font-size:14px;font-weight:600;fill:#202124}.name{font-size:12.5px;fill:#3c4043}.value{font-size:12px;fill:#3c4043}</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    '<text x="16" y="24" class="title">Mixed workload: requests per second</text>',
    `<text x="16" y="42" class="sub">${escape(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { renderSvg };
