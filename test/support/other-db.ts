import type { Sequelize } from 'sequelize';
import { uniqueTable } from './backends';
import { SequelizeStore, type BackendContext, type Store, type StoreOptions } from './stores';

const seen = new WeakMap<Store, string[]>();

/** The 'disconnect' and 'connect' events a store made by storeOn emitted, in order. */
export const eventsOf = (store: Store): string[] => seen.get(store) ?? [];

/** Whether the last of them was 'disconnect'. */
export const disconnected = (store: Store): boolean => eventsOf(store).at(-1) === 'disconnect';

/**
 * A store on a Sequelize instance of the test's own (a pool of one, a proxy, replicas) and on a table
 * of its own, which is dropped at the end through the context's db: that one outlives the test's.
 */
export async function storeOn(ctx: BackendContext, db: Sequelize, options: StoreOptions = {}): Promise<Store> {
  const table = uniqueTable('res');
  const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0, ...options });
  const events: string[] = [];
  seen.set(store, events);
  for (const event of ['disconnect', 'connect']) store.on(event, () => events.push(event));
  await store.sync();
  ctx.dropLater(ctx.db.define(table, {}, { tableName: table }));
  return store;
}

/** Calls `run` with a callback; resolves with the arguments of every call it got, once it got one. */
export function viaCallback(run: (callback: (...args: unknown[]) => void) => unknown): Promise<unknown[][]> {
  return new Promise((resolve) => {
    const calls: unknown[][] = [];
    run((...args) => {
      calls.push(args);
      setTimeout(() => resolve(calls), 20); // time for a wrongly doubled call to show
    });
  });
}
