// The list view: the same timeline as a document, for a screen reader, a keyboard or a small
// screen. Each step in order under a heading ("Step 3 of 12: Code reviewed") with its timing and
// votes, its notes lane by lane with their authors, the parking area last. It is read from the
// board on screen (the one the server's patches draw), again whenever that changes, so the two
// are always the same; its buttons send the same commands as the visual board, through the
// editor (so Ctrl+Z undoes them too). Shown in the board's place (Alt+Shift+L).

import { TextLimit } from "./limits.js";
import { notice, quote } from "./page.js";
import { isParallel, placeOf } from "./places.js";

const laneNames = JSON.parse(document.getElementById("lane-names")?.textContent ?? "{}");
const REMEMBER = "p2pboard:list-view"; // on, for this person's next board too
const SETTLE_MS = 150; // a patch often comes with its marks (votes, timings) right after it

function make(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text != null) element.textContent = text;
  return element;
}

const textOf = (sticky) => (sticky?.querySelector(".text")?.textContent ?? sticky?.querySelector("textarea")?.value ?? "").trim();
const said = (sticky, selector) => sticky.querySelector(selector)?.textContent.trim() ?? "";
const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

// What the board on screen shows of a sticky, in words.
function read(sticky) {
  const facts = [];
  if (sticky.classList.contains("is-private")) facts.push("private until the reveal");
  const owner = said(sticky, ".owner");
  if (owner) facts.push(owner);
  const timing = said(sticky, ".timing-badge-value");
  if (timing) facts.push(`timing: ${timing}`);
  const round = said(sticky, ".round-mark").replace(/^◎\s*/, "");
  if (round) facts.push(round);
  const votes = said(sticky, ".vote-said").replace(/\.$/, "");
  if (votes && votes !== "No votes yet") facts.push(votes);
  const editor = said(sticky, ".editor-mark").replace(/^✎\s*/, "");
  if (editor) facts.push(`${editor} is editing it`);
  const total = Number.parseInt(said(sticky, ".vote-total"), 10) || 0;
  return {
    id: sticky.dataset.id,
    kind: sticky.dataset.kind,
    text: textOf(sticky),
    by: sticky.querySelector(".authors")?.title ?? sticky.querySelector(".author")?.title ?? "",
    parallel: isParallel(sticky),
    facts,
    votes: total,
  };
}

// The board on screen, as the list shows it.
function readBoard() {
  const columns = [...document.querySelectorAll("#timeline > .column")];
  const steps = columns.map((column) => {
    const event = column.querySelector(":scope > .sticky[data-id]");
    const lanes = [...column.querySelectorAll(":scope > .lane")].map((lane) => ({
      kind: lane.dataset.kind,
      notes: [...lane.querySelectorAll(":scope > .sticky[data-id]")].map(read),
    }));
    return { ...read(event), lanes };
  });
  const shelf = (id) => [...document.querySelectorAll(`#${id} > .sticky[data-id]`)].map(read);
  return {
    steps,
    parkedEvents: shelf("parked-events"),
    parkedNotes: shelf("parked-notes"),
    first: document.querySelector('[data-board="first_event"]')?.textContent.trim() ?? "",
    last: document.querySelector('[data-board="last_event"]')?.textContent.trim() ?? "",
  };
}

export class Outline {
  constructor({ board, editor, live }) {
    this.board = board;
    this.editor = editor; // null for those who may only look
    this.live = live;
    this.root = document.getElementById("outline");
    this.toggle = document.getElementById("outline-toggle");
    this.canvas = document.getElementById("canvas");
    if (!this.root || !this.toggle || !this.canvas) return;
    this.list = this.root.querySelector("[data-outline=steps]");
    this.drawn = new Map(); // step id -> {item, signature}
    this.observer = new MutationObserver(() => this.later());
    this.toggle.addEventListener("click", () => this.show(!this.open));
    document.addEventListener("keydown", (event) => {
      if (!(event.altKey && event.shiftKey && event.code === "KeyL")) return;
      event.preventDefault();
      this.show(!this.open, { focus: true });
    });
    this.root.addEventListener("click", (event) => this.clicked(event));
    this.dialog = document.getElementById("outline-dialog");
    if (this.dialog && editor) this.wireDialog();
    if (localStorage.getItem(REMEMBER) === "1") this.show(true, { focus: false });
  }

  get open() {
    return !this.root.hidden;
  }

  show(open, { focus = true } = {}) {
    this.root.hidden = !open;
    this.canvas.hidden = open;
    this.toggle.setAttribute("aria-pressed", String(open));
    localStorage.setItem(REMEMBER, open ? "1" : "0");
    if (open) {
      this.observer.observe(this.canvas, { childList: true, subtree: true, characterData: true });
      this.draw();
      if (focus) this.root.querySelector("#outline-heading").focus();
    } else {
      this.observer.disconnect();
      if (focus) this.toggle.focus();
    }
  }

  later() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.draw(), SETTLE_MS);
  }

  // --- drawing, in step with the board ---

  draw() {
    if (!this.open) return;
    const keep = this.focusToKeep();
    const board = readBoard();
    const ends = this.root.querySelector("[data-outline=ends]");
    ends.textContent = `The map runs from ${quote(board.first)} to ${quote(board.last)}.`;
    this.root.querySelector("[data-outline=empty]").hidden = board.steps.length > 0;
    const seen = new Set();
    board.steps.forEach((step, index) => {
      seen.add(step.id);
      const signature = JSON.stringify([index, board.steps.length, step]);
      let drawn = this.drawn.get(step.id);
      if (!drawn) {
        drawn = { item: make("li", "outline-step"), signature: null };
        drawn.item.dataset.key = step.id;
        this.drawn.set(step.id, drawn);
      }
      if (drawn.signature !== signature) {
        drawn.signature = signature;
        drawn.item.replaceChildren(...this.stepParts(step, index, board.steps.length));
      }
      if (this.list.children[index] !== drawn.item) this.list.insertBefore(drawn.item, this.list.children[index] ?? null);
    });
    for (const [id, drawn] of this.drawn) {
      if (seen.has(id)) continue;
      drawn.item.remove();
      this.drawn.delete(id);
    }
    this.drawParking(board);
    this.restoreFocus(keep);
  }

  stepParts(step, index, count) {
    const heading = make("h3", "outline-step-heading");
    heading.tabIndex = -1;
    heading.dataset.focus = `step:${step.id}`;
    heading.id = `o-step-${step.id}`;
    heading.append(make("span", "outline-step-number", `Step ${index + 1} of ${count}: `));
    const text = make("span", "outline-text", step.text);
    text.dir = "auto";
    heading.append(text);
    const parts = [heading];
    const facts = [];
    if (step.parallel) facts.push("∥ in parallel with the step before");
    facts.push(...step.facts);
    const votes = step.lanes.flatMap((lane) => lane.notes).reduce((sum, note) => sum + note.votes, 0);
    if (votes) facts.push(`${plural(votes, "vote")} on its pain points`);
    if (step.by) facts.push(step.by);
    if (facts.length) {
      const line = facts.join(" · ");
      parts.push(make("p", "outline-facts", line[0].toUpperCase() + line.slice(1)));
    }
    if (this.editor) parts.push(this.stepActions(step, index, count));
    const empty = [];
    for (const lane of step.lanes) {
      if (!lane.notes.length) {
        empty.push(laneNames[lane.kind]);
        continue;
      }
      const box = make("div", "outline-lane");
      const title = make("h4", "", `${laneNames[lane.kind]} `);
      title.id = `o-lane-${step.id}-${lane.kind}`;
      title.append(make("span", "outline-count", `(${lane.notes.length})`));
      const notes = make("ul", "outline-notes");
      notes.setAttribute("aria-labelledby", title.id);
      notes.append(...lane.notes.map((note) => this.noteItem(note)));
      box.append(title, notes);
      parts.push(box);
    }
    if (empty.length === step.lanes.length) parts.push(make("p", "outline-none", "No notes under it yet."));
    else if (empty.length) parts.push(make("p", "outline-none", `None yet: ${empty.join(", ")}.`));
    return parts;
  }

  button(label, name, action, id, className = "small secondary") {
    const button = make("button", className, label);
    button.type = "button";
    button.dataset.act = action;
    button.dataset.sticky = id;
    button.dataset.focus = `${action}:${id}`;
    if (name !== label) button.setAttribute("aria-label", name);
    return button;
  }

  stepActions(step, index, count) {
    const row = make("div", "outline-actions");
    const name = quote(step.text);
    row.append(
      this.button("Add a note here", `Add a note here, under ${name}`, "add", step.id, "small"),
      this.button("Edit", `Edit ${name}`, "edit", step.id),
      this.button("Move", `Move ${name}`, "move", step.id),
    );
    if (index > 0) row.append(this.button("Earlier", `Earlier: move ${name} before the step before it`, "earlier", step.id));
    if (index < count - 1) row.append(this.button("Later", `Later: move ${name} after the step after it`, "later", step.id));
    row.append(this.button("Delete", `Delete ${name}`, "delete", step.id, "small danger"));
    return row;
  }

  noteItem(note) {
    const item = make("li", `outline-note kind-${note.kind}`);
    item.dataset.item = note.id;
    const text = make("span", "outline-text", note.text);
    text.dir = "auto";
    item.append(text);
    const about = [note.by, ...note.facts].filter(Boolean);
    if (about.length) item.append(make("span", "outline-by", ` — ${about.join(" · ")}`));
    if (this.editor) {
      const name = quote(note.text);
      const row = make("span", "outline-actions");
      row.append(
        this.button("Edit", `Edit ${name}`, "edit", note.id),
        this.button("Move", `Move ${name}`, "move", note.id),
        this.button("Delete", `Delete ${name}`, "delete", note.id, "small danger"),
      );
      item.append(" ", row);
    }
    return item;
  }

  drawParking(board) {
    const box = this.root.querySelector("[data-outline=parking]");
    const count = board.parkedEvents.length + board.parkedNotes.length;
    const signature = JSON.stringify([board.parkedEvents, board.parkedNotes]);
    this.root.querySelector("[data-outline=parking-heading]").textContent = `Parking area, not placed yet (${count})`;
    if (box.dataset.signature === signature) return;
    box.dataset.signature = signature;
    const parts = [];
    for (const [name, notes] of [["Events", board.parkedEvents], ["Other stickies", board.parkedNotes]]) {
      if (!notes.length) continue;
      const title = make("h4", "", `${name} `);
      title.id = `o-parked-${name === "Events" ? "events" : "notes"}`;
      title.append(make("span", "outline-count", `(${notes.length})`));
      const list = make("ul", "outline-notes");
      list.setAttribute("aria-labelledby", title.id);
      list.append(...notes.map((note) => this.noteItem(note)));
      parts.push(title, list);
    }
    if (!parts.length) parts.push(make("p", "outline-none", "Nothing parked."));
    box.replaceChildren(...parts);
  }

  // --- focus stays where it was through a redraw, or goes to the nearest thing left ---

  focusToKeep() {
    const active = document.activeElement;
    if (!active || !this.root.contains(active)) return null;
    const keys = [active.dataset.focus];
    const action = active.dataset.act;
    const item = active.closest("[data-item]");
    for (const other of [item?.nextElementSibling, item?.previousElementSibling]) {
      const control = other?.querySelector(`[data-act="${action}"]`) ?? other?.querySelector("[data-focus]");
      if (control) keys.push(control.dataset.focus);
    }
    const step = active.closest(".outline-step");
    if (step) keys.push(`step:${step.dataset.key}`);
    return { element: active, keys: keys.filter(Boolean) };
  }

  restoreFocus(keep) {
    if (!keep || (keep.element.isConnected && document.activeElement === keep.element)) return;
    if (document.activeElement && document.activeElement !== document.body) return; // gone elsewhere meanwhile
    const found = keep.keys.map((key) => this.root.querySelector(`[data-focus="${CSS.escape(key)}"]`)).find(Boolean);
    (found ?? this.root.querySelector("#outline-heading")).focus({ preventScroll: !found });
  }

  // --- changing the board from the list ---

  clicked(event) {
    const button = event.target.closest("[data-act], [data-outline=add-step]");
    if (!button || !this.editor) return;
    if (button.dataset.outline === "add-step") return this.ask("add-step", null, button);
    const id = button.dataset.sticky;
    const sticky = this.board.sticky(id);
    if (!sticky) return notice.show("That sticky is no longer on the board.");
    const action = button.dataset.act;
    if (action === "delete") {
      this.editor.change({ type: "delete", sticky: id }, { type: "restore", sticky: id }, { text: textOf(sticky) });
    } else if (action === "earlier" || action === "later") {
      const steps = this.stepIds();
      const index = steps.indexOf(id);
      const after = action === "earlier" ? steps[index - 2] ?? null : steps[index + 1];
      if (after === undefined) return;
      this.editor.move(sticky, { place: { parked: false, event: null }, after });
      notice.show(`Moved ${quote(textOf(sticky))} ${action}: now step ${action === "earlier" ? index : index + 2}.`);
    } else this.ask(action, sticky, button);
  }

  stepIds() {
    return [...document.querySelectorAll("#timeline > .column")].map((column) => column.dataset.id);
  }

  wireDialog() {
    const form = this.dialog.querySelector("[data-outline=form]");
    this.form = form;
    this.limit = new TextLimit(form.elements.text, Number(form.elements.text.dataset.limit));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.submit()) this.dialog.close();
    });
    form.elements.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.querySelector("[data-outline=cancel]").addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => {
      if (this.asked?.kind === "edit") this.live.raw({ type: "editing", sticky: null });
      const back = this.asked?.focus;
      this.asked = null;
      const again = back && this.root.querySelector(`[data-focus="${CSS.escape(back)}"]`);
      (again ?? this.root.querySelector("#outline-heading")).focus();
    });
  }

  // The dialog, set for what is asked: add a note (or a step), edit a sticky, move it.
  ask(kind, sticky, button) {
    const { form } = this;
    const fields = (shown) => {
      for (const field of form.querySelectorAll("[data-field]")) field.hidden = !shown.includes(field.dataset.field);
    };
    const id = sticky?.dataset.id;
    const name = sticky ? quote(textOf(sticky)) : "";
    const error = form.querySelector("[data-outline=error]");
    error.hidden = true;
    this.asked = { kind, id, focus: button.dataset.focus };
    const heading = this.dialog.querySelector("#outline-dialog-heading");
    const about = form.querySelector("[data-outline=about]");
    const submit = form.querySelector("[data-outline=submit]");
    const kinds = [...form.elements.kind.options];
    kinds.forEach((option) => (option.hidden = false));
    form.elements.text.value = "";
    if (kind === "add") {
      heading.textContent = "Add a note";
      about.textContent = `Under step ${this.stepIds().indexOf(id) + 1}, ${name}. An event goes right after it, as the next step.`;
      fields(["kind", "text"]);
      if (form.elements.kind.value === "event") form.elements.kind.value = Object.keys(laneNames)[0];
      submit.textContent = "Add";
    } else if (kind === "add-step") {
      heading.textContent = "Add a step at the end";
      about.textContent = "An event, in the past tense: what happened.";
      fields(["text"]);
      form.elements.kind.value = "event";
      submit.textContent = "Add";
    } else if (kind === "edit") {
      heading.textContent = "Edit a sticky";
      about.textContent = sticky.dataset.kind === "event" ? "A step of the path." : "";
      const onTimeline = sticky.dataset.kind === "event" && sticky.parentElement?.matches(".column");
      fields(onTimeline ? ["kind", "text", "parallel"] : ["kind", "text"]);
      form.elements.kind.value = sticky.dataset.kind;
      form.elements.text.value = textOf(sticky);
      form.elements.parallel.checked = isParallel(sticky);
      this.asked.base = Number(sticky.dataset.textVersion);
      submit.textContent = "Save";
      this.live.raw({ type: "editing", sticky: id });
    } else if (kind === "move") {
      heading.textContent = `Move ${name}`;
      about.textContent = "";
      fields(["where"]);
      this.places(sticky);
      submit.textContent = "Move";
    }
    this.limit.show();
    this.dialog.showModal();
    (kind === "move" ? form.elements.where : form.elements.text).focus();
  }

  // Where a sticky can go: an event before or after the steps, a note under one; or parked.
  places(sticky) {
    const select = this.form.elements.where;
    const steps = readBoard().steps;
    const here = placeOf(sticky);
    const options = [];
    if (sticky.dataset.kind === "event") {
      const others = steps.filter((step) => step.id !== sticky.dataset.id);
      options.push(["after:", "At the start of the timeline"]);
      others.forEach((step) => options.push([`after:${step.id}`, `After step ${steps.indexOf(step) + 1}: ${step.text}`]));
    } else {
      steps.forEach((step, index) => options.push([`under:${step.id}`, `Under step ${index + 1}: ${step.text}`]));
    }
    options.push(["parked", "The parking area"]);
    select.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
    const current = here.place.parked
      ? "parked"
      : sticky.dataset.kind === "event"
        ? `after:${here.after ?? ""}`
        : `under:${here.place.event}`;
    select.value = current;
    select.dataset.current = current;
  }

  // Sends what the dialog asks; false (and says why) to keep it open.
  submit() {
    const { form, asked } = this;
    const error = form.querySelector("[data-outline=error]");
    const refuse = (text) => {
      error.textContent = text;
      error.hidden = false;
      return false;
    };
    const text = form.elements.text.value.trim();
    const kind = form.elements.kind.value;
    if (asked.kind !== "move") {
      if (!text) return refuse("Write the sticky's text first.");
      if (this.limit.over) return refuse(this.limit.refusal());
    }
    const sticky = asked.id && this.board.sticky(asked.id);
    if (asked.id && !sticky) return refuse("That sticky is no longer on the board.");
    if (asked.kind === "add" || asked.kind === "add-step") {
      const command = { type: "add", kind, text, id: crypto.randomUUID() };
      if (kind === "event") {
        command.place = { parked: false, event: null };
        if (asked.id) command.after = asked.id;
      } else command.place = { parked: false, event: asked.id };
      this.editor.change(command, null);
      const where = kind === "event" ? (asked.id ? `after ${quote(textOf(sticky))}` : "at the end of the timeline") : `under ${quote(textOf(sticky))}`;
      notice.show(`Added ${quote(text)} ${where}.`);
      return true;
    }
    if (asked.kind === "edit") {
      const command = { type: "update", sticky: asked.id };
      const undo = { type: "update", sticky: asked.id };
      if (text !== textOf(sticky)) {
        Object.assign(command, { text, base: asked.base });
        undo.text = textOf(sticky);
      }
      if (kind !== sticky.dataset.kind) [command.kind, undo.kind] = [kind, sticky.dataset.kind];
      const parallel = form.elements.parallel.checked;
      if (!form.querySelector("[data-field=parallel]").hidden && parallel !== isParallel(sticky)) {
        [command.parallel, undo.parallel] = [parallel, !parallel];
      }
      if (Object.keys(command).length > 2) this.editor.change(command, undo);
      return true;
    }
    const where = form.elements.where.value;
    if (where === form.elements.where.dataset.current) return true; // where it is already
    let target;
    if (where === "parked") target = { place: { parked: true, event: null } };
    else if (where.startsWith("after:")) target = { place: { parked: false, event: null }, after: where.slice(6) || null };
    else target = { place: { parked: false, event: where.slice(6) } };
    this.editor.move(sticky, target);
    notice.show(`Moved ${quote(textOf(sticky))}: ${form.elements.where.selectedOptions[0].text}.`);
    return true;
  }
}
