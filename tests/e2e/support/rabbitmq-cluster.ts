import { eventually, management, seg } from '@shopflow/testing';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE } from './service-process';

const SCRIPT = path.join(WORKSPACE, 'tools/dev/rabbitmq-cluster.sh');
/** The script's port base: node i has AMQP on BASE + i, management on 10000 + BASE + i. */
const BASE = Number(process.env['RABBITMQ_CLUSTER_PORT_BASE'] ?? 5700);

export const NODES = [1, 2, 3] as const;
export type NodeNumber = (typeof NODES)[number];

/** What the management API says of one quorum queue. */
export interface QuorumQueue {
  name: string;
  /** Node names, e.g. `shopflow-rabbit-1@localhost`. */
  leader: string | undefined;
  members: string[];
  online: string[];
}

/**
 * The local three-node cluster of tools/dev/rabbitmq-cluster.sh: its addresses, and its nodes
 * started, killed and stopped through the script (which kills a node by its own beam.smp pid only).
 */
export const cluster = {
  nodeName: (i: NodeNumber) => `shopflow-rabbit-${i}@localhost`,
  nodeNumber(name: string): NodeNumber {
    const i = NODES.find((n) => cluster.nodeName(n) === name);
    if (!i) throw new Error(`${name} is not a node of the local cluster`);
    return i;
  },
  amqpUrl: (i: NodeNumber) => `amqp://guest:guest@127.0.0.1:${BASE + i}`,
  managementUrl: (i: NodeNumber) => `http://guest:guest@127.0.0.1:${10_000 + BASE + i}`,

  /** Starts whichever node is down and joins it (idempotent); a minute or so from nothing. */
  start: () => script('start'),
  /** `kill -9` of the node's Erlang VM. */
  killNode: (i: NodeNumber) => script('kill-node', String(i)),
  /** `rabbitmqctl stop`: a clean shutdown. */
  stopNode: (i: NodeNumber) => script('stop-node', String(i)),
  /** Starts the node again with its own environment; resolves once it is back in the cluster. */
  startNode: (i: NodeNumber) => script('start-node', String(i)),

  /**
   * The management API of the first node of `nodes` that answers: any running node answers for the
   * whole cluster.
   */
  async management(path: string, nodes: readonly NodeNumber[] = NODES): Promise<unknown> {
    // RabbitMQ 3.10's management cache can crash on a queue declared a moment ago (500, badkey in
    // rabbit_mgmt_db_cache_queues) and is restarted by its supervisor: asked again, it answers.
    return eventually(
      async () => {
        const errors: unknown[] = [];
        for (const i of nodes) {
          try {
            return (await management('GET', path, undefined, {}, cluster.managementUrl(i))).body;
          } catch (error) {
            errors.push(error);
          }
        }
        throw new AggregateError(errors, `no node of the cluster answered GET ${path}`);
      },
      { timeoutMs: 20_000, intervalMs: 500, message: `GET ${path} on the cluster's management API` },
    );
  },

  /** Every quorum queue of `vhost`, with its leader and members, as the running nodes see them. */
  async quorumQueues(vhost: string, nodes: readonly NodeNumber[] = NODES): Promise<QuorumQueue[]> {
    const queues = ((await cluster.management(`/queues/${seg(vhost)}`, nodes)) ?? []) as {
      name: string;
      type: string;
      leader?: string;
      members?: string[];
      online?: string[];
    }[];
    return queues
      .filter((q) => q.type === 'quorum')
      .map((q) => ({ name: q.name, leader: q.leader, members: q.members ?? [], online: q.online ?? [] }));
  },

  /** How many of `vhost`'s client connections each node holds. */
  async connectionsPerNode(vhost: string, nodes: readonly NodeNumber[] = NODES): Promise<Record<string, number>> {
    const connections = ((await cluster.management(`/vhosts/${seg(vhost)}/connections`, nodes)) ?? []) as {
      node: string;
    }[];
    const counts: Record<string, number> = {};
    for (const { node } of connections) counts[node] = (counts[node] ?? 0) + 1;
    return counts;
  },
};

async function script(...args: string[]): Promise<void> {
  try {
    await promisify(execFile)('bash', [SCRIPT, ...args], { timeout: 240_000 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`tools/dev/rabbitmq-cluster.sh ${args.join(' ')} failed: ${stderr?.trim() || String(error)}`, {
      cause: error,
    });
  }
}
