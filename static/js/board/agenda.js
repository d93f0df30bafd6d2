// The agenda bar: where the group is and what to do now, the shared timer, who is ready, whose
// private stickies wait for the reveal, follow-me; and the facilitator's controls. Everything it
// shows comes from the board's state and the participants' states the server sends (view.js
// passes them on as "board:state" and "board:participant" events); its buttons send commands.

import { notice } from "./page.js";

const TICK_MS = 500;

function json(id) {
  return JSON.parse(document.getElementById(id)?.textContent ?? "null");
}

function clock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

export class Agenda {
  constructor(live, board, { participant, facilitator }) {
    this.live = live;
    this.board = board;
    this.participant = participant;
    this.facilitator = facilitator;
    this.root = document.getElementById("agenda");
    this.phases = json("agenda-phases") ?? {};
    this.order = Object.keys(this.phases);
    this.state = json("board-state") ?? {};
    this.people = new Map((json("people-state") ?? []).map((person) => [String(person.id), person]));
    this.steppedOut = null; // the follow target this person stepped out of
    this.saidDone = null; // the timer end that was announced as done
    if (!this.root) return;
    document.addEventListener("board:state", (event) => this.show(event.detail));
    document.addEventListener("board:participant", (event) => this.person(event.detail));
    document.addEventListener("board:presence", () => {
      this.showReady();
      this.showPrivate();
    });
    document.addEventListener("board:private", () => this.showPrivate());
    document.addEventListener("keydown", (event) => {
      // Stepping out is for those following; the facilitator leading them has nothing to leave.
      if (event.key !== "Escape" || this.facilitator || !this.state.follow) return;
      if (this.steppedOut !== this.state.follow) this.unfollow();
    });
    this.wire();
    this.show(this.state);
    const kinds = this.phases[this.state.phase]?.kinds ?? [];
    if (kinds.length) this.offerKind(kinds[0]); // someone joining part-way starts right
    this.timer = setInterval(() => this.showTimer(), TICK_MS);
  }

  send(command) {
    this.live.send(command);
  }

  // --- what everyone sees ---

  show(state) {
    const moved = state.phase !== this.state.phase;
    const followed = state.follow !== this.state.follow;
    this.state = state;
    const info = this.phases[state.phase];
    if (info) {
      this.root.querySelector("[data-agenda=label]").textContent = info.label;
      this.root.querySelector("[data-agenda=now]").textContent = info.now;
      const number = this.order.indexOf(state.phase) + 1;
      this.root.querySelector("[data-agenda=where]").textContent = `Step ${number} of ${this.order.length}: ${info.label}`;
      const tips = this.root.querySelector("[data-agenda=tips]");
      tips.replaceChildren(...info.tips.map((tip) => Object.assign(document.createElement("li"), { textContent: tip })));
      const minutes = document.getElementById("timer-minutes");
      if (minutes && moved) minutes.value = info.minutes;
      // What the step is about comes first: its kind of sticky in the add bar, its controls
      // marked for the facilitator. Defaults only: any kind can be added at any time.
      if (moved && info.kinds.length) this.offerKind(info.kinds[0]);
      this.root.querySelectorAll("[data-control]").forEach((control) => {
        control.classList.toggle("suggested", info.controls.includes(control.dataset.control));
      });
    }
    this.root.querySelectorAll(".agenda-steps li").forEach((step) => {
      if (step.dataset.phase !== state.phase) return step.removeAttribute("aria-current");
      step.setAttribute("aria-current", "step");
      // A narrow screen shows the step the group is on: in the middle, or from its start if it
      // takes the whole width. Read in the next frame, with the layout the frame makes anyway:
      // read now, a page still being wired would be laid out whole one time more.
      requestAnimationFrame(() => {
        const strip = step.closest(".agenda-steps");
        if (!strip || step.getAttribute("aria-current") !== "step") return;
        const left = step.getBoundingClientRect().left - strip.getBoundingClientRect().left + strip.scrollLeft;
        strip.scrollLeft = left - Math.max(0, (strip.clientWidth - step.offsetWidth) / 2);
      });
    });
    this.pressed("lock-toggle", state.locked);
    this.pressed("private-toggle", state.private_brainstorm);
    this.pressed("follow-me", Boolean(state.follow));
    this.showTimer();
    this.showTimerControls();
    this.showReady();
    this.showPrivate();
    if (followed) this.follow();
  }

  offerKind(kind) {
    const choice = document.querySelector(`#add-bar input[name=kind][value="${kind}"]`);
    if (!choice || choice.checked) return;
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true })); // the add bar's hint and target
  }

  pressed(id, on) {
    document.getElementById(id)?.setAttribute("aria-pressed", on ? "true" : "false");
  }

  // The countdown, from the server's end time and the server's clock (the device's may be off).
  showTimer() {
    const box = document.getElementById("agenda-timer");
    if (!box) return;
    const timer = this.state.timer;
    box.hidden = !timer;
    if (!timer) return;
    const now = Date.now() + (this.live.clockOffset ?? 0);
    const running = timer.ends_at != null;
    const left = running ? (timer.ends_at - now) / 1000 : timer.left;
    const done = left <= 0;
    box.querySelector("[data-timer-text]").textContent = done ? "Time is up" : `${clock(left)}${running ? "" : " (paused)"}`;
    box.classList.toggle("is-done", done);
    box.classList.toggle("is-paused", !running);
    if (done && this.saidDone !== timer.ends_at) {
      this.saidDone = timer.ends_at;
      document.getElementById("timer-said").textContent = "The timebox is over.";
    }
  }

  // The facilitator's timer buttons that do something now: Pause while it runs, Resume while it
  // is paused, +1 min and Stop while there is one (Start always: it starts afresh).
  showTimerControls() {
    const timer = this.state.timer;
    const running = Boolean(timer) && timer.ends_at != null;
    const shown = { pause: running, resume: Boolean(timer) && !running, add: Boolean(timer), stop: Boolean(timer) };
    const focused = document.activeElement?.dataset?.timer;
    for (const [action, on] of Object.entries(shown)) {
      const button = this.root.querySelector(`[data-timer="${action}"]`);
      if (button) button.hidden = !on;
    }
    // A button pressed from the keyboard that went away leaves the focus on its counterpart.
    if (focused in shown && !shown[focused]) {
      const next = { pause: "resume", resume: "pause" }[focused];
      this.root.querySelector(`[data-timer="${shown[next] ? next : "start"}"]`)?.focus();
    }
  }

  person(state) {
    const known = this.people.get(String(state.id)) ?? {};
    this.people.set(String(state.id), { ...known, ...state });
    this.showReady();
  }

  // A participant's own "done" button; for facilitators, how many of those present are done.
  showReady() {
    const mine = this.people.get(this.participant);
    const readyNow = (person) => person?.ready_phase === this.state.phase;
    const button = document.getElementById("ready-toggle");
    if (button) {
      button.setAttribute("aria-pressed", readyNow(mine) ? "true" : "false");
      button.textContent = readyNow(mine) ? "✓ Done: waiting for the others" : "✓ I'm done with this step";
    }
    const count = document.getElementById("ready-count");
    if (!count) return;
    const present = [...document.querySelectorAll("#presence .person[data-participant]")]
      .filter((item) => !item.querySelector(".role"))
      .map((item) => this.people.get(item.dataset.participant) ?? { name: this.nameOf(item.dataset.participant) });
    const done = present.filter(readyNow);
    const waiting = present.filter((person) => !readyNow(person)).map((person) => person.name);
    count.textContent = present.length ? `${done.length} of ${present.length} ready` : "";
    const names = document.getElementById("ready-waiting");
    if (names) names.textContent = done.length && waiting.length ? `(waiting for ${waiting.join(", ")})` : "";
  }

  // During a silent brainstorm: how many private stickies each other person has written.
  showPrivate() {
    const box = document.getElementById("private-counts");
    if (!box) return;
    const counts = this.board.privateCounts;
    const parts = [...counts].map(([by, count]) => `${this.nameOf(by)}: ${count}`);
    box.hidden = !parts.length;
    box.textContent = parts.length ? `Written privately so far: ${parts.join(", ")}` : "";
  }

  // Someone's name: known from the page, from a change of theirs, or from "Here now".
  nameOf(id) {
    const shown = document.querySelector(`#presence .person[data-participant="${id}"] .name`);
    return this.people.get(String(id))?.name ?? shown?.textContent ?? "Someone";
  }

  // --- follow me ---

  follow() {
    const target = this.state.follow;
    const banner = document.getElementById("following");
    if (!target || this.facilitator) {
      if (banner) banner.hidden = true;
      return;
    }
    if (this.steppedOut === target) return;
    if (banner) banner.hidden = false;
    const [kind, id] = target.split(":");
    const where =
      kind === "event" ? document.getElementById(`c-${id}`) : kind === "parking" ? document.querySelector(".parking") : null;
    const behaviour = matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    if (where) where.scrollIntoView({ behavior: behaviour, block: "nearest", inline: "center" });
    else document.querySelector(".map-scroll")?.scrollTo({ left: 0, behavior: behaviour });
  }

  unfollow() {
    this.steppedOut = this.state.follow;
    const banner = document.getElementById("following");
    if (banner) banner.hidden = true;
    notice.show("You stopped following: look around as you like.");
  }

  // --- the controls ---

  wire() {
    // A phone or a short screen shows the bar as one line: this opens the rest, and closes it.
    const toggle = document.getElementById("agenda-toggle");
    toggle?.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      this.root.classList.toggle("is-open", open);
    });
    document.getElementById("unfollow")?.addEventListener("click", () => this.unfollow());
    document.getElementById("ready-toggle")?.addEventListener("click", () => {
      const mine = this.people.get(this.participant);
      this.send({ type: "ready", ready: mine?.ready_phase !== this.state.phase });
    });
    this.root.querySelectorAll("[data-agenda-go]").forEach((button) => {
      button.addEventListener("click", () => this.send({ type: "board", phase: button.dataset.agendaGo }));
    });
    this.root.querySelectorAll("[data-agenda-step]").forEach((button) => {
      button.addEventListener("click", () => {
        const next = this.order[this.order.indexOf(this.state.phase) + Number(button.dataset.agendaStep)];
        if (next) this.send({ type: "board", phase: next });
        else notice.show(Number(button.dataset.agendaStep) > 0 ? "This is the last step." : "This is the first step.");
      });
    });
    this.root.querySelectorAll("[data-timer]").forEach((button) => {
      button.addEventListener("click", () => {
        const action = button.dataset.timer;
        const command = { type: "timer", action };
        if (action === "start") command.seconds = Math.round(Number(document.getElementById("timer-minutes").value) * 60);
        this.send(command);
      });
    });
    document.getElementById("lock-toggle")?.addEventListener("click", () => this.send({ type: "board", locked: !this.state.locked }));
    document.getElementById("private-toggle")?.addEventListener("click", () => {
      this.send({ type: "board", private_brainstorm: !this.state.private_brainstorm });
    });
    document.getElementById("reveal")?.addEventListener("click", () => this.send({ type: "reveal" }));
    const details = document.getElementById("details-form");
    details?.addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = Object.fromEntries(new FormData(details));
      this.send({ type: "board", ...fields });
      details.closest("dialog").close();
    });
    document.addEventListener("board:state", (event) => {
      // The form shows the details as they are now (someone else may have changed them).
      if (!details || details.closest("dialog").open) return;
      for (const name of ["title", "goal", "first_event", "last_event"]) details.elements[name].value = event.detail[name];
    });
    document.getElementById("follow-me")?.addEventListener("click", () => {
      if (this.state.follow) return this.send({ type: "follow", target: null });
      const selected = window.p2pboard?.editor?.selectedEvent;
      const onTimeline = selected && document.getElementById(`c-${selected}`);
      this.send({ type: "follow", target: onTimeline ? `event:${selected}` : "start" });
    });
  }
}
