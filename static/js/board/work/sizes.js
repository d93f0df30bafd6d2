// Sizes and times in words, as workshops/timings.py says them: the board's scale (what S, M, L
// mean in days, shown in the timings panel and changed there by facilitators), an estimate
// ({low, high, unit}) as "2-5 days", and a row of size buttons (radio buttons) for the timings
// panel and the estimation round.

import { make } from "./panels.js";

export const SIZE_ORDER = ["XS", "S", "M", "L", "XL"];
export const SIZE_WORDS = { XS: "extra small", S: "small", M: "medium", L: "large", XL: "extra large" };

const number = (value) => (Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2))));

// The board's scale, kept as its state says it: `sizes` ({"S": [0, 1], ...}) and `calendar_days`.
export class Scale {
  constructor(state) {
    this.set(state);
  }

  set(state) {
    this.sizes = state.sizes ?? {};
    this.calendar = Boolean(state.calendar_days);
  }

  same(state) {
    return JSON.stringify(state.sizes ?? {}) === JSON.stringify(this.sizes) && Boolean(state.calendar_days) === this.calendar;
  }

  // The sizes this board has, shortest first.
  get list() {
    return SIZE_ORDER.filter((size) => size in this.sizes);
  }

  // What a size means, in days (or hours, when under a day).
  words(size) {
    const [low, high] = this.sizes[size];
    if (high < 1) {
      const hours = (days) => number(days * (this.calendar ? 24 : 8));
      return low > 0 ? `${hours(low)}-${hours(high)} hours` : `up to ${hours(high)} hours`;
    }
    const days = high === 1 ? "day" : "days";
    return low > 0 ? `${number(low)}-${number(high)} ${days}` : `up to ${number(high)} ${days}`;
  }

  // Radio buttons for the board's sizes in `fieldset` (its legend names what is sized); the one
  // checked is `current`.
  radios(fieldset, name, current) {
    const sizes = this.list;
    const signature = `${name}:${JSON.stringify([this.sizes, this.calendar])}`;
    if (fieldset.dataset.sizes !== signature) {
      fieldset.dataset.sizes = signature;
      fieldset.querySelectorAll("label").forEach((label) => label.remove());
      for (const size of sizes) {
        const label = make("label", "size-option");
        label.title = `${size}: ${SIZE_WORDS[size]}, ${this.words(size)}`;
        const input = make("input");
        Object.assign(input, { type: "radio", name, value: size });
        input.setAttribute("aria-label", `${size} (${this.words(size)})`);
        const shown = make("span", "", size);
        shown.setAttribute("aria-hidden", "true");
        label.append(input, shown);
        fieldset.append(label);
      }
    }
    fieldset.querySelectorAll("input").forEach((input) => (input.checked = input.value === current));
  }

  // The scale as the panel shows it (`section`), with the facilitator's form to change it: each
  // size from and to (XS and XL may be left out), working or calendar days.
  show(section, refusal) {
    const signature = JSON.stringify([this.sizes, this.calendar]);
    section.querySelector("[data-scale=days]").textContent = this.calendar ? "in calendar days" : "in working days";
    const list = section.querySelector("[data-scale=list]");
    if (list.dataset.shown !== signature) {
      list.dataset.shown = signature;
      list.replaceChildren(
        ...this.list.map((size) => {
          const item = make("div", "scale-item");
          item.append(make("dt", "", size), make("dd", "", this.words(size)));
          return item;
        }),
      );
    }
    const form = section.querySelector("[data-scale=form]");
    if (!form) return;
    const error = form.querySelector("[data-error]");
    error.hidden = !refusal;
    error.textContent = refusal ?? "";
    // The facilitator's changes stay while they are not saved; a new scale is shown once they are.
    if (form.dataset.dirty || form.dataset.shown === signature) return;
    form.dataset.shown = signature;
    form.querySelector("[data-scale=rows]").replaceChildren(...SIZE_ORDER.map((size) => this.row(size)));
    form.querySelectorAll("input[name=calendar_days]").forEach((radio) => (radio.checked = radio.value === (this.calendar ? "1" : "0")));
  }

  row(size) {
    const row = make("div", "scale-row");
    row.dataset.size = size;
    const bounds = this.sizes[size] ?? { XS: [0, 0.25], XL: [20, 60] }[size] ?? [0, 1];
    const name = make("span", "scale-size", size);
    if (size === "XS" || size === "XL") {
      const use = make("input");
      use.type = "checkbox";
      use.checked = size in this.sizes;
      use.setAttribute("aria-label", `Use ${size}`);
      const label = make("label", "scale-use");
      label.append(use, name);
      row.append(label);
    } else row.append(name);
    for (const [index, words] of [[0, "from"], [1, "to"]]) {
      const input = make("input");
      Object.assign(input, { type: "number", min: "0", step: "any", value: String(bounds[index]) });
      input.setAttribute("inputmode", "decimal");
      input.setAttribute("aria-label", `${size} ${words} (days)`);
      row.append(make("span", "scale-word", words), input);
    }
    row.append(make("span", "scale-word", "days"));
    return row;
  }

  wireForm(form, { send, refuse }) {
    if (!form) return;
    form.addEventListener("input", () => (form.dataset.dirty = "1"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const sizes = {};
      for (const row of form.querySelectorAll(".scale-row")) {
        const used = row.querySelector("input[type=checkbox]");
        if (used && !used.checked) continue;
        const [low, high] = [...row.querySelectorAll("input[type=number]")].map((input) => input.value.trim());
        if (low === "" || high === "") return refuse(`Size ${row.dataset.size} needs two numbers of days: from and to.`);
        sizes[row.dataset.size] = [Number(low), Number(high)];
      }
      const calendar = form.querySelector("input[name=calendar_days]:checked")?.value === "1";
      send({ type: "board", sizes, calendar_days: calendar }, { key: "scale", then: () => delete form.dataset.dirty });
    });
  }
}

// An estimate as the server keeps it ({low, high, unit}) in words.
export function estimateText(estimate) {
  if (!estimate) return "";
  const unit = estimate.high === 1 ? estimate.unit.slice(0, -1) : estimate.unit;
  const low = number(estimate.low);
  return estimate.low === estimate.high ? `${low} ${unit}` : `${low}-${number(estimate.high)} ${unit}`;
}
