import {
  InventoryProductUpdatedV1,
  InventoryReleasedV1,
  InventoryReservationFailedV1,
  InventoryReservedV1,
} from '@shopflow/events';

/** What inventory-service tells the world, on its own `inventory` exchange. */
export const INVENTORY_EVENTS = [
  InventoryReservedV1,
  InventoryReservationFailedV1,
  InventoryReleasedV1,
  InventoryProductUpdatedV1,
];
