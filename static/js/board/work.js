// The phase work: merging duplicates, dot voting, timings and the estimation round, actions,
// the follow-up. Each part is a module of board/work/ that listens for its entities
// (`board:tally`, `board:round`, `board:timing`, `board:action`, `board:dismissal`,
// `board:participant`, told by view.js) and sends its commands through the live socket.
// The page brings the entities' states as this viewer may see them (`#work-state`); a snapshot
// brings them whole again after `board:work-reset` (each module forgets what it held).

import { wireActions } from "./work/actions.js";
import { wireFollowup } from "./work/followup.js";
import { wireMerges } from "./work/merges.js";
import { wireTimings } from "./work/timings.js";
import { wireVotes } from "./work/votes.js";

export function wirePhaseWork(context) {
  for (const wire of [wireMerges, wireVotes, wireTimings, wireActions, wireFollowup]) wire(context);
  const initial = JSON.parse(document.getElementById("work-state")?.textContent ?? "[]");
  context.board.apply(initial);
}
