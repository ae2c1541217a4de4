import { z } from 'zod';
import { defineEvent } from '../define-event';
import { currencySchema, quantitySchema, skuSchema } from '../money';

const reservedItem = z.object({ sku: skuSchema, quantity: quantitySchema });

export const InventoryReservedV1 = defineEvent(
  'inventory.reserved',
  1,
  z.object({ orderId: z.uuid(), items: z.array(reservedItem).min(1) }),
);

export const RESERVATION_FAILURE_REASONS = ['out_of_stock', 'unknown_item'] as const;

export const InventoryReservationFailedV1 = defineEvent(
  'inventory.reservation-failed',
  1,
  z.object({
    orderId: z.uuid(),
    reason: z.enum(RESERVATION_FAILURE_REASONS),
    /** The items that could not be reserved, with what was available (0 for an unknown sku). */
    items: z
      .array(
        z.object({
          sku: skuSchema,
          requested: quantitySchema,
          available: z.number().int().nonnegative(),
        }),
      )
      .min(1),
  }),
);

export const InventoryReleasedV1 = defineEvent(
  'inventory.released',
  1,
  z.object({ orderId: z.uuid(), items: z.array(reservedItem).min(1) }),
);

/** The catalog fact other services copy locally, so nobody has to call inventory-service. */
export const InventoryProductUpdatedV1 = defineEvent(
  'inventory.product-updated',
  1,
  z.object({
    sku: skuSchema,
    name: z.string().min(1).max(200),
    price: z.number().int().nonnegative(),
    currency: currencySchema,
    available: z.number().int().nonnegative(),
  }),
);
