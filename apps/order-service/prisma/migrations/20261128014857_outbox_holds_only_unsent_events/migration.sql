/*
  Warnings:

  - You are about to drop the column `published_at` on the `outbox_events` table. All the data in the column will be lost.

*/
-- The table now holds only unsent events: published ones already reached the broker, and
-- left here they would be taken for unsent and published again.
DELETE FROM "outbox_events" WHERE "published_at" IS NOT NULL;

-- DropIndex
DROP INDEX "outbox_events_published_at_created_at_idx";

-- AlterTable
ALTER TABLE "outbox_events" DROP COLUMN "published_at";

-- CreateIndex
CREATE INDEX "outbox_events_created_at_idx" ON "outbox_events"("created_at");
