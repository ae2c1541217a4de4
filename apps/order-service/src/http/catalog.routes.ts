import { requireScope } from '@shopflow/auth';
import { AppError } from '@shopflow/errors';
import { Router } from 'express';
import { findCatalogProduct, listCatalog } from '../data-access/catalog.repository';
import { type OrderDependencies } from '../use-cases/dependencies';

/**
 * What order-service can sell: its local copy of inventory's catalog, the prices orders are
 * charged at. Read-only; inventory-service owns the products. Any caller of the shop may read it.
 */
export function catalogRoutes(deps: OrderDependencies): Router {
  const router = Router();
  router.use('/catalog', requireScope('orders', 'catalog:write', 'admin'));
  router.get('/catalog', async (_req, res) => {
    res.json(await listCatalog(deps.db));
  });
  router.get('/catalog/:sku', async (req, res) => {
    const product = await findCatalogProduct(deps.db, req.params.sku);
    if (!product) throw new AppError('not_found', `sku ${req.params.sku} is not in the catalog`);
    res.json(product);
  });
  return router;
}
