import { type EventTransactions } from '@shopflow/messaging';
import { type Database } from '@shopflow/postgres';
import { type SmtpMailer } from '../mailer/smtp-mailer';

/** What notification-service's use cases, entry points and jobs are given (built once in service.ts). */
export interface NotificationDependencies {
  /** Units of work: state, outbox and inbox in one transaction. */
  transactions: EventTransactions;
  /** Reads outside any unit of work. */
  db: Database;
  mailer: SmtpMailer;
  /**
   * The e-mails (claim ids) this process is sending now, from its claim to the commit that marks it
   * sent: another delivery of the same event here waits for it instead of sending a copy.
   */
  sendingHere: Set<string>;
}
