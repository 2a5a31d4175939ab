"""Escaping of user text, one function per output context.

Every renderer that writes text from the input (names, descriptions, defaults, the project name)
into a generated file goes through the function of that file's context; nothing is interpolated raw.
User text is data in every format: it can never end a quote, start a command, add a table column or
inject markup. tests/test_hostile_names.py feeds a corpus of hostile names through ``design`` and
parses every format back.

| context | function(s) |
|---|---|
| shell scripts | ``shell_quote`` (a word for ``NAME=...``), ``shell_comment`` |
| server configuration files | ``config_comment`` (names in settings are ``safe_name`` identifiers) |
| .env files | ``env_value`` |
| SQL | ``sql_ident``, ``sql_literal``, ``sql_comment``, ``dollar_quote`` (from ``model/names.py``) |
| Markdown | ``md_text`` (headings, paragraphs), ``md_cell`` (table cells), ``md_code`` (inline code) |
| HTML | ``html_text`` |
| Mermaid erDiagram | ``mermaid_entity``, ``mermaid_word``, ``mermaid_label`` |
| DBML | ``dbml_name``, ``dbml_string``, ``dbml_default`` |
| YAML | ``yaml_document``, ``yaml_comment`` |
| Python source | ``python_str``, ``python_docstring``, ``python_identifier`` |
| identifiers and file names derived from free text | ``safe_name`` (``names.slug``) |
"""

from __future__ import annotations

import html
import keyword
import re
import shlex
import unicodedata
from json.encoder import encode_basestring as _json_string
from typing import Any

import yaml

from schemawright.model.names import dollar_quote, quote_ident, quote_literal, slug

__all__ = [
    "config_comment", "dbml_default", "dbml_name", "dbml_string", "dollar_quote", "env_value", "html_text", "md_cell", "md_code",
    "md_text", "mermaid_entity", "mermaid_label", "mermaid_word", "python_docstring", "python_identifier",
    "python_str", "safe_name", "shell_comment", "shell_quote", "sql_comment", "sql_ident", "sql_literal",
    "yaml_comment", "yaml_document",
]

# Everything a renderer of any format may treat as a line break, plus the other C0/C1 controls.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069): shown as escapes in
# single-line contexts, so a name cannot visually reorder the text around it ("Trojan Source").
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _one_line(text: str, newline: str = " ") -> str:
    """``text`` on one line: line breaks become ``newline``, other control and bidi characters ``\\uXXXX``."""
    text = _LINE_BREAKS.sub(newline, str(text))
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


# --- identifiers and file names derived from free text ------------------------------------------------

def safe_name(text: str, what: str = "name") -> str:
    """A safe identifier and file name from free text (``names.slug``): ``[a-z][a-z0-9_]*``. The task
    input loader already refuses a project name with nothing left; this guards other callers."""
    result = slug(text)
    if not result:
        raise ValueError(f"{what} {text!r} has no ASCII letter or digit to build an identifier from")
    return result


# --- shell ---------------------------------------------------------------------------------------------

def shell_quote(text: str) -> str:
    """One shell word meaning exactly ``text`` (single quotes: no expansion of ``$``, backticks or ``\\``)."""
    if "\x00" in text:
        raise ValueError("a shell word cannot hold a NUL character")
    return shlex.quote(text)


def shell_comment(text: str) -> str:
    """Text for the rest of a ``#`` comment line: a line break would start a command."""
    return _one_line(text)


def config_comment(text: str) -> str:
    """Text for the rest of a ``#``/``;`` comment line in postgresql.conf, pg_hba.conf or pgbouncer.ini."""
    return _one_line(text)


# --- .env files -----------------------------------------------------------------------------------------

_ENV_PLAIN = re.compile(r"[A-Za-z0-9_./:@%+,=-]*\Z")


def env_value(text: str) -> str:
    """A value for ``KEY=value`` in a .env file that means ``text`` to bash's ``source``/``set -a``,
    docker compose and python-dotenv alike, and never expands or runs anything: plain when it is
    made of harmless characters, else in single quotes. A single quote or a line break has no
    spelling common to those readers, so such a value is refused."""
    if _ENV_PLAIN.match(text):
        return text
    if "'" in text or _LINE_BREAKS.search(text) or "\x00" in text:
        raise ValueError(f"{text!r} cannot be written as a .env value (quote or line break)")
    return f"'{text}'"


# --- SQL ------------------------------------------------------------------------------------------------

sql_ident = quote_ident
sql_literal = quote_literal


def sql_comment(text: str) -> str:
    """Text for the rest of a ``--`` comment line (a line break would end the comment)."""
    return _one_line(text)


# --- Graphviz DOT ---------------------------------------------------------------------------------------

def dot_string(text: str) -> str:
    """A double-quoted DOT identifier or attribute value meaning ``text`` (on one line)."""
    return '"' + _one_line(str(text)).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label: one line, control characters as ``\\xNN`` (Graphviz's XML
    parser refuses them), markup characters escaped."""
    return html.escape(" ".join(_one_line(str(text)).split()), quote=True)


# --- Markdown and HTML ----------------------------------------------------------------------------------

def html_text(text: str) -> str:
    """Text content or attribute value in HTML."""
    return html.escape(str(text), quote=True)


# Characters that start inline Markdown constructs (code, links, images, emphasis) or split a table
# row; escaped with a backslash. ``_`` only where it could open or close emphasis: inside a word
# (``created_at``) it is plain text and stays readable.
_MD_PUNCT = re.compile(r"([\\`|\[\]*]|(?<![^\W_])_|_(?![^\W_]))")


# Text with none of these (no ``_`` that could open or close emphasis, no block marker first) needs no
# escaping: the common case (plain words and sentences, snake_case names) is returned as is without the
# passes below. The set is everything ``_one_line``, ``html.escape`` and ``_MD_PUNCT`` change: controls
# and line breaks but tab, bidi marks, HTML's ``&<>``, backslash, backtick, pipe, brackets and ``*``.
_MD_SPECIAL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069&<>\\`|\[\]*]")
_MD_EMPHASIS = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_MD_BLOCK = re.compile(r"^(\s*)([#>+\-*=~])")


def _md_plain(text: str) -> bool:
    """Nothing in ``text`` that Markdown escaping would change."""
    return not (_MD_SPECIAL.search(text) or ("_" in text and _MD_EMPHASIS.search(text)) or _MD_BLOCK.match(text))
# What a code span cannot hold as is: table pipes, backslashes, backticks, controls, line breaks, bidi marks.
_CODE_SPECIAL = re.compile(r"[|\\`\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def md_text(text: str) -> str:
    """Text in a Markdown heading, paragraph or list item: shown as written, never markup. HTML
    (``<script>``) is escaped as entities; backslashes, backticks, pipes, brackets (links) and
    emphasis marks are backslash-escaped; line breaks become spaces so the text cannot start a block (a heading, a
    fence) of its own."""
    text = str(text)
    if _md_plain(text):
        return text
    text = _MD_PUNCT.sub(r"\\\1", html.escape(_one_line(text), quote=False))
    # A leading block marker would turn the line into a heading, quote, list or fence.
    return _MD_BLOCK.sub(r"\1\\\2", text)


def md_cell(text: str) -> str:
    """Text in a Markdown table cell: as ``md_text``, but line breaks become ``<br>`` so the row
    stays one line with its column count."""
    text = str(text)
    if _md_plain(text):
        return text
    return "<br>".join(md_text(part) for part in _LINE_BREAKS.split(text))


def md_code(text: str) -> str:
    """Inline code (names in tables and text): a backtick fence longer than any run inside. Text a
    code span cannot hold safely in a table (pipes, backslashes, line breaks) is written as
    ``md_cell`` text instead."""
    text = str(text)
    if text and not _CODE_SPECIAL.search(text):
        return f"`{text}`"
    if not text or re.search(r"[|\\]", text) or _LINE_BREAKS.search(text) or _CONTROLS.search(text):
        return md_cell(text)
    text = _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- Mermaid erDiagram --------------------------------------------------------------------------------

# Mermaid decodes "#<number>;" entity codes in every diagram's text. Inside a quoted entity name or
# a comment, these characters cannot appear raw (they end the quote, start a comment, or are markup).
_MERMAID_CODED = re.compile(r'[#"%\\<>&`]|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]')
# The attribute type and name words every Mermaid version accepts; PK, FK and UK are key markers.
_MERMAID_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_MERMAID_KEYS = frozenset({"pk", "fk", "uk"})


def mermaid_label(text: str) -> str:
    """Text between double quotes in a Mermaid diagram (an entity name, a relationship label, an
    attribute comment), quotes included: quotes, ``%``, ``#``, backslashes, markup and line breaks
    are written as Mermaid entity codes (``#34;``), which Mermaid shows as the character."""
    return '"' + _MERMAID_CODED.sub(lambda m: f"#{ord(m.group())};", str(text)) + '"'


def mermaid_entity(name: str) -> str:
    """An erDiagram entity: always quoted (names may hold spaces, ``$``, ``-``, keywords such as ``end``)."""
    return mermaid_label(name) if name else '"_"'


def mermaid_word(name: str) -> tuple[str, str | None]:
    """An attribute name or type as a bare word Mermaid accepts, with the exact text as a comment
    (``mermaid_label``) when the word had to differ: ``first name`` -> ``first_name "first name"``."""
    if _MERMAID_WORD.match(name) and name.lower() not in _MERMAID_KEYS:
        return name, None
    word = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not word[:1].isalpha() or word.lower() in _MERMAID_KEYS:
        word = "c_" + word
    return word, mermaid_label(name)


# --- DBML ---------------------------------------------------------------------------------------------

_DBML_STRING = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}


def dbml_name(name: str) -> str:
    """A table, column or index name in DBML: always double-quoted (DBML names have no escapes, so
    a name with a double quote or line break, which the loader never lets through, is refused)."""
    if '"' in name or _LINE_BREAKS.search(name) or not name:
        raise ValueError(f"{name!r} cannot be a DBML name")
    return f'"{name}"'


def dbml_string(text: str) -> str:
    """A single-quoted DBML string (notes, string defaults): backslash escapes for ``\\``, ``'``
    and line breaks, which pydbml decodes back to the same text."""
    return "'" + re.sub(r"[\\'\n\r\t\f]", lambda m: _DBML_STRING[m.group()], str(text)) + "'"


def dbml_default(sql: str) -> str | None:
    """The ``default:`` setting for a column default given as SQL: a backtick expression, or, when
    the SQL holds a backtick (which DBML expressions cannot), the string it stands for when it is
    a plain string constant; ``None`` when neither can carry it (the caller writes it in the note)."""
    if "`" not in sql:
        return f"default: `{sql}`"
    value = _string_constant(sql)
    return None if value is None else f"default: {dbml_string(value)}"


def _string_constant(sql: str) -> str | None:
    """The text of ``'...'`` or ``'...'::type`` (PostgreSQL's own parser), else None."""
    import pglast
    from pglast import ast

    try:
        stmt = pglast.parse_sql(f"SELECT {sql}")[0].stmt
    except pglast.parser.ParseError:
        return None
    if not isinstance(stmt, ast.SelectStmt) or len(stmt.targetList or ()) != 1:
        return None
    node = stmt.targetList[0].val
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    return None


# --- YAML -----------------------------------------------------------------------------------------------

def yaml_document(data: Any) -> str:
    """A YAML document of plain data: PyYAML's safe dumper quotes and escapes every string."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def yaml_comment(text: str) -> str:
    """Text for the rest of a ``#`` comment line in YAML."""
    return _one_line(text)


# --- Python source --------------------------------------------------------------------------------------

def python_str(text: str) -> str:
    """A Python string literal (double-quoted, escaped, deterministic): JSON's string form, which Python
    reads back as the same text (``json.dumps(text, ensure_ascii=False)`` without building an encoder)."""
    return _json_string(str(text))


def python_docstring(text: str) -> str:
    """Text inside a triple-quoted docstring: backslashes and quotes escaped, so ``\"\"\"`` cannot end it."""
    return _one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def python_identifier(text: str, prefix: str = "c_") -> str:
    """A valid Python identifier from a name (``first name`` -> ``first_name``, ``class`` -> ``class_``)."""
    if text.isascii() and text.isidentifier():  # the common case: already one (NFKC leaves ASCII as is)
        return text + "_" if keyword.iskeyword(text) else text
    text = unicodedata.normalize("NFKC", text)  # Python reads identifiers in NFKC: "ﬁle" is "file"
    base = "".join(ch if ("_" + ch).isidentifier() else "_" for ch in text)
    if not base.isidentifier():  # empty, or a leading digit
        base = prefix + base
    return base + "_" if keyword.iskeyword(base) else base
