import { describe, expect, it } from "vitest";
import {
  accountStatus,
  actionOf,
  chartScale,
  errorMessage,
  selectAccounts,
  statesChanged,
  tileOf,
  watchedEntities,
  weekBars,
  weekOf,
} from "../src/model";
import type { HomeAssistant } from "../src/types";
import { DEPOT, JANE, JOHN, OFFICE, SAM, defaultStates, entity, officeWeek } from "./fixtures";

describe("selectAccounts", () => {
  it("shows every account and employee when none is chosen", () => {
    const shown = selectAccounts([OFFICE, DEPOT], { type: "custom:time-clock-card" });
    expect(shown.map((a) => a.employees.map((e) => e.name))).toEqual([
      ["John White", "Jane Doe"],
      ["Sam Green"],
    ]);
  });

  it("keeps only the chosen accounts and employees", () => {
    const shown = selectAccounts([OFFICE, DEPOT], {
      type: "custom:time-clock-card",
      accounts: [OFFICE.entry_id],
      employees: [JANE.employee_id],
    });
    expect(shown.map((a) => a.title)).toEqual(["Office"]);
    expect(shown[0]!.employees.map((e) => e.name)).toEqual(["Jane Doe"]);
  });

  it("treats empty choices as no choice", () => {
    const shown = selectAccounts([OFFICE, DEPOT], { type: "t", accounts: [], employees: [] });
    expect(shown).toHaveLength(2);
  });
});

describe("tileOf", () => {
  it("shows an employee on shift with the start of the shift and today's hours", () => {
    const tile = tileOf(JOHN, defaultStates());
    expect(tile).toMatchObject({
      name: "John White",
      deviceId: "device-sub-john",
      state: "on",
      workedHours: 2.5,
      pending: 0,
      rejection: null,
    });
    expect(tile.since?.toISOString()).toBe("2026-03-02T07:30:00.000Z");
  });

  it("shows an employee off shift without a start", () => {
    const tile = tileOf(JANE, defaultStates());
    expect(tile.state).toBe("off");
    expect(tile.since).toBeNull();
    expect(tile.workedHours).toBe(0);
  });

  it("says unknown while the sensor is unavailable or missing", () => {
    const states = defaultStates();
    states[JANE.entities.on_shift] = entity(JANE.entities.on_shift, "unavailable");
    states[JANE.entities.worked_today] = entity(JANE.entities.worked_today, "unavailable");
    expect(tileOf(JANE, states)).toMatchObject({ state: "unknown", workedHours: null });
    expect(tileOf(JANE, {})).toMatchObject({ state: "unknown", workedHours: null, pending: 0 });
  });

  it("carries the punches waiting for delivery and the backend's refusal", () => {
    const states = defaultStates();
    states[JOHN.entities.on_shift] = entity(JOHN.entities.on_shift, "on", {
      pending_punches: 2,
      last_rejection: {
        code: "INVALID_EMPLOYEE",
        message: "Employee not found",
        time: "2026-03-02T07:30:00+00:00",
        action: "clock_in",
      },
    });
    const tile = tileOf(JOHN, states);
    expect(tile.pending).toBe(2);
    expect(tile.rejection).toEqual({
      code: "INVALID_EMPLOYEE",
      message: "Employee not found",
      time: "2026-03-02T07:30:00+00:00",
      action: "clock_in",
    });
    expect(tile.since).toBeNull();
  });

  it("ignores malformed attributes", () => {
    const states = defaultStates();
    states[JOHN.entities.on_shift] = entity(JOHN.entities.on_shift, "on", {
      pending_punches: "many",
      shift_start: "yesterday",
      last_rejection: { code: "X" },
    });
    expect(tileOf(JOHN, states)).toMatchObject({ pending: 0, since: null, rejection: null });
  });
});

describe("accountStatus", () => {
  it("reads pending, failed, reachable and the last delivery", () => {
    const status = accountStatus(OFFICE, defaultStates());
    expect(status).toMatchObject({ pending: 3, failed: 2, reachable: "off" });
    expect(status.lastDelivery?.toISOString()).toBe("2026-03-02T09:15:00.000Z");
    expect(accountStatus(DEPOT, defaultStates())).toMatchObject({
      pending: 0,
      failed: 0,
      reachable: "on",
      lastDelivery: null,
    });
  });

  it("falls back on the account's status while Last delivery is disabled", () => {
    const status = { pending: 0, failed: 0, reachable: true, paused: false, last_delivery: "2026-03-03T10:00:00+00:00" };
    const disabled = { ...OFFICE, entities: { ...OFFICE.entities, last_delivery: null }, status };
    expect(accountStatus(disabled, defaultStates()).lastDelivery?.toISOString()).toBe("2026-03-03T10:00:00.000Z");
  });

  it("says unknown for entities the account does not have", () => {
    const bare = { ...OFFICE, entities: { pending_punches: null, failed_punches: null, backend_reachable: null, last_delivery: null } };
    expect(accountStatus(bare, defaultStates())).toEqual({
      pending: null,
      failed: null,
      reachable: "unknown",
      lastDelivery: null,
    });
  });
});

describe("weeks", () => {
  it("runs Monday to Sunday in Home Assistant's time zone", () => {
    // Sunday 23:30 in UTC is already Monday in Warsaw.
    const instant = new Date("2026-03-08T23:30:00Z");
    expect(weekOf(instant, "UTC")).toEqual({ start: "2026-03-02", end: "2026-03-08" });
    expect(weekOf(instant, "Europe/Warsaw")).toEqual({ start: "2026-03-09", end: "2026-03-15" });
    expect(weekOf(new Date("2026-03-02T00:00:00Z"), "UTC").start).toBe("2026-03-02");
    // Across a month and a year.
    expect(weekOf(new Date("2027-01-01T12:00:00Z"), "UTC")).toEqual({ start: "2026-12-28", end: "2027-01-03" });
  });

  it("gives seven bars in hours, zero where the timesheet has no day", () => {
    const sheet = officeWeek().employees[0]!;
    const bars = weekBars({ ...sheet, days: sheet.days.slice(0, 1) }, "2026-03-02");
    expect(bars.map((bar) => bar.date)).toEqual([
      "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08",
    ]);
    expect(bars.map((bar) => bar.hours)).toEqual([2.5, 0, 0, 0, 0, 0, 0]);
    expect(bars[0]!.open).toBe(true);
    expect(weekBars(undefined, "2026-03-02").every((bar) => bar.hours === 0)).toBe(true);
  });

  it("scales the chart to the longest day, at least eight hours", () => {
    const short = weekBars(officeWeek().employees[0], "2026-03-02");
    expect(chartScale([short])).toBe(8);
    expect(chartScale([short, [{ date: "2026-03-03", hours: 11.5, open: false }]])).toBe(11.5);
  });
});

describe("helpers", () => {
  it("asks to clock out those on shift and in everyone else", () => {
    expect(actionOf(tileOf(JOHN, defaultStates()))).toBe("clock_out");
    expect(actionOf(tileOf(JANE, defaultStates()))).toBe("clock_in");
    expect(actionOf(tileOf(JANE, {}))).toBe("clock_in");
  });

  it("takes the message of Home Assistant's errors", () => {
    expect(errorMessage({ code: "home_assistant_error", message: "John White is not on shift." })).toBe(
      "John White is not on shift.",
    );
    expect(errorMessage(new Error("socket closed"))).toBe("socket closed");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage({})).toBe("");
  });

  it("re-renders only when a watched state changed", () => {
    const ids = watchedEntities([OFFICE, DEPOT]);
    expect(ids).toContain(JOHN.entities.on_shift);
    expect(ids).toContain(SAM.entities.worked_today);
    expect(ids).toContain(OFFICE.entities.failed_punches);
    const states = defaultStates();
    const before = { states } as unknown as HomeAssistant;
    const unrelated = { states: { ...states, "light.kitchen": entity("light.kitchen", "on") } } as unknown as HomeAssistant;
    expect(statesChanged(ids, before, unrelated)).toBe(false);
    const changed = {
      states: { ...states, [JANE.entities.on_shift]: entity(JANE.entities.on_shift, "on") },
    } as unknown as HomeAssistant;
    expect(statesChanged(ids, before, changed)).toBe(true);
    expect(statesChanged(ids, undefined, changed)).toBe(true);
  });
});
