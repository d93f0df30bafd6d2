// The follow-up: when the group meets again (a date and time the facilitator picks in their own
// time zone, sent with its offset from UTC), for how long, what the map will be used for, notes;
// everyone sees it in their own time and can download the invitation (.ics) once it has a time.
// Shapes: docs/protocol.md (`followup`, the board's `followup`).

import { onOutcome, workPanel } from "./panels.js";

// What the map is for, in words, as the server names it (workshops/services/agenda.py PURPOSES).
const PURPOSES = JSON.parse(document.getElementById("followup-purposes")?.textContent ?? "{}");
const purposeLabel = (key) => {
  const said = PURPOSES[key] ?? key;
  return said.charAt(0).toUpperCase() + said.slice(1);
};
const pad = (value) => String(value).padStart(2, "0");

// "2027-01-14T10:00" (a datetime-local field, in this browser's time zone) as ISO 8601 with the
// offset from UTC of that day: "2027-01-14T10:00:00+01:00".
export function isoWithOffset(local) {
  const date = new Date(local);
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  const seconds = local.length === 16 ? ":00" : "";
  return `${local}${seconds}${sign}${hours}:${pad(Math.abs(offset) % 60)}`;
}

// A moment as a datetime-local field shows it, in this browser's time zone.
export function localValue(iso) {
  const date = new Date(iso);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function wireFollowup(context) {
  if (document.getElementById("followup-panel")) new Followup(context);
}

class Followup {
  constructor({ live }) {
    this.live = live;
    this.root = document.getElementById("followup-panel");
    this.form = this.root.querySelector("[data-followup-form]");
    const board = JSON.parse(document.getElementById("board-state")?.textContent ?? "{}");
    this.state = board.followup ?? null;
    this.panel = workPanel("followup", "follow_up", () => this.later());
    document.addEventListener("board:state", (event) => {
      const followup = event.detail.followup ?? null;
      if (JSON.stringify(followup) === JSON.stringify(this.state)) return;
      this.state = followup;
      this.render();
    });
    onOutcome(live, "followup", {
      confirmed: () => this.saved(),
      refused: (sent, message) => {
        this.showError(message.message); // beside the form: the notice need not say it again
        return true;
      },
    });
    this.wireForm();
    this.render();
  }

  // This browser's time zone, asked for when first shown: the page's first use of the
  // browser's date formats costs ~10 ms, which a participant's page need not pay as it loads.
  #zone = null;
  get zone() {
    this.#zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
    return this.#zone;
  }

  later() {
    queueMicrotask(() => this.render());
  }

  wireForm() {
    if (!this.form) return;
    this.form.addEventListener("input", () => {
      this.form.dataset.dirty = "1";
      this.showError(null);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const { at, minutes, notes } = this.form.elements;
      const length = Number(minutes.value);
      if (!Number.isInteger(length) || length < 15 || length > 480) {
        return this.showError("A follow-up meeting lasts 15 minutes to 8 hours (480 minutes).", minutes);
      }
      if (at.value && Number.isNaN(new Date(at.value).getTime())) return this.showError("Give a date and a time.", at);
      this.live.send(
        {
          type: "followup",
          at: at.value ? isoWithOffset(at.value) : "",
          minutes: length,
          purposes: [...this.form.querySelectorAll("input[name=purposes]:checked")].map((box) => box.value),
          notes: notes.value.trim(),
        },
        { work: "followup" },
      );
    });
  }

  saved() {
    delete this.form.dataset.dirty;
    const said = this.form.querySelector("[data-said]");
    said.textContent = "✓ Saved: everyone sees it now.";
    clearTimeout(this.saidTimer);
    this.saidTimer = setTimeout(() => (said.textContent = ""), 5000);
    this.render();
  }

  showError(message, field = null) {
    if (!this.form) return;
    const error = this.form.querySelector("[data-error]");
    error.hidden = !message;
    error.textContent = message ?? "";
    error.id ||= "followup-error";
    this.form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    if (message) {
      const target = field ?? this.form.elements.at;
      target.setAttribute("aria-invalid", "true");
      target.focus();
    }
  }

  render() {
    const state = this.state;
    const at = state?.at ? new Date(state.at) : null;
    this.panel.summary(at ? at.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" }) : "");
    const when = this.root.querySelector("[data-followup=when]");
    when.replaceChildren();
    if (at) {
      const end = new Date(at.getTime() + state.minutes * 60_000);
      const day = at.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
      const times = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" }).formatRange(at, end);
      const strong = document.createElement("strong");
      strong.textContent = day;
      const zone = document.createElement("span");
      zone.className = "followup-zone";
      zone.textContent = `In your time zone (${this.zone})`;
      when.append(strong, document.createElement("br"), `${times} · ${state.minutes} minutes`, document.createElement("br"), zone);
    } else {
      when.textContent = this.form ? "No date yet: set it below." : "No date yet: the facilitator sets it.";
    }
    const purposes = this.root.querySelector("[data-followup=purposes]");
    purposes.replaceChildren(
      ...(state?.purposes ?? []).map((purpose) => {
        const item = document.createElement("li");
        item.textContent = purposeLabel(purpose);
        return item;
      }),
    );
    purposes.hidden = !purposes.children.length;
    const notes = this.root.querySelector("[data-followup=notes]");
    notes.textContent = state?.notes ?? "";
    notes.hidden = !state?.notes;
    this.root.querySelector("[data-followup=ics-row]").hidden = !at;
    this.fillForm(at);
  }

  fillForm(at) {
    if (!this.form) return;
    this.form.querySelector("[data-followup=zone]").textContent = `In your time zone (${this.zone}); everyone sees it in theirs.`;
    this.form.querySelector("[data-followup=form-title]").textContent = at ? "Change the follow-up" : "Set the follow-up";
    const typing = this.form.contains(document.activeElement) && document.activeElement.matches("input, textarea");
    if (this.form.dataset.dirty || typing) return;
    const state = this.state;
    const { at: when, minutes, notes } = this.form.elements;
    when.value = at ? localValue(state.at) : "";
    minutes.value = String(state?.minutes ?? 60);
    notes.value = state?.notes ?? "";
    this.form.querySelectorAll("input[name=purposes]").forEach((box) => (box.checked = (state?.purposes ?? []).includes(box.value)));
  }
}
