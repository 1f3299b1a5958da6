import type { DatasetBucket } from "../../../shared/data/format.ts";

/** The R2 bucket of dataset versions (binding DATASETS) as the dataset format's DatasetBucket. */
export function r2Bucket(bucket: R2Bucket): DatasetBucket {
  return {
    async get(key) {
      const o = await bucket.get(key);
      return o ? o.text() : null;
    },
    async put(key, value) {
      await bucket.put(key, value, { httpMetadata: { contentType: "application/json" } });
    },
    async list(prefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
        for (const o of page.objects) keys.push(o.key);
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return keys;
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
    },
  };
}
