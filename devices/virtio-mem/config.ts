/**
 * virtio-mem's config space on the wire: struct virtio_mem_config, 56 bytes, little endian,
 * read-only for the driver (include/standard-headers/linux/virtio_mem.h; virtio 1.2+ "Memory
 * Device" §Device configuration layout). The six-byte padding after node_id is written as zero
 * and ignored on read, as the spec tells the driver to.
 */
import { readLe16, readLe64, writeLe16, writeLe64 } from '../../src/virtio/le.js';

export const VIRTIO_MEM_CONFIG_SIZE = 56;

/** The config fields with wire types: u64 as bigint, node_id a u16. */
export interface VirtioMemConfig {
  /** Block size and alignment; a power of two that never changes. */
  readonly blockSize: bigint;
  /** ACPI proximity domain, meaningful only with VIRTIO_MEM_F_ACPI_PXM. */
  readonly nodeId: number;
  /** Guest-physical start of the device region. */
  readonly addr: bigint;
  /** The whole region's size: the most that can ever be plugged. */
  readonly regionSize: bigint;
  /** The part of the region the driver may currently plug into. */
  readonly usableRegionSize: bigint;
  readonly pluggedSize: bigint;
  readonly requestedSize: bigint;
}

type U64Field = Exclude<keyof VirtioMemConfig, 'nodeId'>;

// One table of offsets serves both directions; node_id (le16 @8) is the only narrow field.
const NODE_ID_OFFSET = 8;
const U64_OFFSETS: Readonly<Record<U64Field, number>> = {
  blockSize: 0,
  addr: 16,
  regionSize: 24,
  usableRegionSize: 32,
  pluggedSize: 40,
  requestedSize: 48,
};

/** The bytes virtio_mem_get_config fills in; padding zero. */
export function encodeConfig(config: VirtioMemConfig): Uint8Array {
  const bytes = new Uint8Array(VIRTIO_MEM_CONFIG_SIZE);
  writeLe16(bytes, NODE_ID_OFFSET, config.nodeId);
  for (const field of Object.keys(U64_OFFSETS) as U64Field[]) writeLe64(bytes, U64_OFFSETS[field], config[field]);
  return bytes;
}

/** Decodes the whole struct; `bytes` must hold all 56 bytes (it comes from the device, not the guest). */
export function decodeConfig(bytes: Uint8Array): VirtioMemConfig {
  const u64 = (field: U64Field): bigint => readLe64(bytes, U64_OFFSETS[field]);
  return {
    blockSize: u64('blockSize'),
    nodeId: readLe16(bytes, NODE_ID_OFFSET),
    addr: u64('addr'),
    regionSize: u64('regionSize'),
    usableRegionSize: u64('usableRegionSize'),
    pluggedSize: u64('pluggedSize'),
    requestedSize: u64('requestedSize'),
  };
}
