-- E-mails are now sent between two transactions: a row claims the e-mail (sent_at NULL) before the
-- send, and is marked sent after it.

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "claimed_by" UUID,
ALTER COLUMN "sent_at" DROP NOT NULL,
ALTER COLUMN "sent_at" DROP DEFAULT;

-- The e-mails recorded so far were claimed and sent in one transaction.
UPDATE "notifications" SET "claimed_at" = "sent_at";
