// See board/work.js.
export function wireVotes() {}
