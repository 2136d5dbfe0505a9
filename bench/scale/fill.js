'use strict';
// Bulk-loads the sessions table: row g (1..rows) is `bench-<g>`; even rows expired up to `rows`
// seconds ago, odd rows live for another day or more. Expired and live rows are interleaved, so
// a sweep deletes rows scattered through the table, as real expiry does.

const DATA = JSON.stringify({
  cookie: { originalMaxAge: 86400000, expires: '2030-01-01T00:00:00.000Z', httpOnly: true, path: '/' },
  user: { id: 123456, name: 'someone', roles: ['reader'] },
  csrf: 'x'.repeat(36),
});

const sidOf = (g) => `bench-${g}`;
const isLive = (g) => g % 2 === 1;

/** PostgreSQL: generate_series, 100,000 rows per statement. */
async function fillPostgres(db, table, rows, progress) {
  for (let from = 1; from <= rows; from += 100_000) {
    const to = Math.min(rows, from + 99_999);
    await db.query(
      `INSERT INTO "${table}" (sid, expires, data, "createdAt", "updatedAt")
       SELECT 'bench-' || g,
              CASE WHEN g % 2 = 0 THEN now() - g * interval '1 second' ELSE now() + interval '1 day' + g * interval '1 second' END,
              :data, now(), now()
       FROM generate_series(:from::int, :to::int) AS g`,
      { replacements: { data: DATA, from, to } },
    );
    progress(to);
  }
}

const pad = (n) => String(n).padStart(2, '0');
/** A DATETIME literal in UTC, as Sequelize writes it with its default +00:00 time zone. */
function mysqlDate(ms) {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`
  );
}

/** MariaDB / MySQL: multi-row INSERTs of 5,000 rows, four at a time. */
async function fillMysql(db, table, rows, progress) {
  const now = Date.now();
  const created = mysqlDate(now);
  const data = db.escape(DATA);
  const chunk = 5000;
  let next = 1;
  let done = 0;
  const worker = async () => {
    while (next <= rows) {
      const from = next;
      const to = Math.min(rows, from + chunk - 1);
      next = to + 1;
      const values = [];
      for (let g = from; g <= to; g += 1) {
        const expires = isLive(g) ? now + 86_400_000 + g * 1000 : now - g * 1000;
        values.push(`('${sidOf(g)}','${mysqlDate(expires)}',${data},'${created}','${created}')`);
      }
      await db.query(`INSERT INTO \`${table}\` (sid, expires, data, createdAt, updatedAt) VALUES ${values.join(',')}`);
      done += to - from + 1;
      progress(done);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Fills `table` (already created) with `rows` sessions, half expired; then refreshes the statistics. */
async function fill(db, table, rows, progress = () => {}) {
  if (db.getDialect() === 'postgres') {
    await fillPostgres(db, table, rows, progress);
    await db.query(`VACUUM ANALYZE "${table}"`);
  } else {
    await fillMysql(db, table, rows, progress);
    await db.query(`ANALYZE TABLE \`${table}\``);
  }
}

/** A random live session id, and a random expired one. */
function liveSid(rows) {
  const g = 1 + 2 * Math.floor((Math.random() * rows) / 2);
  return sidOf(g);
}

module.exports = { fill, liveSid, DATA };
