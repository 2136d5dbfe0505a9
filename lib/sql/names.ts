import { PREFIX } from '../messages';

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\x00-\x1f\x7f]/;

/** Whether a name holds a control character (a newline ends a `--` comment, a NUL cuts a string). */
export function hasControlCharacter(name: string): boolean {
  return CONTROL.test(name);
}

/**
 * Refuses a name that is to enter generated SQL if it holds a control character: quoting keeps it
 * inside its identifier, but the comments of a generated script and some drivers do not.
 */
export function checkName(what: string, name: string): string {
  if (hasControlCharacter(name)) {
    throw new TypeError(`${PREFIX} ${what} ${JSON.stringify(name)} holds a control character; use a plain name`);
  }
  return name;
}
