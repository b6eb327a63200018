"""Read article files into documents: .txt, .md, .html/.htm and .jsonl (one article a line).

A file is all-or-nothing: any problem in it raises IngestError naming the file and the
reason, and nothing from that file is stored.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.plaintext import clean_line
from workbench.bounded_read import InputFileError, read_bounded
from workbench.jsonline import JsonLineError, parse_json_line

MAX_FILE_BYTES = 50 * 1024 * 1024  # documented in README: larger files are refused
SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl"}


class IngestError(Exception):
    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


@dataclass(frozen=True)
class DocumentInput:
    source: str
    text: str
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def discover(paths: list[str | os.PathLike]) -> tuple[list[Path], list[IngestError]]:
    """Files to ingest (folders recursively, by suffix) and errors for paths that are unusable."""
    files: list[Path] = []
    errors: list[IngestError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: list[Path] = []
            _walk(path, found, errors, {os.path.realpath(path)})
            files.extend(sorted(found))
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                errors.append(IngestError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                                f"expected one of {', '.join(sorted(SUFFIXES))}"))
        elif path.exists():  # a device, a pipe, a socket: reading it may never end
            errors.append(IngestError(path, "not a regular file (a device, a pipe or a socket); give a file or a folder"))
        elif path.is_symlink():
            errors.append(IngestError(path, f"broken symbolic link (to {os.readlink(path)})"))
        else:
            errors.append(IngestError(path, "no such file or folder"))
    return files, errors


def _walk(folder: Path, files: list[Path], errors: list[IngestError], seen: set[str]) -> None:
    """Files with a known suffix under folder. Path.rglob skipped a folder it could not list and a
    broken link without a word; each is an error here, as is a device or pipe with a known suffix.
    Files of other types are left out silently (a folder holds more than articles)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        errors.append(IngestError(folder, f"cannot read folder: {exc.strerror or exc}"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_dir():  # a linked folder too, once: a link to a parent would loop
                real = os.path.realpath(path)
                if real not in seen:
                    seen.add(real)
                    _walk(path, files, errors, seen)
                continue
            if path.suffix.lower() not in SUFFIXES:
                continue
            if entry.is_file():
                files.append(path)
            elif entry.is_symlink():
                errors.append(IngestError(path, f"broken symbolic link (to {os.readlink(path)})"))
            else:
                errors.append(IngestError(path, "not a regular file (a device, a pipe or a socket)"))
        except OSError as exc:
            errors.append(IngestError(path, exc.strerror or str(exc)))


def read_documents(path: Path) -> list[DocumentInput]:
    raw = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl_documents(path, _decode(path, raw))
    text = _decode(path, raw)
    if suffix in (".html", ".htm"):
        return [_html_document(path, text)]
    if not text.strip():
        raise IngestError(path, "empty file (no text)")
    return [DocumentInput(source=path.name, text=text, title=_first_line_title(text, markdown=suffix == ".md"),
                          meta={"path": str(path)})]


def _read_bytes(path: Path) -> bytes:
    try:
        raw = read_bounded(path, MAX_FILE_BYTES)
    except InputFileError as exc:
        raise IngestError(path, str(exc)) from None
    if not raw.strip():
        raise IngestError(path, "empty file (no text)")
    return raw


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "UTF-16 text; convert it to UTF-8 first")
    if b"\x00" in raw:  # anywhere, not only at the start: no database column can hold it
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                "convert it to UTF-8 first") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise IngestError(path, "binary file (mostly control characters), not text")
    return text


def _first_line_title(text: str, markdown: bool) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if line:
            if markdown:
                line = line.lstrip("#").strip()
            return line[:1024]
    return None


def _parser_gives_up(html: str) -> str | None:
    """libxml2's fatal error when it stops building the tree part-way, else None.

    At 256 nested elements it stops (a resource limit noted only in its error log) and hands back
    what it has: trafilatura then extracted a few hundred characters of a long page without a
    word (200,000 nested quotes became 773 characters)."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None  # nothing to parse: trafilatura finds no main text and says so
    fatal = [error.message for error in parser.error_log if error.level_name == "FATAL"]
    return fatal[0].split(", use XML_PARSE_HUGE")[0] if fatal else None


def _html_document(path: Path, html: str) -> DocumentInput:
    import trafilatura  # lazy: pulls in lxml and friends

    problem = _parser_gives_up(html)
    if problem is not None:
        raise IngestError(path, f"the HTML parser stops part-way ({problem}); its text would be cut short")
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise IngestError(path, "no main text found in the HTML")
    # extensive=False: a date the page states (meta tags, JSON-LD, <time>, the URL) or none. The
    # extensive search guesses from any text, and "© 2025" became published: 2025-01-01.
    metadata = trafilatura.extract_metadata(html, extensive=False)
    title = metadata.title if metadata is not None and metadata.title else _first_line_title(text, False)
    meta: dict[str, Any] = {"path": str(path)}
    if metadata is not None:
        meta.update({k: clean_line(v) for k, v in (("url", metadata.url), ("published", metadata.date),
                                                   ("author", metadata.author)) if v})
    return DocumentInput(source=path.name, text=text, title=title, meta=meta)


def _jsonl_documents(path: Path, text: str) -> list[DocumentInput]:
    docs = []
    # split on \n only: JSON strings may hold U+2028 and friends, which splitlines() breaks on
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = parse_json_line(line)
        except JsonLineError as exc:
            raise IngestError(path, f"line {lineno}: {exc}") from None
        if not isinstance(record, dict):
            raise IngestError(path, f"line {lineno}: expected a JSON object, got {type(record).__name__}")
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            raise IngestError(path, f"line {lineno}: field 'text' is required and must be a non-empty string")
        if "\x00" in body:  # a JSON escape gets past the byte check above
            raise IngestError(path, f"line {lineno}: field 'text' contains NUL characters (\\u0000)")
        for key in ("id", "title", "url", "published"):
            if key in record and record[key] is not None and not isinstance(record[key], (str, int)):
                raise IngestError(path, f"line {lineno}: field {key!r} must be a string")
        source = str(record["id"]) if record.get("id") is not None else f"{path.name}#{lineno}"
        # text, title and name are cleaned of control characters where every document is stored
        meta = {k: clean_line(v) if isinstance(v, str) else v
                for k in ("url", "published") if (v := record.get(k)) is not None}
        meta["path"] = str(path)
        title = None if record.get("title") is None else str(record["title"])
        docs.append(DocumentInput(source=source, text=body, title=title, meta=meta))
    if not docs:
        raise IngestError(path, "empty file (no JSON lines)")
    return docs


def iter_inputs(files: list[Path]) -> Iterator[tuple[Path, list[DocumentInput] | IngestError]]:
    for path in files:
        try:
            yield path, read_documents(path)
        except IngestError as exc:
            yield path, exc
        except OSError as exc:
            yield path, IngestError(path, exc.strerror or str(exc))
