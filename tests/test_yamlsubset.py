"""The fast reader of plain YAML (perfeval._yamlsubset) against the full composer.

The law: for any text, the fast reader either declines (None) or builds the
very tree LibYAML's events build, with the same lines; and it never accepts a
text the full composer refuses. Texts come from PyYAML's emitter, from a
renderer that picks styles at random (some of them invalid YAML on purpose),
from mutations of both, and from every YAML file in the repository. A second
set of tests checks that the styles forms are written in are not declined.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from perfeval import _yamlsubset
from perfeval._tree import Mapping_, Node, Scalar, Sequence
from perfeval.documents import _compose
from perfeval.errors import DocumentError

ROOT = Path(__file__).resolve().parent.parent
# The shared corpus when it is checked out beside the repository (as in
# tests/test_corpus.py); the seed's own indicators always.
CORPUS = next(
    (p for p in (ROOT.parent / "shared" / "corpus" / "real-strings.tsv",
                 ROOT / "tests" / "data" / "real-strings.tsv") if p.is_file()),
    None,
)

_REFUSED = object()


def full(text: str) -> object:
    try:
        return _compose(text, "doc.yaml")
    except (yaml.YAMLError, DocumentError):
        return _REFUSED


def _content(node: Node) -> Node:
    """The tree without the source text the fast reader keeps of JSON-object
    rows, after checking that text: it must hold the row's entries exactly,
    for it is what the walker remembers the row by."""
    if isinstance(node, Mapping_):
        if node.raw is not None:
            assert list(json.loads(node.raw).items()) == [(k, v.text) for k, _, v in node.items]
            assert all(isinstance(v, Scalar) and not v.boolean for _, _, v in node.items)
        return node._replace(items=tuple((k, line, _content(v)) for k, line, v in node.items),
                             raw=None)
    if isinstance(node, Sequence):
        return node._replace(items=tuple(_content(v) for v in node.items))
    return node


def agrees(text: str) -> bool:
    """The law; returns whether the fast reader took the text."""
    fast = _yamlsubset.compose(text)
    if fast is None:
        return False
    expected = full(text)
    assert expected is not _REFUSED, f"accepted a text the full composer refuses: {text!r}"
    assert _content(fast) == expected, text
    return True


# Characters that matter to YAML's syntax, next to the text forms hold.
_SPECIAL = list(" -?:,[]{}#&*!|>'\"%@`~\\/=<.")
# Characters that send a whole text the long way (or make it invalid).
_RARE = list("\r\t\n\x85\u2028\ufeff\x00\x7f")
_PLAIN = list("ab0129%万件≥≤年月日元人次.的率 ") + ["满意度", "100%", "97%-100%", "明显提高"]
_WORDS = ["null", "~", "Null", "NULL", "<<", "true", "yes", "2024", "1.5", "---", "...", "-", "- a",
          "a: b", "a #b", "a#b", "#", "'", "''", '"', "\\", "\\u00e9", "\\ud83d", "\\x41", "\\/",
          "\\n", "[1,2]", "{a: 1}", "&x", "*x", "!!str", "|", ">", "%", "@", "`", "? a", ":x", "a:"]


def _text_strategy() -> st.SearchStrategy[str]:
    piece = st.sampled_from(_PLAIN * 6 + _SPECIAL + _WORDS + _RARE)
    return st.lists(piece, max_size=6).map("".join)


scalars = st.one_of(_text_strategy(), st.sampled_from(_WORDS), st.none())
keys = st.one_of(_text_strategy().filter(bool), st.sampled_from(["name", "target", "actual",
                                                                 "预算数（A）", "kind"]))
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=12,
)


def _seed_rows(node: object) -> list[dict[str, str]]:
    if isinstance(node, list):
        return [row for item in node for row in _seed_rows(item)]
    if not isinstance(node, dict):
        return []
    if {"name", "target", "actual"} <= node.keys():
        return [{k: str(node[k]) for k in ("name", "target", "actual")}]
    return [row for value in node.values() for row in _seed_rows(value)]


def _corpus_rows() -> list[dict[str, str]]:
    rows = []
    if CORPUS is not None:
        for line in CORPUS.read_text(encoding="utf-8").splitlines()[1:]:
            cells = line.split("\t")
            if len(cells) >= 3:
                rows.append({"name": cells[0], "target": cells[1], "actual": cells[2]})
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        rows += _seed_rows(yaml.safe_load(path.read_text(encoding="utf-8")))
    return rows


_REAL = sorted({v for row in _corpus_rows() for v in row.values()})
# Documents shaped like forms, holding real targets and actuals: most of them
# stay inside the fast reader's subset, so the law is tested where it matters.
real_text = st.one_of(st.sampled_from(_REAL), st.sampled_from(_REAL), _text_strategy(), st.none())
indicators = st.fixed_dictionaries(
    {"name": real_text, "target": real_text, "actual": real_text},
    optional={"level1": st.sampled_from(["产出指标", "效益指标"]), "weight": real_text},
)
forms = st.fixed_dictionaries(
    {"kind": st.sampled_from(["project", "department"]), "name": real_text},
    optional={
        "budget": st.fixed_dictionaries({"planned": real_text, "executed": real_text}),
        "indicators": st.lists(indicators, min_size=1, max_size=6),
        "summary": real_text,
    },
)
# A document is a mapping; its values are anything.
documents = st.one_of(forms, st.dictionaries(keys, trees, min_size=1, max_size=5))


def _emit(tree: object, flow: bool | None, width: int, indent: int) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, default_flow_style=flow,
                          width=width, indent=indent)


class _Renderer:
    """Writes a tree in randomly chosen styles, valid YAML or not."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def scalar(self, value: str | None, flow: bool) -> str:
        choice = self.rng.random()
        if value is None:
            return self.rng.choice(["~", "null", ""]) if not flow else "null"
        if choice < 0.5:
            return value  # plain, whatever it holds
        if choice < 0.8:
            return json.dumps(value, ensure_ascii=self.rng.random() < 0.3)
        return "'" + value.replace("'", "''") + "'"

    def comment(self) -> str:
        return self.rng.choice(["", "", "", " # note", "  #", " #: x"])

    def flow_mapping(self, tree: dict[str, object]) -> str:
        if self.rng.random() < 0.3:  # one JSON object, as generators write an indicator
            separators = self.rng.choice([(", ", ": "), (",", ":"), (" , ", " : ")])
            return json.dumps(tree, ensure_ascii=self.rng.random() < 0.2, separators=separators)
        sep = self.rng.choice([", ", ",", " , "])
        colon = self.rng.choice([": ", ":", " : "])
        body = sep.join(
            f"{self.scalar(k, True)}{colon}{self.scalar(v, True)}"  # type: ignore[arg-type]
            for k, v in tree.items()
        )
        return "{" + body + self.rng.choice(["", "", ","]) + "}"

    def block(self, tree: object, indent: int) -> list[str]:
        pad = " " * indent
        step = self.rng.choice([2, 2, 4, 1])
        lines: list[str] = []
        if isinstance(tree, dict):
            for k, v in tree.items():
                key = self.scalar(k, False)
                lines += self.value(f"{pad}{key}:", v, indent, step, mapping=True)
        elif isinstance(tree, list):
            for v in tree:
                lines += self.value(f"{pad}-", v, indent, step, mapping=False)
        else:
            lines.append(pad + self.scalar(tree, False))  # type: ignore[arg-type]
        if self.rng.random() < 0.2:
            lines.insert(self.rng.randrange(len(lines) + 1),
                         self.rng.choice(["", "# comment", "   ", pad + "# x"]))
        return lines

    def value(self, head: str, v: object, indent: int, step: int, *, mapping: bool) -> list[str]:
        if isinstance(v, dict) and v and all(not isinstance(x, (dict, list)) for x in v.values()) \
                and self.rng.random() < 0.5:
            return [f"{head} {self.flow_mapping(v)}{self.comment()}"]
        if isinstance(v, (dict, list)) and v:
            if not mapping and isinstance(v, dict) and self.rng.random() < 0.6:
                # `- key: value` with the rest of the mapping lined up after the dash
                inner = self.block(v, indent + step)
                first = inner[0].lstrip(" ") if inner else ""
                return [f"{head}{' ' * (step - 1) if step > 1 else ' '}{first}"] + inner[1:]
            child = indent if (mapping and isinstance(v, list) and self.rng.random() < 0.5) \
                else indent + step
            return [head + self.comment()] + self.block(v, child)
        if isinstance(v, (dict, list)):
            return [f"{head} {'{}' if isinstance(v, dict) else '[]'}"]
        text = self.scalar(v, False)  # type: ignore[arg-type]
        return [f"{head} {text}{self.comment()}" if text else head]

    def render(self, tree: object) -> str:
        newline = "\r\n" if self.rng.random() < 0.1 else "\n"
        return newline.join(self.block(tree, 0)) + (newline if self.rng.random() < 0.8 else "")


def _mutate(text: str, rng: random.Random) -> str:
    if not text:
        return text
    at = rng.randrange(len(text) + 1)
    action = rng.random()
    if action < 0.4:
        return text[:at] + rng.choice(_SPECIAL + _WORDS + _RARE) + text[at:]
    if action < 0.7:
        return text[:at] + text[at + 1:]
    return text[:at] + " " + text[at:]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, False, True]), st.sampled_from([20, 80, 4096]),
       st.sampled_from([2, 4]))
def test_emitted_yaml(tree: object, flow: bool | None, width: int, indent: int) -> None:
    agrees(_emit(tree, flow, width, indent))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.booleans())
@example({"a": {"b": "c"}}, random.Random(0), False)
def test_rendered_yaml(tree: object, rng: random.Random, mutate: bool) -> None:
    text = _Renderer(rng).render(tree)
    if mutate:
        text = _mutate(text, rng)
    agrees(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SPECIAL + _PLAIN + _RARE), max_size=40).map("".join))
def test_arbitrary_text(text: str) -> None:
    agrees(text)


def _repository_yaml() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.y*ml")
                  if ".git" not in p.parts and "packs" not in p.parts and "indicators" not in p.parts)


@pytest.mark.parametrize("path", _repository_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_files(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8")
    agrees(text)
    rng = random.Random(str(path))
    for _ in range(50):
        agrees(_mutate(text, rng))


# ------------------------------------------------------------- coverage

@pytest.mark.parametrize("path", sorted((ROOT / "examples").rglob("*.yaml")), ids=lambda p: p.name)
def test_examples_are_read_the_fast_way(path: Path) -> None:
    assert agrees(path.read_text(encoding="utf-8"))


def test_real_strings_are_read_the_fast_way() -> None:
    """The corpus's targets and actuals, as PyYAML writes them and as one JSON
    object per line: the styles generated files use."""
    rows = _corpus_rows()
    assert len(rows) > (200 if CORPUS is not None else 30)
    doc = {"kind": "project", "name": "项目", "indicators": rows}
    for flow in (False, None):
        assert agrees(_emit(doc, flow, 4096, 2))
    lines = ["kind: project", "name: 项目", "indicators:"]
    lines += [f"  - {json.dumps(r, ensure_ascii=False)}" for r in rows]
    assert agrees("\n".join(lines) + "\n")


@pytest.mark.parametrize("text", [
    "a: &x 1\n",  # anchor
    "a: !!str 1\n",  # tag
    "a: |\n  text\n",  # block scalar
    "a: one\n  two\n",  # a plain scalar over two lines
    "a: 'one\n  two'\n",  # a quoted one
    "a: [97%, 100%]\n",  # a flow list, kept as source text by the full reader
    "a: 1\na: 2\n",  # duplicate key
    '- {"a": "1", "a": "2"}\n',  # duplicate key in a JSON object
    "a:\n\t- 1\n",  # a tab
    "---\na: 1\n",  # a document marker
    "a: <<\n",  # a merge key
    'a: "\\x41"\n',  # an escape JSON does not have
    "a: {b: {c: 1}}\n",  # nested flow collections
])
def test_declines(text: str) -> None:
    assert _yamlsubset.compose(text) is None


@pytest.mark.parametrize("text", [
    '- {"name": "预算执行率", "target": "97%-100%", "actual": "99.51%"}\n',
    '- {"name":"预算执行率","target":"97%-100%"}\n',
    "- {name: 预算执行率, target: ≥ 20万件, actual: ~}\n",
    "a:\n- b: 1\n  c: 'it''s'  # comment\n",
    "a:\r\n  b: \"\\u6ee1\\u610f\"\r\n",
])
def test_reads(text: str) -> None:
    assert agrees(text)
