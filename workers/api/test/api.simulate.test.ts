import { beforeAll, describe, expect, it } from "vitest";
import { warmDataset, type WarmDataset } from "../../../shared/data/dataset.ts";
import { parseReferenceDataset } from "../../../shared/data/reference.ts";
import { addDays, dayNumber } from "../../../shared/kernel/dates.ts";
import type { ScenarioInput } from "../../../shared/kernel/scenario.ts";
import { defaultFields, OUTPUT_FIELDS } from "../../../shared/schema/fields.ts";
import { fixture2025, get, post, publish, type ErrorJson } from "./helpers.ts";
import { simulateInput } from "../../../shared/kernel/testDataset.ts";

/** The fields of a current-model answer that names none: MODEL.md's 44 and the fee's 6. */
const DEFAULT_FIELDS = defaultFields("current");

/**
 * /simulate, /simulate/batch, /health and /historical-data on a dataset published from
 * ../shared/fixtures through POST /admin/datasets. The kernel run here, in the test, on the same
 * fixture is the expected answer: daily with history must be exactly its arrays.
 */

interface SeriesDates {
  start_date: string | null;
  end_date: string | null;
  timestep_days: number;
  n_entries: number;
}
interface SimBody {
  input: Record<string, unknown> & { sim_start_date: string; sim_end_date: string; n_entries: number; timestep_days: number; dataset: { version: string } };
  simulation_output: Record<string, (number | null)[]>;
  field_dates: Record<string, SeriesDates>;
}

const text = fixture2025();
const suite = text ? describe : describe.skip;
let local: WarmDataset;

const isMonday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay() === 1;
const asJson = (a: Float64Array) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

async function sim(body: unknown): Promise<SimBody> {
  const res = await post("/simulate", body);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as SimBody;
}

/** Every weekly value equals the daily value on its date, and every date is a Monday. */
function expectWeeklyMatchesDaily(weekly: SimBody, daily: SimBody): void {
  for (const f of Object.keys(weekly.simulation_output)) {
    const w = weekly.simulation_output[f]!;
    const wd = weekly.field_dates[f]!;
    const dd = daily.field_dates[f]!;
    expect(wd.timestep_days).toBe(7);
    expect(wd.n_entries).toBe(w.length);
    if (w.length === 0) continue;
    expect(isMonday(wd.start_date!), `${f} starts on a Monday`).toBe(true);
    expect(isMonday(wd.end_date!), `${f} ends on a Monday`).toBe(true);
    // The first Monday is within a week of the daily start, and the last within a week of its end.
    const lead = dayNumber(wd.start_date!) - dayNumber(dd.start_date!);
    expect(lead >= 0 && lead < 7, `${f} first Monday`).toBe(true);
    const tail = dayNumber(dd.end_date!) - dayNumber(wd.end_date!);
    expect(tail >= 0 && tail < 7, `${f} last Monday`).toBe(true);
    const d = daily.simulation_output[f]!;
    for (let k = 0; k < w.length; k++) expect(w[k], `${f}[${k}]`).toBe(d[lead + 7 * k]);
  }
}

suite("with a published dataset", () => {
  beforeAll(async () => {
    const res = await publish(text!);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const ref = parseReferenceDataset(JSON.parse(text!));
    local = warmDataset({ info: { version: "local", source: "upload", start_date: ref.start_date, current_date: ref.current_date, fetched_at: "" }, reference: ref, onchain: null });
  });

  describe("GET /health", () => {
    it("reports the dataset in use", async () => {
      const res = await get("/health");
      expect(res.status).toBe(200);
      const h = (await res.json()) as { status: string; reasons: { code: string }[]; version: string; dataset: Record<string, unknown>; last_refresh: unknown };
      // Served (200), but the fixture's current_date is long past: degraded, saying why.
      expect(h.status).toBe("degraded");
      expect(h.reasons.map((r) => r.code)).toEqual(["dataset_stale"]);
      expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(h.dataset.start_date).toBe("2022-10-10");
      expect(h.dataset.current_date).toBe("2025-09-09");
      expect(h.dataset.source).toBe("upload");
      expect(typeof h.dataset.version).toBe("string");
      expect(typeof h.dataset.fetched_at).toBe("string");
      expect(h.dataset.age_days).toBe(Math.floor((Date.now() - Date.parse("2025-09-09T00:00:00Z")) / 86_400_000));
      expect(h).toHaveProperty("last_refresh");
    });
  });

  describe("POST /simulate", () => {
    it("{} runs the defaults: weekly Mondays of the 10-year forecast, the current model's fields", async () => {
      const b = await sim({});
      expect(Object.keys(b.simulation_output).sort()).toEqual([...DEFAULT_FIELDS].sort());
      const s = local.kernel.smoothed;
      expect(b.input).toMatchObject({
        "current date": "2025-09-09",
        raw_byte_power: s.rbp,
        renewal_rate: s.rr,
        filplus_rate: s.fpr,
        rbp: s.rbp,
        rr: s.rr,
        fpr: s.fpr,
        lock_target: 0.3,
        forecast_length_days: 3650,
        sector_duration_days: 540,
        fil_plus_m: 10,
        qa_renew_relative_multiplier: 1,
        burn_boost: 1,
        use_available_supply: false,
        baseline_function_EIB: "protocol",
        resolution: "weekly",
        include_history: false,
        timestep_days: 7,
      });
      expect(b.input.dataset).toMatchObject({ start_date: "2022-10-10", current_date: "2025-09-09", source: "upload" });
      // 2025-09-09 is a Tuesday: the first Monday of the forecast is 2025-09-15.
      expect(b.input.sim_start_date).toBe("2025-09-15");
      expect(isMonday(b.input.sim_end_date)).toBe(true);
      expect(b.input.n_entries).toBe(b.simulation_output.days!.length);
      expect(b.field_dates.days).toEqual({ start_date: b.input.sim_start_date, end_date: b.input.sim_end_date, timestep_days: 7, n_entries: b.input.n_entries });
    });

    it("daily with history returns exactly the kernel's arrays", async () => {
      const b = await sim({ resolution: "daily", include_history: true });
      const r = simulateInput(local.prepared, {});
      for (const f of DEFAULT_FIELDS) expect(b.simulation_output[f], f).toEqual(asJson(r.outputs[f]));
      expect(b.input).toMatchObject({ sim_start_date: "2022-10-10", sim_end_date: addDays("2025-09-09", 3649), n_entries: r.N, timestep_days: 1 });
      expect(b.field_dates.rb_sched_expire_power_pib).toEqual({ start_date: "2025-09-09", end_date: addDays("2025-09-09", 3649), timestep_days: 1, n_entries: r.F });
      // The 1y_ fields need 365 days ahead: they end 364 days before the last simulated day.
      expect(b.field_dates["1y_sector_roi"]).toEqual({ start_date: "2022-10-10", end_date: addDays("2025-09-09", 3650 - 365), timestep_days: 1, n_entries: r.N - 364 });
      // Undefined values are null, never 0.
      const pledge = b.simulation_output.day_pledge_per_QAP!;
      const nan = Array.from(r.outputs.day_pledge_per_QAP).filter((v) => Number.isNaN(v)).length;
      expect(pledge.filter((v) => v === null).length).toBe(nan);
    });

    it("daily without history is the forecast from current_date, as mechafil-server slices it", async () => {
      const full = await sim({ resolution: "daily", include_history: true, forecast_length_days: 400 });
      const fc = await sim({ resolution: "daily", forecast_length_days: 400 });
      const H = local.prepared.H;
      for (const f of DEFAULT_FIELDS) {
        const expected = OUTPUT_FIELDS[f].axis === "forecast" ? full.simulation_output[f] : full.simulation_output[f]!.slice(H);
        expect(fc.simulation_output[f], f).toEqual(expected);
      }
      expect(fc.input).toMatchObject({ sim_start_date: "2025-09-09", sim_end_date: addDays("2025-09-09", 399), n_entries: 400, timestep_days: 1 });
      expect(fc.field_dates["1y_return_per_sector"]).toEqual({ start_date: "2025-09-09", end_date: addDays("2025-09-09", 400 - 365), timestep_days: 1, n_entries: 400 - 364 });
    });

    it("weekly samples equal the daily values on those Mondays (with and without history)", async () => {
      const levers = { forecast_length_days: 1000, rbp: 4, rr: 0.7 };
      expectWeeklyMatchesDaily(await sim({ ...levers, include_history: true }), await sim({ ...levers, include_history: true, resolution: "daily" }));
      expectWeeklyMatchesDaily(await sim(levers), await sim({ ...levers, resolution: "daily" }));
    });

    it("a forecast shorter than a year returns empty 1y_ fields without history, with null dates", async () => {
      const b = await sim({ forecast_length_days: 30, output: ["1y_sector_roi", "days"], resolution: "daily" });
      expect(b.simulation_output["1y_sector_roi"]).toEqual([]);
      expect(b.field_dates["1y_sector_roi"]).toEqual({ start_date: null, end_date: null, timestep_days: 1, n_entries: 0 });
      expect(b.simulation_output.days).toHaveLength(30);
    });

    it("output takes one name or a list", async () => {
      const one = await sim({ output: "circ_supply" });
      expect(Object.keys(one.simulation_output)).toEqual(["circ_supply"]);
      expect(Object.keys(one.field_dates)).toEqual(["circ_supply"]);
      const two = await sim({ output: ["network_RBP_EIB", "available_supply", "network_RBP_EIB"] });
      expect(Object.keys(two.simulation_output)).toEqual(["network_RBP_EIB", "available_supply"]);
      expect(two.input.output).toEqual(["network_RBP_EIB", "available_supply"]);
    });

    it("runs every lever, arrays included, exactly as the kernel does, and echoes them", async () => {
      const F = 730;
      const rbp = Array.from({ length: F }, (_, i) => 2 + i / F);
      const scenario: ScenarioInput = {
        forecast_length_days: F,
        sector_duration_days: 360,
        rbp,
        rr: 0.6,
        fpr: Array.from({ length: F }, (_, i) => (i < 100 ? 0.9 : 0.5)),
        lock_target: 0.25,
        fil_plus_m: 5,
        qa_renew_relative_multiplier: 0.8,
        burn_boost: 2,
        use_available_supply: true,
      };
      const b = await sim({ ...scenario, resolution: "daily", include_history: true });
      const r = simulateInput(local.prepared, scenario);
      for (const f of DEFAULT_FIELDS) expect(b.simulation_output[f], f).toEqual(asJson(r.outputs[f]));
      expect(b.input).toMatchObject({
        rbp: { type: "array", length: F, first: rbp[0], last: rbp[F - 1] },
        raw_byte_power: { type: "array", length: F, first: rbp[0], last: rbp[F - 1] },
        fpr: { type: "array", length: F, first: 0.9, last: 0.5 },
        rr: 0.6,
        lock_target: 0.25,
        fil_plus_m: 5,
        qa_renew_relative_multiplier: 0.8,
        burn_boost: 2,
        use_available_supply: true,
        sector_duration_days: 360,
        forecast_length_days: F,
      });
    });

    it("a baseline override of the wrong length is a 400 naming it (the kernel's check)", async () => {
      const res = await post("/simulate", { forecast_length_days: 10, baseline_function_EIB: [1, 2, 3] });
      expect(res.status).toBe(400);
      const e = (await res.json()) as ErrorJson;
      expect(e.error.field).toBe("baseline_function_EIB");
      expect(e.error.message).toContain(String(local.prepared.H + 10));
    });

    it("a baseline override of the right length is used", async () => {
      const n = local.prepared.H + 10;
      const baseline = Array.from({ length: n }, () => 50);
      const b = await sim({ forecast_length_days: 10, baseline_function_EIB: baseline, resolution: "daily", include_history: true, output: "network_baseline_EIB" });
      expect(b.simulation_output.network_baseline_EIB).toEqual(baseline);
      expect(b.input.baseline_function_EIB).toEqual({ type: "array", length: n, first: 50, last: 50 });
    });
  });

  describe("POST /simulate/batch", () => {
    it("runs each scenario over the shared defaults, in order, as /simulate would", async () => {
      const defaults = { forecast_length_days: 365, output: ["circ_supply", "network_locked"], resolution: "daily" };
      const scenarios = [{}, { rbp: 6 }, { rr: 0.5, output: "days" }];
      const res = await post("/simulate/batch", { defaults, scenarios });
      expect(res.status).toBe(200);
      const b = (await res.json()) as { dataset: { current_date: string }; count: number; results: SimBody[] };
      expect(b.count).toBe(3);
      expect(b.dataset.current_date).toBe("2025-09-09");
      for (let i = 0; i < scenarios.length; i++) {
        const single = await sim({ ...defaults, ...scenarios[i] });
        expect(b.results[i]).toEqual(single);
      }
      expect(Object.keys(b.results[2]!.simulation_output)).toEqual(["days"]);
    });

    it("accepts 64 scenarios", async () => {
      const scenarios = Array.from({ length: 64 }, (_, i) => ({ rbp: 1 + i / 10 }));
      const res = await post("/simulate/batch", { defaults: { forecast_length_days: 100, output: "network_RBP_EIB" }, scenarios });
      expect(res.status).toBe(200);
      const b = (await res.json()) as { results: SimBody[] };
      expect(b.results).toHaveLength(64);
      expect(b.results[63]!.input.rbp).toBeCloseTo(7.3, 12);
    });

    it("a kernel check failing in one scenario names that scenario", async () => {
      const res = await post("/simulate/batch", { defaults: { forecast_length_days: 10 }, scenarios: [{}, { baseline_function_EIB: [1, 2] }] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.field).toBe("scenarios[1].baseline_function_EIB");
    });

    it("refuses a batch whose answer would be too large, before running it", async () => {
      const scenarios = Array.from({ length: 64 }, () => ({}));
      const res = await post("/simulate/batch", { defaults: { forecast_length_days: 7300, resolution: "daily", include_history: true }, scenarios });
      expect(res.status).toBe(400);
      const e = (await res.json()) as ErrorJson;
      expect(e.error.field).toBe("scenarios");
    });
  });

  describe("GET /historical-data", () => {
    interface Hist {
      data: Record<string, number | (number | null)[]>;
      field_meta: Record<string, { unit: string; kind: string; meaning: string; group?: string }>;
      anchors: Record<string, SeriesDates & { fields: string[] }>;
      smoothed_metrics: Record<string, { value: number; window: SeriesDates | null }>;
      dataset: { current_date: string };
      resolution: string;
    }
    const hist = async (q = ""): Promise<Hist> => {
      const res = await get(`/historical-data${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Hist;
    };

    it("keeps mechafil-server's members and describes every one", async () => {
      const h = await hist();
      expect(h.resolution).toBe("weekly");
      const ref = local.reference;
      expect(h.data.raw_byte_power_averaged_over_previous_30days).toBe(ref.smoothed_metrics.raw_byte_power);
      expect(h.data.renewal_rate_averaged_over_previous_30days).toBe(ref.smoothed_metrics.renewal_rate);
      expect(h.data.filplus_rate_averaged_over_previous_30days).toBe(ref.smoothed_metrics.filplus_rate);
      for (const k of ["rb_power_zero", "qa_power_zero", "start_vested_amt", "zero_cum_capped_power_eib", "init_baseline_eib", "circ_supply_zero", "locked_fil_zero", "daily_burnt_fil"] as const) {
        expect(h.data[k], k).toBe(ref.offline_data[k]);
      }
      for (const k of ["raw_byte_power", "renewal_rate", "filplus_rate", "historical_raw_power_eib", "historical_qa_power_eib", "historical_onboarded_rb_power_pib", "historical_onboarded_qa_power_pib", "historical_renewed_rb_power_pib", "historical_renewed_qa_power_pib", "rb_known_scheduled_expire_vec", "qa_known_scheduled_expire_vec", "known_scheduled_pledge_release_full_vec", "burnt_fil_vec", "historical_renewal_rate", "network_raw_power_eib", "network_qa_power_eib"]) {
        expect(Array.isArray(h.data[k]), k).toBe(true);
      }
      for (const k of Object.keys(h.data)) {
        const m = h.field_meta[k];
        expect(m, k).toBeDefined();
        expect(m!.unit.length).toBeGreaterThan(0);
        expect(m!.meaning.length).toBeGreaterThan(0);
        if (Array.isArray(h.data[k])) {
          const a = h.anchors[m!.group!];
          expect(a, `${k} anchors`).toBeDefined();
          expect(a!.fields).toContain(k);
          expect(a!.n_entries).toBe((h.data[k] as unknown[]).length);
        }
      }
      expect(h.field_meta.historical_raw_power_eib!.kind).toBe("stock");
      expect(h.field_meta.historical_onboarded_rb_power_pib!.kind).toBe("flow");
      expect(h.field_meta.burnt_fil_vec!.kind).toBe("cumulative");
    });

    it("daily returns the dataset's arrays unchanged, dated from their anchors", async () => {
      const h = await hist("?resolution=daily");
      const od = local.reference.offline_data;
      expect(h.data.historical_raw_power_eib).toEqual(od.historical_raw_power_eib);
      expect(h.data.historical_renewal_rate).toEqual(od.historical_renewal_rate);
      expect(h.data.raw_byte_power).toEqual(local.reference.historical_arrays!.raw_byte_power);
      const g = h.anchors[h.field_meta.historical_raw_power_eib!.group!]!;
      expect(g).toMatchObject({ start_date: "2022-10-10", end_date: "2025-09-09", timestep_days: 1 });
      expect(h.anchors[h.field_meta.historical_renewal_rate!.group!]).toMatchObject({ start_date: "2022-10-10", end_date: "2025-09-08" });
      expect(h.anchors[h.field_meta.rb_known_scheduled_expire_vec!.group!]!.start_date).toBe("2025-09-09");
      expect(h.anchors[h.field_meta.raw_byte_power!.group!]).toMatchObject({ start_date: addDays("2025-09-09", -180), end_date: "2025-09-09", n_entries: 181 });
      expect(h.anchors[h.field_meta.renewal_rate!.group!]).toMatchObject({ start_date: addDays("2025-09-09", -180), end_date: "2025-09-08", n_entries: 180 });
      // The smoothing windows behind the defaults.
      expect(h.smoothed_metrics.rbp).toMatchObject({ value: local.kernel.smoothed.rbp, window: { start_date: addDays("2025-09-09", -180), end_date: "2025-09-09", n_entries: 181 } });
      expect(h.smoothed_metrics.rr!.window).toMatchObject({ end_date: "2025-09-08", n_entries: 180 });
    });

    it("weekly values are the daily ones on Mondays", async () => {
      const w = await hist();
      const d = await hist("?resolution=daily");
      for (const [k, v] of Object.entries(w.data)) {
        if (!Array.isArray(v)) {
          expect(v).toBe(d.data[k]);
          continue;
        }
        const wa = w.anchors[w.field_meta[k]!.group!]!;
        const da = d.anchors[d.field_meta[k]!.group!]!;
        expect(wa.timestep_days).toBe(7);
        if (v.length === 0) continue;
        expect(isMonday(wa.start_date!), k).toBe(true);
        const lead = dayNumber(wa.start_date!) - dayNumber(da.start_date!);
        expect(lead >= 0 && lead < 7).toBe(true);
        const daily = d.data[k] as (number | null)[];
        v.forEach((x, i) => expect(x, `${k}[${i}]`).toBe(daily[lead + 7 * i]));
        expect(Math.floor((daily.length - 1 - lead) / 7) + 1).toBe(v.length);
      }
    });

    it("?fields= filters data, field_meta and anchors", async () => {
      const h = await hist("?fields=historical_qa_power_eib,rb_power_zero&resolution=daily");
      expect(Object.keys(h.data).sort()).toEqual(["historical_qa_power_eib", "rb_power_zero"]);
      expect(Object.keys(h.field_meta).sort()).toEqual(["historical_qa_power_eib", "rb_power_zero"]);
      expect(Object.values(h.anchors).flatMap((a) => a.fields)).toEqual(["historical_qa_power_eib"]);
    });

    it("an unknown field is a 400 listing the valid ones", async () => {
      const res = await get("/historical-data?fields=historical_qa_power_eib,nope");
      expect(res.status).toBe(400);
      const e = (await res.json()) as ErrorJson;
      expect(e.error.field).toBe("fields");
      expect(e.error.message).toContain("nope");
      expect(e.error.message).toContain("historical_raw_power_eib");
      expect((e.error.details as { valid: string[] }).valid).toContain("burnt_fil_vec");
    });

    it("an empty fields list is a 400", async () => {
      const res = await get("/historical-data?fields=,");
      expect(res.status).toBe(400);
    });
  });
});
