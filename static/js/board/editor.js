// What people do on the board: the add bar, editing a sticky's text in place, the keys, the
// toolbar of the focused sticky, drag and drop (dragging.js), and undo/redo of their own
// changes. Each change goes to the server (socket.js); the screen changes when it is broadcast.

import { Dragging } from "./dragging.js";
import { boardLayout } from "./layout.js";
import { TextLimit } from "./limits.js";
import { fromHtml, notice, quote } from "./page.js";
import { ITEM, isParallel, isParked, itemOf, placeOf } from "./places.js";

// A sticky's text, also while it is being edited (its text is then in a textarea).
function textOf(sticky) {
  return sticky.querySelector(".text")?.textContent ?? sticky.querySelector("textarea")?.value ?? "";
}

export class Editor {
  constructor(board, live) {
    this.board = board;
    this.live = live;
    this.undoStack = [];
    this.redoStack = [];
    this.selectedEvent = null;
    live.handlers.confirmed = (sent, message) => this.confirmed(sent, message);
    live.handlers.refused = (sent) => this.refused(sent);
    live.handlers.conflict = (sent, message) => this.conflict(sent, message);
    this.conflictPanel = document.getElementById("edit-conflict");
    this.addBar = document.getElementById("add-bar");
    this.toolbar = document.getElementById("sticky-toolbar");
    this.wireAddBar();
    this.wireStickies();
    this.wireToolbar();
    this.dragging = new Dragging(
      (sticky, target, origin) => this.move(sticky, target, origin),
      (sticky, onto, origin) => this.dropOnto(sticky, onto, origin),
    );
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
    // An undo only the server's answer can say (what a split took out): `undoFrom` reads it.
    let entry = { do: command, undo: meta.undo ?? (message && meta.undoFrom?.(message)) };
    if (command.type === "add" && message) {
      const { id } = message.entities.find((state) => state.entity === "sticky");
      entry = { do: { type: "restore", sticky: id }, undo: { type: "delete", sticky: id } };
      if (this.chain?.id === id) this.select(id); // the last event added is the one selected
      this.showAdded(id, command);
    }
    if (!entry.undo) return;
    strip(entry.do);
    // Undoing or redoing a text edit is itself an edit based on the text this one left.
    const edited = command.type === "update" && command.text != null && message;
    const left = edited && message.entities.find((state) => state.id === command.sticky);
    if (left) {
      if (meta.role === "undo") meta.entry.do.base = left.text_version;
      else if (meta.role === "redo") meta.entry.undo.base = left.text_version;
      else entry.undo.base = left.text_version;
    }
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
        keys: "Control+Z",
        run: () => this.undo(entry),
      });
    }
    // A change that takes stickies off the board (a merge) says what it did, with an Undo.
    if (meta.done && meta.role === "do") notice.show(meta.done, { label: "Undo", keys: "Control+Z", run: () => this.undo(entry) });
  }

  // Duplicates merged into the sticky kept (`keptId`): they leave the board, its authors are
  // named on it. Said with an Undo that splits exactly these out again; redo merges them again.
  merge(keptId, ids) {
    const kept = this.board.sticky(keptId);
    const first = this.board.sticky(ids[0]);
    if (!kept || !first) return notice.show("That sticky is no longer on the board.");
    const into = quote(textOf(kept));
    const done = ids.length === 1 ? `Merged ${quote(textOf(first))} into ${into}.` : `Merged ${ids.length} stickies into ${into}.`;
    this.change({ type: "merge", sticky: keptId, stickies: ids }, { type: "split", sticky: keptId, stickies: ids }, { done });
  }

  // A sticky dragged and dropped onto another of its kind: back where it came from on this
  // screen, then merged into the one it was dropped on.
  dropOnto(sticky, onto, origin) {
    this.board.restore(sticky.dataset.id, origin.place);
    this.merge(onto.dataset.id, [sticky.dataset.id]);
  }

  refused(sent) {
    const { message } = sent;
    if (message.type === "add" && this.chain?.id === message.id) this.chain = null;
    // A move's undo says where the sticky was, which is where the server still has it.
    if (message.type === "move" && sent.meta.undo) this.board.restore(message.sticky, sent.meta.undo.place);
    if (message.type === "add" && this.addText && !this.addText.value) {
      this.addText.value = message.text;
    }
  }

  undo(entry = this.undoStack.at(-1)) {
    if (!entry) return notice.show("Nothing of yours to undo.");
    notice.hide({ now: true }); // its Undo, if it had one, is this one or an older one
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
    this.limit = Number(this.addText.dataset.limit);
    this.addLimit = new TextLimit(this.addText, this.limit);
    this.addBar.addEventListener("change", () => this.showTarget());
    this.addBar.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.addText.value.trim();
      if (!text) return;
      if (this.addLimit.over) return notice.show(this.addLimit.refusal());
      const kind = this.kind();
      const target = this.target(kind);
      const id = crypto.randomUUID();
      const command = { type: "add", kind, text, id, ...target };
      // A pain point without a name, where the board allows it (the box shows only then).
      const anonymous = document.getElementById("add-anonymous");
      if (kind === "pain" && anonymous?.checked && !anonymous.closest("[hidden]")) command.anonymous = true;
      this.change(command, null);
      // Typed after a selected event: the next event typed goes after this one, even before
      // this one is confirmed, so that they read in the order typed.
      if (kind === "event" && target.after) this.chain = { id, text };
      this.addText.value = "";
      this.addLimit.show();
      this.showTarget();
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

  // The selected event on the timeline, if there is one.
  selectedOnTimeline() {
    const event = this.selectedEvent && this.board.sticky(this.selectedEvent);
    return event?.closest(".column") ? event : null;
  }

  target(kind) {
    const event = this.selectedOnTimeline();
    if (kind === "event") {
      const after = this.chain?.id ?? (event ? this.selectedEvent : undefined);
      return after ? { place: { parked: false, event: null }, after } : { place: { parked: false, event: null } };
    }
    return event
      ? { place: { parked: false, event: this.selectedEvent } }
      : { place: { parked: true, event: null } };
  }

  showTarget() {
    if (!this.addBar) return;
    clearTimeout(this.addedTimer);
    this.addTarget.classList.remove("confirmed");
    const kind = this.kind();
    const choice = this.addBar.querySelector("input[name=kind]:checked");
    this.addText.placeholder = choice.dataset.hint;
    const event = this.selectedOnTimeline();
    const name = event && quote(textOf(event));
    if (kind === "event") {
      if (this.chain) this.addTarget.textContent = `→ after ${quote(this.chain.text)}`;
      else this.addTarget.textContent = event ? `→ after ${name}` : "→ end of the timeline";
    } else this.addTarget.textContent = event ? `→ under ${name}` : "→ parking area";
  }

  // A sticky added with no event selected goes where the person may not be looking (the
  // parking area, the end of the timeline): say where, next to the box it was typed in, and
  // bring it into view. One added under or after the selected event is brought into view only.
  showAdded(id, command) {
    const sticky = this.board.sticky(id);
    const layout = boardLayout();
    if (!sticky || !layout) return;
    const { parked, event } = command.place;
    const elsewhere = parked || (!event && !command.after);
    if (elsewhere || !layout.inView(sticky)) layout.reveal(sticky);
    if (!elsewhere) return;
    this.showTarget();
    this.addTarget.textContent = parked ? "✓ Added to the parking area" : "✓ Added at the end of the timeline";
    this.addTarget.classList.add("confirmed");
    this.addedTimer = setTimeout(() => this.showTarget(), 4000);
  }

  select(eventId) {
    this.selectedEvent = eventId;
    this.chain = null;
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
      if (sticky && !event.target.closest("button")) this.edit(sticky); // not a vote button on it
    });
    canvas.addEventListener("keydown", (event) => this.stickyKeys(event));
    // The toolbar stays docked as the board and the page scroll; it steps aside while dragging.
    document.addEventListener("scroll", () => this.followSticky(), true);
    addEventListener("resize", () => this.followSticky());
    canvas.addEventListener("start", () => this.toolbar && (this.toolbar.hidden = true));
  }

  stickyKeys(event) {
    const sticky = event.target.closest?.(".sticky[data-id]");
    // The sticky's own keys: not those of its text being edited, nor of a button on it.
    if (!sticky || event.target !== sticky) return;
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
    } else if (event.key === "Tab" && !event.shiftKey && this.toolbarFor(sticky)) {
      // Its toolbar comes next in the Tab order, whatever follows it on the page.
      event.preventDefault();
      this.toolbarControl()?.focus();
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
      const choice = radios[Number(event.code.slice(5)) - 1];
      choice.checked = true;
      choice.dispatchEvent(new Event("change", { bubbles: true })); // the hint, the target, what goes with the kind
      this.addText.focus();
    }
  }

  edit(sticky) {
    if (this.board.editingHere) return;
    const id = sticky.dataset.id;
    const base = Number(sticky.dataset.textVersion);
    const text = sticky.querySelector(".text");
    const area = document.createElement("textarea");
    area.value = text.textContent;
    area.setAttribute("aria-label", "Text of the sticky");
    area.dir = "auto";
    const warning = document.createElement("p");
    warning.className = "edit-warning";
    warning.setAttribute("role", "status");
    warning.hidden = true;
    text.replaceWith(area);
    area.after(warning);
    const limit = new TextLimit(area, this.limit ?? 280);
    area.focus();
    area.select();
    this.board.editingHere = id;
    this.live.raw({ type: "editing", sticky: id });
    // Someone else saved this sticky's text meanwhile: say so, keep the editor open.
    const changed = (event) => {
      const state = event.detail;
      if (state.id !== id || !(state.text_version > base)) return;
      const theirs = state.text ?? fromHtml(state.html).querySelector(".text")?.textContent ?? "";
      warning.textContent = `Someone else changed this sticky meanwhile: ${quote(theirs)}. Saving will ask which text to keep.`;
      warning.hidden = false;
    };
    document.addEventListener("board:changed-while-editing", changed);
    let done = false;
    const finish = (save) => {
      if (done) return;
      if (save && limit.over) {
        // Refused, not cut: the editor stays open with the text as typed.
        warning.textContent = limit.refusal();
        warning.hidden = false;
        return;
      }
      done = true;
      document.removeEventListener("board:changed-while-editing", changed);
      const value = area.value.trim();
      limit.remove();
      warning.remove();
      area.replaceWith(text);
      if (save && value && value !== text.textContent) {
        this.change(
          { type: "update", sticky: id, text: value, base },
          { type: "update", sticky: id, text: text.textContent },
        );
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

  // The server refused a text edit because the text changed since it was begun: show both,
  // let the person keep theirs (saved over the current text, knowingly) or the other one.
  conflict(sent, message) {
    const panel = this.conflictPanel;
    if (!panel) return;
    const mine = sent.message.text;
    panel.querySelector(".theirs").textContent = message.text;
    panel.querySelector(".yours").textContent = mine;
    panel.hidden = false;
    const choose = (keepMine) => {
      panel.hidden = true;
      panel.onclick = null;
      if (keepMine) {
        this.change(
          { type: "update", sticky: message.sticky, text: mine, base: message.text_version },
          { type: "update", sticky: message.sticky, text: message.text },
        );
      }
      this.board.sticky(message.sticky)?.focus();
    };
    panel.onclick = (event) => {
      const choice = event.target.closest("[data-choice]")?.dataset.choice;
      if (choice) choose(choice === "mine");
    };
    panel.querySelector("[data-choice=mine]").focus();
  }

  remove(sticky) {
    const id = sticky.dataset.id;
    const text = textOf(sticky);
    const neighbour = neighbourOf(sticky);
    this.change({ type: "delete", sticky: id }, { type: "restore", sticky: id }, { text });
    neighbour?.focus();
  }

  // `from`, where its undo puts it back: where it is now, or where a drag took it from.
  move(sticky, target, from = placeOf(sticky)) {
    const id = sticky.dataset.id;
    this.change({ type: "move", sticky: id, ...target }, { type: "move", sticky: id, ...from });
  }

  moveByKey(sticky, step, sideways) {
    const item = itemOf(sticky);
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
    // Docked below the board (layout.js), it says which sticky it acts on.
    this.toolbarLabel = Object.assign(document.createElement("span"), { className: "toolbar-for", id: "toolbar-for" });
    this.toolbar.prepend(this.toolbarLabel);
    this.toolbar.setAttribute("aria-describedby", this.toolbarLabel.id);
    // One Tab stop (the ARIA toolbar pattern): the arrows go from control to control, Tab goes
    // on past the sticky, Shift+Tab and Escape go back to it.
    this.toolbar.addEventListener("keydown", (event) => this.toolbarKeys(event));
    this.toolbar.addEventListener("focusin", (event) => {
      if (!event.target.matches("input")) this.current = event.target;
    });
    this.toolbar.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !this.toolbar.contains(to) && !to.closest?.(".sticky")) this.toolbar.hidden = true;
    });
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

  toolbarFor(sticky) {
    return this.toolbar && !this.toolbar.hidden && this.toolbar.dataset.sticky === sticky.dataset.id;
  }

  // The toolbar's controls that can be used now, in order.
  toolbarControls() {
    return [...this.toolbar.querySelectorAll("button, select, input")].filter(
      (control) => !control.disabled && control.checkVisibility(),
    );
  }

  // The control the toolbar was last left on, or its first.
  toolbarControl() {
    const controls = this.toolbarControls();
    return controls.includes(this.current) ? this.current : controls[0];
  }

  toolbarKeys(event) {
    const sticky = this.board.sticky(this.toolbar.dataset.sticky);
    if (!sticky) return;
    const typing = event.target.matches("input");
    const controls = this.toolbarControls();
    const index = controls.indexOf(event.target);
    const to = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: controls.length - 1,
    }[event.key];
    if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      sticky.focus();
    } else if (event.key === "Tab") {
      event.preventDefault();
      if (event.shiftKey) sticky.focus();
      else (nextTabStop(sticky) ?? sticky).focus();
    } else if (to !== undefined && !typing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      controls[(to + controls.length) % controls.length]?.focus();
    }
  }

  showToolbar(sticky) {
    if (!this.toolbar) return;
    this.toolbar.dataset.sticky = sticky.dataset.id;
    const name = Object.assign(document.createElement("bdi"), { textContent: textOf(sticky).trim() });
    this.toolbarLabel.replaceChildren("Actions for: ", name);
    this.toolbar.querySelector("select").value = sticky.dataset.kind;
    const parallel = this.toolbar.querySelector("[data-action=parallel]");
    parallel.hidden = sticky.dataset.kind !== "event";
    parallel.setAttribute("aria-pressed", isParallel(sticky) ? "true" : "false");
    this.toolbar.querySelector("[data-action=park]").textContent = isParked(sticky) ? "Place" : "Park";
    // The phase work shows its own actions for this sticky, before the toolbar is placed.
    document.dispatchEvent(new CustomEvent("board:toolbar", { detail: sticky }));
    this.toolbar.hidden = false;
    this.toolbar.hidden = !boardLayout().placeToolbar(this.toolbar, sticky);
  }

  followSticky() {
    if (!this.toolbar || this.following) return;
    this.following = requestAnimationFrame(() => {
      this.following = null;
      const sticky = this.board.sticky(this.toolbar.dataset.sticky);
      const active = document.activeElement;
      if (!sticky || (active !== sticky && !this.toolbar.contains(active))) return;
      this.toolbar.hidden = false;
      this.toolbar.hidden = !boardLayout().placeToolbar(this.toolbar, sticky);
    });
  }
}

// Where focus goes when a sticky is deleted: the one before it in its lane, on the timeline
// or in its part of the parking area, else the one after it, else (a note) its event.
function neighbourOf(sticky) {
  const item = itemOf(sticky);
  const siblings = [...item.parentElement.children].filter((child) => child.matches(ITEM));
  const index = siblings.indexOf(item);
  const near = siblings[index - 1] ?? siblings[index + 1];
  if (near) return near.matches(".column") ? near.querySelector(":scope > .sticky") : near;
  return sticky.closest(".column")?.querySelector(":scope > .sticky") ?? null;
}

// The first control after this sticky (its own buttons first) that Tab would reach.
function nextTabStop(sticky) {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  walker.currentNode = sticky;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.tabIndex >= 0 && !node.disabled && !node.closest("#sticky-toolbar, [inert]") && node.checkVisibility()) {
      return node;
    }
  }
  return null;
}

function strip(command) {
  delete command.op;
  return command;
}
