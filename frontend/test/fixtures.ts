// A Home Assistant and Time Clock accounts for the card's tests.

import { vi } from "vitest";
import type { AccountInfo, HassEntity, HomeAssistant, TimesheetResponse } from "../src/types";

/** Return an entity state object. */
export function entity(
  entity_id: string,
  state: string,
  attributes: Record<string, unknown> = {},
): HassEntity {
  return { entity_id, state, attributes, last_changed: "", last_updated: "" };
}

/** Return an employee of the accounts answer, with entity ids derived from the name. */
export function employee(id: string, name: string) {
  const slug = name.toLowerCase().replace(/\W+/g, "_");
  return {
    employee_id: id,
    name,
    device_id: `device-${id}`,
    entities: {
      on_shift: `binary_sensor.${slug}_on_shift`,
      worked_today: `sensor.${slug}_worked_today`,
      clock_in: `button.${slug}_clock_in`,
      clock_out: `button.${slug}_clock_out`,
    },
  };
}

/** Return an account of the accounts answer. */
export function account(
  entryId: string,
  title: string,
  employees: ReturnType<typeof employee>[],
  backend = "calamari",
): AccountInfo {
  const slug = title.toLowerCase().replace(/\W+/g, "_");
  return {
    entry_id: entryId,
    title,
    backend,
    device_id: `device-${entryId}`,
    entities: {
      pending_punches: `sensor.${slug}_pending_punches`,
      failed_punches: `sensor.${slug}_failed_punches`,
      backend_reachable: `binary_sensor.${slug}_backend_reachable`,
      last_delivery: `sensor.${slug}_last_delivery`,
    },
    employees,
  };
}

export const JOHN = employee("sub-john", "John White");
export const JANE = employee("sub-jane", "Jane Doe");
export const SAM = employee("sub-sam", "Sam Green");
export const OFFICE = account("entry-office", "Office", [JOHN, JANE]);
export const DEPOT = account("entry-depot", "Depot", [SAM], "local");

/** Return the states of the fixtures: John on shift since 07:30 UTC, Jane and Sam off. */
export function defaultStates(): Record<string, HassEntity> {
  return Object.fromEntries(
    [
      entity(JOHN.entities.on_shift, "on", {
        shift_start: "2026-03-02T07:30:00+00:00",
        pending_punches: 0,
        last_source: "reader",
        last_rejection: null,
      }),
      entity(JOHN.entities.worked_today, "2.5"),
      entity(JANE.entities.on_shift, "off", { shift_start: null, pending_punches: 0, last_rejection: null }),
      entity(JANE.entities.worked_today, "0"),
      entity(SAM.entities.on_shift, "off", { shift_start: null, pending_punches: 0 }),
      entity(SAM.entities.worked_today, "0.75"),
      entity(OFFICE.entities.pending_punches!, "3"),
      entity(OFFICE.entities.failed_punches!, "2"),
      entity(OFFICE.entities.backend_reachable!, "off"),
      entity(OFFICE.entities.last_delivery!, "2026-03-02T09:15:00+00:00"),
      entity(DEPOT.entities.pending_punches!, "0"),
      entity(DEPOT.entities.failed_punches!, "0"),
      entity(DEPOT.entities.backend_reachable!, "on"),
      entity(DEPOT.entities.last_delivery!, "unknown"),
    ].map((item) => [item.entity_id, item]),
  );
}

/** Return a timesheet of the week of 2026-03-02 (a Monday) for the office. */
export function officeWeek(): TimesheetResponse {
  const days = (seconds: number[]) =>
    seconds.map((worked, index) => ({
      date: `2026-03-0${index + 2}`,
      first_in: worked ? `2026-03-0${index + 2}T08:00:00+00:00` : null,
      last_out: null,
      worked_seconds: worked,
      open: index === 0 && worked > 0,
      punches: [],
    }));
  return {
    start: "2026-03-02",
    end: "2026-03-08",
    time_zone: "UTC",
    retention_days: 400,
    earliest: "2025-02-01",
    employees: [
      { employee_id: JOHN.employee_id, name: JOHN.name, entry_id: OFFICE.entry_id, total_seconds: 9000, days: days([9000, 0, 0, 0, 0, 0, 0]) },
      { employee_id: JANE.employee_id, name: JANE.name, entry_id: OFFICE.entry_id, total_seconds: 0, days: days([0, 0, 0, 0, 0, 0, 0]) },
    ],
  };
}

/** Return a Home Assistant whose websocket answers the accounts and the timesheet. */
export function fakeHass(overrides: Partial<HomeAssistant> = {}) {
  const callWS = vi.fn(async (message: Record<string, unknown>) => {
    if (message.type === "time_clock/accounts") return { accounts: [OFFICE, DEPOT] };
    if (message.type === "time_clock/timesheet") {
      return message.entry_id === OFFICE.entry_id
        ? officeWeek()
        : { ...officeWeek(), employees: [] };
    }
    throw { code: "unknown_command", message: "Unknown command." };
  });
  const callService = vi.fn(async () => undefined);
  const unsubscribe = vi.fn();
  const subscribeEvents = vi.fn(async (_callback: (event: unknown) => void, _type: string) => unsubscribe);
  const hass = {
    states: defaultStates(),
    language: "en",
    locale: { language: "en", time_zone: "server" },
    config: { time_zone: "UTC" },
    user: { is_admin: true },
    themes: { darkMode: false },
    callWS,
    callService,
    connection: { subscribeEvents },
    ...overrides,
  } as unknown as HomeAssistant;
  return { hass, callWS, callService, subscribeEvents, unsubscribe };
}
