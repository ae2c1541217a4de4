import {
  onOrderCancelled,
  onOrderConfirmed,
  onOrderPlaced,
  type Reservation,
  type ReservationStatus,
} from './reservation-state';

const items = [{ sku: 'A', quantity: 2 }];
const reservation = (status: ReservationStatus): Reservation => ({
  status,
  items: status === 'RESERVED' || status === 'RELEASED' || status === 'SOLD' ? items : [],
});
const OTHER_STATUSES: ReservationStatus[] = ['REJECTED', 'RELEASED', 'SOLD', 'CANCELLED'];

describe('reservation state', () => {
  describe('order.placed', () => {
    it('reserves for an order never seen before', () => {
      expect(onOrderPlaced(undefined)).toBe('reserve');
    });

    it.each<ReservationStatus>(['RESERVED', ...OTHER_STATUSES])('leaves an order already %s alone', (status) => {
      expect(onOrderPlaced(reservation(status))).toBe('ignore');
    });
  });

  describe('order.cancelled', () => {
    it('releases a live reservation', () => {
      expect(onOrderCancelled(reservation('RESERVED'))).toEqual({ action: 'release', items });
    });

    it('remembers a cancellation that arrived before its order', () => {
      expect(onOrderCancelled(undefined)).toEqual({ action: 'remember' });
    });

    it.each(OTHER_STATUSES)('does nothing for an order already %s', (status) => {
      expect(onOrderCancelled(reservation(status))).toEqual({ action: 'ignore' });
    });
  });

  describe('order.confirmed', () => {
    it('sells a live reservation', () => {
      expect(onOrderConfirmed(reservation('RESERVED'))).toEqual({ action: 'sell', items });
    });

    it.each(OTHER_STATUSES)('does nothing for an order %s', (status) => {
      expect(onOrderConfirmed(reservation(status))).toEqual({ action: 'ignore' });
    });

    it('does nothing for an unknown order', () => {
      expect(onOrderConfirmed(undefined)).toEqual({ action: 'ignore' });
    });
  });
});
