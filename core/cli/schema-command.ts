// `weft schema`: prints the JSON Schema of the proxy config file, for editors and CI linting of configs.
import { configSchema } from '../config/schema.ts';

export async function main(): Promise<number> {
  console.log(JSON.stringify(configSchema, null, 2));
  return 0;
}
