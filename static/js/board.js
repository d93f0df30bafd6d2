// The little the board page must do itself: keep a live socket to the server, apply what it
// sends, and come back on its own after a dropped connection. Message shapes: docs/protocol.md.

const board = document.getElementById("board");
const statusBadge = document.getElementById("live-status");
const notice = document.getElementById("board-notice");

const HEARTBEAT_MS = 25_000;
const FORBIDDEN = 4403;
const NOT_FOUND = 4404;

function setStatus(state, text) {
  statusBadge.dataset.state = state;
  statusBadge.textContent = text;
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = false;
}

function replaceFromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.firstElementChild;
  const current = fresh && document.getElementById(fresh.id);
  if (current) current.replaceWith(fresh);
}

class LiveSocket {
  constructor(path) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.seq = 0;
    this.attempt = 0;
    this.stopped = false;
    this.lastError = null;
    this.connect();
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
  }

  connect() {
    this.socket = new WebSocket(this.url);
    this.socket.addEventListener("open", () => {
      this.attempt = 0;
      this.heartbeat = setInterval(() => this.send({ type: "ping" }), HEARTBEAT_MS);
    });
    this.socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    this.socket.addEventListener("close", (event) => this.closed(event));
  }

  send(command) {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(command));
  }

  receive(message) {
    if (typeof message.seq === "number") this.seq = Math.max(this.seq, message.seq);
    switch (message.type) {
      case "welcome":
        setStatus("live", "Live");
        notice.hidden = true;
        break;
      case "presence":
        replaceFromHtml(message.html);
        break;
      case "revoked":
        this.stopped = true;
        showNotice(message.message);
        break;
      case "error":
        this.lastError = message;
        if (message.code !== "forbidden" && message.code !== "not_found") showNotice(message.message);
        break;
    }
  }

  closed(event) {
    clearInterval(this.heartbeat);
    if (event.code === FORBIDDEN || event.code === NOT_FOUND || this.stopped) {
      this.stopped = true;
      setStatus("closed", "Disconnected");
      if (this.lastError) showNotice(this.lastError.message);
      return;
    }
    setStatus("reconnecting", "Reconnecting…");
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
if (board) window.p2pboard = { socket: new LiveSocket(board.dataset.socketPath) };
