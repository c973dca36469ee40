"""DocBin files of spaCy Docs from annotation sets, for training with ``spacy train``.

The Docs themselves (entities, span groups, user data) are built in formats.spacy_doc; here they
are gathered into DocBins of bounded size: one ``.spacy`` file, or a folder of shards.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import catalogue
import numpy
import srsly
from spacy.attrs import DEP, ENT_ID, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, SPACY, TAG
from spacy.tokens import Doc, DocBin, _serialize
from spacy.vocab import Vocab

from annotator.formats.errors import FormatError
from annotator.formats.rows import ExportRow
from annotator.formats.spacy_doc import GROUPS, USER_DATA_KEY, annotation_from_doc, doc_from_annotation, doc_from_rows

__all__ = ["GROUPS", "USER_DATA_KEY", "DocBinWriter", "annotation_from_doc", "doc_from_annotation", "docbin_file",
           "export_docs", "is_shard", "shard_bytes", "shard_file", "too_large"]


def _settle_msgpack_registries() -> None:
    """Look srsly's msgpack encoders and decoders up once per registry change, not once per call.

    Every msgpack call (a Doc's user data, each of its span groups) builds a Packer, which asks
    catalogue for the registered encoders: with entry points on, that scans every installed
    package's metadata, and in any case it walks every function spaCy registered (about 1 ms per
    call, most of a spaCy export's time). The entry points found now are registered by name and
    ``get_all`` answers from a copy that is rebuilt whenever catalogue's registry changes size, so
    every call still sees the same encoders.
    """
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        if registry.entry_points:
            for name, func in registry.get_entry_points().items():
                registry.register(name, func=func)
            registry.entry_points = False
        registry.get_all = _cached_get_all(registry.get_all)


def _cached_get_all(get_all: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """``get_all`` remembered until catalogue's registry gains or loses an entry."""
    seen: list[Any] = [-1, {}]

    def cached() -> dict[str, Any]:
        if seen[0] != len(catalogue.REGISTRY):
            seen[:] = [len(catalogue.REGISTRY), get_all()]
        return dict(seen[1])

    return cached


_settle_msgpack_registries()


COMPRESS_LEVEL = 1
"""zlib level of our DocBins: a third of the default level's time for files about 20% larger (any
zlib reader, DocBin.from_bytes included, reads every level)."""


class _FastZlib:
    """The zlib module as DocBin.to_bytes sees it while one of our DocBins is written."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compress(data: bytes) -> bytes:
        """zlib.compress at COMPRESS_LEVEL."""
        return zlib.compress(data, COMPRESS_LEVEL)


_FAST_ZLIB = _FastZlib()


class _DocBin(DocBin):
    """A DocBin that knows its size in memory and adds Docs without a Python loop per token.

    DocBin.add reads nine string attributes of every token to collect the strings its arrays
    refer to; here they come from the distinct hashes in those columns, the same set of strings.
    """

    def __init__(self) -> None:
        super().__init__(attrs=DOC_ATTRS, store_user_data=True)
        self.nbytes = 0
        self._string_columns = [i for i, attr in enumerate(self.attrs) if attr in _STRING_ATTRS]
        # srsly.msgpack_dumps with one Packer for every Doc (building one asks catalogue for encoders)
        self._packer = srsly.msgpack.Packer(use_bin_type=True)

    def to_bytes(self) -> bytes:
        """DocBin.to_bytes, compressed at COMPRESS_LEVEL (DocBin has no setting for the level)."""
        setattr(_serialize, "zlib", _FAST_ZLIB)
        try:
            return super().to_bytes()
        finally:
            setattr(_serialize, "zlib", zlib)

    def add(self, doc: Doc) -> None:
        """Add a Doc's arrays, strings, span groups and user data."""
        array = doc.to_array(list(self.attrs))
        spaces = numpy.asarray(doc.to_array(SPACY), dtype=bool).reshape((-1, 1))
        self.tokens.append(array)
        self.spaces.append(spaces)
        self.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        strings = doc.vocab.strings
        keys: Any = set(array[:, self._string_columns].ravel().tolist())  # faster than numpy.unique here
        for key in keys:
            if key and key in strings:
                self.strings.add(strings[key])
        self.cats.append(doc.cats)
        user_data: bytes = self._packer.pack(doc.user_data)
        self.user_data.append(user_data)
        self.span_groups.append(doc.spans.to_bytes())
        for group in doc.spans.values():
            for span in group:
                self.strings.update((span.label_, span.kb_id_, span.id_))
        self.nbytes += array.nbytes + spaces.nbytes + len(user_data) + len(self.span_groups[-1])


DOC_ATTRS = ("ORTH", "NORM", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")
"""The token columns our Docs carry (words and entities; no tags, parses or lemmas): a smaller DocBin."""
_STRING_ATTRS = {ORTH, TAG, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID, LEMMA, MORPH, NORM}
SHARD_DOCS = 1000
SHARD_BYTES = 8 * 1024 * 1024
"""Bounds of one shard held in memory (its arrays; writing it takes a few times as much)."""
FILE_BYTES = 256 * 1024 * 1024
"""The most DocBin data one .spacy file may hold; beyond it, export to a folder of shards."""


def too_large(limit: int) -> FormatError:
    """The error of a single .spacy file past its limit, pointing to the folder form."""
    return FormatError(f"the export holds more than {limit // (1024 * 1024)} MB of DocBin data, too much "
                       "for one .spacy file; export to a folder of shards instead "
                       "(annotator export --format spacy -o FOLDER, read by spacy train as a corpus)",
                       field="format")


class DocBinWriter:
    """Write Docs to one ``.spacy`` file, or to numbered shards when the path is a folder.

    A folder (an existing directory or a path without the ``.spacy`` suffix) keeps at most
    ``shard_size`` Docs and ``shard_bytes`` of arrays in memory, writing ``<stem>-000.spacy``,
    ``-001``, ... (the stem is the folder's name unless given) which ``spacy train`` reads as a
    corpus. One file holds every Doc until closed, so it is refused (FormatError) past ``file_bytes``.
    """

    def __init__(self, path: str | Path, *, shard_size: int | None = None,
                 shard_bytes: int | None = None, file_bytes: int | None = None, stem: str | None = None) -> None:
        self.path = Path(path)
        self.sharded = self.path.is_dir() or self.path.suffix != ".spacy"
        self.stem = stem or self.path.name
        self.shard_size = shard_size or SHARD_DOCS
        self.shard_bytes = shard_bytes or SHARD_BYTES
        self.file_bytes = file_bytes or FILE_BYTES
        self.written: list[Path] = []
        self.count = 0
        self._bin = _DocBin()

    def add(self, doc: Doc) -> None:
        """Add one Doc, flushing a full shard to disk."""
        self._bin.add(doc)
        self.count += 1
        if not self.sharded and self._bin.nbytes > self.file_bytes:
            raise too_large(self.file_bytes)
        if self.sharded and _full(self._bin, self.shard_size, self.shard_bytes):
            self._flush()

    def close(self) -> list[Path]:
        """Write what is left; return the files written."""
        if len(self._bin) or not self.written:
            self._flush()
        return self.written

    def _flush(self) -> None:
        """Write the current DocBin to its file and start a new one."""
        if self.sharded:
            self.path.mkdir(parents=True, exist_ok=True)
            target = shard_file(self.path, self.stem, len(self.written))
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            target = self.path
        self._bin.to_disk(target)
        self.written.append(target)
        self._bin = _DocBin()

    def __enter__(self) -> DocBinWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()


def _full(docbin: _DocBin, size: int, nbytes: int) -> bool:
    """Whether a shard is full: ``size`` Docs or ``nbytes`` of arrays."""
    return len(docbin) >= size or docbin.nbytes >= nbytes


def shard_file(folder: Path, stem: str, number: int) -> Path:
    """The path of a folder's ``number``-th shard."""
    return folder / f"{stem}-{number:03d}.spacy"


def is_shard(path: Path, stem: str) -> bool:
    """Whether a file is one of the shards named after ``stem`` (see shard_file)."""
    return re.fullmatch(rf"{re.escape(stem)}-\d{{3,}}\.spacy", path.name) is not None


def shard_bytes(rows: Iterable[ExportRow], skip: Callable[[ExportRow, FormatError], None]) -> tuple[list[bytes], int]:
    """The bytes of the shards of some rows, cut as DocBinWriter cuts them, and how many Docs they hold."""
    parts: list[bytes] = []
    count, docbin = 0, _DocBin()
    for doc in export_docs(rows, skip):
        docbin.add(doc)
        count += 1
        if _full(docbin, SHARD_DOCS, SHARD_BYTES):
            parts.append(docbin.to_bytes())
            docbin = _DocBin()
    if len(docbin):
        parts.append(docbin.to_bytes())
    return parts, count


def export_docs(rows: Iterable[ExportRow], skip: Callable[[ExportRow, FormatError], None],
                vocab: Vocab | None = None) -> Iterator[Doc]:
    """One Doc per export row; a row that cannot become a Doc goes to ``skip``."""
    vocab = vocab or Vocab()
    for row in rows:
        try:
            doc = doc_from_rows(vocab, row.text, row.tokens, row.entity_rows, row.layers, source=row.name)
        except FormatError as err:
            skip(row, err)
            continue
        doc.user_data["annotator_id"] = row.annotator_id
        doc.user_data["status"] = row.status
        yield doc


def docbin_file(rows: Iterable[ExportRow], skip: Callable[[ExportRow, FormatError], None], *,
                limit: int | None = None) -> Iterator[bytes]:
    """The bytes of one .spacy file; FormatError past ``limit`` (FILE_BYTES; see DocBinWriter)."""
    limit = limit or FILE_BYTES
    docbin = _DocBin()
    for doc in export_docs(rows, skip):
        docbin.add(doc)
        if docbin.nbytes > limit:
            raise too_large(limit)
    yield docbin.to_bytes()
