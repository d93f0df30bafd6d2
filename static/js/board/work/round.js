// The estimation round, at the top of the timings panel: the facilitator starts it on one step or
// a group of 2-3 (from the panel's selection), everyone picks a size nobody else sees ("you
// picked M"; the others see only who has picked: the server sends no one else's pick before the
// reveal), the facilitator shows the picks (by name, with their spread) and records the size the
// group agreed, which ends the round. Shapes: docs/protocol.md (`round`, `pick`).

import { quote } from "../page.js";
import { listOfNames, make } from "./panels.js";
import { SIZE_ORDER, SIZE_WORDS } from "./sizes.js";

const NONE = { events: [], status: null, picked: [], picks: {} };

export class EstimationRound {
  constructor(timings, participant) {
    this.timings = timings; // the panel it is part of: its scale, people, events, sending
    this.box = timings.root.querySelector("#round");
    this.state = NONE;
    this.myPick = timings.people.get(participant)?.pick ?? null;
    this.agreed = null; // the facilitator's choice of agreed size, while the picks are shown
    this.last = []; // the events of the round before (where the focus goes when it ends)
    document.addEventListener("board:round", (event) => this.changed(event.detail));
    document.addEventListener("board:participant", (event) => {
      if (String(event.detail.id) === participant && "pick" in event.detail) this.myPick = event.detail.pick;
      if (this.state.status) timings.later();
    });
    // A snapshot brings the round again: one under way then is not a new one.
    document.addEventListener("board:work-reset", () => (this.state = { ...NONE, reset: true }));
    this.wire();
  }

  sizing(id) {
    return Boolean(this.state.status) && this.state.events.includes(id);
  }

  get summary() {
    return { open: "round open", revealed: "picks shown" }[this.state.status] ?? "";
  }

  changed(state) {
    const before = this.state;
    this.state = state;
    if (before.events.length) this.last = before.events;
    const again = before.reset && state.status === "open";
    const started = !again && state.status === "open" && (before.status !== "open" || before.events.join() !== state.events.join());
    if (started) {
      this.agreed = null;
      this.say(`An estimation round started: sizing ${this.stepsText(state.events)}. Pick a size.`);
      this.timings.panel.open({ focus: false });
    } else if (state.status === "revealed" && before.status !== "revealed" && !before.reset) {
      this.say(`The picks are shown: ${this.picksText(state.picks)}.`);
    } else if (!state.status && before.status) this.say("The estimation round ended.");
    for (const id of new Set([...before.events, ...state.events])) this.timings.badge(id);
    this.timings.later();
  }

  // Said to screen readers, whether the panel is open or not.
  say(text) {
    const box = document.getElementById("round-said");
    if (box) box.textContent = text;
  }

  stepsText(ids) {
    const texts = new Map(this.timings.events().map((event) => [event.id, event.text]));
    const named = ids.map((id) => texts.get(id) ?? "a step no longer on the timeline");
    return named.length > 1 ? `a group of ${named.length}: ${listOfNames(named)}` : listOfNames(named);
  }

  picksText(picks) {
    const entries = Object.entries(picks);
    if (!entries.length) return "nobody picked";
    return entries.map(([who, size]) => `${this.timings.people.name(who)} ${size}`).join(", ");
  }

  // --- what people do ---

  wire() {
    const send = (command, meta) => this.timings.send(command, meta);
    this.box.addEventListener("click", (event) => {
      const size = event.target.closest("[data-pick]")?.dataset.pick;
      if (size !== undefined) return send(size ? { type: "pick", size } : { type: "pick" }, { key: "pick" });
      const action = event.target.closest("[data-round-action]")?.dataset.roundAction;
      if (action === "again") send({ type: "round", action: "start", events: this.state.events }, { key: "round" });
      else if (action) send({ type: "round", action }, { key: "round" });
    });
    const record = this.box.querySelector("[data-round=record]");
    record?.addEventListener("change", (event) => (this.agreed = event.target.value));
    record?.addEventListener("submit", (event) => {
      event.preventDefault();
      const size = record.querySelector("input:checked")?.value;
      if (!size) return;
      // The agreed size first; the round ends once it is recorded (not if it was refused).
      const stop = () => send({ type: "round", action: "stop" }, { key: "round" });
      send({ type: "timing", events: this.state.events, size }, { key: "record", then: stop });
    });
  }

  // --- drawing ---

  render(events) {
    const box = this.box;
    const { status, picked } = this.state;
    box.hidden = !status;
    if (!status) return;
    const texts = new Map(events.map((event) => [event.id, event.text]));
    const named = this.state.events.map((id) => texts.get(id) ?? "a step no longer on the timeline");
    box.querySelector("[data-round=what]").textContent =
      named.length > 1 ? `Sizing a group of ${named.length} steps together: ${listOfNames(named)}.` : `Sizing ${quote(named[0])}.`;
    box.querySelector("[data-round=open]").hidden = status !== "open";
    box.querySelector("[data-round=revealed]").hidden = status !== "revealed";
    if (status === "open") this.renderPicking(picked);
    else this.renderPicks();
  }

  renderPicking(picked) {
    const { scale } = this.timings;
    const buttons = this.box.querySelector("[data-round=pick-buttons]");
    if (buttons) {
      const sizes = scale.list;
      if (buttons.dataset.sizes !== sizes.join()) {
        buttons.dataset.sizes = sizes.join();
        buttons.replaceChildren(
          ...sizes.map((size) => {
            const button = make("button", "size-button", size);
            button.type = "button";
            button.dataset.pick = size;
            button.title = `${SIZE_WORDS[size]}: ${scale.words(size)}`;
            button.setAttribute("aria-label", `${size}, ${scale.words(size)}`);
            return button;
          }),
        );
      }
      buttons.querySelectorAll("[data-pick]").forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.pick === this.myPick)));
      // Drawn again only when one's own pick changes: others picking leave the "Take it back"
      // button where it is, so a click under way on it is not lost.
      const mine = this.box.querySelector("[data-round=mine]");
      const shown = this.myPick ?? "";
      if (mine.dataset.shown !== shown || !mine.hasChildNodes()) {
        mine.dataset.shown = shown;
        mine.replaceChildren();
        if (this.myPick) {
          const back = make("button", "small link", "Take it back");
          back.type = "button";
          back.dataset.pick = "";
          mine.append(`You picked ${this.myPick}. `, back);
        } else mine.textContent = "You have not picked yet.";
      }
    }
    this.renderPicked(picked);
  }

  // Who has picked, never what.
  renderPicked(picked) {
    const { people } = this.timings;
    const here = new Set(people.present());
    const done = picked.map(String);
    const waiting = [...here].filter((id) => !done.includes(id));
    const names = (ids) => ids.map((id) => people.name(id)).sort((a, b) => a.localeCompare(b)).join(", ");
    const line = this.box.querySelector("[data-round=picked]");
    line.replaceChildren(make("strong", "", `${done.length} of ${new Set([...here, ...done]).size} picked`));
    if (done.length) line.append(` · ✓ ${names(done)}`);
    if (waiting.length) line.append(make("span", "muted", ` · waiting for ${names(waiting)}`));
  }

  renderPicks() {
    const { scale, people } = this.timings;
    const picks = Object.entries(this.state.picks).map(([who, size]) => ({ who, name: people.name(who), size }));
    const order = (size) => SIZE_ORDER.indexOf(size);
    picks.sort((a, b) => order(a.size) - order(b.size) || a.name.localeCompare(b.name));
    const list = this.box.querySelector("[data-round=picks]");
    list.replaceChildren(
      ...picks.map((pick) => {
        const item = make("li", "round-pick-item");
        item.append(make("span", "pick-name", pick.name), make("span", "pick-size", pick.size));
        return item;
      }),
    );
    if (!picks.length) list.append(make("li", "empty", "Nobody picked a size."));
    // The spread: how many picked each size, in words and as bars.
    const counts = new Map(scale.list.map((size) => [size, 0]));
    for (const pick of picks) counts.set(pick.size, (counts.get(pick.size) ?? 0) + 1);
    const most = Math.max(1, ...counts.values());
    const used = picks.map((pick) => pick.size);
    const summary = make("p", "spread-summary");
    if (new Set(used).size === 1) summary.textContent = `Everyone picked ${used[0]}.`;
    else if (used.length) summary.textContent = `From ${used[0]} to ${used.at(-1)}: ask the lowest and the highest why.`;
    const bars = make("dl", "spread-bars");
    for (const [size, count] of counts) {
      const bar = make("span", `spread-bar spread-${Math.round((count / most) * 10)}`);
      bar.setAttribute("aria-hidden", "true");
      const value = make("dd");
      value.append(bar, make("span", "spread-count", `${count}`));
      bars.append(make("dt", "", size), value);
    }
    this.box.querySelector("[data-round=spread]").replaceChildren(summary, bars);
    const agreed = this.box.querySelector("[data-round=agreed]");
    if (agreed) {
      if (!this.agreed || !(this.agreed in scale.sizes)) this.agreed = this.suggested(counts, used);
      scale.radios(agreed, "agreed-size", this.agreed);
      this.timings.showError(agreed.closest("form"), "record");
    }
  }

  // The size to start the agreement from: the one most picked, if one is; else the middle
  // pick (the longer of the two middle ones). The facilitator may choose another.
  suggested(counts, used) {
    const sizes = this.timings.scale.list;
    if (!used.length) return sizes.includes("M") ? "M" : sizes[0];
    const most = Math.max(...counts.values());
    const top = [...counts].filter(([, count]) => count === most);
    return top.length === 1 ? top[0][0] : used[Math.floor(used.length / 2)];
  }

  // A button of the round that went away (the picks shown, the round ended) leaves the focus
  // where the round is now: its next choice, or the step it sized in the list.
  holdsFocus() {
    return this.box.contains(document.activeElement);
  }

  keepFocus(held) {
    if (!held || !document.activeElement.closest("[hidden]")) return;
    if (!this.box.hidden) {
      const now = this.box.querySelector("[data-round=revealed]:not([hidden]), [data-round=open]:not([hidden])");
      return (now?.querySelector("input:checked, [aria-pressed=true], button") ?? this.box.querySelector("h3")).focus();
    }
    const item = [...this.timings.list.children].find((candidate) => candidate.dataset.events === this.last.join(","));
    (item?.querySelector("input[type=radio]:checked") ?? item?.querySelector("input") ?? this.timings.root.querySelector("h2")).focus();
  }
}
