// See board/work.js.
export function wireFollowup() {}
