-- Written by hand, like 20261205000000_pending_orders_index and for the same reason: Prisma's
-- schema can declare a partial index only with the `partialIndexes` preview feature, which needs a
-- generator block this schema does not have, and `prisma migrate diff` leaves a partial index it finds
-- alone (checked: the diff of prisma/migrations against prisma/schema stays empty).
--
-- Admission control's age bound now measures the wait inside the system: the age of the PENDING
-- orders whose stock reservation is unanswered, not of all PENDING orders, which include those
-- waiting for the card processor (src/domain/admission.ts says why). Its backlog monitor counts
-- those orders and reads the created_at of the one at a given rank, every few hundred ms on every
-- replica: this index holds only them, in the order they were placed, so the count reads only them
-- and the rank read touches rank + 1 entries. An order leaves it once inventory has answered (or
-- the order is final), and no update after that adds an entry to it. The cost: the reservation's
-- update changes a column of its predicate, so that update can no longer be a HOT update.
--
-- orders_pending_created_at_idx served the age of all PENDING orders and nothing else: the timeout
-- sweeper's query (status and expires_at) and the count of all PENDING orders (the backstop) use
-- orders_status_expires_at_idx. Dropped: one index less to write on every order placed.

-- DropIndex
DROP INDEX "orders_pending_created_at_idx";

-- CreateIndex
CREATE INDEX "orders_awaiting_inventory_created_at_idx" ON "orders"("created_at")
  WHERE "status" = 'PENDING' AND "inventory_status" = 'pending';
