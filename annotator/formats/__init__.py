"""Pure readers and writers of data formats: our JSONL, Prodigy, doccano, DocBin, plain text."""

from annotator.formats.detect import detect_format
from annotator.formats.errors import FormatError
from annotator.formats.lines import SourceRecord, read_jsonl, read_path, read_text_file
from annotator.formats.task_fields import ImportedTask
from annotator.formats.tokens import DocTokens

__all__ = [
    "DocTokens", "FormatError", "ImportedTask", "SourceRecord", "detect_format", "read_jsonl",
    "read_path", "read_text_file",
]
