"""docflow — a document workflow engine driven by office file templates.

The public surface: open a workspace's engine and send files down the one road.

    from engine import Engine, load_workspace, process_file
    eng = Engine.open(load_workspace(Path(".")))
    outcome = process_file(eng, Path("inbox/x.xlsx"))   # Processed | Rejected | Duplicate | NotReady
"""
__version__ = "0.3.0"

from .errors import DocflowError
from .outcomes import Duplicate, NotReady, Outcome, Processed, Rejected
from .road import Engine, process_file, process_inbox, recover
from .workspace import Workspace, init_workspace, load_workspace

__all__ = ["DocflowError", "Duplicate", "Engine", "NotReady", "Outcome", "Processed", "Rejected", "Workspace",
           "init_workspace", "load_workspace", "process_file", "process_inbox", "recover"]
