import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { MAX_TIMER_MS } from '../cleanup/cleanup-timer';
import { PREFIX } from '../messages';
import { hasControlCharacter } from '../sql/names';

/* The checks every option resolver uses: a bad value is a TypeError naming the option and showing what it received. */

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `an object (${value.constructor?.name ?? 'no prototype'})`;
}

export function fail(name: string, expected: string, value: unknown): never {
  throw new TypeError(`${PREFIX} option \`${name}\` must be ${expected}, received ${show(value)}`);
}

export function isSequelize(value: unknown): value is Sequelize {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sequelize).define === 'function' &&
    typeof (value as Sequelize).query === 'function' &&
    typeof (value as Sequelize).getDialect === 'function'
  );
}

export function isModel(value: unknown): value is ModelStatic<Model> {
  return typeof value === 'function' && typeof (value as ModelStatic<Model>).getTableName === 'function';
}

export function nonEmptyString(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') fail(name, 'a non-empty string', value);
  return value;
}

/** A number as text, from an environment variable: digits, an optional sign and fraction, nothing else. */
export const NUMERIC = /^-?\d+(\.\d+)?$/;

/** `"900000"` reads as 900000; `"15m"` stays text, for the option's check to refuse. */
export function numeric(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

export function positiveDuration(name: string, input: unknown, fallback: number): number {
  const value = numeric(input);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS * 1000) {
    fail(name, 'a positive number of milliseconds', value);
  }
  return value;
}

export function seconds(name: string, input: unknown): number {
  const value = numeric(input);
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(name, 'a number of seconds, 0 or more', value);
  }
  return value;
}

export function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

export function hasMethods(value: unknown, names: readonly string[]): boolean {
  const object = value as Record<string, unknown> | null;
  return typeof object === 'object' && object !== null && names.every((name) => typeof object[name] === 'function');
}

/** A name that enters generated SQL. */
export function plainName(name: string, value: unknown, fallback: string): string {
  const text = nonEmptyString(name, value, fallback);
  if (hasControlCharacter(text)) fail(name, 'a name without control characters', value);
  return text;
}
