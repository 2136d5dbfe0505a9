/** The result of one write of a batch that failed on its own (the batch was split): its caller gets `error`. */
export class FailedWrite {
  constructor(readonly error: unknown) {}
}

/** What a caller gets of its result: the result, or a rejection with a FailedWrite's error. */
function settleWith<Result>(result: Result | FailedWrite | undefined): Result | undefined {
  if (result instanceof FailedWrite) throw result.error;
  return result;
}

/** A write waiting for the batch that will carry it. */
interface Waiting<Item, Result> {
  key: string;
  item: Item;
  signal: AbortSignal | undefined;
  resolve: (result: Result | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends one batch (in key order, one item per key) as one statement; rejects for all of it. It may
 * resolve to one result per item, in the order of `items` (the row each save wrote), a FailedWrite
 * for an item that failed alone.
 */
export type SendBatch<Item, Result> = (
  items: Item[],
  signal: AbortSignal | undefined,
) => Promise<readonly (Result | FailedWrite | undefined)[] | void>;

/** Whether one more item still fits a batch of `count` items that weigh `weight` in all (with it). */
export type BatchFits = (count: number, weight: number) => boolean;

/** Whether `item` can share one statement with `first`, the first item of a batch (a touch with a touch). */
export type SameStatement<Item> = (first: Item, item: Item) => boolean;

/** What a batch may be besides its sending function and its cap. */
export interface BatchRules<Item> {
  /** What an item adds to a batch's weight, as `fits` judges it (its bytes, say); 0 by default. */
  weigh?: (item: Item) => number;
  /** Whether two items can go in one statement; any two by default. */
  same?: SameStatement<Item>;
  /** How many of `count` ready items to send (a size with a statement already prepared); all by default. */
  size?: (count: number) => number;
}

/**
 * Group commit: while a write is in flight, the writes that arrive wait; when it is done, all
 * that waited go as one batch, one statement and one commit. Idle, a write goes at once, alone.
 * One batch at a time, so every write follows every write acknowledged before it was queued. A
 * batch never holds two writes of one key: the later waits for the next batch, as if the two had
 * been sent one after the other. Every caller is answered once the batch's statement has
 * succeeded, or with its error.
 */
export class GroupCommit<Item, Result = void> {
  readonly #send: SendBatch<Item, Result>;
  readonly #fits: BatchFits;
  readonly #weigh: (item: Item) => number;
  readonly #same: SameStatement<Item>;
  readonly #size: (count: number) => number;
  #busy = false;
  #queue: Waiting<Item, Result>[] = [];

  constructor(send: SendBatch<Item, Result>, fits: BatchFits, rules: BatchRules<Item> = {}) {
    this.#send = send;
    this.#fits = fits;
    this.#weigh = rules.weigh ?? (() => 0);
    this.#same = rules.same ?? (() => true);
    this.#size = rules.size ?? ((count) => count);
  }

  /** Writes `item` (of the row `key`) alone now, or with the next batch if a write is in flight. */
  write(key: string, item: Item, signal?: AbortSignal): Promise<Result | undefined> {
    if (this.#busy) {
      return new Promise((resolve, reject) => this.#queue.push({ key, item, signal, resolve, reject }));
    }
    this.#busy = true;
    const sent = this.#send([item], signal).then((results) => settleWith(results?.[0]));
    const next = (): void => this.#next();
    sent.then(next, next);
    return sent;
  }

  #next(): void {
    const batch = this.#take();
    if (batch.length === 0) {
      this.#busy = false;
      return;
    }
    batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // one lock order for every batch
    const signal = allAborted(batch.map((waiting) => waiting.signal));
    this.#send(
      batch.map((waiting) => waiting.item),
      signal,
    ).then(
      (results) => {
        batch.forEach((waiting, i) => {
          try {
            waiting.resolve(settleWith(results?.[i]));
          } catch (error) {
            waiting.reject(error);
          }
        });
        this.#next();
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
        this.#next();
      },
    );
  }

  /**
   * The next batch, in order of arrival, leaving queued a key's later writes, what does not fit, and
   * what needs another statement than the first (with every later write of its key).
   */
  #take(): Waiting<Item, Result>[] {
    const batch: Waiting<Item, Result>[] = [];
    const keys = new Set<string>();
    const later: Waiting<Item, Result>[] = [];
    let weight = 0;
    for (const waiting of this.#queue) {
      const heavier = weight + this.#weigh(waiting.item);
      if (waiting.signal?.aborted) {
        waiting.reject(waiting.signal.reason); // its caller has had its timeout already
      } else if (
        keys.has(waiting.key) ||
        (batch.length > 0 && (!this.#fits(batch.length, heavier) || !this.#same(batch[0]!.item, waiting.item)))
      ) {
        keys.add(waiting.key); // a later write of its key must not overtake it
        later.push(waiting);
      } else {
        keys.add(waiting.key);
        weight = heavier;
        batch.push(waiting);
      }
    }
    // The rest of a batch cut to a size goes first next time: ahead of every later write of its keys.
    const rest = batch.splice(Math.max(1, this.#size(batch.length)));
    this.#queue = rest.length > 0 ? [...rest, ...later] : later;
    return batch;
  }
}

/**
 * A signal that aborts once every caller's has: a batch is abandoned only when nobody waits for
 * it any more. None when a caller has no deadline.
 */
function allAborted(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  if (signals.length === 1) return signals[0];
  if (signals.some((signal) => signal === undefined)) return undefined;
  const all = new AllAborted();
  let left = signals.length;
  for (const signal of signals) {
    signal!.addEventListener('abort', () => {
      left -= 1;
      if (left === 0) all.abort(signal!.reason);
    });
  }
  return all as unknown as AbortSignal;
}

/** The part of AbortSignal the runners use, as the deadline's own signal has it. */
class AllAborted {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) this.#listeners.splice(index, 1);
  }

  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
