import type { Model, ModelStatic } from 'sequelize';
import { modelQueryInterfaceOf, typeLengthOf } from '../driver/internals';
import { isMySqlFamily } from './dialect';
import { PREFIX, sidTag } from '../messages';

/** How much the sid and data columns hold; a value that does not fit is refused, never truncated. */
export interface ColumnLimits {
  /** Characters in a sid. */
  sidChars: number;
  /** Characters of stored session text (a VARCHAR data column). */
  dataChars: number;
  /** Bytes of stored session text, UTF-8 (a MySQL TEXT column counts bytes). */
  dataBytes: number;
}

/** Throws when the session text of row `sid` does not fit its data column. */
export function checkDataFits(sid: string, data: unknown, limits: ColumnLimits): void {
  if (typeof data !== 'string') return;
  if (data.length > limits.dataChars) {
    throw new RangeError(
      `${PREFIX} session ${sidTag(sid)} is ${data.length} characters; its data column holds ${limits.dataChars}`,
    );
  }
  // A UTF-8 character takes at most 4 bytes: only a long text needs counting.
  if (data.length * 4 > limits.dataBytes) {
    const bytes = Buffer.byteLength(data);
    if (bytes > limits.dataBytes) {
      throw new RangeError(
        `${PREFIX} session ${sidTag(sid)} is ${bytes} bytes; its data column holds ${limits.dataBytes}`,
      );
    }
  }
}

const UNLIMITED: ColumnLimits = { sidChars: Infinity, dataChars: Infinity, dataBytes: Infinity };

/** MySQL/MariaDB text columns hold bytes, not characters. */
export const MYSQL_TEXT_BYTES: Record<string, number> = {
  TINYTEXT: 255,
  TEXT: 65_535,
  MEDIUMTEXT: 16_777_215,
  LONGTEXT: 4_294_967_295,
};
const SEQUELIZE_TEXT_LENGTHS: Record<string, string> = { tiny: 'TINYTEXT', medium: 'MEDIUMTEXT', long: 'LONGTEXT' };

function declaredChars(type: string): number {
  const match = /(?:CHAR|CHARACTER VARYING|VARCHAR|CHARACTER)\s*\((\d+)\)/i.exec(type);
  return match ? Number(match[1]) : Infinity;
}

/** Limits of a data column from its SQL type, e.g. 'VARCHAR(1000)' or 'LONGTEXT'. */
function dataLimits(sqlType: string, mysql: boolean): Pick<ColumnLimits, 'dataChars' | 'dataBytes'> {
  const textBytes = mysql ? MYSQL_TEXT_BYTES[sqlType.toUpperCase().trim()] : undefined;
  return { dataChars: declaredChars(sqlType), dataBytes: textBytes ?? Infinity };
}

interface DataTypeLike {
  key?: string;
}

/** SQL type of a Sequelize string or text type, as describeTable would show it. */
function sqlTypeOf(type: DataTypeLike | undefined): string {
  if (type?.key === 'STRING' || type?.key === 'CHAR') return `VARCHAR(${Number(typeLengthOf(type) ?? 255)})`;
  if (type?.key === 'TEXT') return SEQUELIZE_TEXT_LENGTHS[String(typeLengthOf(type))] ?? 'TEXT';
  return '';
}

/** The limits the model declares: what the table holds if it was created from the model. */
function declaredLimits(model: ModelStatic<Model>): ColumnLimits {
  const dialect = model.sequelize!.getDialect();
  if (dialect === 'sqlite') return UNLIMITED; // SQLite does not enforce declared lengths.
  const attributes = model.getAttributes() as Record<string, { type: DataTypeLike } | undefined>;
  return {
    sidChars: declaredChars(sqlTypeOf(attributes.sid?.type)),
    ...dataLimits(sqlTypeOf(attributes.data?.type), isMySqlFamily(dialect)),
  };
}

/** MySQL's access-denied errors (table, column, database) and PostgreSQL's insufficient_privilege. */
function isPermissionError(error: unknown): boolean {
  const cause = (error as { parent?: { errno?: number; code?: string } }).parent;
  return cause?.errno === 1142 || cause?.errno === 1143 || cause?.errno === 1044 || cause?.code === '42501';
}

/**
 * The limits of the table as it really is: a table made by another store (connect-session-sequelize
 * used VARCHAR(36) and TEXT) may hold less than the model says, and a MySQL server outside strict
 * mode would silently truncate what does not fit.
 */
async function probeLimits(model: ModelStatic<Model>): Promise<ColumnLimits> {
  const dialect = model.sequelize!.getDialect();
  if (dialect === 'sqlite') return UNLIMITED;
  const attributes = model.getAttributes() as Record<string, { field?: string } | undefined>;
  let columns: Record<string, { type: string } | undefined>;
  try {
    columns = await modelQueryInterfaceOf(model).describeTable(model.getTableName());
  } catch (error) {
    // A user that may only EXECUTE procedures cannot see the columns: trust the model then.
    if (isPermissionError(error)) return declaredLimits(model);
    throw error;
  }
  const sid = columns[attributes.sid?.field ?? 'sid']?.type ?? '';
  const data = columns[attributes.data?.field ?? 'data']?.type ?? '';
  return { sidChars: declaredChars(sid), ...dataLimits(data, isMySqlFamily(dialect)) };
}

/** The table's limits, probed once and kept; `forget()` after the columns may have changed. */
export class ColumnLimitsProbe {
  readonly #model: ModelStatic<Model>;
  #limits: Promise<ColumnLimits> | undefined;

  constructor(model: ModelStatic<Model>) {
    this.#model = model;
  }

  get(): Promise<ColumnLimits> {
    if (!this.#limits) {
      this.#limits = probeLimits(this.#model).catch(() => {
        // The table may not exist yet; trust the model this time and look again next time.
        this.#limits = undefined;
        return declaredLimits(this.#model);
      });
    }
    return this.#limits;
  }

  forget(): void {
    this.#limits = undefined;
  }
}
