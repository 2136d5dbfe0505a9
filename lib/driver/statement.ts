/**
 * One statement the store runs: its text, a name under which a driver may keep it prepared, and
 * the function that turns what the operation has into the values of its placeholders, in their
 * order. Text and order are written together, so a parameter in the wrong place cannot compile.
 */
export interface Statement<Args> {
  readonly text: string;
  readonly name: string;
  params(args: Args): unknown[];
}

/** Rows as a driver hands them back. */
export type Row = Record<string, unknown>;
