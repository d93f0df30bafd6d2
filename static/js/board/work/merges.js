// See board/work.js.
export function wireMerges() {}
