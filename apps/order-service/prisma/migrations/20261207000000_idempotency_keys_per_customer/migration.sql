-- Idempotency keys belong to the customer who sends them (as Stripe scopes them to an account):
-- once customers are authenticated, one customer's key must neither replay another's order nor
-- be refused because another customer happened to pick the same key.

-- DropIndex
DROP INDEX "orders_idempotency_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "orders_customer_id_idempotency_key_key" ON "orders"("customer_id", "idempotency_key");
