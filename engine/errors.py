"""One error root for the whole engine.

    DocflowError                 every error the engine raises; the CLI catches this one      exit code 1
     ├── ConfigError             docflow.toml is malformed                                      4
     ├── PackError               a workflow pack is malformed (file + entry)                    5
     ├── WorkspaceError          a workspace is missing or unusable, a case unknown             6
     │    └── WorkspaceLocked    another docflow is working on the workspace                    7
     ├── TemplateError           a template cannot be rendered (missing variable, broken tag)  8
     └── InputError              a dropped file cannot be read at all (not office, corrupt)     9

Exit codes of ``docflow`` besides these: 0 done, 1 lint found problems, 2 the command line was wrong,
3 some files were not ready yet (process), 130 interrupted. README.md lists them for staff.

Errors meant for staff carry a Chinese message (``message``) and, where known, a place.
Field-level problems of a readable form are *not* exceptions: they are values (see ``outcomes``).
"""
from __future__ import annotations


class DocflowError(Exception):
    """Root of every engine error. ``message`` is Chinese text fit for staff."""

    exit_code = 1

    def __init__(self, message: str, *, place: str = "", code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.place = place
        self.code = code

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message


class ConfigError(DocflowError):
    exit_code = 4


class PackError(DocflowError):
    exit_code = 5


class WorkspaceError(DocflowError):
    exit_code = 6


class StoreUnavailable(WorkspaceError):
    """The store's server cannot be reached (down, network, credentials): nothing is decided about the file in
    hand — it stays where it is and is tried again later (never refused for it)."""


class ClaimLost(WorkspaceError):
    """The file's claim was taken over by another process (this one was taken for dead): nothing of it is stored
    here; the one that took it finishes it."""


class WorkspaceLocked(WorkspaceError):
    exit_code = 7


class TemplateError(DocflowError):
    exit_code = 8


class InputError(DocflowError):
    """A file that cannot be read. ``code`` is a stable reason code (e.g. ``corrupt_zip``)."""

    exit_code = 9
