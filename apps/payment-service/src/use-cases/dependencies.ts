import { type EventTransactions } from '@shopflow/messaging';
import { type Tx } from '../data-access/prisma-client';
import { type SimulatedGateway } from '../gateway/simulated-gateway';

export interface PaymentDependencies {
  transactions: EventTransactions<Tx>;
  gateway: SimulatedGateway;
}
