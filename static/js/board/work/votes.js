// Dot voting on the pain points (put forward in the "pain" step): each person gives their votes
// with the buttons on a pain point or in the panel, and takes them back; the panel counts what
// is left, and ranks the pain points by their totals once the tally has them (facilitators
// always; everyone once the facilitator shows them). Nobody's screen ever holds who voted for
// what: a person's own votes come in their own participant state, the totals in the `tally`.
// The facilitator sets the votes each, the most on one, hides or shows the totals, clears them,
// and allows pain points without a name (the add bar's "Post without my name").

import { keepInOrder, notice, quote } from "../page.js";
import { WorkPanel, describe, showOnBoard } from "./merges.js";

const json = (id) => JSON.parse(document.getElementById(id)?.textContent ?? "null");
const textOf = (sticky) => sticky?.querySelector(".text")?.textContent ?? "";
const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const VOTES_EACH = { min: 1, max: 20 }; // as the server's `board` command allows (docs/protocol.md)

// Dots for a count of one's own votes: seen as dots, said in words.
function dots(count) {
  const seen = document.createElement("span");
  seen.className = "vote-dots";
  seen.setAttribute("aria-hidden", "true");
  seen.textContent = "●".repeat(Math.min(count, 10));
  return seen;
}

export function wireVotes(context) {
  const part = document.getElementById("votes-part");
  if (part) new Votes(context, part);
}

class Votes {
  constructor({ live, participant, facilitator, canEdit }, part) {
    this.live = live;
    this.me = String(participant ?? "");
    this.facilitator = facilitator;
    this.canVote = Boolean(participant) && canEdit;
    this.state = json("board-state") ?? {};
    this.mine = (json("people-state") ?? []).find((person) => String(person.id) === this.me)?.votes ?? {};
    this.tally = { hidden: this.state.votes_hidden }; // until the page's tally is applied
    this.part = part;
    this.find = (name) => part.querySelector(`[data-votes="${name}"]`);
    this.list = this.find("list");
    this.template = document.getElementById("vote-row-template");
    this.said = document.getElementById("votes-said");
    this.panel = new WorkPanel({
      panel: document.getElementById("votes-panel"),
      opener: document.getElementById("votes-opener"),
      phase: "pain",
      opened: () => this.show(),
      closed: () => this.show(),
    });
    document.addEventListener("board:state", (event) => {
      this.state = event.detail;
      this.show();
      this.showAnonymous();
    });
    document.addEventListener("board:tally", (event) => {
      this.tally = event.detail;
      this.show();
    });
    document.addEventListener("board:participant", (event) => {
      const person = event.detail;
      if (String(person.id) !== this.me || !person.votes) return;
      this.mine = person.votes;
      this.show();
    });
    document.addEventListener("board:placed", (event) => {
      const sticky = document.getElementById(`s-${event.detail}`);
      if (sticky?.dataset.kind === "pain") this.mark(sticky);
      this.later();
    });
    document.addEventListener("board:replaced", () => this.show());
    // Pain points come and go (added, deleted, merged, moved): the panel's list follows.
    new MutationObserver(() => this.later()).observe(document.getElementById("canvas"), { childList: true, subtree: true });
    const pressed = (event) => {
      const button = event.target.closest("[data-vote]");
      if (!button) return;
      const id = button.closest("[data-sticky]")?.dataset.sticky;
      if (id) this.send({ type: button.dataset.vote === "add" ? "vote" : "unvote", sticky: id });
    };
    document.getElementById("canvas").addEventListener("click", pressed);
    this.list.addEventListener("click", (event) => {
      const shown = event.target.closest(".vote-row-text");
      if (shown) showOnBoard(shown.closest("[data-sticky]").dataset.sticky);
      else pressed(event);
    });
    this.wireAddBar();
    this.wireSettings();
    this.show();
  }

  send(command) {
    this.voted = true; // the next change of one's own votes is said (screen readers)
    this.live.send(command);
  }

  later() {
    if (this.pending || !this.panel.isOpen) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.showList();
    });
  }

  get totals() {
    return this.tally?.totals ?? null; // null: hidden from this viewer
  }

  get votingNow() {
    return this.canVote && (this.state.phase === "pain" || Boolean(this.panel?.isOpen));
  }

  get given() {
    return Object.values(this.mine).reduce((sum, count) => sum + count, 0);
  }

  painPoints() {
    return [...document.querySelectorAll("#board-content .sticky.kind-pain[data-id]:not(.is-private)")];
  }

  // --- everything shown, from the board's state, the tally and one's own votes ---

  show() {
    if (!this.panel) return; // the panel opened as it was made: shown once all is wired
    const each = this.state.votes_each ?? 3;
    const most = this.state.votes_per_sticky ?? 1;
    const left = Math.max(0, each - this.given);
    const counter = `${left} of ${each} votes left`;
    const leftLine = this.find("left");
    if (leftLine) {
      leftLine.textContent = left ? `${counter}.` : `${counter}: take one back to give it to another pain point.`;
      leftLine.classList.toggle("none-left", !left);
    }
    const rules = this.find("rules");
    if (rules) {
      rules.textContent = `Give your votes to the pain points to fix first: ${most === 1 ? "one vote on each at most" : `up to ${most} on one`}. Nobody sees who voted for what.`;
    }
    this.find("opener-left").textContent = this.canVote ? ` · ${left} of ${each} left` : "";
    if (this.voted && this.said) {
      this.said.textContent = `${counter}.`;
      this.voted = false;
    }
    const note = this.find("hidden-note");
    const hidden = this.tally?.hidden ?? this.state.votes_hidden;
    note.hidden = !hidden;
    this.find("hidden-said").textContent = this.facilitator
      ? "The totals are hidden from the participants: only facilitators see them until you show them."
      : "The totals are hidden until the facilitator shows them: you see only your own votes.";
    this.find("list-heading").textContent = this.totals ? "Results, most votes first" : "Pain points";
    this.list.classList.toggle("ranked", Boolean(this.totals));
    this.painPoints().forEach((sticky) => this.mark(sticky));
    // The list is drawn while its panel is open (and as it opens): a big board has hundreds of
    // pain points, and drawing them all into a closed panel was a third of the page's script.
    if (this.panel.isOpen) this.showList();
    this.showSettings();
  }

  // The votes on a pain point: its total (when this viewer has the totals), one's own votes,
  // and the buttons to give and take back a vote while voting is on.
  mark(sticky) {
    const id = sticky.dataset.id;
    // A vote button pressed from the keyboard keeps the focus through its mark drawn again.
    const focused = sticky.contains(document.activeElement) ? document.activeElement.dataset.vote : null;
    const drawn = [...sticky.querySelectorAll(".vote-mark, .vote-said")];
    const total = this.totals?.[id] ?? 0;
    const mine = this.mine[id] ?? 0;
    const buttons = this.votingNow && !sticky.matches(".is-private");
    if (!buttons && !total && !mine) {
      drawn.forEach((old) => old.remove());
      describe(sticky);
      if (focused) sticky.focus({ preventScroll: true });
      return;
    }
    const mark = document.createElement("div");
    mark.className = "vote-mark sticky-controls";
    mark.dataset.sticky = id;
    const text = quote(textOf(sticky));
    if (total) {
      const badge = document.createElement("span");
      badge.className = "vote-total";
      badge.title = plural(total, "vote") + " in all";
      badge.setAttribute("aria-hidden", "true");
      const word = document.createElement("span");
      word.className = "vote-word";
      word.textContent = total === 1 ? " vote" : " votes";
      badge.append(String(total), word);
      mark.append(badge);
    }
    if (buttons) {
      const give = document.createElement("button");
      give.type = "button";
      give.className = "vote-give";
      give.dataset.vote = "add";
      if (mine) give.append(dots(mine), " +");
      else give.textContent = "+ Vote";
      give.classList.toggle("at-most", mine >= (this.state.votes_per_sticky ?? 1));
      const label = mine ? `Vote for ${text} again: you gave it ${plural(mine, "vote")}` : `Vote for ${text}`;
      give.setAttribute("aria-label", label);
      give.title = label;
      mark.append(give);
      if (mine) {
        const take = document.createElement("button");
        take.type = "button";
        take.className = "vote-take";
        take.dataset.vote = "take";
        take.textContent = "−";
        take.setAttribute("aria-label", `Take back a vote from ${text}`);
        take.title = `Take back a vote from ${text}`;
        mark.append(take);
      }
    } else if (mine) mark.append(dots(mine));
    const said = document.createElement("span");
    said.className = "sticky-said vote-said visually-hidden";
    said.id = `votes-on-${id}`;
    const parts = [];
    if (total) parts.push(`${plural(total, "vote")} in all`);
    if (mine) parts.push(`${plural(mine, "vote")} from you`);
    said.textContent = parts.length ? `${parts.join(", ")}.` : "No votes yet.";
    // Drawn again on every vote anyone gives: the same buttons stay, so a click that is under
    // way as someone else votes is not lost with the button it started on.
    if (drawn.length === 2 && drawn[0].isEqualNode(mark) && drawn[1].isEqualNode(said)) return;
    drawn.forEach((old) => old.remove());
    sticky.append(mark, said);
    describe(sticky);
    if (focused) (mark.querySelector(`[data-vote="${focused}"]`) ?? mark.querySelector("[data-vote]") ?? sticky).focus({ preventScroll: true });
  }

  // The panel's list: every pain point, ranked by its total when the totals are known (the
  // board's order otherwise), with one's own votes and the buttons.
  showList() {
    const totals = this.totals;
    const points = this.painPoints();
    const order = new Map(points.map((sticky, index) => [sticky.dataset.id, index]));
    const total = (sticky) => totals?.[sticky.dataset.id] ?? 0;
    if (totals) points.sort((a, b) => total(b) - total(a) || order.get(a.dataset.id) - order.get(b.dataset.id));
    const rows = new Map([...this.list.children].map((row) => [row.dataset.sticky, row]));
    const focused = document.activeElement;
    const most = Math.max(1, ...points.map(total));
    const wanted = points.map((sticky) => {
      const row = rows.get(sticky.dataset.id) ?? this.template.content.firstElementChild.cloneNode(true);
      const votes = total(sticky);
      const rank = 1 + points.filter((other) => total(other) > votes).length;
      this.fillRow(row, sticky, totals ? { votes, rank } : null);
      // Its share of the most votes, drawn as a bar behind it (a property set by script, which
      // the page's Content Security Policy allows, unlike a style attribute).
      row.style.setProperty("--share", totals ? String(votes / most) : "0");
      return row;
    });
    const each = this.state.votes_each ?? 3;
    this.list.classList.toggle("none-left", this.given >= each);
    keepInOrder(this.list, wanted);
    if (this.list.contains(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
    this.find("empty").hidden = points.length > 0;
    this.list.hidden = !points.length;
  }

  fillRow(row, sticky, result) {
    const id = sticky.dataset.id;
    const text = textOf(sticky);
    const mine = this.mine[id] ?? 0;
    row.dataset.sticky = id;
    row.classList.toggle("has-votes", Boolean(result?.votes));
    row.querySelector(".vote-rank").textContent = result?.votes ? String(result.rank) : "";
    const shown = row.querySelector(".vote-row-text");
    shown.textContent = text;
    shown.setAttribute("aria-label", `${text} (show it on the board)`);
    const count = row.querySelector(".vote-row-total");
    count.textContent = result ? (result.votes ? plural(result.votes, "vote") : "no votes") : "";
    const own = row.querySelector(".vote-row-mine");
    own.replaceChildren();
    if (mine) {
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = `${plural(mine, "vote")} from you`;
      const yours = document.createElement("span");
      yours.setAttribute("aria-hidden", "true");
      yours.textContent = " yours";
      own.append(dots(mine), yours, words);
    }
    const give = row.querySelector("[data-vote=add]");
    if (give) {
      give.setAttribute("aria-label", `Vote for ${quote(text)}`);
      give.classList.toggle("at-most", mine >= (this.state.votes_per_sticky ?? 1));
    }
    const take = row.querySelector("[data-vote=take]");
    if (take) {
      take.hidden = !mine;
      take.setAttribute("aria-label", `Take back a vote from ${quote(text)}`);
    }
  }

  // --- the add bar: "Post without my name" while the board allows it and the kind is pain ---

  wireAddBar() {
    const bar = document.getElementById("add-bar");
    this.anonymous = bar?.querySelector(".add-anonymous");
    if (!this.anonymous) return;
    bar.addEventListener("change", (event) => {
      if (event.target.name === "kind") this.showAnonymous();
    });
    this.showAnonymous();
  }

  showAnonymous() {
    if (!this.anonymous) return;
    const kind = document.querySelector("#add-bar input[name=kind]:checked")?.value;
    this.anonymous.hidden = !(this.state.anonymous_pain && kind === "pain");
  }

  // --- the facilitator's settings ---

  wireSettings() {
    this.each = document.getElementById("votes-each");
    if (!this.each) return;
    this.most = document.getElementById("votes-per-sticky");
    this.hiddenBox = document.getElementById("votes-hidden");
    this.showButton = document.getElementById("votes-show");
    this.anonymousBox = document.getElementById("anonymous-pain");
    this.clear = document.getElementById("votes-clear");
    this.confirm = document.getElementById("votes-clear-confirm");
    const board = (fields) => this.live.send({ type: "board", ...fields });
    const whole = (input, min, max) => {
      const value = Number(input.value);
      return Number.isInteger(value) && value >= min && value <= max ? value : null;
    };
    this.each.addEventListener("change", () => {
      const each = whole(this.each, VOTES_EACH.min, VOTES_EACH.max);
      if (each === null) {
        this.each.value = this.state.votes_each;
        return notice.show(`Votes each: a whole number from ${VOTES_EACH.min} to ${VOTES_EACH.max}.`);
      }
      if (each === this.state.votes_each) return;
      const fields = { votes_each: each };
      if (this.state.votes_per_sticky > each) fields.votes_per_sticky = each;
      board(fields);
    });
    this.most.addEventListener("change", () => {
      const each = this.state.votes_each;
      const most = whole(this.most, 1, each);
      if (most === null) {
        this.most.value = this.state.votes_per_sticky;
        return notice.show(`The most on one pain point: a whole number from 1 to ${each} (the votes each).`);
      }
      if (most !== this.state.votes_per_sticky) board({ votes_per_sticky: most });
    });
    this.hiddenBox.addEventListener("change", () => board({ votes_hidden: this.hiddenBox.checked }));
    this.showButton.addEventListener("click", () => board({ votes_hidden: false }));
    this.anonymousBox.addEventListener("change", () => board({ anonymous_pain: this.anonymousBox.checked }));
    this.clear.addEventListener("click", () => {
      const given = Object.values(this.totals ?? {}).reduce((sum, count) => sum + count, 0);
      if (!given) return notice.show("There are no votes to clear.");
      this.confirm.querySelector("p").textContent = `Clear all ${plural(given, "vote")}? Everyone gets theirs back to vote again; this cannot be undone.`;
      this.confirm.hidden = false;
      this.clear.setAttribute("aria-expanded", "true");
      this.confirm.querySelector("[data-clear=no]").focus();
    });
    this.confirm.addEventListener("click", (event) => {
      const answer = event.target.closest("[data-clear]")?.dataset.clear;
      if (!answer) return;
      if (answer === "yes") this.live.send({ type: "votes_clear" });
      this.confirm.hidden = true;
      this.clear.setAttribute("aria-expanded", "false");
      this.clear.focus();
    });
  }

  showSettings() {
    if (!this.each) return;
    const { votes_each: each, votes_per_sticky: most, votes_hidden: hidden, anonymous_pain: anonymous } = this.state;
    if (document.activeElement !== this.each) this.each.value = each;
    if (document.activeElement !== this.most) this.most.value = most;
    this.most.max = each;
    this.hiddenBox.checked = hidden;
    this.anonymousBox.checked = anonymous;
  }
}
