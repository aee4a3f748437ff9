// The Time Clock card: a door tablet (a tile per employee) or an admin view.

import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { localizer, type Localizer } from "./localize";
import {
  BACKEND_NAMES,
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
  type Tile,
} from "./model";
import { cardStyles } from "./styles";
import type {
  AccountInfo,
  AccountsResponse,
  CardConfig,
  HomeAssistant,
  TimesheetResponse,
} from "./types";

export const DOMAIN = "time_clock";
/** How long a question waits for an answer before it closes (someone walked away). */
export const CONFIRM_TIMEOUT_MS = 20_000;
/** How long a tile shows a punch that went through, and one that failed. */
export const OK_SHOWN_MS = 5_000;
export const ERROR_SHOWN_MS = 30_000;
/** How often the admin view asks for this week's hours again. */
export const WEEK_REFRESH_MS = 60_000;
/** How long after a device change the accounts are asked for again (bursts of adds). */
export const RELOAD_DELAY_MS = 1_000;

/** A result shown on a tile or next to an account's retry button. */
export interface Result {
  kind: "busy" | "ok" | "error";
  text: string;
  /** The action that went through (a tile shows its outcome at once). */
  action?: "clock_in" | "clock_out";
}

/** This week's hours of one account, or why they are missing. */
export interface WeekData {
  start: string;
  timesheet?: TimesheetResponse;
  error?: string;
}

/** Navigate inside Home Assistant's app without reloading the page. */
export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
}

/** The card element ``custom:time-clock-card``. */
export class TimeClockCard extends LitElement {
  static override styles = cardStyles;

  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _accounts: { state: true },
    _loadError: { state: true },
    _confirm: { state: true },
    _results: { state: true },
    _week: { state: true },
    _retry: { state: true },
  };

  declare hass?: HomeAssistant;
  declare _config: CardConfig;
  declare _accounts: AccountInfo[] | undefined;
  declare _loadError: string | undefined;
  declare _confirm: Tile | undefined;
  declare _results: Map<string, Result>;
  declare _week: Map<string, WeekData>;
  declare _retry: Map<string, Result>;

  private _shown: AccountInfo[] = [];
  private _watched: string[] = [];
  private _loading?: Promise<void>;
  private _unsubscribe?: Promise<() => Promise<void> | void>;
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private _weekTimer?: ReturnType<typeof setInterval>;
  private _reloadTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this._config = { type: "custom:time-clock-card" };
    this._results = new Map();
    this._week = new Map();
    this._retry = new Map();
  }

  /** Return the editor element (Home Assistant's visual card editor). */
  static getConfigElement(): HTMLElement {
    return document.createElement("time-clock-card-editor");
  }

  /** Return the configuration of a card just added from the picker. */
  static getStubConfig(): Omit<CardConfig, "type"> {
    return { mode: "kiosk" };
  }

  /** Take the card's configuration from the dashboard. */
  setConfig(config: CardConfig): void {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    if (config.mode && config.mode !== "kiosk" && config.mode !== "admin") {
      throw new Error(`Unknown mode: ${String(config.mode)}`);
    }
    this._config = { ...config };
    this._select();
    if (this.hass && this.isConnected) {
      this._start();
      void this._loadWeek();
    }
  }

  /** Return the card's height in rows of 50 px (masonry view). */
  getCardSize(): number {
    const employees = this._shown.reduce((sum, account) => sum + account.employees.length, 0);
    return this._config.mode === "admin"
      ? 2 + this._shown.length * 3 + employees
      : 1 + Math.ceil(Math.max(employees, 1) / 2) * 3;
  }

  /** Return the card's size in the sections view: full width. */
  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 6 };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hass) this._start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stop();
  }

  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (changed.size > 1 || !changed.has("hass")) return true;
    const before = changed.get("hass") as HomeAssistant | undefined;
    const after = this.hass;
    if (!after) return false;
    return (
      statesChanged(this._watched, before, after) ||
      before?.locale !== after.locale ||
      before?.language !== after.language ||
      before?.themes?.darkMode !== after.themes?.darkMode
    );
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("hass") && this.hass && !changed.get("hass")) this._start();
  }

  /** Load the accounts and listen for employees added or removed. */
  private _start(): void {
    if (!this.hass || !this.isConnected) return;
    if (!this._accounts && !this._loading) void this._load();
    if (!this._unsubscribe) {
      this._unsubscribe = this.hass.connection
        .subscribeEvents(() => this._scheduleReload(), "device_registry_updated")
        .catch(() => () => undefined);
    }
    if (this._config.mode === "admin" && !this._weekTimer) {
      this._weekTimer = setInterval(() => void this._loadWeek(), WEEK_REFRESH_MS);
    }
  }

  /** Stop the timers and the subscription. */
  private _stop(): void {
    void this._unsubscribe?.then((unsubscribe) => unsubscribe());
    this._unsubscribe = undefined;
    clearInterval(this._weekTimer);
    this._weekTimer = undefined;
    clearTimeout(this._reloadTimer);
    for (const timer of this._timers.values()) clearTimeout(timer);
    this._timers.clear();
  }

  /** Ask for the accounts again a moment after a device change. */
  private _scheduleReload(): void {
    clearTimeout(this._reloadTimer);
    this._reloadTimer = setTimeout(() => void this._load(), RELOAD_DELAY_MS);
  }

  /** Ask Home Assistant for the accounts and their employees. */
  private _load(): Promise<void> {
    const hass = this.hass;
    if (!hass) return Promise.resolve();
    this._loading = (async () => {
      try {
        const answer = await hass.callWS<AccountsResponse>({ type: `${DOMAIN}/accounts` });
        this._accounts = answer.accounts;
        this._loadError = undefined;
      } catch (error) {
        this._loadError = errorMessage(error) || String(error);
      } finally {
        this._loading = undefined;
      }
      this._select();
      if (this._config.mode === "admin") await this._loadWeek();
    })();
    return this._loading;
  }

  /** Note which accounts, employees and entities the card shows. */
  private _select(): void {
    this._shown = selectAccounts(this._accounts ?? [], this._config);
    this._watched = watchedEntities(this._shown);
  }

  /** Ask for this week's hours of every shown account. */
  private async _loadWeek(): Promise<void> {
    const hass = this.hass;
    if (!hass || this._config.mode !== "admin") return;
    const { start, end } = weekOf(new Date(), hass.config.time_zone);
    const employees = this._config.employees?.length ? this._config.employees : undefined;
    const results = await Promise.all(
      this._shown.map(async (account): Promise<[string, WeekData]> => {
        try {
          const timesheet = await hass.callWS<TimesheetResponse>({
            type: `${DOMAIN}/timesheet`,
            start,
            end,
            entry_id: account.entry_id,
            ...(employees ? { employees } : {}),
          });
          return [account.entry_id, { start, timesheet }];
        } catch (error) {
          return [account.entry_id, { start, error: errorMessage(error) || String(error) }];
        }
      }),
    );
    this._week = new Map(results);
  }

  /** Show a result on a tile (or an account) and take it away after ``ms``. */
  private _show(
    map: "_results" | "_retry",
    key: string,
    result: Result | undefined,
    ms?: number,
  ): void {
    const next = new Map(this[map]);
    if (result) next.set(key, result);
    else next.delete(key);
    this[map] = next;
    const timerKey = `${map}:${key}`;
    clearTimeout(this._timers.get(timerKey));
    this._timers.delete(timerKey);
    if (result && ms) {
      this._timers.set(
        timerKey,
        setTimeout(() => this._show(map, key, undefined), ms),
      );
    }
  }

  /** Ask whether to punch the employee of a tile. */
  private _ask(tile: Tile): void {
    if (this._results.get(tile.employeeId)?.kind === "busy") return;
    this._confirm = tile;
    clearTimeout(this._timers.get("confirm"));
    this._timers.set(
      "confirm",
      setTimeout(() => (this._confirm = undefined), CONFIRM_TIMEOUT_MS),
    );
  }

  /** Close the question without punching. */
  private _cancel(): void {
    clearTimeout(this._timers.get("confirm"));
    this._confirm = undefined;
  }

  /** Punch the employee the question was about, and show how it went on the tile. */
  async _punch(tile: Tile): Promise<void> {
    const hass = this.hass;
    this._cancel();
    if (!hass) return;
    const l = localizer(hass);
    const action = actionOf(tile);
    this._show("_results", tile.employeeId, { kind: "busy", text: l.t("working") });
    try {
      await hass.callService(DOMAIN, "punch", {}, { device_id: tile.deviceId }, false);
      const key = action === "clock_in" ? "clocked_in" : "clocked_out";
      this._show(
        "_results",
        tile.employeeId,
        { kind: "ok", action, text: l.t(key, { time: l.time(new Date()) }) },
        OK_SHOWN_MS,
      );
    } catch (error) {
      const message = errorMessage(error);
      this._show(
        "_results",
        tile.employeeId,
        {
          kind: "error",
          text: message ? l.t("failed", { message }) : l.t("failed_no_message"),
        },
        ERROR_SHOWN_MS,
      );
    }
  }

  /** Retry an account's delivery now, then read the figures and the week again. */
  async _retryAccount(account: AccountInfo): Promise<void> {
    const hass = this.hass;
    if (!hass) return;
    const l = localizer(hass);
    this._show("_retry", account.entry_id, { kind: "busy", text: l.t("working") });
    try {
      await hass.callService(DOMAIN, "retry", { account: account.entry_id }, undefined, false);
      this._show("_retry", account.entry_id, { kind: "ok", text: l.t("retry_done") }, OK_SHOWN_MS);
      await this._loadWeek();
    } catch (error) {
      const message = errorMessage(error);
      this._show(
        "_retry",
        account.entry_id,
        { kind: "error", text: message ? l.t("failed", { message }) : l.t("failed_no_message") },
        ERROR_SHOWN_MS,
      );
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    if (!this.hass) return nothing;
    const l = localizer(this.hass);
    return html`<ha-card lang=${l.language}>
      ${this._config.title ? html`<h1 class="title">${this._config.title}</h1>` : nothing}
      ${this._renderBody(l)}
    </ha-card>`;
  }

  /** Return the card's content: a message, the tiles or the admin view. */
  private _renderBody(l: Localizer): TemplateResult {
    if (this._loadError) {
      return html`<p class="message error">${l.t("load_failed", { message: this._loadError })}</p>`;
    }
    if (!this._accounts) return html`<p class="message">${l.t("working")}</p>`;
    if (!this._shown.length) return html`<p class="message">${l.t("no_accounts")}</p>`;
    if (this._config.mode === "admin") {
      return html`${this._shown.map((account) => this._renderAccount(account, l))}`;
    }
    const employees = this._shown.flatMap((account) => account.employees);
    if (!employees.length) return html`<p class="message">${l.t("no_employees")}</p>`;
    const states = this.hass?.states ?? {};
    return html`<div class="tiles">
        ${employees.map((employee) => this._renderTile(tileOf(employee, states), l))}
      </div>
      ${this._confirm ? this._renderConfirm(this._confirm, l) : nothing}`;
  }

  /** Return one employee's tile. */
  private _renderTile(tile: Tile, l: Localizer): TemplateResult {
    const result = this._results.get(tile.employeeId);
    // A punch that went through shows at once, before the state change arrives.
    const state =
      result?.kind === "ok" ? (result.action === "clock_in" ? "on" : "off") : tile.state;
    const status =
      state === "on" ? l.t("on_shift") : state === "off" ? l.t("off_shift") : l.t("state_unknown");
    return html`<button
      class="tile ${state}"
      data-employee=${tile.employeeId}
      aria-busy=${result?.kind === "busy" ? "true" : "false"}
      @click=${() => this._ask(tile)}
    >
      <span class="name">${tile.name}</span>
      <span class="status">${status}</span>
      ${state === "on" && tile.since && result?.kind !== "ok"
        ? html`<span class="detail since">${l.t("since", { time: l.time(tile.since) })}</span>`
        : nothing}
      ${tile.workedHours !== null
        ? html`<span class="detail worked"
            >${l.t("worked_today", { duration: l.duration(tile.workedHours) })}</span
          >`
        : nothing}
      ${tile.pending
        ? html`<span class="note pending">${l.plural("pending", tile.pending)}</span>`
        : nothing}
      ${tile.rejection
        ? html`<span class="note error rejection"
            >${l.t("rejected", { message: tile.rejection.message })}</span
          >`
        : nothing}
      ${result
        ? html`<span class="note result ${result.kind}" role="status">${result.text}</span>`
        : nothing}
    </button>`;
  }

  /** Return the question asked before a punch. */
  private _renderConfirm(tile: Tile, l: Localizer): TemplateResult {
    const action = actionOf(tile);
    const question = l.t(action === "clock_in" ? "confirm_clock_in" : "confirm_clock_out", {
      name: tile.name,
    });
    return html`<div class="backdrop" @click=${() => this._cancel()}>
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-label=${question}
        @click=${(event: Event) => event.stopPropagation()}
      >
        <p class="question">${question}</p>
        <div class="actions">
          <button class="cancel" @click=${() => this._cancel()}>${l.t("cancel")}</button>
          <button class="confirm" @click=${() => void this._punch(tile)}>
            ${l.t(action)}
          </button>
        </div>
      </div>
    </div>`;
  }

  /** Return one account's delivery figures and this week's hours. */
  private _renderAccount(account: AccountInfo, l: Localizer): TemplateResult {
    const status = accountStatus(account, this.hass?.states ?? {});
    const retry = this._retry.get(account.entry_id);
    const reachable =
      status.reachable === "on"
        ? html`<span class="good">${l.t("reachable")}</span>`
        : status.reachable === "off"
          ? html`<span class="bad">${l.t("unreachable")}</span>`
          : l.t("state_unknown");
    return html`<section class="account" data-account=${account.entry_id}>
      <h2>
        ${account.title}
        <span class="backend"
          >${account.backend === "local"
            ? l.t("backend_local")
            : (BACKEND_NAMES[account.backend] ?? account.backend)}</span
        >
      </h2>
      <dl class="stats">
        <div>
          <dt>${l.t("waiting_label")}</dt>
          <dd class="pending">${status.pending ?? "—"}</dd>
        </div>
        <div>
          <dt>${l.t("backend_label")}</dt>
          <dd class="reachable">${reachable}</dd>
        </div>
        <div>
          <dt>${l.t("last_delivery_label")}</dt>
          <dd class="last-delivery">
            ${status.lastDelivery ? l.dateTime(status.lastDelivery) : l.t("never")}
          </dd>
        </div>
        <div>
          <dt>${l.t("failed_label")}</dt>
          <dd class="failed">
            <span class=${status.failed ? "bad" : ""}>${status.failed ?? "—"}</span>
            ${status.failed
              ? html` ·
                  <a
                    href="/config/repairs"
                    @click=${(event: Event) => {
                      event.preventDefault();
                      navigate("/config/repairs");
                    }}
                    >${l.t("open_repairs")}</a
                  >`
              : nothing}
          </dd>
        </div>
      </dl>
      <div class="retry-row">
        <button
          class="retry"
          ?disabled=${retry?.kind === "busy"}
          @click=${() => void this._retryAccount(account)}
        >
          ${l.t("retry")}
        </button>
        ${retry && retry.kind !== "busy"
          ? html`<span class="note ${retry.kind}" role="status">${retry.text}</span>`
          : nothing}
      </div>
      ${this._renderWeek(account, l)}
    </section>`;
  }

  /** Return the bar chart of this week's hours per employee, Monday to Sunday. */
  private _renderWeek(account: AccountInfo, l: Localizer): TemplateResult {
    const week = this._week.get(account.entry_id);
    if (!week) return html`<h3>${l.t("this_week")}</h3>`;
    if (week.error) {
      return html`<h3>${l.t("this_week")}</h3>
        <p class="message error">${l.t("week_failed", { message: week.error })}</p>`;
    }
    const sheets = new Map(
      (week.timesheet?.employees ?? []).map((employee) => [employee.employee_id, employee]),
    );
    const rows = account.employees.map((employee) => ({
      employee,
      bars: weekBars(sheets.get(employee.employee_id), week.start),
      total: (sheets.get(employee.employee_id)?.total_seconds ?? 0) / 3600,
    }));
    const scale = chartScale(rows.map((row) => row.bars));
    const days = rows[0]?.bars ?? weekBars(undefined, week.start);
    return html`<h3>${l.t("this_week")}</h3>
      <div class="week" role="table">
        <span></span>
        ${days.map((bar) => html`<span class="head">${l.weekday(bar.date)}</span>`)}
        <span class="head">${l.t("total")}</span>
        ${rows.map(
          (row) => html`<span class="who">${row.employee.name}</span>
            ${row.bars.map(
              (bar) => html`<span class="day" title=${`${l.weekday(bar.date)} ${bar.date}`}>
                <span class="bar-box"
                  ><span
                    class="bar ${bar.open ? "open" : ""}"
                    style="height: ${Math.round((bar.hours / scale) * 100)}%"
                  ></span
                ></span>
                <span class="num">${bar.hours ? l.hours(bar.hours) : "–"}</span>
              </span>`,
            )}
            <span class="sum" data-employee=${row.employee.employee_id}
              >${l.hours(row.total)}</span
            >`,
        )}
      </div>`;
  }
}
