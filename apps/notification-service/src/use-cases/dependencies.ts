import { type EventTransactions } from '@shopflow/messaging';
import { type SmtpMailer } from '../mailer/smtp-mailer';

export interface NotificationDependencies {
  transactions: EventTransactions;
  mailer: SmtpMailer;
}
