// `weft schema`: prints the JSON Schema of the proxy config file, for editors and CI linting of configs.
import type { Command } from './command.ts';
import { configSchema } from '../config/schema.ts';

export const schemaCommand: Command = {
  usage: 'weft schema',
  summary: 'print the JSON Schema of the proxy config file (YAML or JSON), for editors and CI',
  args: [],
  flags: [],
  async run() {
    console.log(JSON.stringify(configSchema, null, 2));
    return 0;
  },
};
