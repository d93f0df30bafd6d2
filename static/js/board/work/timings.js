// Timings: how long each step of the timeline takes, as a T-shirt size (the board's scale says
// what each means in days) or a time as people say it ("2-5 days", with its working and waiting
// parts if known); for one event, or for a group of 2-3 side by side sized together. The panel
// lists the timeline's events in order (read from #timeline, kept live); each timed event gets a
// badge on the board ("M · group of 3"). The estimation round: the facilitator starts it on
// the selected step(s), everyone picks a size that nobody else sees (the server keeps picks
// hidden until the reveal), the facilitator shows the picks and records the agreed size.
// Shapes: docs/protocol.md (`timing`, `untime`, `round`, `pick`, the board's `sizes`).

import { quote } from "../page.js";
import { describe } from "./merges.js";
import { People, listOfNames, make, onOutcome, uniqueId, workPanel } from "./panels.js";
import { EstimationRound } from "./round.js";
import { Scale, estimateText } from "./sizes.js";

const MOST_IN_A_GROUP = 3;
const FIELDS = ["estimate", "work", "wait"];

// The time a timing says: its estimate wins over its size (as the insight counts it).
function timeOf(timing) {
  return timing.estimate ? estimateText(timing.estimate) : timing.size ?? "";
}

function splitOf(timing) {
  const parts = [];
  if (timing.work) parts.push(`working ${estimateText(timing.work)}`);
  if (timing.wait) parts.push(`waiting ${estimateText(timing.wait)}`);
  return parts.join(", ");
}

function textOf(sticky) {
  return (sticky.querySelector(".text")?.textContent ?? sticky.querySelector("textarea")?.value ?? "").trim();
}

export function wireTimings(context) {
  if (document.getElementById("timings-panel")) new Timings(context);
}

class Timings {
  constructor({ live, participant }) {
    this.live = live;
    this.root = document.getElementById("timings-panel");
    this.canTime = this.root.dataset.canTime === "1";
    this.list = this.root.querySelector("[data-timing-list]");
    this.people = new People();
    this.scale = new Scale(JSON.parse(document.getElementById("board-state")?.textContent ?? "{}"));
    this.timings = new Map(); // id -> state, live ones
    this.byEvent = new Map(); // event id -> the timing that times it
    this.selected = new Set(); // event ids ticked
    this.errors = new Map(); // a form's key -> the server's refusal, shown beside it
    this.panel = workPanel("timings", "timings", () => this.later());
    this.round = new EstimationRound(this, participant);
    this.wire();
    this.later();
  }

  // --- what arrives ---

  wire() {
    document.addEventListener("board:timing", (event) => this.timing(event.detail));
    // A snapshot brings every timing and the round again: what is not in it is gone.
    document.addEventListener("board:work-reset", () => {
      this.timings.clear();
      this.byEvent.clear();
      document.querySelectorAll(".timing-badge").forEach((mark) => {
        const sticky = mark.closest(".sticky");
        mark.remove();
        if (sticky) describe(sticky);
      });
      document.querySelectorAll(".column.timing-grouped, .column.in-round").forEach((column) => {
        column.classList.remove("timing-grouped", "timing-group-start", "timing-group-end", "in-round");
      });
      this.later();
    });
    document.addEventListener("board:state", (event) => {
      if (this.scale.same(event.detail)) return;
      this.scale.set(event.detail);
      this.later();
    });
    // The timeline changed: an event added, moved, renamed, parked, or the board drawn again.
    document.addEventListener("board:placed", (event) => {
      this.badge(event.detail);
      this.later();
    });
    for (const name of ["board:column-added", "board:column-removed", "board:presence"]) {
      document.addEventListener(name, () => this.later());
    }
    document.addEventListener("board:replaced", () => {
      this.badges();
      this.later();
    });
    onOutcome(this.live, "timings", {
      confirmed: (sent) => this.confirmed(sent),
      refused: (sent, message) => this.refused(sent, message),
    });
    if (!this.canTime) return;
    this.list.addEventListener("change", (event) => this.listChanged(event));
    this.list.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveEstimate(event.target.closest(".timing-item"));
    });
    this.list.addEventListener("input", (event) => this.typed(event.target));
    // Escape in a field being typed in puts back what is saved; in a field left as it was, it
    // closes the panel.
    this.list.addEventListener("keydown", (event) => {
      const input = event.target;
      if (event.key !== "Escape" || !FIELDS.includes(input.name) || !input.dataset.dirty) return;
      event.preventDefault();
      event.stopPropagation();
      const item = input.closest(".timing-item");
      const timing = this.units(this.events()).find((unit) => unit.key === item.dataset.key)?.timing;
      delete input.dataset.dirty;
      delete input.dataset.refused;
      this.errors.delete(item.dataset.key);
      input.value = estimateText(timing?.[input.name]);
      this.later();
    });
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-untime]");
      if (button) this.send({ type: "untime", timing: button.dataset.untime }, { key: button.closest(".timing-item").dataset.key });
    });
    // The step in hand is marked on the board too.
    this.list.addEventListener("focusin", (event) => this.markColumns(event.target.closest(".timing-item")));
    this.list.addEventListener("focusout", () => this.markColumns(null));
    this.wireSelection();
    this.scale.wireForm(this.root.querySelector("[data-scale=form]"), {
      send: (command, meta) => this.send(command, meta),
      refuse: (message) => {
        this.errors.set("scale", message);
        this.later();
      },
    });
  }

  timing(state) {
    const before = this.timings.get(state.id);
    for (const id of before?.events ?? []) if (this.byEvent.get(id)?.id === state.id) this.byEvent.delete(id);
    if (state.deleted) this.timings.delete(state.id);
    else {
      this.timings.set(state.id, state);
      for (const id of state.events) this.byEvent.set(id, state);
    }
    for (const id of new Set([...(before?.events ?? []), ...state.events])) this.badge(id);
    this.later();
  }

  // --- the timeline as the panel lists it ---

  events() {
    const found = [];
    document.querySelectorAll("#timeline > .column").forEach((column) => {
      const sticky = column.querySelector(":scope > .sticky");
      if (sticky && !sticky.classList.contains("is-private")) found.push({ id: column.dataset.id, text: textOf(sticky) });
    });
    found.forEach((event, index) => (event.number = index + 1));
    return found;
  }

  // Steps as they are timed: a group's events together, each other event on its own.
  units(events) {
    const units = [];
    const grouped = new Set();
    for (const event of events) {
      if (grouped.has(event.id)) continue;
      const timing = this.byEvent.get(event.id);
      if (timing && timing.events.length > 1) {
        const members = events.filter((other) => timing.events.includes(other.id));
        members.forEach((member) => grouped.add(member.id));
        units.push({ key: `t:${timing.id}`, events: members, timing });
      } else units.push({ key: `e:${event.id}`, events: [event], timing: timing ?? null });
    }
    return units;
  }

  // --- drawing ---

  later() {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const events = this.events();
    const timed = events.filter((event) => this.byEvent.has(event.id)).length;
    const parts = events.length ? [`${timed}/${events.length} timed`] : [];
    if (this.round.summary) parts.push(this.round.summary);
    this.panel.summary(parts.join(" · "));
    if (!this.panel.isOpen) return;
    const held = this.round.holdsFocus();
    this.scale.show(this.root.querySelector("[data-scale]"), this.errors.get("scale"));
    this.round.render(events);
    this.renderSelection(events);
    this.renderList(events);
    this.round.keepFocus(held);
  }

  renderList(events) {
    const units = this.units(events);
    this.root.querySelector("[data-timing-empty]").hidden = events.length > 0;
    const existing = new Map([...this.list.children].map((item) => [item.dataset.key, item]));
    units.forEach((unit, index) => {
      const item = existing.get(unit.key) ?? this.newItem(unit);
      existing.delete(unit.key);
      this.showItem(item, unit);
      if (this.list.children[index] !== item) this.list.insertBefore(item, this.list.children[index] ?? null);
    });
    for (const item of existing.values()) item.remove();
  }

  newItem(unit) {
    const item = make("li", "timing-item");
    item.dataset.key = unit.key;
    const head = make("div", "timing-head");
    head.append(make("ul", "timing-steps"), make("p", "timing-now"));
    item.append(head);
    if (!this.canTime) return item;
    const controls = make("div", "timing-controls");
    const sizes = make("fieldset", "size-choice");
    sizes.append(make("legend", "visually-hidden"));
    const form = make("form", "estimate-form");
    const id = uniqueId("estimate");
    const label = make("label", "visually-hidden");
    label.htmlFor = id;
    const input = make("input");
    Object.assign(input, { id, name: "estimate", placeholder: "2-5 days", autocomplete: "off" });
    const set = make("button", "small secondary", "Set");
    set.type = "submit";
    const split = make("details", "timing-split");
    split.append(make("summary", "", "Working and waiting time"));
    for (const [name, words] of [["work", "Working"], ["wait", "Waiting"]]) {
      const field = make("div", "split-field");
      const fieldId = uniqueId(name);
      const fieldLabel = make("label", "", words);
      fieldLabel.htmlFor = fieldId;
      const fieldInput = make("input");
      Object.assign(fieldInput, { id: fieldId, name, placeholder: name === "work" ? "e.g. 4 hours" : "e.g. 3 days", autocomplete: "off" });
      field.append(fieldLabel, fieldInput);
      split.append(field);
    }
    const error = make("p", "field-error");
    error.setAttribute("role", "alert");
    error.id = uniqueId("timing-error");
    error.hidden = true;
    form.append(label, input, set, split, error);
    const untime = make("button", "small link timing-remove", "Remove");
    untime.type = "button";
    controls.append(sizes, form, untime);
    item.append(controls);
    return item;
  }

  showItem(item, unit) {
    const { timing, events } = unit;
    const ids = events.map((event) => event.id);
    const name = events.length > 1 ? `the group ${listOfNames(events.map((event) => event.text))}` : quote(events[0].text);
    item.dataset.events = ids.join(",");
    item.classList.toggle("is-group", events.length > 1);
    item.classList.toggle("is-timed", Boolean(timing));
    item.classList.toggle("in-round", ids.some((id) => this.round.sizing(id)));
    this.showSteps(item.querySelector(".timing-steps"), unit);
    const now = item.querySelector(".timing-now");
    const time = timing ? [timing.size, timing.estimate && estimateText(timing.estimate)].filter(Boolean).join(" · ") : "";
    now.replaceChildren();
    if (events.length > 1) now.append(make("span", "group-label", `Group of ${events.length}`));
    now.append(make("span", time ? "timing-value" : "timing-value is-empty", time || "not timed yet"));
    const split = timing && splitOf(timing);
    if (split) now.append(make("span", "timing-split-text", split));
    if (!this.canTime) return;
    const key = unit.key;
    // A size, as a radio group: choosing one sizes the step at once.
    const sizes = item.querySelector(".size-choice");
    sizes.querySelector("legend").textContent = `Size of ${name}`;
    this.scale.radios(sizes, `size-${key}`, timing?.size ?? null);
    const form = item.querySelector(".estimate-form");
    form.querySelector("label").textContent = `Estimate for ${name}`;
    const labels = form.querySelectorAll(".split-field label");
    labels[0].textContent = "Working";
    labels[1].textContent = "Waiting";
    form.querySelector("[name=work]").setAttribute("aria-label", `Working time of ${name}`);
    form.querySelector("[name=wait]").setAttribute("aria-label", `Waiting time of ${name}`);
    for (const field of FIELDS) this.showField(form.elements[field], estimateText(timing?.[field]), key);
    if (timing && (timing.work || timing.wait)) form.querySelector("details").open = true;
    this.showError(form, key);
    const untime = item.querySelector(".timing-remove");
    untime.hidden = !timing;
    if (timing) {
      untime.dataset.untime = timing.id;
      untime.setAttribute("aria-label", `Remove the timing of ${name}`);
    }
  }

  // The ticked boxes to choose steps (for a group or a round), with each step's number and text.
  showSteps(list, unit) {
    const signature = unit.events.map((event) => `${event.id}:${event.number}:${event.text}`).join("|");
    if (list.dataset.signature !== signature) {
      list.dataset.signature = signature;
      const focused = document.activeElement?.closest?.(".timing-step")?.dataset.event;
      list.replaceChildren(
        ...unit.events.map((event) => {
          const step = make("li", "timing-step");
          step.dataset.event = event.id;
          const number = make("span", "step-number", `${event.number}`);
          number.setAttribute("aria-hidden", "true");
          const text = make("span", "step-text", event.text);
          text.dir = "auto";
          if (!this.canTime) {
            step.append(number, text);
            return step;
          }
          const box = make("input");
          box.type = "checkbox";
          box.id = uniqueId("pick-step");
          box.value = event.id;
          box.setAttribute("aria-label", `Step ${event.number}: ${event.text}`);
          const label = make("label", "step-label");
          label.htmlFor = box.id;
          label.append(number, text);
          step.append(box, label);
          return step;
        }),
      );
      if (focused) list.querySelector(`.timing-step[data-event="${focused}"] input`)?.focus();
    }
    list.querySelectorAll("input[type=checkbox]").forEach((box) => (box.checked = this.selected.has(box.value)));
  }

  // A field shows what is saved, unless the person is typing in it or it holds a refused text.
  showField(input, saved, key) {
    const fresh = input.dataset.fresh; // just saved from here: shown as the server reads it
    delete input.dataset.fresh;
    if (!fresh && (document.activeElement === input || input.dataset.dirty || this.errors.has(key))) return;
    input.value = saved;
  }

  showError(form, key) {
    const error = form.querySelector(".field-error");
    const message = this.errors.get(key);
    error.id ||= uniqueId("timing-error");
    error.hidden = !message;
    error.textContent = message ?? "";
    form.querySelectorAll("input").forEach((input) => {
      if (message && input.dataset.refused) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", error.id);
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    });
  }

  // --- what people do in the list ---

  listChanged(event) {
    const target = event.target;
    const item = target.closest(".timing-item");
    if (target.type === "checkbox") {
      if (target.checked) this.selected.add(target.value);
      else this.selected.delete(target.value);
      return this.later();
    }
    if (target.type === "radio") {
      const events = item.dataset.events.split(",");
      return this.send({ type: "timing", events, size: target.value }, { key: item.dataset.key });
    }
    if (FIELDS.includes(target.name)) this.saveEstimate(item);
  }

  typed(input) {
    if (!FIELDS.includes(input.name)) return;
    input.dataset.dirty = "1";
    delete input.dataset.refused;
    const item = input.closest(".timing-item");
    if (this.errors.delete(item.dataset.key)) this.showError(input.form, item.dataset.key);
  }

  // Sends what changed of the estimate and its working and waiting parts.
  saveEstimate(item) {
    const key = item.dataset.key;
    const timing = this.units(this.events()).find((unit) => unit.key === key)?.timing;
    const form = item.querySelector(".estimate-form");
    const command = { type: "timing", events: item.dataset.events.split(",") };
    for (const field of FIELDS) {
      const input = form.elements[field];
      const value = input.value.trim();
      if (value === estimateText(timing?.[field]) || value === input.dataset.sent) continue;
      if (!value && !timing?.[field]) continue;
      command[field] = value;
    }
    if (!FIELDS.some((field) => field in command)) return;
    for (const field of FIELDS) if (field in command) form.elements[field].dataset.sent = command[field];
    this.send(command, { key });
  }

  send(command, meta = {}) {
    this.live.send(command, { work: "timings", ...meta });
  }

  // Where a change was asked: a step's row, the selection bar, the round's record form, the scale.
  containerOf(key) {
    const inPanel = { selection: "[data-selection]", record: "[data-round=record]", scale: "[data-scale=form]" }[key];
    return inPanel ? this.root.querySelector(inPanel) : this.itemFor(key);
  }

  confirmed(sent) {
    const { key, then } = sent.meta;
    if (key) {
      this.errors.delete(key);
      this.containerOf(key)?.querySelectorAll("input").forEach((input) => {
        // Saved: the field shows what the server keeps from now on (e.g. "2 to 5 d" as "2-5 days").
        if (input.dataset.sent !== undefined && input.value.trim() === input.dataset.sent) {
          delete input.dataset.dirty;
          input.dataset.fresh = "1";
        }
        delete input.dataset.sent;
        delete input.dataset.refused;
      });
      if (key === "selection" || key === "round") {
        this.selected.clear();
        const estimate = this.root.querySelector("#selection-estimate");
        if (key === "selection") estimate.value = "";
      }
    }
    then?.();
    this.later();
  }

  // Refused: the server's reason beside the field, the text as typed kept there.
  refused(sent, message) {
    const { key } = sent.meta;
    if (!key) return false;
    this.errors.set(key, message.message);
    this.containerOf(key)?.querySelectorAll("input").forEach((input) => {
      if (input.dataset.sent !== undefined) input.dataset.refused = "1";
      delete input.dataset.sent;
    });
    this.later();
    return this.panel.isOpen; // said beside its field, if the panel where it was typed is open
  }

  itemFor(key) {
    return [...this.list.children].find((item) => item.dataset.key === key);
  }

  // --- the selection: a group to size together, or the steps of a round ---

  chosen(events = this.events()) {
    return events.filter((event) => this.selected.has(event.id));
  }

  selectionProblem(events, chosen) {
    if (chosen.length > MOST_IN_A_GROUP) return `At most ${MOST_IN_A_GROUP} steps go together: untick ${chosen.length - MOST_IN_A_GROUP}.`;
    const places = chosen.map((event) => events.indexOf(event));
    if (places.at(-1) - places[0] !== places.length - 1) return "A group is 2 or 3 steps side by side on the timeline: these are not.";
    return null;
  }

  wireSelection() {
    const bar = this.root.querySelector("[data-selection]");
    bar.addEventListener("change", (event) => {
      if (event.target.type !== "radio") return;
      this.send({ type: "timing", events: this.chosen().map((step) => step.id), size: event.target.value }, { key: "selection" });
    });
    bar.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = event.target.elements.estimate;
      if (!input.value.trim()) return input.focus();
      input.dataset.sent = input.value.trim();
      this.send({ type: "timing", events: this.chosen().map((step) => step.id), estimate: input.value.trim() }, { key: "selection" });
    });
    bar.querySelector("input[name=estimate]").addEventListener("input", (event) => {
      delete event.target.dataset.refused;
      if (this.errors.delete("selection")) this.later();
    });
    bar.querySelector("[data-selection=clear]").addEventListener("click", () => {
      this.selected.clear();
      this.render();
      this.list.querySelector("input[type=checkbox]")?.focus();
    });
    bar.querySelector("[data-selection=round]")?.addEventListener("click", () => {
      this.send({ type: "round", action: "start", events: this.chosen().map((step) => step.id) }, { key: "round" });
    });
  }

  renderSelection(events) {
    const bar = this.root.querySelector("[data-selection]");
    for (const id of this.selected) if (!events.some((event) => event.id === id)) this.selected.delete(id);
    const chosen = this.chosen(events);
    bar.hidden = !chosen.length;
    if (!chosen.length) return;
    const problem = this.selectionProblem(events, chosen);
    const texts = chosen.map((event) => event.text);
    const what = bar.querySelector("[data-selection=what]");
    what.textContent = problem ?? (chosen.length === 1
      ? `Selected: ${quote(texts[0])}. Tick a step beside it to size them together.`
      : `Selected: ${chosen.length} steps, ${listOfNames(texts)}. Size them together:`);
    what.classList.toggle("is-problem", Boolean(problem));
    const controls = bar.querySelector("[data-selection=controls]");
    controls.hidden = Boolean(problem) || chosen.length === 1;
    const sizes = bar.querySelector("[data-selection=sizes]");
    const exact = this.units(events).find((unit) => unit.events.map((e) => e.id).join() === chosen.map((e) => e.id).join());
    this.scale.radios(sizes, "size-selection", exact?.timing?.size ?? null);
    const form = bar.querySelector("form");
    this.showError(form, "selection");
    const round = bar.querySelector("[data-selection=round]");
    if (round) {
      round.disabled = Boolean(problem);
      round.textContent = chosen.length > 1 ? "Start an estimation round on them" : "Start an estimation round on it";
    }
  }

  markColumns(item) {
    document.querySelectorAll(".column.timing-focus").forEach((column) => column.classList.remove("timing-focus"));
    if (!item) return;
    for (const id of item.dataset.events?.split(",") ?? []) document.getElementById(`c-${id}`)?.classList.add("timing-focus");
  }

  // --- the badges on the board ---

  badges() {
    for (const id of this.byEvent.keys()) this.badge(id);
    for (const id of this.round.state.events) this.badge(id);
  }

  badge(id) {
    const sticky = document.getElementById(`s-${id}`);
    const column = document.getElementById(`c-${id}`);
    const timing = this.byEvent.get(id);
    const sizing = this.round.sizing(id);
    const onTimeline = Boolean(sticky?.parentElement?.matches(".column"));
    if (column) {
      const group = timing && timing.events.length > 1 ? timing.events : null;
      column.classList.toggle("timing-grouped", Boolean(group));
      column.classList.toggle("timing-group-start", Boolean(group) && group[0] === id);
      column.classList.toggle("timing-group-end", Boolean(group) && group.at(-1) === id);
      column.classList.toggle("in-round", sizing);
    }
    if (!sticky) return;
    let mark = sticky.querySelector(":scope > .timing-badge");
    if ((!timing && !sizing) || !onTimeline) {
      if (mark) {
        mark.remove();
        describe(sticky);
      }
      return;
    }
    if (!mark) {
      mark = make("p", "timing-badge sticky-said");
      mark.id = `tb-${id}`;
      sticky.append(mark);
      describe(sticky);
    }
    mark.replaceChildren(make("span", "visually-hidden", "Timing: "));
    if (timing) {
      const group = timing.events.length > 1 ? ` · group of ${timing.events.length}` : "";
      const value = make("span", "timing-badge-value", `${timeOf(timing)}${group}`);
      mark.append(value);
      mark.title = [timing.size && `Size ${timing.size}`, timing.estimate && estimateText(timing.estimate), splitOf(timing)]
        .filter(Boolean)
        .join("; ");
    } else mark.title = "";
    if (sizing) mark.append(make("span", "round-mark", this.round.state.status === "open" ? "◎ sizing now" : "◎ picks shown"));
  }
}
