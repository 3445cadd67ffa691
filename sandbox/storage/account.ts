/**
 * The blobs of the sandbox's storage account: containers of named blobs, each a file on disk
 * (data parts, served with createReadStream) or a small in-memory buffer (manifests). Names are
 * kept sorted, as List Blobs returns them in lexicographic order.
 */
import {createHash} from 'crypto';

export interface StoredBlob {
  name: string;
  size: number;
  /** File on disk holding the bytes, or the bytes themselves. */
  file?: string;
  data?: Buffer;
  contentType: string;
  /** Content-Encoding property (empty for exports: a .gz part is stored as it is). */
  contentEncoding?: string;
  lastModified: number;
  etag: string;
}

export class BlobContainer {
  private readonly blobs = new Map<string, StoredBlob>();
  private sorted: string[] | null = null;

  constructor(readonly name: string) {}

  put(b: Omit<StoredBlob, 'etag'> & {etag?: string}): void {
    const etag = b.etag ?? `"0x8DC${createHash('sha1').update(`${b.name}:${b.size}:${b.lastModified}`).digest('hex').slice(0, 12).toUpperCase()}"`;
    this.blobs.set(b.name, {...b, etag});
    this.sorted = null;
  }

  get(name: string): StoredBlob | undefined {
    return this.blobs.get(name);
  }

  /** Names in List Blobs order (UTF-8 binary order, which for these names is string order). */
  names(): string[] {
    this.sorted ??= [...this.blobs.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return this.sorted;
  }

  get size(): number {
    return this.blobs.size;
  }
}

export class StorageAccount {
  readonly containers = new Map<string, BlobContainer>();

  constructor(readonly name: string, readonly key: string) {}

  container(name: string, create = false): BlobContainer | undefined {
    let c = this.containers.get(name);
    if (!c && create) this.containers.set(name, (c = new BlobContainer(name)));
    return c;
  }
}
