import { describe, expect, it } from "vitest";
import { DatasetStorageError } from "./format.ts";
import { classifyRefreshFailure, IngestConfigError, parseIngestSettings } from "./ingest.ts";
import { SpacescopeError, SpacescopeTokenError } from "./spacescope.ts";
import { TransformError } from "./transform.ts";
import { DatasetValidationError } from "./validate.ts";

describe("the refresh's dataset settings (wrangler vars)", () => {
  it("default: mechafil-server's fixed start 2025-01-01 and the 180-day vesting sum", () => {
    expect(parseIngestSettings({})).toEqual({ start: { kind: "fixed", date: "2025-01-01" }, lockedRewardZero: "vesting_180d" });
    expect(parseIngestSettings({ startDate: "", lockedRewardZero: " " })).toEqual({ start: { kind: "fixed", date: "2025-01-01" }, lockedRewardZero: "vesting_180d" });
  });

  it("a fixed date, a window, the older DATASET_HISTORY_DAYS, mechafil-server's locked_reward_zero rule", () => {
    expect(parseIngestSettings({ startDate: "2022-10-10" }).start).toEqual({ kind: "fixed", date: "2022-10-10" });
    expect(parseIngestSettings({ startDate: " current-1065 " }).start).toEqual({ kind: "window", days: 1065 });
    expect(parseIngestSettings({ historyDays: "700" }).start).toEqual({ kind: "window", days: 700 });
    // DATASET_START_DATE wins over the older setting.
    expect(parseIngestSettings({ startDate: "2025-01-01", historyDays: "700" }).start).toEqual({ kind: "fixed", date: "2025-01-01" });
    expect(parseIngestSettings({ lockedRewardZero: "half_locked" }).lockedRewardZero).toBe("half_locked");
  });

  it("an unusable value is an error naming the variable and the rule, never a silent default", () => {
    const cases: [Parameters<typeof parseIngestSettings>[0], RegExp][] = [
      [{ startDate: "2025-02-30" }, /DATASET_START_DATE: "2025-02-30" must be a date YYYY-MM-DD \(a fixed start\) or current-N/],
      [{ startDate: "last-year" }, /DATASET_START_DATE/],
      [{ startDate: "current-0" }, /at least 1 day/],
      [{ startDate: "2019-01-01" }, /before the network start 2020-10-15/],
      [{ historyDays: "1e3" }, /DATASET_HISTORY_DAYS: "1e3" must be a whole number/],
      [{ lockedRewardZero: "half" }, /DATASET_LOCKED_REWARD_ZERO: "half" must be "vesting_180d" \(default\) or "half_locked"/],
    ];
    for (const [t, why] of cases) {
      expect(() => parseIngestSettings(t), JSON.stringify(t)).toThrow(IngestConfigError);
      expect(() => parseIngestSettings(t), JSON.stringify(t)).toThrow(why);
    }
  });
});

describe("refresh failure kinds", () => {
  it("names what a monitor needs: auth with its reason, quota, not ready, config, data, …", () => {
    expect(classifyRefreshFailure(new SpacescopeError("auth", "/x", "token expired", 200, 10012, "token expired"))).toEqual({ kind: "auth", reason: "token expired" });
    expect(classifyRefreshFailure(new SpacescopeError("quota", "/x", "m", 200, 30001, "quota exceeded"))).toEqual({ kind: "quota", reason: "quota exceeded" });
    expect(classifyRefreshFailure(new SpacescopeError("not_ready", "/x", "m", undefined, 30004, "data not ready"))).toEqual({ kind: "not_ready", reason: "data not ready" });
    expect(classifyRefreshFailure(new SpacescopeError("server", "/x", "HTTP 500", 500))).toEqual({ kind: "upstream" });
    expect(classifyRefreshFailure(new SpacescopeError("timeout", "/x", "m"))).toEqual({ kind: "timeout" });
    expect(classifyRefreshFailure(new SpacescopeTokenError("m"))).toEqual({ kind: "config" });
    expect(classifyRefreshFailure(new IngestConfigError("m"))).toEqual({ kind: "config" });
    expect(classifyRefreshFailure(new TransformError("f", "m"))).toEqual({ kind: "data" });
    expect(classifyRefreshFailure(new DatasetValidationError([{ field: "f", message: "m" }]))).toEqual({ kind: "validation" });
    expect(classifyRefreshFailure(new DatasetStorageError("k", "m"))).toEqual({ kind: "storage" });
    expect(classifyRefreshFailure(new Error("?"))).toEqual({ kind: "unexpected" });
  });
});
