// The little the board page must do itself: keep a live socket to the server, place what it
// sends, send what people do (drag, keys, the add bar), resend what was not confirmed, and
// come back on its own after a dropped connection. The server is the authority: the screen
// changes when its broadcast arrives, for the sender as for everyone. Shapes: docs/protocol.md.

const HEARTBEAT_MS = 25_000;
const GAP_WAIT_MS = 800;
const FORBIDDEN = 4403;
const NOT_FOUND = 4404;
const ITEM = ".sticky, .column";
const NOT_ITEM = ".lane-labels, .bookend";

const root = document.getElementById("board");
const statusBadge = document.getElementById("live-status");

// ----- small helpers -----

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

function sortKey(element) {
  return `${element.dataset.rank} ${element.dataset.id}`;
}

function insertSorted(container, element) {
  const key = sortKey(element);
  const next = [...container.children].find(
    (child) => child !== element && child.matches(ITEM) && sortKey(child) > key,
  );
  container.insertBefore(element, next ?? container.querySelector(":scope > .bookend-last"));
}

function previousItem(element) {
  let previous = element.previousElementSibling;
  while (previous && !previous.matches(ITEM)) previous = previous.previousElementSibling;
  return previous;
}

// Where a sticky is, read from where it sits on the page.
const isParked = (sticky) => sticky.closest(".parked") !== null;
const eventOf = (sticky) => sticky.closest(".lane")?.dataset.event ?? null;
const isParallel = (sticky) => sticky.classList.contains("is-parallel");

function quote(text) {
  return `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;
}

const notice = {
  box: document.getElementById("board-notice"),
  show(text, action) {
    if (!this.box) return;
    this.box.querySelector(".notice-text").textContent = text;
    const button = this.box.querySelector(".notice-action");
    button.hidden = !action;
    if (action) {
      button.textContent = action.label;
      button.onclick = () => {
        action.run();
        this.hide();
      };
    }
    this.box.hidden = false;
    clearTimeout(this.timer);
    if (action || !text.endsWith("…")) this.timer = setTimeout(() => this.hide(), 7000);
  },
  hide() {
    if (this.box) this.box.hidden = true;
  },
};

function setStatus(state, text) {
  if (!statusBadge) return;
  statusBadge.dataset.state = state;
  statusBadge.textContent = text;
}

// An event on the timeline heads a column with one lane per kind below it.
const laneNames = JSON.parse(document.getElementById("lane-names")?.textContent ?? "{}");

function newColumn(id, sticky) {
  const column = document.createElement("li");
  column.className = "column";
  column.id = `c-${id}`;
  column.dataset.id = id;
  column.append(sticky);
  for (const kind of Object.keys(laneNames)) {
    const lane = document.createElement("div");
    lane.setAttribute("role", "list");
    lane.className = `lane kind-${kind}-lane`;
    Object.assign(lane.dataset, { place: "lane", event: id, kind });
    column.append(lane);
  }
  labelLanes(column);
  return column;
}

function labelLanes(column) {
  const text = column.querySelector(":scope > .sticky .text")?.textContent ?? "";
  column.querySelectorAll(":scope > .lane").forEach((lane) => {
    lane.setAttribute("aria-label", `${laneNames[lane.dataset.kind]} under ${quote(text)}`);
  });
}

// ----- the board on screen -----

class BoardView {
  constructor() {
    this.versions = new Map(); // sticky id -> newest version placed (deleted ones too)
    this.homeless = new Map(); // notes whose event column has not arrived yet
    this.deferred = new Map(); // changes to the sticky being edited here, applied after
    this.editors = new Map(); // participant id -> {sticky, name, colour}
    this.editingHere = null;
    this.readVersions();
  }

  get content() {
    return document.getElementById("board-content");
  }

  readVersions() {
    this.content.querySelectorAll(".sticky[data-id]").forEach((sticky) => {
      this.versions.set(sticky.dataset.id, Number(sticky.dataset.version));
    });
  }

  sticky(id) {
    return document.getElementById(`s-${id}`);
  }

  replaceAll(html) {
    const focused = document.activeElement?.closest?.(".sticky")?.dataset.id;
    this.content.replaceWith(fromHtml(html));
    this.versions.clear();
    this.homeless.clear();
    this.readVersions();
    if (focused) this.sticky(focused)?.focus();
    this.showEditors();
    document.dispatchEvent(new CustomEvent("board:replaced"));
  }

  apply(states) {
    const focused = document.activeElement?.closest?.(".sticky")?.dataset.id;
    for (const state of states) {
      if (state.version <= (this.versions.get(state.id) ?? 0)) continue;
      this.versions.set(state.id, state.version);
      if (state.id === this.editingHere) this.deferred.set(state.id, state);
      else this.place(state);
    }
    if (focused) this.sticky(focused)?.focus({ preventScroll: true });
    this.showEditors();
  }

  place(state) {
    this.remove(state.id, state);
    if (state.deleted) return;
    const fresh = fromHtml(state.html);
    if (state.kind === "event" && !state.parked) {
      let column = document.getElementById(`c-${state.id}`);
      if (column) {
        column.querySelector(":scope > .sticky").replaceWith(fresh);
        labelLanes(column);
      } else {
        column = newColumn(state.id, fresh);
        document.dispatchEvent(new CustomEvent("board:column-added", { detail: column }));
      }
      column.dataset.rank = state.rank;
      insertSorted(document.getElementById("timeline"), column);
      this.rehome(state.id);
    } else if (state.parked) {
      const shelf = state.kind === "event" ? "parked-events" : "parked-notes";
      insertSorted(document.getElementById(shelf), fresh);
    } else {
      const lane = document.querySelector(
        `.lane[data-event="${state.event}"][data-kind="${state.kind}"]`,
      );
      if (lane) insertSorted(lane, fresh);
      else this.homeless.set(state.id, state);
    }
  }

  // Take a sticky off the screen; an event column stays when the event stays on the timeline.
  remove(id, next) {
    this.homeless.delete(id);
    const column = document.getElementById(`c-${id}`);
    const staysOnTimeline = next && !next.deleted && next.kind === "event" && !next.parked;
    if (column && !staysOnTimeline) {
      // Notes still in its lanes are waiting for their own change: keep them until it comes.
      column.querySelectorAll(".lane > .sticky").forEach((note) => {
        this.homeless.set(note.dataset.id, {
          id: note.dataset.id, kind: note.dataset.kind, parked: false,
          event: id, rank: note.dataset.rank, html: note.outerHTML,
        });
      });
      column.remove();
      document.dispatchEvent(new CustomEvent("board:column-removed", { detail: column }));
    }
    const sticky = this.sticky(id);
    if (sticky && !sticky.parentElement?.matches(".column")) sticky.remove();
  }

  rehome(eventId) {
    for (const [id, state] of this.homeless) {
      if (state.event === eventId) {
        this.homeless.delete(id);
        this.place(state);
      }
    }
  }

  // Put a sticky back in the place it was dragged from, at its own rank (after a refused drag).
  restore(id, place) {
    const sticky = this.sticky(id);
    if (!sticky) return;
    const { kind, rank } = sticky.dataset;
    const column = sticky.closest(".column");
    if (column && !place.parked) insertSorted(document.getElementById("timeline"), column);
    else this.place({ id, kind, rank, parked: place.parked, event: place.event, html: sticky.outerHTML });
  }

  finishEditing(id) {
    this.editingHere = null;
    const waiting = this.deferred.get(id);
    this.deferred.delete(id);
    if (waiting) this.place(waiting);
  }

  setEditor(message) {
    if (message.sticky) this.editors.set(message.participant, message);
    else this.editors.delete(message.participant);
    this.showEditors();
  }

  showEditors() {
    document.querySelectorAll(".sticky.being-edited").forEach((sticky) => {
      sticky.classList.remove("being-edited");
      sticky.querySelector(".editor-mark")?.remove();
    });
    for (const [participant, { sticky, name, colour }] of this.editors) {
      const element = this.sticky(sticky);
      if (!element || String(participant) === root.dataset.participant) continue;
      element.classList.add("being-edited");
      element.style.setProperty("--editor", colour);
      const mark = document.createElement("span");
      mark.className = "editor-mark";
      mark.textContent = `✎ ${name}`;
      element.append(mark);
    }
  }
}

// ----- the socket -----

class LiveSocket {
  constructor(path, board) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.board = board;
    this.seq = Number(board.content.dataset.seq);
    this.ahead = new Set(); // sequence numbers applied beyond a gap
    this.outbox = new Map(); // op id -> {command, meta}: sent, not yet confirmed
    this.clientId = Math.random().toString(36).slice(2, 10);
    this.counter = 0;
    this.attempt = 0;
    this.stopped = false;
    this.handlers = {};
    this.connect();
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
  }

  connect() {
    const early = window.p2pboardEarlySocket; // opened by board.html, first time only
    delete window.p2pboardEarlySocket;
    this.socket = early ? early.socket : new WebSocket(this.url);
    const listeners = {
      open: () => {
        this.attempt = 0;
        this.heartbeat = setInterval(() => this.raw({ type: "ping" }), HEARTBEAT_MS);
      },
      message: (event) => this.receive(JSON.parse(event.data)),
      close: (event) => this.closed(event),
    };
    for (const [type, listener] of Object.entries(listeners)) this.socket.addEventListener(type, listener);
    if (!early) return;
    // The socket the page opened before this script ran: what it heard meanwhile, in order.
    for (const type of Object.keys(listeners)) this.socket.removeEventListener(type, early.keep);
    for (const event of early.events) listeners[event.type](event);
  }

  raw(message) {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  // A change: kept until the server confirms it, and sent again after a reconnect.
  send(command, meta = {}) {
    const op = `${this.clientId}-${++this.counter}`;
    const message = { ...command, op };
    this.outbox.set(op, { message, meta });
    this.raw(message);
    this.showWaiting();
    return op;
  }

  receive(message) {
    switch (message.type) {
      case "welcome":
        setStatus("live", "Live");
        this.lastError = null;
        if (message.seq !== this.seq) this.raw({ type: "sync", since: this.seq });
        for (const { message: command } of this.outbox.values()) this.raw(command);
        break;
      case "patch":
        this.patch(message);
        break;
      case "catchup":
        this.board.apply(message.stickies);
        this.advanceTo(message.seq);
        break;
      case "snapshot":
        this.board.replaceAll(message.html);
        this.seq = message.seq;
        this.ahead.clear();
        break;
      case "ack":
        this.confirm(message.op, null);
        break;
      case "presence":
        document.getElementById("presence").replaceWith(fromHtml(message.html));
        break;
      case "editing":
        this.board.setEditor(message);
        break;
      case "revoked":
        this.stopped = true;
        notice.show(message.message);
        break;
      case "error":
        this.refused(message);
        break;
    }
  }

  patch(message) {
    if (message.seq <= this.seq || this.ahead.has(message.seq)) return;
    this.board.apply(message.stickies);
    if (message.seq === this.seq + 1) this.advanceTo(message.seq);
    else {
      this.ahead.add(message.seq);
      clearTimeout(this.gapTimer);
      this.gapTimer = setTimeout(() => this.fillGap(), GAP_WAIT_MS);
    }
    if (message.op && this.outbox.has(message.op)) this.confirm(message.op, message);
  }

  advanceTo(seq) {
    this.seq = Math.max(this.seq, seq);
    while (this.ahead.has(this.seq + 1)) this.ahead.delete(++this.seq);
    for (const held of this.ahead) if (held <= this.seq) this.ahead.delete(held);
  }

  fillGap() {
    if (this.ahead.size) this.raw({ type: "sync", since: this.seq });
  }

  confirm(op, message) {
    const sent = this.outbox.get(op);
    this.outbox.delete(op);
    this.showWaiting();
    if (sent) this.handlers.confirmed?.(sent, message);
  }

  refused(message) {
    this.lastError = message;
    const sent = message.op && this.outbox.get(message.op);
    if (sent) {
      this.outbox.delete(message.op);
      this.showWaiting();
      this.handlers.refused?.(sent, message);
    }
    if (message.code !== "forbidden" && message.code !== "not_found") notice.show(message.message);
  }

  showWaiting() {
    if (this.socket.readyState === WebSocket.OPEN) return;
    const waiting = this.outbox.size;
    setStatus("reconnecting", waiting ? `Reconnecting… ${waiting} unsent` : "Reconnecting…");
  }

  closed(event) {
    clearInterval(this.heartbeat);
    if (event.code === FORBIDDEN || event.code === NOT_FOUND || this.stopped) {
      this.stopped = true;
      setStatus("closed", "Disconnected");
      if (this.lastError) notice.show(this.lastError.message);
      document.dispatchEvent(new CustomEvent("board:closed"));
      return;
    }
    this.showWaiting();
    const delay = Math.min(10_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.socket.readyState !== WebSocket.CLOSED) return;
    clearTimeout(this.retry);
    this.connect();
  }
}

// ----- what people do -----

class Editor {
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
    this.wireDragging();
    document.addEventListener("board:replaced", () => this.wireDragging());
    document.addEventListener("board:closed", () => this.disable());
    document.addEventListener("keydown", (event) => this.globalKeys(event));
  }

  disable() {
    this.addBar?.querySelectorAll("input, button").forEach((control) => (control.disabled = true));
    this.sortables?.forEach((sortable) => sortable.option("disabled", true));
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
      const id = message.stickies[0].id;
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

  placeOf(sticky) {
    const item = sticky.closest(".column") ?? sticky;
    const previous = previousItem(item);
    const parked = isParked(sticky);
    return {
      place: { parked, event: parked ? null : eventOf(sticky) },
      after: previous ? previous.dataset.id : null,
    };
  }

  move(sticky, target) {
    const id = sticky.dataset.id;
    const before = this.placeOf(sticky);
    this.change({ type: "move", sticky: id, ...target }, { type: "move", sticky: id, ...before });
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
    const place = this.placeOf(sticky).place;
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

  // --- drag and drop (SortableJS) ---

  wireDragging() {
    this.sortables?.forEach((sortable) => sortable.destroy());
    this.sortables = new Map(); // list element -> its Sortable
    if (!window.Sortable) return;
    this.dragOptions = {
      animation: 120,
      // Pointer events rather than the browser's own drag and drop: the same for mouse, pen
      // and touch, and the page keeps scrolling while dragging.
      forceFallback: true,
      fallbackTolerance: 4,
      delay: 120,
      delayOnTouchOnly: true,
      // Where the drag started, for its undo: taken before the drag changes the page.
      onStart: (event) => {
        const item = event.item;
        this.dragOrigin = this.placeOf(item.matches(".column") ? item.querySelector(".sticky") : item);
      },
      onEnd: (event) => this.dropped(event),
    };
    this.sortable(document.getElementById("timeline"), {
      group: { name: "events", pull: false, put: ["events"] },
      draggable: ".column",
      handle: ".sticky.kind-event",
      filter: NOT_ITEM,
      preventOnFilter: false,
      onMove: (event) => {
        const related = event.related;
        if (related.matches(".lane-labels")) return false;
        if (related.matches(".bookend-last")) return !event.willInsertAfter;
        if (related.matches(".bookend")) return event.willInsertAfter;
        return true;
      },
    });
    this.sortable(document.getElementById("parked-events"), {
      group: { name: "events", pull: true, put: false },
    });
    this.sortable(document.getElementById("parked-notes"), { group: this.notesGroup() });
    this.wireLanes();
    if (!this.watchingColumns) {
      this.watchingColumns = true;
      document.addEventListener("board:column-added", (event) => {
        event.detail.querySelectorAll(".lane").forEach((lane) => this.sortable(lane, { group: this.notesGroup() }));
      });
      document.addEventListener("board:column-removed", (event) => {
        event.detail.querySelectorAll(".lane").forEach((lane) => {
          this.sortables.get(lane)?.destroy();
          this.sortables.delete(lane);
        });
      });
    }
  }

  // A big board has a thousand lanes: they get their Sortables a few at a time once the
  // board is on screen, and all at once if someone presses on the board before that.
  wireLanes() {
    const lanes = [...document.querySelectorAll(".lane")];
    const generation = (this.laneGeneration = (this.laneGeneration ?? 0) + 1);
    const wire = (until) => {
      if (generation !== this.laneGeneration) return document.removeEventListener("pointerdown", now, true);
      while (lanes.length && performance.now() < until) this.sortable(lanes.pop(), { group: this.notesGroup() });
      if (lanes.length) setTimeout(() => wire(performance.now() + 8), 0);
      else document.removeEventListener("pointerdown", now, true);
    };
    const now = () => wire(Infinity);
    document.addEventListener("pointerdown", now, true);
    requestAnimationFrame(() => setTimeout(() => wire(performance.now() + 8), 0));
  }

  notesGroup() {
    return {
      name: "notes",
      put: (to, from, dragged) => !to.el.dataset.kind || dragged.dataset.kind === to.el.dataset.kind,
    };
  }

  sortable(list, options) {
    if (!window.Sortable || this.sortables.has(list)) return;
    this.sortables.set(list, Sortable.create(list, { ...this.dragOptions, ...options }));
  }

  dropped(event) {
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    const item = event.item;
    const sticky = item.matches(".column") ? item.querySelector(".sticky") : item;
    const container = item.parentElement;
    const previous = previousItem(item);
    const after = previous ? previous.dataset.id : null;
    let place = { parked: true, event: null };
    if (container.matches(".lane")) place = { parked: false, event: container.dataset.event };
    else if (container.id === "timeline") place = { parked: false, event: null };
    const id = sticky.dataset.id;
    this.change({ type: "move", sticky: id, place, after }, { type: "move", sticky: id, ...this.dragOrigin });
  }
}

function strip(command) {
  delete command.op;
  return command;
}

// ----- zoom -----

function wireZoom() {
  const map = document.getElementById("canvas");
  const label = document.getElementById("zoom-level");
  if (!label) return;
  let zoom = 1;
  const set = (value) => {
    zoom = Math.min(1.5, Math.max(0.3, Math.round(value * 10) / 10));
    map.style.setProperty("--zoom", zoom);
    label.textContent = `${Math.round(zoom * 100)}%`;
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const step = button.dataset.zoom;
      set(step === "reset" ? 1 : zoom + Number(step));
    });
  });
}

// ----- pages -----

function wireDialogsAndCopy() {
  document.querySelectorAll("[data-open-dialog]").forEach((button) => {
    button.addEventListener("click", () => document.getElementById(button.dataset.openDialog).showModal());
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");
    }
    button.textContent = "Copied ✓";
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
}

wireDialogsAndCopy();
if (root) {
  const board = new BoardView();
  const live = new LiveSocket(root.dataset.socketPath, board);
  const editor = root.dataset.canEdit ? new Editor(board, live) : null;
  wireZoom();
  window.p2pboard = { board, live, editor };
  performance.mark("board-wired");
}
