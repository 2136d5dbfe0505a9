import type { Model, ModelStatic } from 'sequelize';

/**
 * Inserts `expired` sessions that expired minutes to days ago (`old-<n>`) and `live` sessions
 * that expire in an hour (`live-<n>`), in multi-row INSERTs.
 */
export async function fillSessions(model: ModelStatic<Model>, expired: number, live: number): Promise<void> {
  const now = Date.now();
  const rows = [
    ...Array.from({ length: expired }, (_, i) => ({
      sid: `old-${i}`,
      expires: new Date(now - 60_000 - i * 7_000),
      data: JSON.stringify({ n: i }),
    })),
    ...Array.from({ length: live }, (_, i) => ({
      sid: `live-${i}`,
      expires: new Date(now + 3_600_000),
      data: JSON.stringify({ user: `u${i}` }),
    })),
  ];
  // Plain multi-row INSERTs: no model instances, so tens of thousands of rows take a moment.
  const insert = model.sequelize!.getQueryInterface();
  const stamped = rows.map((row) => ({ ...row, createdAt: new Date(now), updatedAt: new Date(now) }));
  for (let i = 0; i < stamped.length; i += 2000)
    await insert.bulkInsert(model.getTableName(), stamped.slice(i, i + 2000));
}

/** The sids left in the table, sorted. */
export async function sidsOf(model: ModelStatic<Model>): Promise<string[]> {
  const rows = (await model.findAll({ attributes: ['sid'], raw: true })) as unknown as { sid: string }[];
  return rows.map((row) => row.sid).sort();
}

/** `live-0` … `live-<n-1>`, sorted as sidsOf sorts. */
export function liveSids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `live-${i}`).sort();
}
