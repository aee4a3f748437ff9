// The parts of Home Assistant and of Time Clock's websocket API that the card uses.

/** One entity's state as Home Assistant sends it to the frontend. */
export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

/** The ``hass`` object Home Assistant hands to every card. */
export interface HomeAssistant {
  states: Record<string, HassEntity | undefined>;
  language?: string;
  locale?: { language: string; time_zone?: string; time_format?: string };
  config: { time_zone: string };
  user?: { is_admin: boolean };
  themes?: { darkMode?: boolean };
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: Record<string, unknown>,
    notifyOnError?: boolean,
  ): Promise<unknown>;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  connection: {
    subscribeEvents(
      callback: (event: unknown) => void,
      eventType: string,
    ): Promise<() => Promise<void> | void>;
  };
}

/** How the card is set up (the dashboard stores it). */
export interface CardConfig {
  type: string;
  mode?: "kiosk" | "admin";
  title?: string;
  /** Config entry ids; none means every account. */
  accounts?: string[];
  /** Employee ids (subentry ids); none means every employee of the accounts. */
  employees?: string[];
}

/** An employee as ``time_clock/accounts`` describes them. */
export interface EmployeeInfo {
  employee_id: string;
  name: string;
  device_id: string;
  entities: {
    on_shift: string | null;
    worked_today: string | null;
    clock_in: string | null;
    clock_out: string | null;
  };
}

/** An account as ``time_clock/accounts`` describes it. */
export interface AccountInfo {
  entry_id: string;
  title: string;
  backend: string;
  device_id: string | null;
  entities: {
    pending_punches: string | null;
    failed_punches: string | null;
    backend_reachable: string | null;
    last_delivery: string | null;
  };
  /** How delivery stood when the accounts were asked for. */
  status?: {
    pending: number;
    failed: number;
    reachable: boolean | null;
    paused: boolean;
    last_delivery: string | null;
  };
  employees: EmployeeInfo[];
}

/** The answer of ``time_clock/accounts``. */
export interface AccountsResponse {
  accounts: AccountInfo[];
}

/** One punch of a timesheet day. */
export interface TimesheetPunch {
  time: string;
  action: string;
  delivered: boolean;
  source: string | null;
  reader: string | null;
  reason: string | null;
  activity: string | null;
}

/** One day of an employee's timesheet. */
export interface TimesheetDay {
  date: string;
  first_in: string | null;
  last_out: string | null;
  worked_seconds: number;
  open: boolean;
  punches: TimesheetPunch[];
}

/** One employee's timesheet over the range. */
export interface TimesheetEmployee {
  employee_id: string;
  name: string;
  entry_id: string;
  total_seconds: number;
  days: TimesheetDay[];
}

/** The answer of ``time_clock/timesheet``. */
export interface TimesheetResponse {
  start: string;
  end: string;
  time_zone: string;
  retention_days: number;
  earliest: string;
  employees: TimesheetEmployee[];
}

/** The backend's refusal of an employee's last punch (``last_rejection``). */
export interface Rejection {
  code: string;
  message: string;
  time: string;
  action: string;
}
