// What people do on the board: the add bar, editing a sticky's text in place, the keys, the
// toolbar of the focused sticky, drag and drop (dragging.js), and undo/redo of their own
// changes. Each change goes to the server (socket.js); the screen changes when it is broadcast.

import { Dragging } from "./dragging.js";
import { notice, quote } from "./page.js";
import { ITEM, isParallel, isParked, placeOf } from "./places.js";

export class Editor {
  constructor(board, live) {
    this.board = board;
    this.live = live;
    this.undoStack = [];
    this.redoStack = [];
    this.selectedEvent = null;
    live.handlers.confirmed = (sent, message) => this.confirmed(sent, message);
    live.handlers.refused = (sent) => this.refused(sent);
    this.addBar = document.getElementById("add-bar");
    this.toolbar = document.getElementById("sticky-toolbar");
    this.wireAddBar();
    this.wireStickies();
    this.wireToolbar();
    this.dragging = new Dragging((sticky, target, origin) => this.move(sticky, target, origin));
    document.addEventListener("board:closed", () => this.disable());
    document.addEventListener("keydown", (event) => this.globalKeys(event));
  }

  disable() {
    this.addBar?.querySelectorAll("input, button").forEach((control) => (control.disabled = true));
    this.dragging.disable();
    if (this.toolbar) this.toolbar.hidden = true;
  }

  // --- sending, confirming, undoing ---

  change(command, undo, meta = {}) {
    return this.live.send(command, { undo, role: "do", ...meta });
  }

  confirmed(sent, message) {
    const { meta, message: command } = sent;
    let entry = { do: command, undo: meta.undo };
    if (command.type === "add" && message) {
      const { id } = message.entities.find((state) => state.entity === "sticky");
      entry = { do: { type: "restore", sticky: id }, undo: { type: "delete", sticky: id } };
    }
    if (!entry.undo) return;
    strip(entry.do);
    if (meta.role === "undo") this.redoStack.push(meta.entry);
    else if (meta.role === "redo") this.undoStack.push(meta.entry);
    else {
      this.undoStack.push(entry);
      this.redoStack.length = 0;
    }
    if (command.type === "delete" && meta.role === "do") {
      const text = this.board.sticky(command.sticky)?.textContent ?? "";
      notice.show(`Deleted ${quote(meta.text ?? text.trim())}.`, {
        label: "Undo",
        run: () => this.undo(entry),
      });
    }
  }

  refused(sent) {
    const { message } = sent;
    // A move's undo says where the sticky was, which is where the server still has it.
    if (message.type === "move" && sent.meta.undo) this.board.restore(message.sticky, sent.meta.undo.place);
    if (message.type === "add" && this.addText && !this.addText.value) {
      this.addText.value = message.text;
    }
  }

  undo(entry = this.undoStack.at(-1)) {
    if (!entry) return notice.show("Nothing of yours to undo.");
    this.undoStack.splice(this.undoStack.indexOf(entry), 1);
    this.live.send(strip({ ...entry.undo }), { role: "undo", entry, undo: entry.do });
  }

  redo() {
    const entry = this.redoStack.pop();
    if (!entry) return notice.show("Nothing to redo.");
    this.live.send(strip({ ...entry.do }), { role: "redo", entry, undo: entry.undo });
  }

  // --- the add bar ---

  wireAddBar() {
    if (!this.addBar) return;
    this.addText = document.getElementById("add-text");
    this.addTarget = document.getElementById("add-target");
    this.addBar.addEventListener("change", () => this.showTarget());
    this.addBar.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.addText.value.trim();
      if (!text) return;
      const kind = this.kind();
      this.change({ type: "add", kind, text, ...this.target(kind) }, null);
      this.addText.value = "";
      this.addText.focus();
    });
    this.addText.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.select(null);
    });
    this.showTarget();
  }

  kind() {
    return this.addBar.querySelector("input[name=kind]:checked").value;
  }

  target(kind) {
    const event = this.selectedEvent && this.board.sticky(this.selectedEvent);
    const onTimeline = event && event.closest(".column");
    if (kind === "event") {
      return onTimeline
        ? { place: { parked: false, event: null }, after: this.selectedEvent }
        : { place: { parked: false, event: null } };
    }
    return onTimeline
      ? { place: { parked: false, event: this.selectedEvent } }
      : { place: { parked: true, event: null } };
  }

  showTarget() {
    if (!this.addBar) return;
    const kind = this.kind();
    const choice = this.addBar.querySelector("input[name=kind]:checked");
    this.addText.placeholder = choice.dataset.hint;
    const event = this.selectedEvent && this.board.sticky(this.selectedEvent);
    const name = event && quote(event.querySelector(".text").textContent);
    const onTimeline = event && event.closest(".column");
    if (kind === "event") this.addTarget.textContent = onTimeline ? `→ after ${name}` : "→ end of the timeline";
    else this.addTarget.textContent = onTimeline ? `→ under ${name}` : "→ parking area";
  }

  select(eventId) {
    this.selectedEvent = eventId;
    document.querySelectorAll(".column.selected").forEach((column) => column.classList.remove("selected"));
    if (eventId) document.getElementById(`c-${eventId}`)?.classList.add("selected");
    this.showTarget();
  }

  // --- stickies: focus, edit in place, keys ---

  wireStickies() {
    const canvas = document.getElementById("canvas");
    canvas.addEventListener("focusin", (event) => {
      const sticky = event.target.closest(".sticky[data-id]");
      if (!sticky) return;
      const column = sticky.closest(".column");
      if (column) this.select(column.dataset.id);
      this.showToolbar(sticky);
    });
    canvas.addEventListener("focusout", (event) => {
      if (!this.toolbar?.contains(event.relatedTarget) && !event.relatedTarget?.closest?.(".sticky")) {
        if (this.toolbar) this.toolbar.hidden = true;
      }
    });
    canvas.addEventListener("dblclick", (event) => {
      const sticky = event.target.closest(".sticky[data-id]");
      if (sticky) this.edit(sticky);
    });
    canvas.addEventListener("keydown", (event) => this.stickyKeys(event));
    canvas.addEventListener("scroll", () => this.toolbar && (this.toolbar.hidden = true), true);
  }

  stickyKeys(event) {
    const sticky = event.target.closest?.(".sticky[data-id]");
    if (!sticky || event.target.tagName === "TEXTAREA") return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 };
    if (event.altKey && event.key in moves) {
      event.preventDefault();
      const sideways = event.key === "ArrowLeft" || event.key === "ArrowRight";
      this.moveByKey(sticky, moves[event.key], sideways);
    } else if (event.altKey && event.code === "KeyP") {
      event.preventDefault();
      this.togglePark(sticky);
    } else if (event.key === "Enter" && !event.altKey) {
      event.preventDefault();
      this.edit(sticky);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      this.remove(sticky);
    }
  }

  globalKeys(event) {
    const typing = event.target.closest?.("input, textarea, select");
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.code === "KeyZ" && !typing) {
      event.preventDefault();
      if (event.shiftKey) this.redo();
      else this.undo();
    } else if (mod && event.code === "KeyY" && !typing) {
      event.preventDefault();
      this.redo();
    } else if (event.altKey && /^Digit[1-6]$/.test(event.code) && this.addBar) {
      event.preventDefault();
      const radios = this.addBar.querySelectorAll("input[name=kind]");
      radios[Number(event.code.slice(5)) - 1].checked = true;
      this.showTarget();
      this.addText.focus();
    }
  }

  edit(sticky) {
    if (this.board.editingHere) return;
    const id = sticky.dataset.id;
    const text = sticky.querySelector(".text");
    const area = document.createElement("textarea");
    area.value = text.textContent;
    area.maxLength = Number(this.addText?.maxLength ?? 280);
    area.setAttribute("aria-label", "Text of the sticky");
    text.replaceWith(area);
    area.focus();
    area.select();
    this.board.editingHere = id;
    this.live.raw({ type: "editing", sticky: id });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const value = area.value.trim();
      area.replaceWith(text);
      if (save && value && value !== text.textContent) {
        this.change({ type: "update", sticky: id, text: value }, { type: "update", sticky: id, text: text.textContent });
      }
      this.live.raw({ type: "editing", sticky: null });
      this.board.finishEditing(id);
      this.board.sticky(id)?.focus();
    };
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        finish(false);
      }
      event.stopPropagation();
    });
    area.addEventListener("blur", () => finish(true));
  }

  remove(sticky) {
    const id = sticky.dataset.id;
    const text = sticky.querySelector(".text").textContent;
    const next = sticky.closest(".column")?.nextElementSibling ?? sticky.nextElementSibling;
    this.change({ type: "delete", sticky: id }, { type: "restore", sticky: id }, { text });
    next?.matches?.(ITEM) && (next.matches(".column") ? next.querySelector(".sticky") : next).focus();
  }

  // `from`, where its undo puts it back: where it is now, or where a drag took it from.
  move(sticky, target, from = placeOf(sticky)) {
    const id = sticky.dataset.id;
    this.change({ type: "move", sticky: id, ...target }, { type: "move", sticky: id, ...from });
  }

  moveByKey(sticky, step, sideways) {
    const item = sticky.closest(".column") ?? sticky;
    const container = item.parentElement;
    const items = [...container.children].filter((child) => child.matches(ITEM));
    const index = items.indexOf(item);
    const inLane = container.matches(".lane");
    if (inLane && sideways) {
      const columns = [...document.querySelectorAll("#timeline > .column")];
      const column = columns[columns.indexOf(sticky.closest(".column")) + step];
      if (!column) return notice.show(step < 0 ? "This is the first event." : "This is the last event.");
      return this.move(sticky, { place: { parked: false, event: column.dataset.id } });
    }
    if (inLane === sideways && !container.matches(".parked")) return;
    const target = index + step;
    if (target < 0 || target >= items.length) return;
    const after = step < 0 ? items[target - 1] : items[target];
    const place = placeOf(sticky).place;
    this.move(sticky, { place, after: after ? after.dataset.id : null });
  }

  togglePark(sticky) {
    if (!isParked(sticky)) {
      return this.move(sticky, { place: { parked: true, event: null } });
    }
    if (sticky.dataset.kind === "event") return this.move(sticky, { place: { parked: false, event: null } });
    const event = this.selectedEvent ?? document.querySelector("#timeline > .column")?.dataset.id;
    if (!event) return notice.show("Put an event on the timeline first: notes go under events.");
    this.move(sticky, { place: { parked: false, event } });
  }

  // --- the toolbar of the focused sticky ---

  wireToolbar() {
    if (!this.toolbar) return;
    this.toolbar.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      const sticky = this.board.sticky(this.toolbar.dataset.sticky);
      if (!action || !sticky || action === "kind") return;
      if (action === "edit") this.edit(sticky);
      if (action === "delete") this.remove(sticky);
      if (action === "park") this.togglePark(sticky);
      if (action === "parallel") {
        const now = isParallel(sticky);
        this.change(
          { type: "update", sticky: sticky.dataset.id, parallel: !now },
          { type: "update", sticky: sticky.dataset.id, parallel: now },
        );
      }
    });
    this.toolbar.querySelector("select").addEventListener("change", (event) => {
      const sticky = this.board.sticky(this.toolbar.dataset.sticky);
      if (!sticky) return;
      const id = sticky.dataset.id;
      this.change({ type: "update", sticky: id, kind: event.target.value }, { type: "update", sticky: id, kind: sticky.dataset.kind });
    });
  }

  showToolbar(sticky) {
    if (!this.toolbar) return;
    const box = sticky.getBoundingClientRect();
    this.toolbar.dataset.sticky = sticky.dataset.id;
    this.toolbar.querySelector("select").value = sticky.dataset.kind;
    const parallel = this.toolbar.querySelector("[data-action=parallel]");
    parallel.hidden = sticky.dataset.kind !== "event";
    parallel.setAttribute("aria-pressed", isParallel(sticky) ? "true" : "false");
    this.toolbar.querySelector("[data-action=park]").textContent = isParked(sticky) ? "Place" : "Park";
    this.toolbar.hidden = false;
    const top = box.top - this.toolbar.offsetHeight - 6;
    this.toolbar.style.top = `${Math.max(4, top < 60 ? box.bottom + 6 : top)}px`;
    this.toolbar.style.left = `${Math.max(4, Math.min(box.left, innerWidth - this.toolbar.offsetWidth - 4))}px`;
  }
}

function strip(command) {
  delete command.op;
  return command;
}
