import fs from 'fs';
import path from 'path';

/** resources/ sits beside lib/ in the package and in the image. */
export const RESOURCES_DIR = path.resolve(__dirname, '..', '..', '..', 'resources');

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
