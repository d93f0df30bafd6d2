// Actions: what someone will do after the workshop (a gap to fill, a question to answer), who
// owns it (a participant, or a person or team named in words), by when, and how far it got.
// Listed and sorted by due date, owner or status; added from the panel or from a sticky (the
// sticky toolbar's "work:make-action" event); edited in place; deleted with an Undo, and every
// change of one's own undone with Ctrl+Z as on the board (editor.js keeps the entries). After the
// workshop ended, facilitators and an action's owner still change it (the server checks).
// Shapes: docs/protocol.md (`action_add`, `action_update`, `action_delete`, `action_restore`).

import { TextLimit, characters } from "../limits.js";
import { notice, quote } from "../page.js";
import { showOnBoard } from "./merges.js";
import { People, make, onOutcome, uniqueId, workPanel } from "./panels.js";

const STATUSES = { open: "Open", doing: "Doing", done: "Done" };
const STATUS_ORDER = Object.keys(STATUSES);
const OTHER = "other";
const PHONE = "(max-width: 899px)"; // as the panels become sheets (board-work.css)

function todayIso() {
  const now = new Date();
  const pad = (value) => String(value).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function dueText(due) {
  const date = new Date(`${due}T00:00`);
  const options = { weekday: "short", day: "numeric", month: "short" };
  if (date.getFullYear() !== new Date().getFullYear()) options.year = "numeric";
  return date.toLocaleDateString(undefined, options);
}

export function wireActions(context) {
  if (document.getElementById("actions-panel")) new Actions(context);
}

class Actions {
  constructor({ live, editor, participant }) {
    this.live = live;
    this.editor = editor;
    this.me = participant;
    this.root = document.getElementById("actions-panel");
    this.list = this.root.querySelector("[data-action-list]");
    this.form = this.root.querySelector("[data-action-add]");
    this.canAdd = this.root.dataset.canAdd === "1";
    this.canChange = this.root.dataset.canChange; // "all", "own" (after the workshop ended) or ""
    this.people = new People();
    this.actions = new Map(); // id -> state, live ones
    this.sort = "due";
    this.editing = null; // the action being edited in place
    this.source = null; // the sticky the new action comes from
    this.panel = workPanel("actions", "actions", () => this.later());
    this.newBox = this.root.querySelector("[data-action-new]");
    this.newBox.hidden = !this.canAdd;
    // On a phone the list comes first: the form opens when wanted (or when there is nothing yet).
    this.newBox.querySelector("summary").addEventListener("click", () => (this.newChosen = true));
    this.wire();
    this.later();
  }

  wire() {
    document.addEventListener("board:action", (event) => {
      const state = event.detail;
      if (state.deleted) this.actions.delete(state.id);
      else this.actions.set(state.id, state);
      this.later();
    });
    // A snapshot brings every action again: what is not in it is gone.
    document.addEventListener("board:work-reset", () => {
      this.actions.clear();
      this.later();
    });
    for (const name of ["board:participant", "board:presence", "board:placed"]) {
      document.addEventListener(name, () => this.later());
    }
    document.addEventListener("work:make-action", (event) => this.fromSticky(event.detail));
    onOutcome(this.live, "actions", {
      confirmed: (sent) => this.confirmed(sent),
      refused: (sent, message) => this.refused(sent, message),
    });
    this.root.querySelector("[data-action-tools]").addEventListener("change", (event) => {
      if (event.target.name !== "action-sort") return;
      this.sort = event.target.value;
      this.render();
    });
    this.addLimit = this.wireForm(this.form, (command) => this.add(command));
    this.root.querySelector("[data-source-clear]").addEventListener("click", () => {
      this.setSource(null);
      this.form.elements.text.focus();
    });
    this.list.addEventListener("change", (event) => {
      if (!event.target.matches(".action-status-choice")) return;
      const action = this.actions.get(event.target.closest(".action-item").dataset.id);
      if (action) this.update(action, { status: event.target.value });
    });
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-do]");
      const item = button?.closest(".action-item");
      const action = item && this.actions.get(item.dataset.id);
      if (!action) return;
      if (button.dataset.do === "edit") this.edit(action);
      if (button.dataset.do === "delete") this.remove(action, item);
      if (button.dataset.do === "cancel") this.stopEditing(action.id);
      if (button.dataset.do === "source") this.showSticky(action.source);
    });
    this.list.addEventListener("keydown", (event) => {
      const form = event.target.closest(".action-edit");
      if (event.key !== "Escape" || !form) return;
      event.preventDefault();
      event.stopPropagation(); // Escape ends the edit, not the panel
      this.stopEditing(form.closest(".action-item").dataset.id);
    });
  }

  // --- the form (adding, and editing in place): owner as a participant or in words ---

  wireForm(form, submit) {
    const choice = form.querySelector("[data-owner-choice]");
    const other = form.querySelector("[data-owner-other]");
    // Its people are filled in when it is shown (render, editForm), not as the page loads:
    // sorting names is the page's first use of the browser's collation, ~10 ms.
    choice.addEventListener("change", () => {
      other.hidden = choice.value !== OTHER;
      if (!other.hidden) other.querySelector("input").focus();
    });
    // Counted as it is typed, and refused (never cut) when too long, as a sticky's text is.
    const text = form.elements.text;
    form.querySelector(".char-count")?.remove();
    const limit = new TextLimit(text, Number(text.dataset.limit));
    form.addEventListener("input", () => this.showError(form, null));
    // Enter adds it, as in the add bar; Shift+Enter starts a new line.
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!text.value.trim()) return this.showError(form, "Say what will be done.", text);
      if (limit.over) {
        const count = characters(text.value);
        return this.showError(form, `An action holds ${limit.limit} characters at most; this one has ${count}.`, text);
      }
      const fields = { text: text.value.trim(), status: form.elements.status.value, due: form.elements.due.value };
      if (choice.value === OTHER) {
        const name = form.elements.owner.value.trim();
        if (!name) return this.showError(form, "Name the person or team, or choose someone from the list.", form.elements.owner);
        fields.owner = name;
      } else if (choice.value) fields.owner_participant = Number(choice.value);
      else fields.owner = "";
      submit(fields);
    });
    return limit;
  }

  fillOwners(choice, current = choice.value) {
    const everyone = this.people.everyone();
    const signature = everyone.map((person) => `${person.id}:${person.name}`).join("|");
    if (choice.dataset.signature !== signature) {
      choice.dataset.signature = signature;
      const nobody = make("option", "", "Nobody yet");
      nobody.value = "";
      const group = make("optgroup");
      group.label = "People in this workshop";
      for (const person of everyone) {
        const option = make("option", "", person.name);
        option.value = person.id;
        group.append(option);
      }
      const other = make("option", "", "Someone else, or a team…");
      other.value = OTHER;
      choice.replaceChildren(nobody, group, other);
    }
    choice.value = [...choice.options].some((option) => option.value === current) ? current : "";
  }

  // A refusal beside the form, in words; the field it is about marked and described by it.
  showError(form, message, field = null) {
    const error = form.querySelector(".field-error");
    error.id ||= uniqueId("action-error");
    error.hidden = !message;
    error.textContent = message ?? "";
    form.querySelectorAll("[data-refused]").forEach((input) => {
      delete input.dataset.refused;
      input.removeAttribute("aria-invalid");
      const rest = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== error.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    });
    if (message && field) {
      field.dataset.refused = "1";
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", `${field.getAttribute("aria-describedby") ?? ""} ${error.id}`.trim());
      field.focus();
    }
  }

  setSource(sticky) {
    this.source = sticky;
    const line = this.form.querySelector("[data-source]");
    line.hidden = !sticky;
    if (sticky) line.querySelector("[data-source-text]").textContent = `From the sticky ${quote(sticky.text)}`;
  }

  // The sticky toolbar's "Make an action": the form, filled in from the sticky.
  fromSticky({ sticky, text }) {
    if (!this.canAdd) return notice.show("Only facilitators add actions once the workshop has ended.");
    this.panel.open({ focus: false });
    this.newBox.open = true;
    this.setSource({ id: sticky, text: text ?? "" });
    this.form.elements.text.value = text ?? "";
    this.showError(this.form, null);
    this.form.elements.text.focus();
    this.form.elements.text.select();
  }

  // --- changes ---

  change(command, undo, meta) {
    const more = { work: "actions", ...meta };
    if (this.editor) return this.editor.change(command, undo, more);
    return this.live.send(command, { undo, role: "do", ...more });
  }

  add(fields) {
    const id = crypto.randomUUID();
    const command = { type: "action_add", id, text: fields.text, status: fields.status };
    if (fields.owner) command.owner = fields.owner;
    if (fields.owner_participant) command.owner_participant = fields.owner_participant;
    if (fields.due) command.due = fields.due;
    if (this.source) command.source = this.source.id;
    this.change(command, { type: "action_delete", action_id: id }, { key: "add", id, fields, source: this.source });
    // Ready for the next one at once (a facilitator types several); a refusal brings it back.
    this.clearForm();
    this.form.elements.text.focus();
  }

  clearForm() {
    this.form.reset();
    this.addLimit.show();
    this.fillOwners(this.form.querySelector("[data-owner-choice]"), "");
    this.form.querySelector("[data-owner-other]").hidden = true;
    this.setSource(null);
  }

  // What was refused goes back in the form, unless the person has started the next one.
  refill({ fields, source }) {
    const form = this.form;
    if (form.elements.text.value.trim()) return false;
    form.elements.text.value = fields.text;
    form.elements.due.value = fields.due ?? "";
    form.elements.status.value = fields.status;
    const choice = form.querySelector("[data-owner-choice]");
    this.fillOwners(choice, fields.owner_participant ? String(fields.owner_participant) : "");
    if (fields.owner) choice.value = OTHER;
    form.elements.owner.value = fields.owner ?? "";
    form.querySelector("[data-owner-other]").hidden = choice.value !== OTHER;
    this.setSource(source);
    return true;
  }

  // Sends the fields that differ from the action's; its undo sets them back.
  update(action, fields) {
    const command = { type: "action_update", action_id: action.id };
    const undo = { type: "action_update", action_id: action.id };
    const was = {
      text: action.text,
      status: action.status,
      due: action.due ?? "",
      owner: action.owner ?? "",
      owner_participant: action.owner_participant,
    };
    for (const field of ["text", "status", "due"]) {
      if (field in fields && fields[field] !== was[field]) {
        command[field] = fields[field];
        undo[field] = was[field];
      }
    }
    const ownerChanged =
      ("owner_participant" in fields && fields.owner_participant !== was.owner_participant) ||
      ("owner" in fields && (fields.owner !== was.owner || was.owner_participant));
    if (ownerChanged) {
      if (fields.owner_participant) command.owner_participant = fields.owner_participant;
      else command.owner = fields.owner ?? "";
      if (was.owner_participant) undo.owner_participant = was.owner_participant;
      else undo.owner = was.owner;
    }
    if (Object.keys(command).length === 2) return this.stopEditing(action.id);
    this.change(command, undo, { key: `edit:${action.id}`, id: action.id });
  }

  remove(action, item) {
    // The focus goes on to the next action (or the one before), not to the page's start.
    const next = item.nextElementSibling ?? item.previousElementSibling;
    this.change({ type: "action_delete", action_id: action.id }, { type: "action_restore", action_id: action.id }, { key: "delete", id: action.id, text: action.text });
    (next?.querySelector("button[data-do=delete]") ?? this.root.querySelector("h2")).focus();
  }

  confirmed(sent) {
    const { key, id, role } = sent.meta;
    const entry = this.editor?.undoStack.findLast((candidate) => candidate.do.action_id === id && candidate.do.type === sent.message.type);
    if (key === "add" && role === "do") {
      // Redoing an add brings the same action back (its id is taken now).
      if (entry) entry.do = { type: "action_restore", action_id: id };
      this.said = `Added ${quote(sent.message.text)}.`;
    }
    if (key?.startsWith("edit:") && role === "do") {
      this.editing = null;
      this.focusAfter = { id, control: "edit" };
    }
    if (key === "delete" && role === "do") {
      const undo = () => {
        if (this.editor && entry) this.editor.undo(entry);
        else this.change({ type: "action_restore", action_id: id }, null, { key: "restore", id });
        this.focusAfter = { id, control: "delete" };
      };
      notice.show(`Deleted the action ${quote(sent.meta.text ?? "")}.`, { label: "Undo", run: undo });
    }
    if (role === "undo" && sent.message.type === "action_restore") this.focusAfter = { id, control: "delete" };
    this.later();
  }

  refused(sent, message) {
    const { key, id } = sent.meta;
    let shown = false; // said beside its field: the notice need not say it again
    if (key === "add") {
      const back = this.refill(sent.meta);
      const said = back ? message.message : `Not added ${quote(sent.meta.fields.text)}: ${message.message}`;
      this.showError(this.form, said, back ? this.form.elements.text : null);
      shown = true;
    }
    else if (key?.startsWith("edit:")) {
      const form = this.list.querySelector(`.action-item[data-id="${id}"] .action-edit`);
      if (form) this.showError(form, message.message);
      shown = Boolean(form);
    }
    this.later();
    return shown;
  }

  // --- editing in place ---

  edit(action) {
    this.editing = action.id;
    this.render();
    this.list.querySelector(`.action-item[data-id="${action.id}"] textarea`)?.focus();
  }

  stopEditing(id) {
    this.editing = null;
    this.focusAfter = { id, control: "edit" };
    this.render();
  }

  editForm(action) {
    const form = this.form.cloneNode(true);
    form.hidden = false;
    form.className = "action-form action-edit";
    form.removeAttribute("data-action-add");
    form.setAttribute("aria-label", `Edit ${quote(action.text)}`);
    form.removeAttribute("aria-labelledby");
    form.querySelector("[data-source]").remove();
    form.querySelector("[data-said]").remove();
    // The copy's fields get their own ids, and their labels follow.
    form.querySelectorAll("[id]").forEach((element) => {
      const id = uniqueId(element.id);
      form.querySelector(`label[for="${element.id}"]`)?.setAttribute("for", id);
      element.id = id;
    });
    form.elements.text.value = action.text;
    form.elements.due.value = action.due ?? "";
    form.elements.status.value = action.status;
    const choice = form.querySelector("[data-owner-choice]");
    delete choice.dataset.signature;
    this.wireForm(form, (fields) => this.update(action, fields));
    this.fillOwners(choice, action.owner_participant ? String(action.owner_participant) : "");
    if (action.owner) choice.value = OTHER;
    form.elements.owner.value = action.owner ?? "";
    form.querySelector("[data-owner-other]").hidden = choice.value !== OTHER;
    const buttons = form.querySelector(".row");
    buttons.replaceChildren();
    const save = make("button", "small", "Save");
    save.type = "submit";
    const cancel = make("button", "small secondary", "Cancel");
    cancel.type = "button";
    cancel.dataset.do = "cancel";
    buttons.append(save, cancel);
    this.showError(form, null);
    return form;
  }

  // --- drawing ---

  later() {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.render();
    });
  }

  mayChange(action) {
    return this.canChange === "all" || (this.canChange === "own" && String(action.owner_participant) === this.me);
  }

  ownerName(action) {
    if (action.owner_participant) return this.people.name(action.owner_participant);
    return action.owner ?? "";
  }

  sorted() {
    const actions = [...this.actions.values()];
    const due = (action) => action.due ?? "9999-99-99";
    const status = (action) => STATUS_ORDER.indexOf(action.status);
    const owner = (action) => this.ownerName(action).toLocaleLowerCase() || "\uffff";
    const by = {
      due: (a, b) => due(a).localeCompare(due(b)) || status(a) - status(b),
      owner: (a, b) => owner(a).localeCompare(owner(b)) || due(a).localeCompare(due(b)),
      status: (a, b) => status(a) - status(b) || due(a).localeCompare(due(b)),
    }[this.sort];
    return actions.sort(by);
  }

  render() {
    const actions = this.sorted();
    const today = todayIso();
    const open = actions.filter((action) => action.status !== "done").length;
    const overdue = actions.filter((action) => action.status !== "done" && action.due && action.due < today).length;
    this.panel.summary(actions.length ? `${open} open${overdue ? ` · ${overdue} overdue` : ""}` : "");
    if (!this.panel.isOpen) return;
    this.fillOwners(this.form.querySelector("[data-owner-choice]"));
    if (!this.newChosen) this.newBox.open = !matchMedia(PHONE).matches || !actions.length;
    this.root.querySelector("[data-action-empty]").hidden = actions.length > 0;
    this.root.querySelector("[data-action-tools]").hidden = actions.length < 2;
    const counts = STATUS_ORDER.map((status) => [status, actions.filter((action) => action.status === status).length]);
    this.root.querySelector("[data-action-counts]").textContent =
      `${actions.length} action${actions.length === 1 ? "" : "s"}: ` +
      counts.map(([status, count]) => `${count} ${STATUSES[status].toLowerCase()}`).join(", ") +
      (overdue ? ` · ${overdue} overdue` : "");
    const active = document.activeElement;
    const focused = this.list.contains(active) && !active.closest(".action-edit")
      ? { id: active.closest(".action-item")?.dataset.id, control: active.dataset.do ?? (active.matches("select") ? "status" : null) }
      : null;
    const existing = new Map([...this.list.children].map((item) => [item.dataset.id, item]));
    actions.forEach((action, index) => {
      let item = existing.get(action.id);
      existing.delete(action.id);
      const signature = `${action.version}|${this.ownerName(action)}|${this.editing === action.id}|${this.sourceText(action)}|${today}`;
      if (!item || item.dataset.signature !== signature) {
        const fresh = this.item(action, today);
        fresh.dataset.signature = signature;
        if (item) item.replaceWith(fresh);
        item = fresh;
      }
      if (this.list.children[index] !== item) this.list.insertBefore(item, this.list.children[index] ?? null);
    });
    for (const item of existing.values()) item.remove();
    const again = this.focusAfter ?? focused;
    this.focusAfter = null;
    if (again?.id && (again === focused ? !this.list.contains(document.activeElement) : true)) {
      const item = this.list.querySelector(`.action-item[data-id="${again.id}"]`);
      const control = again.control === "status" ? "select" : `[data-do="${again.control}"]`;
      item?.querySelector(control)?.focus();
    }
    if (this.said) {
      const said = this.form.querySelector("[data-said]");
      said.textContent = this.said;
      this.said = null;
      clearTimeout(this.saidTimer);
      this.saidTimer = setTimeout(() => (said.textContent = ""), 5000);
    }
  }

  sourceText(action) {
    if (!action.source) return "";
    const sticky = document.getElementById(`s-${action.source}`);
    return sticky ? (sticky.querySelector(".text")?.textContent ?? "").trim() : "";
  }

  item(action, today) {
    const item = make("li", `action-item status-${action.status}`);
    item.dataset.id = action.id;
    if (this.editing === action.id && this.mayChange(action)) {
      item.append(this.editForm(action));
      return item;
    }
    const body = make("div", "action-body");
    const text = make("p", "action-text", action.text);
    text.dir = "auto";
    const meta = make("p", "action-meta");
    const owner = this.ownerName(action);
    const who = make("span", owner ? "action-owner" : "action-owner is-missing");
    who.append(make("span", "meta-label", "Owner "), make("bdi", "", owner || "nobody yet"));
    meta.append(who);
    if (action.due) {
      const late = action.status !== "done" && action.due < today;
      const due = make("span", late ? "action-due is-late" : "action-due");
      due.append(make("span", "meta-label", "Due "), dueText(action.due));
      if (late) due.append(make("strong", "late-tag", " · overdue"));
      meta.append(due);
    }
    if (action.source) {
      const sticky = this.sourceText(action);
      const from = make("button", "link action-from", sticky ? `From ${quote(sticky)}` : "From a sticky no longer on the board");
      from.type = "button";
      from.dataset.do = "source";
      from.disabled = !sticky;
      meta.append(from);
    }
    body.append(text, meta);
    item.append(body);
    const side = make("div", "action-side");
    if (this.mayChange(action)) {
      const label = make("label", "status-label", "Status");
      label.append(make("span", "visually-hidden", ` of ${quote(action.text)}`));
      const choice = make("select", "action-status-choice");
      choice.id = uniqueId("action-status");
      label.htmlFor = choice.id;
      for (const [value, words] of Object.entries(STATUSES)) {
        const option = make("option", "", words);
        option.value = value;
        choice.append(option);
      }
      choice.value = action.status;
      const edit = make("button", "small secondary", "Edit");
      edit.type = "button";
      edit.dataset.do = "edit";
      edit.setAttribute("aria-label", `Edit ${quote(action.text)}`);
      const remove = make("button", "small danger", "Delete");
      remove.type = "button";
      remove.dataset.do = "delete";
      remove.setAttribute("aria-label", `Delete ${quote(action.text)}`);
      side.append(label, choice, edit, remove);
    } else {
      const tag = make("span", "status-tag");
      tag.append(make("span", "visually-hidden", "Status: "), STATUSES[action.status]);
      side.append(tag);
    }
    item.append(side);
    return item;
  }

  // The sticky an action came from, on the board (the panel steps aside on a phone).
  showSticky(id) {
    if (matchMedia(PHONE).matches) this.panel.close({ focus: false });
    showOnBoard(id);
  }
}
