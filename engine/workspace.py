"""Workspaces: the folders staff see, the engine's state folder, and ``docflow.toml`` (read once, here)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError, WorkspaceError

CONFIG_NAME = "docflow.toml"
STATE_DIR = ".docflow"
BUNDLED_PACKS = Path(__file__).resolve().parent.parent / "templates"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Organisation(_Section):
    name: str = "XX学区党委"
    branches: list[str] = []
    feedback: str = "XX学区党委组织委员（电话：0000-00000000）"   # where the public notices send comments


class PackChoice(_Section):
    name: str = "party"
    path: str = ""            # a pack folder outside the workspace and the bundled ones


class Folders(_Section):
    inbox: str = "inbox"
    outbox: str = "outbox"
    processed: str = "已处理"
    rejected: str = "退回"


class WatchSettings(_Section):
    quiet_seconds: float = Field(2.0, ge=0)
    poll_seconds: float = Field(0.0, ge=0)        # 0 = native events where the filesystem has them
    rescan_seconds: float = Field(60.0, gt=0)
    grace_seconds: float = Field(60.0, ge=0)      # how long a half-copied-looking file is waited for


class Config(_Section):
    organisation: Organisation = Organisation()
    pack: PackChoice = PackChoice()
    folders: Folders = Folders()
    watch: WatchSettings = WatchSettings()
    settings: dict[str, Any] = {}


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config = field(default_factory=Config)

    @property
    def inbox(self) -> Path:
        return self.root / self.config.folders.inbox

    @property
    def outbox(self) -> Path:
        return self.root / self.config.folders.outbox

    @property
    def processed(self) -> Path:
        return self.root / self.config.folders.processed

    @property
    def rejected(self) -> Path:
        return self.root / self.config.folders.rejected

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def work(self) -> Path:
        return self.state / "work"

    @property
    def database(self) -> Path:
        return self.state / "docflow.db"

    @property
    def pack_dir(self) -> Path:
        if self.config.pack.path:
            return (self.root / self.config.pack.path).resolve()
        local = self.root / "templates" / self.config.pack.name
        return local if (local / "pack.toml").is_file() else BUNDLED_PACKS / self.config.pack.name

    def folders(self) -> list[Path]:
        return [self.inbox, self.outbox, self.processed, self.rejected, self.state, self.work]


def load_workspace(root: Path) -> Workspace:
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise WorkspaceError(f"这里还不是 docflow 工作区（找不到 {CONFIG_NAME}）。请先运行：docflow init {root}",
                             place=str(root))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        config = Config.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"docflow.toml 语法错误：{exc}", place=str(path)) from None
    except ValidationError as exc:
        lines = [f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors()]
        raise ConfigError("docflow.toml 内容有误：\n  " + "\n  ".join(lines), place=str(path)) from None
    ws = Workspace(root, config)
    for folder in ws.folders():
        folder.mkdir(parents=True, exist_ok=True)
    return ws


def init_workspace(root: Path, organisation: str = "XX学区党委", pack_settings: dict[str, Any] | None = None) -> Workspace:
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    path = root / CONFIG_NAME
    if not path.exists():
        path.write_text(default_config_text(organisation, pack_settings or {}), encoding="utf-8")
    return load_workspace(root)


def default_config_text(organisation: str, pack_settings: dict[str, Any]) -> str:
    lines = [
        "# docflow 工作区设置（修改后重新启动 docflow 生效）",
        "",
        "[organisation]",
        f'name = "{organisation}"            # 党委名称，出现在生成的文书上',
        'branches = ["第一党支部", "第二党支部", "第三党支部"]',
        'feedback = "XX学区党委组织委员（电话：0000-00000000）"   # 公示中的意见反映渠道',
        "",
        "[pack]",
        'name = "party"                     # 使用的流程包：templates/party（发展党员工作）',
        "",
        "[folders]",
        'inbox = "inbox"                    # 把填好的表格放到这里',
        'outbox = "outbox"                  # 系统生成的文书在这里',
        'processed = "已处理"               # 处理完的原件（连同回执）移到这里',
        'rejected = "退回"                  # 有问题的文件（连同退回说明）移到这里',
        "",
        "[watch]",
        "quiet_seconds = 2.0                # 文件大小和修改时间稳定这么多秒后才处理",
        "poll_seconds = 0.0                 # 大于 0 时按该间隔轮询（网络共享文件夹请设为 5）",
        "rescan_seconds = 60.0              # 定期全量扫描的间隔",
        "grace_seconds = 60.0               # 看起来没复制完整的文件最多等待这么多秒，之后按损坏文件退回",
        "",
        "[settings]                         # 流程包的本地做法设置（[L]），删去某行即使用默认值",
    ]
    for key, value in pack_settings.items():
        rendered = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{key} = {rendered}")
    return "\n".join(lines) + "\n"
