// What the card shows, computed from the accounts, Home Assistant's states and the
// timesheet: no DOM here, so that all of it can be tested on its own.

import type {
  AccountInfo,
  CardConfig,
  EmployeeInfo,
  HassEntity,
  HomeAssistant,
  Rejection,
  TimesheetEmployee,
} from "./types";

/** What one employee's tile shows. */
export interface Tile {
  employeeId: string;
  deviceId: string;
  name: string;
  /** "on" or "off" shift, or "unknown" while the sensor is missing or unavailable. */
  state: "on" | "off" | "unknown";
  since: Date | null;
  workedHours: number | null;
  pending: number;
  rejection: Rejection | null;
}

/** What the admin view shows of one account. */
export interface AccountStatus {
  pending: number | null;
  failed: number | null;
  reachable: "on" | "off" | "unknown";
  lastDelivery: Date | null;
}

/** One day of the week chart. */
export interface WeekBar {
  date: string;
  hours: number;
  open: boolean;
}

/** The vendors' product names, as their users know them (not translated). */
export const BACKEND_NAMES: Record<string, string> = {
  calamari: "Calamari Clockin",
  sonoran: "SonoranCMS",
  protime: "Protime",
  tracktik: "TrackTik",
};

/** Return the accounts the card shows, each with only the employees it shows. */
export function selectAccounts(accounts: AccountInfo[], config: CardConfig): AccountInfo[] {
  const wantedAccounts = new Set(config.accounts ?? []);
  const wantedEmployees = new Set(config.employees ?? []);
  return accounts
    .filter((account) => !wantedAccounts.size || wantedAccounts.has(account.entry_id))
    .map((account) => ({
      ...account,
      employees: account.employees.filter(
        (employee) => !wantedEmployees.size || wantedEmployees.has(employee.employee_id),
      ),
    }));
}

/** Return the entity ids whose states the card reads (to re-render only on their change). */
export function watchedEntities(accounts: AccountInfo[]): string[] {
  const ids: (string | null)[] = [];
  for (const account of accounts) {
    ids.push(...Object.values(account.entities));
    for (const employee of account.employees) {
      ids.push(employee.entities.on_shift, employee.entities.worked_today);
    }
  }
  return ids.filter((id): id is string => Boolean(id));
}

/** Return whether any watched entity's state object changed between two ``hass``. */
export function statesChanged(
  ids: string[],
  before: HomeAssistant | undefined,
  after: HomeAssistant,
): boolean {
  if (!before) return true;
  return ids.some((id) => before.states[id] !== after.states[id]);
}

/** Return a state's number, or null when it is missing, unavailable or not a number. */
export function numberOf(entity: HassEntity | undefined): number | null {
  if (!entity || entity.state === "" || Number.isNaN(Number(entity.state))) return null;
  return Number(entity.state);
}

/** Return a date of an ISO timestamp, or null. */
export function dateOf(value: unknown): Date | null {
  if (typeof value !== "string" || !value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Return the rejection of an on-shift sensor's ``last_rejection``, or null. */
export function rejectionOf(value: unknown): Rejection | null {
  if (!value || typeof value !== "object") return null;
  const item = value as Record<string, unknown>;
  if (typeof item.message !== "string" || !item.message) return null;
  return {
    code: String(item.code ?? ""),
    message: item.message,
    time: String(item.time ?? ""),
    action: String(item.action ?? ""),
  };
}

/** Return the tile of an employee from Home Assistant's states. */
export function tileOf(employee: EmployeeInfo, states: HomeAssistant["states"]): Tile {
  const onShift = employee.entities.on_shift ? states[employee.entities.on_shift] : undefined;
  const worked = employee.entities.worked_today
    ? states[employee.entities.worked_today]
    : undefined;
  const state = onShift?.state === "on" ? "on" : onShift?.state === "off" ? "off" : "unknown";
  const pending = Number(onShift?.attributes.pending_punches ?? 0);
  return {
    employeeId: employee.employee_id,
    deviceId: employee.device_id,
    name: employee.name,
    state,
    since: state === "on" ? dateOf(onShift?.attributes.shift_start) : null,
    workedHours: numberOf(worked),
    pending: Number.isFinite(pending) && pending > 0 ? pending : 0,
    rejection: rejectionOf(onShift?.attributes.last_rejection),
  };
}

/** Return the admin view's figures of an account from Home Assistant's states. */
export function accountStatus(
  account: AccountInfo,
  states: HomeAssistant["states"],
): AccountStatus {
  const entity = (id: string | null) => (id ? states[id] : undefined);
  const reachable = entity(account.entities.backend_reachable)?.state;
  // Last delivery is disabled by default: the account's status stands in for it.
  const lastDelivery = entity(account.entities.last_delivery)?.state ?? account.status?.last_delivery;
  return {
    pending: numberOf(entity(account.entities.pending_punches)),
    failed: numberOf(entity(account.entities.failed_punches)),
    reachable: reachable === "on" ? "on" : reachable === "off" ? "off" : "unknown",
    lastDelivery: dateOf(lastDelivery),
  };
}

/** Return the date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

/** Return a YYYY-MM-DD date moved by a number of days. */
export function addDays(date: string, days: number): string {
  const moved = new Date(`${date}T12:00:00Z`);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

/** Return Monday and Sunday (YYYY-MM-DD) of the week of an instant, in a time zone. */
export function weekOf(instant: Date, timeZone: string): { start: string; end: string } {
  const today = localDate(instant, timeZone);
  // getUTCDay of a date at noon UTC is that date's weekday; Monday first.
  const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7;
  const start = addDays(today, -weekday);
  return { start, end: addDays(start, 6) };
}

/** Return the seven bars (Monday..Sunday) of an employee's week, in hours. */
export function weekBars(employee: TimesheetEmployee | undefined, start: string): WeekBar[] {
  const days = new Map((employee?.days ?? []).map((day) => [day.date, day]));
  return Array.from({ length: 7 }, (_, index) => {
    const date = addDays(start, index);
    const day = days.get(date);
    return { date, hours: (day?.worked_seconds ?? 0) / 3600, open: day?.open ?? false };
  });
}

/** Return the hours the tallest bar stands for: at least a working day. */
export function chartScale(bars: WeekBar[][]): number {
  return Math.max(8, ...bars.flat().map((bar) => bar.hours));
}

/** Return the action a tap asks for: out when on shift, else in. */
export function actionOf(tile: Tile): "clock_in" | "clock_out" {
  return tile.state === "on" ? "clock_out" : "clock_in";
}

/** Return the message of a failed service call or websocket command. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === "string" && message) return message;
  }
  if (typeof error === "string" && error) return error;
  return "";
}
