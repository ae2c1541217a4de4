-- The processor is now called between two transactions: a payment records that its charge (or its
-- refund) was started before the call, and the answer after it.

-- AlterEnum
ALTER TYPE "payment_status" ADD VALUE 'pending';
ALTER TYPE "payment_status" ADD VALUE 'refund_pending';

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "refund_reference" TEXT;
