// Generated from core/config/schema.ts by `npm run generate:validators (release/generate-validators.ts)`: do not edit; run that command after changing the schema.
import type { ErrorObject } from 'ajv';

/** true when `data` fits the schema; otherwise false, with every problem in `errors`. */
export declare const validateConfigSchema: { (data: unknown): boolean; errors?: ErrorObject[] | null };
