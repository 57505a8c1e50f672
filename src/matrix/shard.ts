/**
 * `--shard I/N`: CI systems split a large matrix across parallel jobs. Cells go to shards round
 * robin by cell index, so each shard gets a share of every dimension's values (and of the slow
 * cells, which cluster by dimension), and merging the shards' results restores a whole run.
 */
export interface Shard {
  /** 1-based, as CI systems number parallel jobs. */
  readonly index: number;
  readonly count: number;
}

export type ShardParse = { readonly ok: true; readonly shard: Shard } | { readonly ok: false; readonly reason: string };

export function parseShard(text: string): ShardParse {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return { ok: false, reason: `--shard takes I/N, such as 2/4 (got '${text}')` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) return { ok: false, reason: `--shard ${text}: I must be between 1 and N` };
  return { ok: true, shard: { index, count } };
}

export const inShard = (shard: Shard, cellIndex: number): boolean => cellIndex % shard.count === shard.index - 1;
