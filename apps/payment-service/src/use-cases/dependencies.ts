import { type EventTransactions } from '@shopflow/messaging';
import { type SimulatedGateway } from '../gateway/simulated-gateway';

export interface PaymentDependencies {
  transactions: EventTransactions;
  gateway: SimulatedGateway;
}
