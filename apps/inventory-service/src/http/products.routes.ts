import { requireScope } from '@shopflow/auth';
import { AppError } from '@shopflow/errors';
import { currencySchema, skuSchema } from '@shopflow/events';
import { parseRequest } from '@shopflow/http';
import { Router } from 'express';
import { z } from 'zod';
import { findProduct, listProducts } from '../data-access/products.repository';
import { available, type Product } from '../domain/product';
import { type InventoryDependencies } from '../use-cases/dependencies';
import { upsertProduct } from '../use-cases/upsert-product';

/** The columns are 32-bit integers. */
const units = z.number().int().nonnegative().max(2_147_483_647);

const productBody = z.object({
  name: z.string().trim().min(1).max(200),
  price: units,
  currency: currencySchema,
  stock: units,
});

const skuPath = z.object({ sku: skuSchema });

const toJson = (product: Product) => ({
  sku: product.sku,
  name: product.name,
  price: product.price,
  currency: product.currency,
  stock: product.stock,
  reserved: product.reserved,
  available: available(product),
});

/**
 * The stock room: the shop's staff (`catalog:write`) set prices and stock, and they and support
 * (`admin`) read them. Customers browse order-service's /catalog instead.
 */
export function productsRoutes(deps: InventoryDependencies): Router {
  const router = Router();
  const staff = requireScope('catalog:write', 'admin');

  router.get('/products', staff, async (_req, res) => {
    res.json((await listProducts(deps.db)).map(toJson));
  });

  router.get('/products/:sku', staff, async (req, res) => {
    const { sku } = parseRequest(skuPath, req.params, 'path');
    const product = await findProduct(deps.db, sku);
    if (!product) throw new AppError('not_found', `no product ${sku}`, { sku });
    res.json(toJson(product));
  });

  router.put('/products/:sku', requireScope('catalog:write'), async (req, res) => {
    const { sku } = parseRequest(skuPath, req.params, 'path');
    const details = parseRequest(productBody, req.body);
    const { product, created } = await upsertProduct(deps, { sku, ...details });
    res.status(created ? 201 : 200).json(toJson(product));
  });

  return router;
}
