import { type EventTransactions } from '@shopflow/messaging';
import { type Tx } from '../data-access/prisma-client';
import { type SmtpMailer } from '../mailer/smtp-mailer';

export interface NotificationDependencies {
  transactions: EventTransactions<Tx>;
  mailer: SmtpMailer;
}
