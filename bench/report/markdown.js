'use strict';

/** The human report: targets, the mixed workload across backends, then each backend in full. */
const { BACKEND_LABELS, int, ratio, ms, fixed, shortName } = require('./format');
const { MIXED, MIXED_WRITING } = require('../targets');

/** Display width as Prettier counts it: emoji are two columns wide. */
const width = (text) => [...text].reduce((sum, ch) => sum + (/\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0);

/** A table laid out as Prettier lays it out (columns aligned), so formatting the file changes nothing. */
function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => width(r[i]))));
  const pad = (text, i) => {
    const fill = ' '.repeat(widths[i] - width(text));
    return i === 0 ? text + fill : fill + text;
  };
  const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = header.map((_, i) => {
    return i === 0 ? '-'.repeat(widths[i]) : `${'-'.repeat(widths[i] - 1)}:`;
  });
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

const mark = (v) =>
  v.pass === null
    ? `n/a${v.detail ? ` (${v.detail})` : ''}`
    : `${v.pass ? '✅' : '❌'} ${v.value}${v.detail ? ` (${v.detail})` : ''}`;

function targetsSection(results, names) {
  const rows = results.targets.map((t) => [t.text, ...names.map((n) => (t.backends[n] ? mark(t.backends[n]) : '–'))]);
  return ['## Targets', '', table(['target', ...names.map((n) => BACKEND_LABELS[n])], rows)].join('\n');
}

/** The mixed workloads: today's, and the one where every touch writes. */
const MIXED_WORKLOADS = [
  [
    MIXED,
    '## Mixed workload',
    'Concurrency 32, 1,000 live sessions; each request is a get, then a touch (90%) or a set of the changed session (10%), as express-session does with `resave: false`. Most touches move the expiry by under a second and write nothing.',
  ],
  [
    MIXED_WRITING,
    '## Mixed workload, every touch writes',
    "The same requests, but each request's cookie expires 2 s later than the one before it, so every touch moves its session's stored expiry and writes, as on a site whose users' requests are seconds apart. writes/req: INSERT, UPDATE and DELETE statements (or COMMITs) per request, each one a commit (a touch that matches no row is counted too).",
  ],
];

function mixedSection(results, names) {
  const contenders = [];
  for (const n of names)
    for (const c of results.backends[n].contenders) if (!contenders.some((x) => x.name === c.name)) contenders.push(c);
  const header = [
    'contender',
    ...names.flatMap((n) => [`${BACKEND_LABELS[n]} req/s`, '× floor', 'p99 ms', 'stmts/req', 'writes/req']),
  ];
  const sections = MIXED_WORKLOADS.filter(([id]) => names.some((n) => results.backends[n].summary[id])).map(
    ([id, title, text]) => {
      const rows = contenders.map((c) => [
        c.label,
        ...names.flatMap((n) => {
          const m = results.backends[n].summary[id]?.[c.name];
          return m
            ? [
                int(m.opsPerSec),
                ratio(m.costRatio),
                ms(m.p99Ms),
                fixed(m.statementsPerRequest),
                fixed(m.writesPerRequest),
              ]
            : ['–', '–', '–', '–', '–'];
        }),
      ]);
      return [title, '', text, '', table(header, rows)].join('\n');
    },
  );
  return sections.join('\n\n');
}

function backendSection(name, b, cells) {
  const cs = b.contenders;
  const head = ['operation', 'conc.', ...cs.map((c) => shortName(c.name))];
  const rows = (render) =>
    cells.map((cell) => [cell.label, String(cell.concurrency), ...cs.map((c) => render(b.summary[cell.id]?.[c.name]))]);
  const notes = [];
  for (const c of cs) {
    const errors = Object.entries(b.summary)
      .filter(([, row]) => row[c.name]?.errors > 0)
      .map(([id, row]) => `${id}: ${row[c.name].errors}`);
    if (errors.length)
      notes.push(`- ${c.label}: errors in ${errors.join(', ')} (failed requests are left out of its throughput).`);
    const unexpected = Object.entries(b.summary)
      .filter(([, row]) => row[c.name]?.unexpected > 0)
      .map(([id, row]) => `${id}: ${row[c.name].unexpected}`);
    if (unexpected.length)
      notes.push(
        `- ${c.label}: wrong answers (a hit that read nothing, or a miss that read a session) in ${unexpected.join(', ')}.`,
      );
  }
  for (const c of cs) {
    const short = Object.entries(b.summary)
      .filter(([, row]) => row[c.name]?.exhaustedRounds > 0)
      .map(([id, row]) => `${id} in ${row[c.name].exhaustedRounds} of ${row[c.name].rounds.length} rounds`);
    if (short.length)
      notes.push(
        `- ${c.label}: ran out of rows to destroy before the time was up (its rate is over the shorter time): ${short.join(', ')}.`,
      );
  }
  for (const s of b.skipped) notes.push(`- ${s.label}: ${s.failed ? 'failed to start' : 'n/a'}: ${s.reason}`);
  return [
    `## ${BACKEND_LABELS[name]} (${b.version})`,
    '',
    `Contenders: ${cs.map((c) => `**${shortName(c.name)}** = ${c.label}${c.version ? ` ${c.version}` : ''} (${c.pool})`).join('; ')}.`,
    '',
    '**Throughput**, requests/s (median over rounds), and **cost ratio** to the floor (floor req/s ÷ contender req/s per round, median; 1.00× = as fast as the raw driver, higher = slower):',
    '',
    table(
      head,
      rows((m) => (m ? `${int(m.opsPerSec)} (${ratio(m.costRatio)})` : '–')),
    ),
    '',
    '**Latency** p50 / p99, ms, over every request of every round:',
    '',
    table(
      head,
      rows((m) => (m ? `${ms(m.p50Ms)} / ${ms(m.p99Ms)}` : '–')),
    ),
    '',
    '**SQL statements per request**:',
    '',
    table(
      head,
      rows((m) => (m ? fixed(m.statementsPerRequest) : '–')),
    ),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

function heapSection(heap) {
  if (heap.length === 0) return '';
  const points = [...new Set(heap.flatMap((h) => (h.readings ?? []).map((r) => r.ops)))].sort((a, b) => a - b);
  const rows = heap.map((h) => [
    BACKEND_LABELS[h.backend],
    ...points.map((p) => {
      const r = h.readings?.find((x) => x.ops === p);
      return r ? `${fixed(r.heapUsedMB)} MB` : h.error ? 'n/a' : '–';
    }),
    h.readings ? `${fixed(h.readings.at(-1).seconds, 0)} s` : (h.error ?? ''),
  ]);
  return [
    '## Heap',
    '',
    'Our store alone, default options, in a process of its own (`--expose-gc`): each request is a get then a touch (two operations) of one of 1,000 live sessions, concurrency 32. Heap used after a full GC, by operations done. On SQLite the heap run sets `PRAGMA synchronous = NORMAL` (no fsync per commit) so that a million operations fit in the run.',
    '',
    table(['backend', ...points.map((p) => `${p.toLocaleString('en-US')} ops`), 'took'], rows),
  ].join('\n');
}

function loads(results) {
  return Object.entries(results.backends)
    .filter(([, b]) => b.loadAverage)
    .map(([n, b]) => `${BACKEND_LABELS[n]} ${b.loadAverage.join(' → ')}`)
    .join(', ');
}

/** How a contender's time in a cell is cut into slices (runs before the mixed workload had slices of its own: one rule). */
function sliceText(c) {
  const single = `${c.warmupMs} ms of unrecorded warm-up, then ${c.cellMs} ms of closed-loop requests from 1 or 32 concurrent callers, both spread evenly over ${c.slices ?? 1} slices`;
  if (c.mixedSlices === undefined)
    return `A contender's measurement of a cell in a round: ${single} (mixed workload: ${c.mixedMs} ms measured).`;
  return (
    `A contender's measurement of a single operation in a round: ${single}. ` +
    `Of the mixed workload: ${c.mixedMs} ms in ${c.mixedSlices} slices, each after ${c.mixedWarmupMs} ms of unrecorded warm-up of its own, ` +
    'because a contender that has just taken over from another is slower for about 300 ms (on MariaDB the raw driver starts at three quarters of its speed), and colder slices would squeeze every ratio towards 1.'
  );
}

function methodSection(results) {
  const m = results.meta;
  return [
    '## How this was measured',
    '',
    `- Run ${m.startedAt}, ${m.durationS} s in all, on ${m.machine.cpu} (${m.machine.cores} cores, ${m.machine.memoryGB} GB), Node ${m.node}. Store under test: ${m.store.name} ${m.store.version}${m.store.commit ? ` at ${m.store.commit}` : ''}.`,
    `- Per backend: ${m.config.rounds} rounds. A round runs every cell (operation × concurrency); a cell's time is cut into slices, and in each slice every contender runs in turn, in an order rotated every slice, cell and round, so that the contenders of a cell are measured in alternation, a fraction of a second apart. ${sliceText(m.config)}`,
    '- Every contender has a table of its own on the same server (SQLite: a file of its own, WAL mode, default `synchronous`), a pool of 5 connections (Sequelize, knex, mysql2 and pg alike; on SQLite one connection each), and 1,000 live sessions of about 1.1 KB of JSON written through it before the first round. "set, new sid" adds rows; "destroy" deletes rows made that way, so it always deletes a real row. Before every cell, each table is topped up with untimed filler sessions, written through its contender, to as many rows as the largest: a contender that writes faster would otherwise carry a larger table into every later cell.',
    '- Stores are called as express-session calls them: with a callback, and with `Session` objects whose cookie was pushed forward by `maxAge` (`Store#createSession`, `Session#touch`).',
    '- The floor is the raw driver running exactly the statements our store runs (lib/sql.ts) with the same parameters, including JSON.stringify and JSON.parse: mysql2 `pool.execute`, pg named queries, sqlite3 prepared statements (one per statement, as sqlite3 is commonly used; "raw driver, 4 copies" prepares each four times, as our store does on SQLite, and gives each call the idlest copy). Behind PgBouncer (transaction mode, as many server connections as each pool), the floor runs the same SQL as pg unnamed statements, the only kind such a pooler carries.',
    '- SQL statements are counted in this process at the drivers, whoever calls them: mysql2 Query and Execute commands (a Prepare is not counted), pg `Client#query`, sqlite3 `Statement` run/get/all/each and `Database#exec`. Server counters would include other clients of the shared servers.',
    '- Ratios are per round, then the median over rounds. Latency percentiles pool every request of every round.',
    `- The machine was not idle: 1-minute load average at the start and end of each backend: ${loads(results)} (${results.meta.machine.cores} cores). Writes wait for fsync, so write-heavy cells are the noisiest.`,
  ].join('\n');
}

function renderMarkdown(results) {
  const ran = Object.keys(results.backends).filter((n) => results.backends[n].summary);
  const down = Object.entries(results.backends).filter(([, b]) => !b.summary);
  const cells = results.cells;
  const sections = [
    '# Benchmark results',
    '<!-- Written by `npm run bench -- --publish`; edit bench/report/markdown.js, not this file. -->',
    '![Mixed workload throughput per contender and backend](chart.svg)',
    down.length ? `**Not run:** ${down.map(([n, b]) => `${BACKEND_LABELS[n]} (${b.unreachable})`).join('; ')}.` : '',
    ran.length ? targetsSection(results, ran) : '',
    ran.length ? mixedSection(results, ran) : '',
    ...ran.map((n) => backendSection(n, results.backends[n], cells)),
    heapSection(results.heap),
    methodSection(results),
  ];
  return `${sections.filter(Boolean).join('\n\n')}\n`;
}

module.exports = { renderMarkdown };
