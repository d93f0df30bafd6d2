// The little the board page must do itself: keep a live socket to the server (board/socket.js),
// show what it sends (board/view.js), send what people do (board/editor.js, board/dragging.js).
// The server is the authority: the screen changes when its broadcast arrives, for the sender as
// for everyone. This entry module wires them together; the manage page loads it for its dialogs
// and copy buttons. Shapes: docs/protocol.md.

import { Agenda } from "./board/agenda.js";
import { Announcer } from "./board/announce.js";
import { Editor } from "./board/editor.js";
import { wireInsight } from "./board/insight.js";
import { wireDialogsAndCopy, wireZoom } from "./board/page.js";
import { Outline } from "./board/outline.js";
import { LiveSocket } from "./board/socket.js";
import { BoardView } from "./board/view.js";
import { wirePhaseWork } from "./board/work.js";

const root = document.getElementById("board");

wireDialogsAndCopy();
if (root) {
  const { socketPath, participant } = root.dataset;
  const slug = socketPath.split("/").at(-2); // the path is /ws/w/<slug>/
  const board = new BoardView({ slug, participant });
  const live = new LiveSocket(socketPath, board, participant);
  const editor = root.dataset.canEdit ? new Editor(board, live) : null;
  const agenda = new Agenda(live, board, { participant, facilitator: root.dataset.role === "facilitator" });
  wirePhaseWork({ live, board, editor, agenda, participant, facilitator: root.dataset.role === "facilitator", canEdit: Boolean(root.dataset.canEdit) });
  wireInsight({ facilitator: root.dataset.role === "facilitator" });
  wireZoom();
  new Announcer({ board, participant, nameOf: (id) => agenda.nameOf(id) });
  new Outline({ board, editor, live });
  window.p2pboard = { board, live, editor, agenda };
  performance.mark("board-wired");
}
