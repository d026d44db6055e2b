"""A fast reader for the plain YAML that forms are written in.

Nearly every document is block mappings and lists whose values fit on one
line: a scalar, plain or quoted, or a flow mapping such as
``- {name: 预算执行率, target: 97%-100%}``.  That is what people type, what
PyYAML's ``dump`` writes, and what a generator writing one JSON object per
indicator writes.  LibYAML parses such a table quickly, but handing its events
to Python costs about a millisecond per document (every event and its marks is
a Python object); reading the lines directly costs a fraction of that.

:func:`compose` returns the tree :func:`perfeval.documents._compose` would
build, or ``None`` whenever the text leaves that subset, and the full composer
then reads it.  It never decides an error: anything it does not handle —
tabs, anchors, tags, aliases, block scalars, scalars over several lines, flow
lists, duplicate keys, document markers, characters YAML refuses, a line that
does not parse — sends the text the long way, where the error is reported.
``tests/test_yamlsubset.py`` holds it to the full composer.
"""

from __future__ import annotations

import re

from perfeval._tree import Mapping_, Node, Scalar, Sequence

__all__ = ["compose"]


class _Unsupported(Exception):
    """The text leaves the subset: read it with the full composer."""


# Characters that send the whole text the long way: a tab (YAML's
# indentation rules differ for it), line breaks other than \n and \r\n, a
# byte-order mark, and every character YAML's reader refuses.
_OUTSIDE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# Document markers and directives, at the start of a line.
_MARKERS = ("---", "...", "%")
# A simple key must fit in 1024 characters; stay well inside that.
_MAX_KEY = 1000
# The full composer counts depth and refuses deep files; leave those to it.
_MAX_DEPTH = 20

_NULLS = frozenset({"~", "null", "Null", "NULL"})
# A plain scalar may not start with these (some start other tokens, some are
# reserved); `-`, `?` and `:` only when a space follows, which is left to the
# full composer as well.
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")

_DQ = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_SQ = r"'([^']*(?:''[^']*)*)'"
# `key:` or `key: rest` on a block line. A plain key holds no `:` or `#`.
_KEY = re.compile(
    rf"""(?P<key>(?P<plain>[^\s\-?:,\[\]{{}}\#&*!|>'"%@`][^:\#]*?)|{_DQ}|{_SQ})
    [ ]*:(?:[ ]+(?P<rest>.*))?""",
    re.VERBOSE,
)
_QUOTED = {'"': re.compile(_DQ), "'": re.compile(_SQ)}
# One `key: value` entry of a one-line flow mapping and what ends it. Plain
# scalars here hold none of `,[]{}:#`.
_FLOW_PLAIN = r"""([^\s\-?:,\[\]{}\#&*!|>'"%@`][^,\[\]{}:\#]*)"""
_FLOW_ENTRY = re.compile(
    rf"[ ]*(?:{_FLOW_PLAIN}|{_DQ}|{_SQ})[ ]*:[ ]+(?:{_FLOW_PLAIN}|{_DQ}|{_SQ})[ ]*([,}}])"
)
_EMPTY_FLOW = re.compile(r"\{[ ]*\}")
# Escapes of a double-quoted scalar that JSON shares with YAML; any other
# escape goes the long way.
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))")
_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "b": "\b",
            "f": "\f"}


def _unescape(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        code = int(m.group(1), 16)
        if 0xD800 <= code <= 0xDFFF:  # half a surrogate pair
            raise _Unsupported
        return chr(code)
    char = _ESCAPES.get(m.group(2))
    if char is None:
        raise _Unsupported
    return char


# Builds a node without the Python-level __new__ a NamedTuple class call runs.
_new = tuple.__new__


def _double(body: str) -> str:
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _plain(text: str) -> str | None:
    if text == "<<":  # a merge key, which the full composer refuses
        raise _Unsupported
    return None if text in _NULLS else text


def _trailing(rest: str) -> None:
    # After a quoted scalar or a flow mapping only a comment may follow.
    if rest and not (rest[0] == " " and rest.lstrip(" ").startswith("#")):
        raise _Unsupported


# The entries of JSON-object rows already decoded, by their text: a batch
# reads the same row in many tables.
_JSON_ROWS: dict[str, tuple[tuple[str, str], ...]] = {}
_JSON_ROWS_SIZE = 2**15


def _json_entries(text: str) -> tuple[tuple[str, str], ...] | None:
    """The entries of a JSON object of strings with no escapes, as
    ``json.dumps`` writes an indicator: orjson decodes it, and YAML reads it
    the same way."""
    import orjson  # here: a table not written as JSON objects never pays its 8 ms import

    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. a comment after it, or not JSON at all
        return None
    # Without escapes each string has two quotes, so four per entry: fewer
    # entries than that means a key was given twice and one was dropped.
    if type(value) is not dict or text.count('"') != 4 * len(value):
        return None
    entries = tuple(value.items())
    if not all(type(v) is str for _, v in entries):
        return None
    if len(_JSON_ROWS) >= _JSON_ROWS_SIZE:
        _JSON_ROWS.clear()
    _JSON_ROWS[text] = entries
    return entries


def _json_object(text: str, line: int) -> Mapping_ | None:
    """``text`` as a JSON object of strings (see :func:`_json_entries`), or
    None when it is not one, holds an escape or is too long to be a key, and
    the flow-mapping reading applies."""
    if not text.startswith('{"'):
        return None
    entries = _JSON_ROWS.get(text)
    if entries is None:
        if "\\" in text or len(text) > _MAX_KEY:
            return None
        entries = _json_entries(text)
        if entries is None:
            return None
    return _new(Mapping_, (tuple([(key, line, _new(Scalar, (value, line, False)))
                                  for key, value in entries]), line, None, text))


def _flow_mapping(text: str, line: int) -> Mapping_:
    node = _json_object(text, line)
    if node is not None:
        return node
    m = _EMPTY_FLOW.match(text)
    if m is not None:
        _trailing(text[m.end():])
        return Mapping_((), line)
    pairs: list[tuple[str, int | None, Node]] = []
    seen: set[str] = set()
    pos = 1
    while True:
        m = _FLOW_ENTRY.match(text, pos)
        if m is None or m.end() - pos > _MAX_KEY:  # a key can be no longer than its entry
            raise _Unsupported
        kp, kd, ks, vp, vd, vs, end = m.groups()
        if kp is not None:
            key = _plain(kp.rstrip(" ")) or ""
        elif kd is not None:
            key = _double(kd)
        else:
            key = ks.replace("\'\'", "\'")
        if key in seen:
            raise _Unsupported
        seen.add(key)
        if vp is not None:
            value = _plain(vp.rstrip(" "))
        elif vd is not None:
            value = _double(vd)
        else:
            value = vs.replace("\'\'", "\'")
        pairs.append((key, line, _new(Scalar, (value, line, False))))
        pos = m.end()
        if end == "}":
            _trailing(text[pos:])
            return _new(Mapping_, (tuple(pairs), line, None, None))


def _value(text: str, line: int) -> Node:
    """A value that fits on its line: a scalar or a flow mapping."""
    first = text[0]
    if first == "{":
        return _flow_mapping(text, line)
    quoted = _QUOTED.get(first)
    if quoted is not None:
        m = quoted.match(text)
        if m is None:  # the closing quote is on another line, or missing
            raise _Unsupported
        _trailing(text[m.end():])
        body = m.group(1)
        return Scalar(_double(body) if first == '"' else body.replace("''", "'"), line)
    if first in _NOT_PLAIN_START:
        raise _Unsupported
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut].rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _Unsupported
    return Scalar(_plain(text), line)


def _key(m: re.Match[str]) -> str:
    plain, dq, sq = m.group("plain", 3, 4)
    if plain is not None:
        return _plain(plain.rstrip(" ")) or ""
    return _double(dq) if dq is not None else sq.replace("''", "'")


_Line = tuple[int, int, str]  # line number, indent, text without the indent


def _is_entry(text: str) -> bool:
    return text[0] == "-" and (len(text) == 1 or text[1] == " ")


def _block(lines: list[_Line], pos: int, depth: int) -> tuple[Node, int]:
    if depth > _MAX_DEPTH:
        raise _Unsupported
    number, indent, text = lines[pos]
    if text[0] == "{":  # a flow mapping on a line of its own
        return _flow_mapping(text, number), pos + 1
    if _is_entry(text):
        return _sequence(lines, pos, indent, depth)
    return _mapping(lines, pos, indent, depth)


def _mapping(lines: list[_Line], pos: int, indent: int, depth: int) -> tuple[Node, int]:
    pairs: list[tuple[str, int | None, Node]] = []
    seen: set[str] = set()
    first = lines[pos][0]
    end = len(lines)
    while pos < end:
        number, at, text = lines[pos]
        if at != indent:
            if at < indent:
                break
            raise _Unsupported
        m = _KEY.fullmatch(text)
        if m is None or m.end("key") > _MAX_KEY:
            raise _Unsupported
        key = _key(m)
        if key in seen:
            raise _Unsupported
        seen.add(key)
        rest = m.group("rest")
        pos += 1
        value: Node
        if rest and rest[0] != "#":
            value = _value(rest, number)
            if pos < end and lines[pos][1] > indent:  # the scalar goes on
                raise _Unsupported
        elif pos < end and lines[pos][1] > indent:
            value, pos = _block(lines, pos, depth + 1)
        elif pos < end and lines[pos][1] == indent and _is_entry(lines[pos][2]):
            # a list may start at its key's own indent
            value, pos = _sequence(lines, pos, indent, depth + 1)
        else:
            value = Scalar(None, number)
        pairs.append((key, number, value))
    return Mapping_(tuple(pairs), first), pos


def _sequence(lines: list[_Line], pos: int, indent: int, depth: int) -> tuple[Node, int]:
    items: list[Node] = []
    first = lines[pos][0]
    end = len(lines)
    while pos < end:
        number, at, text = lines[pos]
        if at != indent or not _is_entry(text):
            break
        rest = text[1:].lstrip(" ")
        if not rest or rest[0] == "#":
            raise _Unsupported
        if rest[0] == "{" or _KEY.fullmatch(rest) is None:  # a value on this line
            # an indicator as a JSON object, the usual row of a generated table, first
            row = _json_object(rest, number)
            items.append(row if row is not None else _value(rest, number))
            pos += 1
            if pos < end and lines[pos][1] > indent:
                raise _Unsupported
        else:
            # `- key: value` opens a mapping whose keys line up after the dash.
            lines[pos] = (number, indent + len(text) - len(rest), rest)
            node, pos = _mapping(lines, pos, indent + len(text) - len(rest), depth + 1)
            items.append(node)
    return Sequence(tuple(items), first), pos


def compose(text: str) -> Node | None:
    """The document's tree, or ``None`` when the full composer must read it."""
    if _OUTSIDE.search(text):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines: list[_Line] = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.lstrip(" ")
        if stripped is raw and raw.startswith(_MARKERS):
            return None
        if stripped and stripped[0] != "#":
            lines.append((number, len(raw) - len(stripped), stripped.rstrip(" ")))
    if not lines:
        return None
    try:
        node, pos = _block(lines, 0, 0)
    except _Unsupported:
        return None
    return node if pos == len(lines) else None
