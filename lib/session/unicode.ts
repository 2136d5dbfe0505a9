/** String.prototype.isWellFormed is ES2024: Node 20 has it, our TypeScript lib (ES2022) does not. */
interface WellFormedString {
  isWellFormed(): boolean;
}

/**
 * False when `text` holds a lone surrogate. Such a text cannot be encoded as UTF-8: drivers send
 * U+FFFD instead, so two different texts would be stored as one.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedString).isWellFormed();
}
