// The card's visual editor: mode, title, accounts and employees, with Home Assistant's ha-form.

import { LitElement, html, nothing, type TemplateResult } from "lit";
import { localizer, type Localizer } from "./localize";
import { errorMessage } from "./model";
import type { Key } from "./translations";
import type { AccountInfo, AccountsResponse, CardConfig, HomeAssistant } from "./types";

/** One field of ha-form's schema. */
export interface FormField {
  name: string;
  selector: Record<string, unknown>;
}

/** Return the editor's form: mode, title, accounts, and the employees of those accounts. */
export function editorSchema(
  accounts: AccountInfo[],
  config: CardConfig,
  l: Localizer,
): FormField[] {
  const chosen = new Set(config.accounts ?? []);
  const employees = accounts
    .filter((account) => !chosen.size || chosen.has(account.entry_id))
    .flatMap((account) =>
      account.employees.map((employee) => ({
        value: employee.employee_id,
        label: accounts.length > 1 ? `${employee.name} (${account.title})` : employee.name,
      })),
    );
  return [
    {
      name: "mode",
      selector: {
        select: {
          mode: "list",
          options: [
            { value: "kiosk", label: l.t("mode_kiosk") },
            { value: "admin", label: l.t("mode_admin") },
          ],
        },
      },
    },
    { name: "title", selector: { text: {} } },
    {
      name: "accounts",
      selector: {
        select: {
          multiple: true,
          mode: "list",
          options: accounts.map((account) => ({ value: account.entry_id, label: account.title })),
        },
      },
    },
    { name: "employees", selector: { select: { multiple: true, mode: "list", options: employees } } },
  ];
}

/** Return the card configuration of the form's values: empty choices left out. */
export function configOf(
  previous: CardConfig,
  value: Record<string, unknown>,
  accounts: AccountInfo[],
): CardConfig {
  const config: CardConfig = { ...previous, type: previous.type || "custom:time-clock-card" };
  config.mode = value.mode === "admin" ? "admin" : "kiosk";
  const title = typeof value.title === "string" ? value.title.trim() : "";
  if (title) config.title = title;
  else delete config.title;
  const known = new Set(accounts.map((account) => account.entry_id));
  const chosen = Array.isArray(value.accounts)
    ? value.accounts.filter((id): id is string => typeof id === "string" && known.has(id))
    : [];
  if (chosen.length) config.accounts = chosen;
  else delete config.accounts;
  // Employees of accounts no longer chosen go with them.
  const open = new Set(
    accounts
      .filter((account) => !chosen.length || chosen.includes(account.entry_id))
      .flatMap((account) => account.employees.map((employee) => employee.employee_id)),
  );
  const employees = Array.isArray(value.employees)
    ? value.employees.filter((id): id is string => typeof id === "string" && open.has(id))
    : [];
  if (employees.length) config.employees = employees;
  else delete config.employees;
  return config;
}

/** The editor element ``time-clock-card-editor``. */
export class TimeClockCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _accounts: { state: true },
    _error: { state: true },
  };

  declare hass?: HomeAssistant;
  declare _config: CardConfig | undefined;
  declare _accounts: AccountInfo[] | undefined;
  declare _error: string | undefined;

  private _loading = false;

  /** Take the card's configuration from the dashboard editor. */
  setConfig(config: CardConfig): void {
    this._config = { ...config };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void loadHaForm();
  }

  protected override willUpdate(): void {
    if (this.hass && !this._accounts && !this._loading && !this._error) void this._load();
  }

  /** Ask Home Assistant for the accounts to choose from. */
  private async _load(): Promise<void> {
    if (!this.hass) return;
    this._loading = true;
    try {
      const answer = await this.hass.callWS<AccountsResponse>({ type: "time_clock/accounts" });
      this._accounts = answer.accounts;
    } catch (error) {
      this._error = errorMessage(error) || String(error);
    } finally {
      this._loading = false;
    }
  }

  /** Tell the dashboard editor about a changed configuration. */
  private _changed(event: CustomEvent<{ value: Record<string, unknown> }>): void {
    event.stopPropagation();
    if (!this._config) return;
    this._config = configOf(this._config, event.detail.value, this._accounts ?? []);
    this.dispatchEvent(
      new CustomEvent("config-changed", {
        detail: { config: this._config },
        bubbles: true,
        composed: true,
      }),
    );
  }

  protected override render(): TemplateResult | typeof nothing {
    if (!this.hass || !this._config) return nothing;
    const l = localizer(this.hass);
    if (this._error) {
      return html`<p class="error">${l.t("load_failed", { message: this._error })}</p>`;
    }
    const data = { mode: "kiosk", accounts: [], employees: [], ...this._config };
    return html`<ha-form
      .hass=${this.hass}
      .data=${data}
      .schema=${editorSchema(this._accounts ?? [], this._config, l)}
      .computeLabel=${(field: FormField) => l.t(`editor_${field.name}` as Key)}
      .computeHelper=${(field: FormField) =>
        field.name === "accounts" || field.name === "employees"
          ? l.t(`editor_${field.name}_helper` as Key)
          : undefined}
      @value-changed=${this._changed}
    ></ha-form>`;
  }
}

interface CardHelpers {
  createCardElement(config: Record<string, unknown>): HTMLElement;
}

/** Make sure Home Assistant's ha-form is defined (it loads with a core card's editor). */
export async function loadHaForm(): Promise<void> {
  if (customElements.get("ha-form")) return;
  const helpers = await (
    window as unknown as { loadCardHelpers?: () => Promise<CardHelpers> }
  ).loadCardHelpers?.();
  const card = helpers?.createCardElement({ type: "entities", entities: [] });
  const ctor = card?.constructor as { getConfigElement?: () => Promise<unknown> } | undefined;
  await ctor?.getConfigElement?.();
}
