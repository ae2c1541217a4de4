/**
 * The slice of a Prisma client (or transaction client) the outbox and inbox need.
 * Typed structurally so this library never imports a service's generated Prisma client:
 * each service passes its own, and the outbox/inbox rows share the service's transaction.
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface TransactionRunner<Tx extends SqlClient = SqlClient> {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: { timeout?: number; maxWait?: number }): Promise<R>;
}
