import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { temporalTarget } from '../temporal/connection-config.js';
import { dataConverterFromEnv } from '../codec/data-converter.js';
import { runtimeError } from '../domain/cli-error.js';

export interface ConnectedClient {
  client: Client;
  connection: Connection;
  address: string;
  namespace: string;
  taskQueue: string;
}

/** Connects to Temporal or explains how to get a server running; `interceptors` trace what it starts. */
export async function connectClient(target = temporalTarget(), interceptors?: ClientInterceptors): Promise<ConnectedClient> {
  // A bad key is the user's to fix (exit 2), not a missing server.
  const codec = dataConverterFromEnv();
  try {
    const connection = await Connection.connect({ ...target.connectionOptions, connectTimeout: '3s' } as Parameters<typeof Connection.connect>[0]);
    const client = new Client({ connection, namespace: target.namespace, ...codec, ...(interceptors ? { interceptors } : {}) });
    return { client, connection, address: target.address, namespace: target.namespace, taskQueue: target.taskQueue };
  } catch (err) {
    throw runtimeError(
      `no Temporal server answers at ${target.address} (${(err as Error).message}).\n` +
        'Start the local one with `npx recoil dev`, or set TEMPORAL_ADDRESS to your server.',
    );
  }
}

/** Runs one piece of work on a fresh connection and always closes it. */
export async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const { client, connection } = await connectClient();
  try {
    return await work(client);
  } finally {
    await connection.close();
  }
}
