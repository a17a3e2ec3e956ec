"""One error root for the whole engine.

    DocflowError                 every error the engine raises; the CLI catches this one
     ├── PackError               a workflow pack is malformed (file + entry)
     ├── ConfigError             docflow.toml is malformed
     ├── WorkspaceError          a workspace is missing, locked or unusable
     ├── TemplateError           a template cannot be rendered (missing variable, broken tag)
     └── InputError              a dropped file cannot be read at all (not office, corrupt, hostile)

Errors meant for staff carry a Chinese message (``message``) and, where known, a place.
Field-level problems of a readable form are *not* exceptions: they are values (see ``outcomes``).
"""
from __future__ import annotations


class DocflowError(Exception):
    """Root of every engine error. ``message`` is Chinese text fit for staff."""

    def __init__(self, message: str, *, place: str = "", code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.place = place
        self.code = code

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message


class PackError(DocflowError):
    pass


class ConfigError(DocflowError):
    pass


class WorkspaceError(DocflowError):
    pass


class TemplateError(DocflowError):
    pass


class InputError(DocflowError):
    """A file that cannot be read. ``code`` is a stable reason code (e.g. ``corrupt_zip``)."""
