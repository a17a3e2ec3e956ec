"""Workflow packs: a declarative pack.toml plus templates — the model (``model``), loading and binding the
local settings (``load``), and the cross-reference checks (``check``)."""
from __future__ import annotations

from .load import load_pack
from .model import (
           KEY_RE,
           ArchiveItem,
           CaseDef,
           Condition,
           DocumentDef,
           DueDef,
           FactDef,
           FieldDef,
           FormDef,
           ImportDef,
           MembersDef,
           Milestone,
           Pack,
           PackInfo,
           RuleDef,
           StateDef,
           StepDef,
           Terms,
           Transition,
           When,
)

__all__ = ["KEY_RE", "ArchiveItem", "CaseDef", "Condition", "DocumentDef", "DueDef", "FactDef", "FieldDef", "FormDef",
           "ImportDef", "MembersDef", "Milestone", "Pack", "PackInfo", "RuleDef", "StateDef", "StepDef", "Terms",
           "Transition", "When", "load_pack"]
