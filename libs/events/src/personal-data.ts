import { z } from 'zod';

/**
 * Fields holding personal data (e-mail addresses, names...) are marked where they
 * are declared, so every event's list of redaction paths is derived, never kept by hand.
 */
const personalDataRegistry = z.registry<{ personalData: true }>();

export function personal<T extends z.ZodType>(schema: T): T {
  personalDataRegistry.add(schema, { personalData: true });
  return schema;
}

/** Dotted paths (arrays as `[*]`) of every field marked with {@link personal}. */
export function personalDataPaths(schema: z.ZodType, prefix = ''): string[] {
  if (personalDataRegistry.has(schema)) return [prefix];
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
      personalDataPaths(field, prefix ? `${prefix}.${key}` : key),
    );
  }
  if (schema instanceof z.ZodArray) return personalDataPaths(schema.element as z.ZodType, `${prefix}[*]`);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return personalDataPaths(schema.unwrap() as z.ZodType, prefix);
  }
  return [];
}
