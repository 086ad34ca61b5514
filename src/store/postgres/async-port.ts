import type { Tx } from '../port/index.js';

/**
 * The repository interfaces with every method returning a Promise: what a PostgreSQL transaction
 * can offer (each statement is a round trip). Once the Store port itself is asynchronous this is
 * the identity on it.
 */
export type Asyncify<R> = {
  [K in keyof R]: R[K] extends (...args: infer A) => infer T ? (...args: A) => Promise<Awaited<T>> : R[K];
};

export type PgTx = { [K in keyof Tx]: Asyncify<Tx[K]> };
