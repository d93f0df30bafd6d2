// The live socket to the server: connect (taking over the socket board.html opened early), send
// changes and keep them until confirmed, resend them after a reconnect, hold the board's
// sequence number and ask again for what a gap missed, and reconnect on its own with backoff.
// The server is the authority: the screen changes when its broadcast arrives. Shapes:
// docs/protocol.md.

import { fromHtml, notice, setStatus } from "./page.js";

const HEARTBEAT_MS = 25_000;
const GAP_WAIT_MS = 800;
const FORBIDDEN = 4403;
const NOT_FOUND = 4404;

export class LiveSocket {
  constructor(path, board, participant) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.board = board;
    this.participant = participant; // "" for an observer
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
        this.clockOffset = message.now - Date.now(); // the server's clock, for the timer
        setStatus("live", "Live");
        this.lastError = null;
        if (message.seq !== this.seq) this.raw({ type: "sync", since: this.seq });
        for (const { message: command } of this.outbox.values()) this.raw(command);
        break;
      case "patch":
        this.patch(message);
        break;
      case "bulk": // a change too big for one frame: ask for it
        if (this.isOwn(message) && this.outbox.has(message.op)) this.confirm(message.op, null);
        if (message.seq > this.seq) this.raw({ type: "sync", since: this.seq });
        break;
      case "catchup":
        this.board.apply(message.entities);
        this.advanceTo(message.seq);
        break;
      case "snapshot":
        // The phase work comes whole: what is not in it is gone (board/work/*.js start afresh).
        document.dispatchEvent(new CustomEvent("board:work-reset"));
        this.board.apply(message.work ?? []);
        if (message.html != null) this.replaceBoard(message.html, message.seq, message.board);
        else this.fetchBoard(message.url, message.board);
        break;
      case "ack":
        this.confirm(message.op, null);
        break;
      case "presence":
        document.getElementById("presence").replaceWith(fromHtml(message.html));
        document.dispatchEvent(new CustomEvent("board:presence"));
        break;
      case "pong":
        this.clockOffset = message.now - Date.now();
        // The board moved on and no patch said so (one lost while a server restarted): ask.
        if (message.seq > this.seq && !this.ahead.size) this.raw({ type: "sync", since: this.seq });
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
      case "conflict":
        this.conflicted(message);
        break;
    }
  }

  replaceBoard(html, seq, board) {
    const applied = this.seq;
    this.board.replaceAll(html);
    this.board.apply([board]);
    this.seq = seq;
    this.ahead.clear();
    // A board drawn before changes this page had already applied (their patches overtook the
    // snapshot): what it lacks is asked for again at once, not left to the next ping.
    if (seq < applied) this.raw({ type: "sync", since: seq });
  }

  // A board too big for one frame comes over HTTP; patches that arrive meanwhile wait, and
  // those newer than the board fetched are applied after it.
  async fetchBoard(url, board) {
    if (this.held) return;
    this.held = [];
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`${response.status}`);
      const html = await response.text();
      const seq = Number(/data-seq="(\d+)"/.exec(html)?.[1] ?? this.seq);
      this.replaceBoard(html, seq, board);
    } catch {
      setTimeout(() => this.raw({ type: "sync", since: this.seq }), GAP_WAIT_MS);
    } finally {
      const waiting = this.held;
      this.held = null;
      for (const message of waiting) this.patch(message);
    }
  }

  patch(message) {
    if (this.held) return this.held.push(message);
    if (message.seq <= this.seq || this.ahead.has(message.seq)) return;
    document.dispatchEvent(new CustomEvent("board:patch", { detail: message })); // before it applies (announce.js)
    this.board.apply(message.entities);
    if (message.seq === this.seq + 1) this.advanceTo(message.seq);
    else {
      this.ahead.add(message.seq);
      // 0.8 s after the gap opened (not after the latest patch: on a busy board that would wait
      // for a lull), ask for what is missing.
      this.gapTimer ??= setTimeout(() => this.fillGap(), GAP_WAIT_MS);
    }
    if (this.isOwn(message) && this.outbox.has(message.op)) this.confirm(message.op, message);
  }

  // Op ids are the sender's own: another page may use the same one.
  isOwn(message) {
    return Boolean(message.op) && message.by != null && String(message.by) === this.participant;
  }

  advanceTo(seq) {
    this.seq = Math.max(this.seq, seq);
    while (this.ahead.has(this.seq + 1)) this.ahead.delete(++this.seq);
    for (const held of this.ahead) if (held <= this.seq) this.ahead.delete(held);
  }

  fillGap() {
    this.gapTimer = null;
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
    let shown = false; // said already where it was asked for (a panel's field): not again below
    if (sent) {
      this.outbox.delete(message.op);
      this.showWaiting();
      shown = this.handlers.refused?.(sent, message) === true;
    }
    if (!shown && message.code !== "forbidden" && message.code !== "not_found") notice.show(message.message);
  }

  // A text edit refused because someone else changed the text first: nothing was saved; the
  // editor shows both texts and lets the person choose.
  conflicted(message) {
    const sent = this.outbox.get(message.op);
    if (!sent) return;
    this.outbox.delete(message.op);
    this.showWaiting();
    this.handlers.conflict?.(sent, message);
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
