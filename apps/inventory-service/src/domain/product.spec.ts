import { AppError } from '@shopflow/errors';
import { available, changeProduct, newProduct } from './product';

const mug = { sku: 'MUG', name: 'Mug', price: 1000, currency: 'EUR', stock: 10 };

describe('product', () => {
  it('starts with nothing reserved, everything available', () => {
    expect(available(newProduct(mug))).toBe(10);
  });

  it('changes price and stock, keeping what is reserved', () => {
    const changed = changeProduct({ ...mug, reserved: 4 }, { ...mug, price: 1200, stock: 4 });
    expect(changed).toEqual({ ...mug, price: 1200, stock: 4, reserved: 4 });
    expect(available(changed)).toBe(0);
  });

  it('refuses stock below what is reserved, as a conflict', () => {
    const attempt = () => changeProduct({ ...mug, reserved: 4 }, { ...mug, stock: 3 });
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'conflict', details: { sku: 'MUG', reserved: 4 } }));
  });
});
