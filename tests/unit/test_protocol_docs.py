"""docs/protocol.md held to the code: the commands, their fields, types and roles, the server's
messages, the entity states, the error and close codes and the limits it lists are exactly those
the code declares; and every command is run by something: a change by a service that takes its
fields, a socket's own command by the consumer."""

import ast
import dataclasses
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from workshops import consumers, entities, protocol
from workshops.access import Role
from workshops.commands import COMMANDS, OP, Spec
from workshops.limits import LIMITS
from workshops.services.runner import service_of

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "protocol.md"

CHANGES = [name for name, spec in COMMANDS.items() if spec.changes_board]
SOCKET_OWN = [name for name, spec in COMMANDS.items() if not spec.changes_board]

# ----- reading the page -----

# A name in code, optional when followed by `?`: "`op`, `after`?".
WRITTEN = re.compile(r"`([^`]+)`(\?)?")
ERROR_CODE = re.compile(r"[a-z]+(_[a-z]+)*")


def headings() -> list[tuple[int, str, list[str]]]:
    """Each heading of the page: its level, its text and the lines under it."""
    found: list[tuple[int, str, list[str]]] = [(0, "", [])]
    for line in DOCS.read_text().splitlines():
        if line.startswith("#"):
            marks, _, text = line.partition(" ")
            found.append((len(marks), text.strip(), []))
        else:
            found[-1][2].append(line)
    return found


def section(heading: str) -> list[str]:
    for _, text, lines in headings():
        if text == heading:
            return lines
    raise AssertionError(f"docs/protocol.md has no section {heading!r}")


def subsections(heading: str) -> list[str]:
    """The headings one level below `heading`, up to the next heading of its level."""
    found: list[str] = []
    level = None
    for depth, text, _ in headings():
        if level is not None and depth <= level:
            break
        if level is not None and depth == level + 1:
            found.append(text)
        if text == heading:
            level = depth
    return found


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table(heading: str, first_column: str) -> list[dict[str, str]]:
    """The rows of the table under `heading` whose first column is headed `first_column`."""
    lines = section(heading)
    for index, line in enumerate(lines):
        if line.startswith("|") and cells(line)[0] == first_column:
            header = cells(line)
            rows = []
            for row in lines[index + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append(dict(zip(header, cells(row), strict=True)))
            return rows
    raise AssertionError(f"docs/protocol.md has no table of {first_column!r} under {heading!r}")


def written(cell: str) -> list[str]:
    """The names a cell writes in code, with `?` after the optional ones."""
    return [name + optional for name, optional in WRITTEN.findall(cell)]


def one_name(cell: str) -> str:
    [name] = written(cell)
    return name


def documented_commands() -> dict[str, dict[str, str]]:
    return {one_name(row["type"]): row for row in table("Commands from the browser", "type")}


def declared_fields(spec: Spec) -> list[str]:
    return [field.wire + ("" if field.required else "?") for field in spec.fields]


def state_fields(heading: str) -> tuple[str, ...]:
    return tuple(one_name(row["field"]) for row in table(heading, "field"))


# ----- commands in -----


def test_the_commands_table_lists_every_command_of_the_registry_and_no_other() -> None:
    assert sorted(documented_commands()) == sorted(COMMANDS)


def test_each_command_is_documented_with_exactly_its_fields_the_optional_ones_marked() -> None:
    documented = {name: written(row["fields"]) for name, row in documented_commands().items()}
    assert documented == {name: declared_fields(spec) for name, spec in COMMANDS.items()}


def test_a_command_that_needs_one_of_its_optional_fields_says_which() -> None:
    said = {}
    for name, row in documented_commands().items():
        if "at least one of" in row["effect"]:
            said[name] = set(written(row["effect"].split("at least one of", 1)[1].split(";")[0]))
    assert said == {name: set(spec.one_of) for name, spec in COMMANDS.items() if spec.one_of}


def test_every_command_has_a_role_and_the_docs_name_the_least_one() -> None:
    assert all(isinstance(spec.role, Role) for spec in COMMANDS.values())
    documented = {name: row["least role"] for name, row in documented_commands().items()}
    assert documented == {name: spec.role.value for name, spec in COMMANDS.items()}


def test_every_field_is_documented_once_with_its_type() -> None:
    documented: dict[str, set[str]] = {}
    for row in table("Commands from the browser", "field"):
        for name in written(row["field"]):
            assert name not in documented, f"`{name}` is documented twice"
            documented[name] = {row["type"]}
    declared: dict[str, set[str]] = {}
    for spec in COMMANDS.values():
        for field in spec.fields:
            declared.setdefault(field.wire, set()).add(field.type.value)
    assert documented == declared  # a name declared with two types shows here as two


@pytest.mark.parametrize("name", CHANGES)
def test_each_change_is_run_by_a_service_that_takes_its_fields_by_name(name: str) -> None:
    service = service_of(name)
    spec = COMMANDS[name]
    given = {"workshop", "by", "op"} | {field.name for field in spec.fields if field is not OP}
    signature = inspect.signature(service)
    try:
        signature.bind(**dict.fromkeys(given))
        refusal = ""
    except TypeError as problem:
        refusal = str(problem)
    assert not refusal, f"{service.__name__} cannot run {name!r}: {refusal}"
    assert all(p.kind is p.KEYWORD_ONLY for p in signature.parameters.values()), name


@pytest.mark.parametrize("name", CHANGES)
def test_each_service_opens_its_change_as_its_own_command(name: str) -> None:
    """The change skeleton checks the role (and `while_ended`) of the command the service names
    to it: it must be the command the service runs."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(service_of(name))))
    named = {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "change"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    }
    assert named == {name}


def test_the_socket_own_commands_have_no_service_and_the_consumer_handles_each() -> None:
    """The consumer sends changes to their services and answers the others itself, one branch
    on `command.name` each."""
    source = textwrap.dedent(inspect.getsource(consumers.BoardConsumer.receive))
    handled = {
        compare.comparators[0].value
        for compare in ast.walk(ast.parse(source))
        if isinstance(compare, ast.Compare)
        and isinstance(compare.left, ast.Attribute)
        and compare.left.attr == "name"
        and isinstance(compare.left.value, ast.Name)
        and compare.left.value.id == "command"
        and isinstance(compare.ops[0], ast.Eq)
        and isinstance(compare.comparators[0], ast.Constant)
    }
    assert all(COMMANDS[name].service == "" for name in SOCKET_OWN)
    assert handled == set(SOCKET_OWN)


# ----- messages out -----


def test_the_messages_table_lists_every_server_message_with_exactly_its_fields() -> None:
    documented = {
        one_name(row["type"]): tuple(written(row["fields"]))
        for row in table("Messages from the server", "type")
    }
    assert documented == protocol.MESSAGES


def test_each_entity_state_is_documented_with_exactly_its_fields() -> None:
    kinds = [text.strip("`") for text in subsections("Entity states") if text.startswith("`")]
    assert sorted(kinds) == sorted(entities.STATE_FIELDS)
    for kind in kinds:
        assert state_fields(f"`{kind}`") == entities.STATE_FIELDS[kind], kind


def test_a_redacted_sticky_is_documented_with_exactly_its_fields_and_no_text_or_html() -> None:
    assert state_fields("A private sticky, redacted") == entities.REDACTED_FIELDS
    # The page says so, and clients tell a redacted state by its missing `html`.
    hidden = {"text", "kind", "parked", "event", "rank", "html"}
    assert hidden.isdisjoint(entities.REDACTED_FIELDS)
    assert set(entities.REDACTED_FIELDS) <= set(entities.STATE_FIELDS["sticky"])


def sent_error_codes() -> set[str]:
    """Every code the server puts in an `error`: the first argument, a literal, of each
    `ProtocolError(...)`, `protocol.error(...)` and consumer's `refuse(...)`."""
    codes = set()
    for path in (ROOT / "workshops").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for call in ast.walk(ast.parse(path.read_text())):
            if not isinstance(call, ast.Call) or len(call.args) < 2:
                continue
            callee = call.func
            called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
            first = call.args[0]
            if (
                called in {"ProtocolError", "error", "refuse"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and ERROR_CODE.fullmatch(first.value)
            ):
                codes.add(first.value)
    return codes


def test_the_errors_table_lists_every_declared_error_code() -> None:
    documented = {one_name(row["`error.code`"]) for row in table("Errors", "`error.code`")}
    assert documented == set(protocol.ERRORS)


def test_every_error_code_the_server_sends_is_declared() -> None:
    assert sent_error_codes() <= set(protocol.ERRORS)


def test_the_close_codes_table_lists_every_close_code_of_the_protocol() -> None:
    rows = table("Close codes", "close code")
    documented = {int(row["close code"]) for row in rows if row["close code"].isdigit()}
    declared = {value for name, value in vars(protocol).items() if name.startswith("CLOSE_")}
    assert documented == declared


def test_the_limits_table_lists_every_limit_with_its_value() -> None:
    documented = {}
    for row in table("Limits", "limit"):
        number = re.search(r"\d[\d,]*(\.\d+)?", row["value"])
        assert number, f"no number in {row['value']!r}"
        documented[one_name(row["limit"])] = float(number.group().replace(",", ""))
    declared = {
        field.name: float(getattr(LIMITS, field.name)) for field in dataclasses.fields(LIMITS)
    }
    assert documented == declared
