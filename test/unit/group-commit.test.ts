import { GroupCommit } from '../../lib/group-commit/group-commit';

/** A fake database: each batch sent waits until the test settles it. */
function fakeDatabase() {
  const batches: { items: string[]; signal: AbortSignal | undefined; settle: (error?: Error) => void }[] = [];
  const send = (items: string[], signal: AbortSignal | undefined): Promise<void> =>
    new Promise((resolve, reject) =>
      batches.push({ items, signal, settle: (error) => (error ? reject(error) : resolve()) }),
    );
  return { batches, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const fits = (max: number) => (count: number) => count < max;

test('a lone write is sent at once, alone', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const written = group.write('a', 'a1');
  expect(db.batches.map((b) => b.items)).toEqual([['a1']]);
  db.batches[0]!.settle();
  await written;
});

test('writes that arrive while one is in flight go as one batch, in key order, once it is done', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const answered: string[] = [];
  const write = (key: string) => group.write(key, key).then(() => answered.push(key));
  const all = ['m', 'c', 'x', 'a'].map(write);
  await tick();
  expect(db.batches.map((b) => b.items)).toEqual([['m']]);
  expect(answered).toEqual([]);
  db.batches[0]!.settle();
  await tick();
  expect(answered).toEqual(['m']);
  expect(db.batches.map((b) => b.items)).toEqual([['m'], ['a', 'c', 'x']]);
  db.batches[1]!.settle();
  await Promise.all(all);
  expect(answered).toEqual(['m', 'a', 'c', 'x']);
});

test('a batch holds one write per key: the later one waits for the next batch', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const all = [group.write('a', 'a1'), group.write('a', 'a2'), group.write('b', 'b1'), group.write('a', 'a3')];
  db.batches[0]!.settle();
  await tick();
  expect(db.batches[1]!.items).toEqual(['a2', 'b1']);
  db.batches[1]!.settle();
  await tick();
  expect(db.batches[2]!.items).toEqual(['a3']);
  db.batches[2]!.settle();
  await Promise.all(all);
});

test('a batch stops at the cap; the rest go in the next one', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(2));
  const all = ['a', 'b', 'c', 'd', 'e'].map((key) => group.write(key, key));
  db.batches[0]!.settle();
  await tick();
  expect(db.batches[1]!.items).toEqual(['b', 'c']);
  db.batches[1]!.settle();
  await tick();
  expect(db.batches[2]!.items).toEqual(['d', 'e']);
  db.batches[2]!.settle();
  await Promise.all(all);
});

test('a failure reaches every caller of its batch, and the next batch still goes', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const first = group.write('a', 'a');
  const batched = ['b', 'c', 'd'].map((key) =>
    group.write(key, key).then(
      () => 'ok',
      (error: Error) => error.message,
    ),
  );
  db.batches[0]!.settle();
  await first;
  await tick();
  const later = group.write('e', 'e');
  db.batches[1]!.settle(new Error('deadlock'));
  expect(await Promise.all(batched)).toEqual(['deadlock', 'deadlock', 'deadlock']);
  await tick();
  expect(db.batches[2]!.items).toEqual(['e']);
  db.batches[2]!.settle();
  await later;
});

test('idle again after the queue drains: the next write goes at once', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const first = group.write('a', 'a');
  db.batches[0]!.settle(new Error('lost'));
  await expect(first).rejects.toThrow('lost');
  await tick();
  const second = group.write('a', 'a');
  expect(db.batches).toHaveLength(2);
  db.batches[1]!.settle();
  await second;
});

test('a caller whose deadline passed while queued is left out; the batch is abandoned only when all callers are', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500));
  const deadline = () => new AbortController();
  const [x, y, z] = [deadline(), deadline(), deadline()];
  const first = group.write('a', 'a');
  const late = group.write('x', 'x', x.signal).catch((error: unknown) => error);
  const others = [group.write('y', 'y', y.signal), group.write('z', 'z', z.signal)];
  x.abort(new Error('timed out'));
  db.batches[0]!.settle();
  await first;
  await tick();
  expect(await late).toEqual(new Error('timed out'));
  const batch = db.batches[1]!;
  expect(batch.items).toEqual(['y', 'z']);
  y.abort(new Error('y timed out'));
  expect(batch.signal?.aborted).toBe(false);
  z.abort(new Error('z timed out'));
  expect(batch.signal?.aborted).toBe(true);
  batch.settle(new Error('cut'));
  await expect(Promise.all(others)).rejects.toThrow('cut');
});

test('a write left out for the size of the batch is not overtaken by a later write of its key', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, (_count, weight) => weight <= 10, { weigh: (item) => item.length });
  const all = [
    group.write('a', 'a'),
    group.write('b', 'b-small'),
    group.write('c', 'c-too-large'),
    group.write('c', 'c'),
    group.write('d', 'd'),
  ];
  db.batches[0]!.settle();
  await tick();
  expect(db.batches[1]!.items).toEqual(['b-small', 'd']);
  db.batches[1]!.settle();
  await tick();
  expect(db.batches[2]!.items).toEqual(['c-too-large']);
  db.batches[2]!.settle();
  await tick();
  expect(db.batches[3]!.items).toEqual(['c']);
  db.batches[3]!.settle();
  await Promise.all(all);
});

test('writes that need another statement wait for a batch of their own, and their key with them', async () => {
  const db = fakeDatabase();
  // A touch ("t:") and a save ("s:") never share a statement.
  const kind = (item: string) => item.slice(0, 2);
  const group = new GroupCommit<string>(db.send, fits(500), {
    same: (first, item) => kind(first) === kind(item),
  });
  const all = [
    group.write('a', 't:a1'),
    group.write('b', 't:b1'),
    group.write('c', 's:c1'),
    group.write('d', 't:d1'),
    group.write('c', 't:c2'),
    group.write('e', 's:e1'),
  ];
  db.batches[0]!.settle();
  await tick();
  // c's touch follows its save, so it waits with it.
  expect(db.batches[1]!.items).toEqual(['t:b1', 't:d1']);
  db.batches[1]!.settle();
  await tick();
  expect(db.batches[2]!.items).toEqual(['s:c1', 's:e1']);
  db.batches[2]!.settle();
  await tick();
  expect(db.batches[3]!.items).toEqual(['t:c2']);
  db.batches[3]!.settle();
  await Promise.all(all);
});

test('each caller gets its own result from the batch that carried it', async () => {
  const pending: ((results: string[]) => void)[] = [];
  const send = (items: string[]) =>
    new Promise<string[]>((resolve) => pending.push(() => resolve(items.map((item) => `row of ${item}`))));
  const group = new GroupCommit<string, string>(send, fits(500));
  const lone = group.write('a', 'a');
  const batched = ['c', 'b'].map((key) => group.write(key, key));
  pending[0]!([]);
  expect(await lone).toBe('row of a');
  await tick();
  pending[1]!([]);
  expect(await Promise.all(batched)).toEqual(['row of c', 'row of b']);
});

test('a batch is cut to a size of its own; the rest goes first in the next one, ahead of later writes of its keys', async () => {
  const db = fakeDatabase();
  const group = new GroupCommit<string>(db.send, fits(500), { size: (count) => (count >= 4 ? 4 : count) });
  const all = [
    group.write('a', 'a1'),
    ...['b', 'c', 'd', 'e', 'f', 'g'].map((key) => group.write(key, key)),
    group.write('f', 'f2'),
  ];
  db.batches[0]!.settle();
  await tick();
  expect(db.batches[1]!.items).toEqual(['b', 'c', 'd', 'e']);
  db.batches[1]!.settle();
  await tick();
  expect(db.batches[2]!.items).toEqual(['f', 'g']);
  db.batches[2]!.settle();
  await tick();
  expect(db.batches[3]!.items).toEqual(['f2']);
  db.batches[3]!.settle();
  await Promise.all(all);
});
