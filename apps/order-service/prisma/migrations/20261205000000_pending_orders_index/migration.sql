-- Written by hand: Prisma's schema can declare a partial index only with the `partialIndexes`
-- preview feature, which needs a generator block this schema does not have. Without it,
-- `prisma migrate diff` leaves a partial index it finds alone (checked: the diff of
-- prisma/migrations against prisma/schema stays empty), so this file is where the index lives.
--
-- The backlog of unfinished sagas, in the order it was placed: admission control's backlog
-- monitor reads the created_at of the PENDING order at a given rank from it, every few hundred ms
-- on every replica, touching only rank + 1 entries. It holds PENDING orders only, so it stays as
-- small as the backlog, and an order's update to CONFIRMED or CANCELLED adds no entry to it.

-- CreateIndex
CREATE INDEX "orders_pending_created_at_idx" ON "orders"("created_at") WHERE "status" = 'PENDING';
