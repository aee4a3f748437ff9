// The card's look: Home Assistant's theme variables, big touch targets in kiosk mode.

import { css } from "lit";

export const cardStyles = css`
  :host {
    display: block;
    --tc-on: var(--success-color, #43a047);
    --tc-off: var(--secondary-text-color, #727272);
    --tc-error: var(--error-color, #db4437);
    --tc-warning: var(--warning-color, #ffa600);
    --tc-gap: 12px;
  }
  ha-card {
    padding: 16px;
    box-sizing: border-box;
    height: 100%;
  }
  h1.title {
    margin: 0 0 12px;
    font-size: 1.5rem;
    font-weight: 400;
    color: var(--primary-text-color);
  }
  .message {
    color: var(--secondary-text-color);
    margin: 8px 0;
  }
  .message.error {
    color: var(--tc-error);
  }
  .tiles {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr));
    gap: var(--tc-gap);
  }
  .tile {
    all: unset;
    box-sizing: border-box;
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-height: 132px;
    padding: 16px;
    border-radius: var(--ha-card-border-radius, 12px);
    border: 2px solid var(--divider-color, #e0e0e0);
    border-left: 8px solid var(--tc-off);
    background: var(--secondary-background-color, #f5f5f5);
    color: var(--primary-text-color);
    cursor: pointer;
    touch-action: manipulation;
    -webkit-tap-highlight-color: transparent;
    contain: content;
  }
  .tile:focus-visible {
    outline: 3px solid var(--primary-color);
    outline-offset: 2px;
  }
  .tile:active {
    transform: scale(0.98);
  }
  .tile.on {
    border-left-color: var(--tc-on);
  }
  .tile[aria-busy="true"] {
    opacity: 0.7;
    cursor: progress;
  }
  .name {
    font-size: 1.35rem;
    font-weight: 500;
    line-height: 1.25;
    overflow-wrap: anywhere;
  }
  .status {
    font-size: 1.05rem;
    font-weight: 500;
    color: var(--tc-off);
  }
  .on .status {
    color: var(--tc-on);
  }
  .detail {
    color: var(--secondary-text-color);
    font-size: 0.95rem;
  }
  .note {
    font-size: 0.9rem;
    border-radius: 6px;
    padding: 4px 8px;
    margin-top: 4px;
  }
  .note.pending {
    background: color-mix(in srgb, var(--tc-warning) 18%, transparent);
  }
  .note.error {
    background: color-mix(in srgb, var(--tc-error) 16%, transparent);
    color: var(--primary-text-color);
  }
  .note.ok {
    background: color-mix(in srgb, var(--tc-on) 18%, transparent);
  }
  .backdrop {
    position: fixed;
    inset: 0;
    z-index: 10;
    display: flex;
    align-items: center;
    justify-content: center;
    padding: 16px;
    background: rgba(0, 0, 0, 0.45);
  }
  .dialog {
    width: min(100%, 460px);
    box-sizing: border-box;
    padding: 24px;
    border-radius: var(--ha-dialog-border-radius, 24px);
    background: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--primary-text-color);
    box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);
  }
  .question {
    font-size: 1.5rem;
    margin: 0 0 24px;
    line-height: 1.3;
  }
  .actions {
    display: flex;
    gap: 12px;
  }
  .actions button,
  .retry {
    all: unset;
    box-sizing: border-box;
    flex: 1;
    min-height: 56px;
    padding: 0 16px;
    border-radius: 28px;
    text-align: center;
    font-size: 1.1rem;
    font-weight: 500;
    cursor: pointer;
    touch-action: manipulation;
  }
  .actions button:focus-visible,
  .retry:focus-visible {
    outline: 3px solid var(--primary-color);
    outline-offset: 2px;
  }
  .actions .cancel {
    background: var(--secondary-background-color, #f0f0f0);
    color: var(--primary-text-color);
  }
  .actions .confirm {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .account + .account {
    margin-top: 24px;
    padding-top: 16px;
    border-top: 1px solid var(--divider-color, #e0e0e0);
  }
  .account h2 {
    margin: 0 0 8px;
    font-size: 1.2rem;
    font-weight: 500;
  }
  .backend {
    color: var(--secondary-text-color);
    font-weight: 400;
    font-size: 0.95rem;
  }
  .stats {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
    gap: 8px 16px;
    margin: 0 0 12px;
  }
  .stats div {
    display: flex;
    flex-direction: column;
  }
  .stats dt {
    color: var(--secondary-text-color);
    font-size: 0.85rem;
  }
  .stats dd {
    margin: 0;
    font-size: 1.05rem;
  }
  .bad {
    color: var(--tc-error);
  }
  .good {
    color: var(--tc-on);
  }
  a {
    color: var(--primary-color);
  }
  .retry {
    flex: none;
    min-height: 40px;
    border-radius: 20px;
    font-size: 0.95rem;
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .retry[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  .retry-row {
    display: flex;
    align-items: center;
    gap: 12px;
    flex-wrap: wrap;
  }
  h3 {
    margin: 16px 0 8px;
    font-size: 1rem;
    font-weight: 500;
  }
  .week {
    display: grid;
    grid-template-columns: minmax(90px, 1.4fr) repeat(7, minmax(30px, 1fr)) minmax(52px, auto);
    gap: 2px 6px;
    align-items: end;
    font-size: 0.8rem;
  }
  .week .head {
    color: var(--secondary-text-color);
    text-align: center;
  }
  .week .who {
    align-self: center;
    font-size: 0.95rem;
    overflow-wrap: anywhere;
  }
  .day {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 2px;
  }
  .bar {
    width: 70%;
    max-width: 22px;
    min-height: 2px;
    border-radius: 3px 3px 0 0;
    background: var(--primary-color);
  }
  .bar.open {
    background: var(--tc-on);
  }
  .bar-box {
    height: 64px;
    display: flex;
    align-items: flex-end;
    justify-content: center;
    width: 100%;
  }
  .num {
    color: var(--secondary-text-color);
    font-variant-numeric: tabular-nums;
  }
  .sum {
    align-self: center;
    text-align: right;
    font-weight: 500;
    font-variant-numeric: tabular-nums;
  }
`;
