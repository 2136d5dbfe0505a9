import fs from 'node:fs/promises';
import path from 'node:path';
import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import { PREFIX } from './messages';

/** Opens the embedded SQLite database used when no `db` is given. */
export function openEmbeddedDatabase(file: string): Sequelize {
  try {
    return new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
  } catch (error) {
    throw new Error(
      `${PREFIX} with no \`db\` option the store keeps sessions in SQLite and needs the sqlite3 package ` +
        `(npm install sqlite3), or pass your own Sequelize instance as \`db\`: ${(error as Error).message}`,
    );
  }
}

const creations = new WeakMap<ModelStatic<Model>, Promise<void>>();

/**
 * Creates the model's table if it is missing (`createTable`). Every store on the same model shares
 * one creation: a second one never starts while the first runs, nor after it succeeded. A failed
 * creation is forgotten, so the next operation tries again (the database may have been down).
 */
function createTableOnce(model: ModelStatic<Model>): Promise<void> {
  let creation = creations.get(model);
  if (!creation) {
    creation = model.sync().then(() => undefined);
    creations.set(model, creation);
    creation.catch(() => {
      if (creations.get(model) === creation) creations.delete(model);
    });
  }
  return creation;
}

/**
 * Creates the embedded database file readable by its owner only, before SQLite opens it: it holds
 * every session. SQLite gives the -wal and -shm files the mode of the database file. An existing
 * file keeps the mode its owner gave it.
 */
async function createPrivateFile(file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    await handle.chmod(0o600); // open's mode passes through the umask
  } finally {
    await handle.close();
  }
}

/**
 * What every operation passes first: the store is still open, and its table is there (the
 * embedded database prepared, or `createTable` done).
 */
export class OperationGate {
  readonly #model: ModelStatic<Model>;
  #ready: Promise<void> | undefined;
  #closed = false;
  #createAgain = false;

  /**
   * @param embedded the embedded database the store opened itself and its file, prepared before the first operation
   * @param createTable the `createTable` option, for a database that is not the embedded one
   */
  constructor(model: ModelStatic<Model>, embedded: { db: Sequelize; file: string } | undefined, createTable: boolean) {
    this.#model = model;
    if (embedded) {
      const ready = this.#prepareEmbeddedDatabase(embedded.db, embedded.file);
      ready.catch(() => {}); // every operation awaits it and reports its error
      this.#ready = ready;
    } else if (createTable) this.#ready = this.#createTable();
  }

  async #prepareEmbeddedDatabase(db: Sequelize, file: string): Promise<void> {
    if (file && file !== ':memory:' && !file.startsWith('file:')) await createPrivateFile(file);
    // WAL lets readers and the writer work at once; the busy timeout waits out a writer
    // in another process instead of failing at once with SQLITE_BUSY.
    await db.query('PRAGMA busy_timeout = 5000');
    await db.query('PRAGMA journal_mode = WAL');
    await this.#model.sync();
    this.#ready = undefined;
  }

  /** `createTable`: one creation, which every operation waits for (and other stores on the model share). */
  #createTable(): Promise<void> {
    const creating: Promise<void> = createTableOnce(this.#model).then(
      () => {
        if (this.#ready === creating) this.#ready = undefined;
      },
      (error: unknown) => {
        // The operations waiting now fail with the error; the next one tries again.
        if (this.#ready === creating) this.#ready = undefined;
        this.#createAgain = true;
        throw error;
      },
    );
    creating.catch(() => {}); // every operation awaits it and reports its error
    return creating;
  }

  /**
   * Throws once the store is closed; else what an operation must wait for first (the embedded
   * database or createTable), or undefined: the hot path then awaits nothing.
   */
  usable(): Promise<void> | undefined {
    if (this.#closed) throw new Error(`${PREFIX} the store is closed`);
    if (this.#createAgain && !this.#ready) {
      this.#createAgain = false;
      this.#ready = this.#createTable();
    }
    return this.#ready;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /** The preparation under way, if any, settled either way: the embedded database can be closed after it. */
  settled(): Promise<void> | undefined {
    return this.#ready?.catch(() => {});
  }
}
