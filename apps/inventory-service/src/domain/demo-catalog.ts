import { type ProductDetails } from './product';

/** A small catalog so a fresh system can take orders at once (SEED_CATALOG). */
export const DEMO_CATALOG: readonly ProductDetails[] = [
  { sku: 'MUG-CLASSIC', name: 'Classic ceramic mug', price: 1290, currency: 'EUR', stock: 100 },
  { sku: 'TSHIRT-LOGO-M', name: 'Logo T-shirt, size M', price: 2490, currency: 'EUR', stock: 100 },
  { sku: 'HOODIE-GREY-L', name: 'Grey hoodie, size L', price: 5990, currency: 'EUR', stock: 50 },
  { sku: 'NOTEBOOK-A5', name: 'A5 dotted notebook', price: 990, currency: 'EUR', stock: 200 },
  { sku: 'STICKER-PACK', name: 'Sticker pack', price: 450, currency: 'EUR', stock: 500 },
];
