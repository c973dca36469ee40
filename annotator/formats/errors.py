"""The one error type of the format layer: a bad record, named by file, line and field."""

from __future__ import annotations

from annotator.errors import InvalidInput
from annotator.spans import SpanError


class FormatError(InvalidInput):
    """A record that cannot be read, with the file, 1-based line and field it came from."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None,
                 field: str = "") -> None:
        self.source = source
        self.line = line
        super().__init__(message, field=field)
        self.args = (str(self),)

    def __str__(self) -> str:
        where = [self.source] if self.source else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    @classmethod
    def from_span_error(cls, error: SpanError, *, source: str = "", line: int | None = None,
                        rename: dict[str, str] | None = None) -> FormatError:
        """Wrap a SpanError, renaming the first part of its field (e.g. entities -> spans)."""
        text = str(error)
        prefix = f"{error.field}: "
        message = text[len(prefix):] if error.field and text.startswith(prefix) else text
        return cls(message, source=source, line=line, field=rename_field(error.field, rename or {}))


def rename_field(field: str, rename: dict[str, str]) -> str:
    """Replace a field's leading list name, e.g. ``entities[3].label`` -> ``spans[3].label``."""
    for old, new in rename.items():
        if field == old or field.startswith((old + "[", old + ".")):
            return new + field[len(old):]
    return field
