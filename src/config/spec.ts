import fs from 'fs';
import path from 'path';

/** resources/ sits at the package root: above src/config (tests) or lib/src/config (built). */
function findResources(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'resources');
    if (fs.existsSync(path.join(candidate, 'spec.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`resources/spec.json not found above ${__dirname}`);
  }
}

export const RESOURCES_DIR = findResources();

export interface ConnectorSpec {
  documentationUrl?: string;
  connectionSpecification: JsonSchema;
  [key: string]: unknown;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  oneOf?: JsonSchema[];
  const?: unknown;
  airbyte_secret?: boolean;
  [key: string]: unknown;
}

let cached: ConnectorSpec | undefined;

export function loadSpec(): ConnectorSpec {
  cached ??= JSON.parse(fs.readFileSync(path.join(RESOURCES_DIR, 'spec.json'), 'utf8')) as ConnectorSpec;
  return cached;
}

export function loadStreamSchema(stream: string): JsonSchema {
  return JSON.parse(fs.readFileSync(path.join(RESOURCES_DIR, 'schemas', `${stream}.json`), 'utf8')) as JsonSchema;
}
