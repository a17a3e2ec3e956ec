"""Workspaces: the folders staff see, the engine's state folder, and ``docflow.toml`` (read once, here)."""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError, WorkspaceError

CONFIG_NAME = "docflow.toml"
STATE_DIR = ".docflow"


def bundled(name: str) -> Path:
    """A folder that ships with docflow: ``templates`` (the packs) or ``samples``. Installed from a wheel it is
    package data inside ``engine/``; in a source checkout (or an editable install) it is at the top level."""
    here = Path(__file__).resolve().parent
    installed = here / f"bundled_{name}"
    return installed if installed.is_dir() else here.parent / name


BUNDLED_PACKS = bundled("templates")
SAMPLES = bundled("samples")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


PLACEHOLDER = "待填写："          # how `docflow init` marks what staff still have to fill in


class Organisation(_Section):
    name: str = PLACEHOLDER + "组织名称"
    branches: list[str] = []          # the committee's branches; a roster naming another one is refused
    feedback: str = PLACEHOLDER + "公示意见反映渠道（如：组织委员，电话……）"   # on the public notices
    accept_new_branches: bool = False  # true: a roster may name a branch not listed (added, with a warning)

    def placeholders(self) -> list[str]:
        """What `docflow init` left for staff to fill in (Chinese names of the settings)."""
        out = [label for label, value in (("名称 name", self.name), ("意见反映渠道 feedback", self.feedback))
               if value.startswith(PLACEHOLDER)]
        return out + (["支部名单 branches"] if not self.branches else [])

    def warning(self) -> str:
        missing = self.placeholders()
        if not missing:
            return ""
        return (f"docflow.toml 的 [organisation] 还有待填写的内容：{'、'.join(missing)}。"
                "生成的文书会出现“待填写”字样，名册中的支部也无法核对，请先修改 docflow.toml")


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


class Official(_Section):
    """[official]: what a 公文 (GB/T 9704) of the workspace prints besides the case — the issuing organ's names,
    the prefix of its 发文字号, the 版记. Empty values are derived from [organisation] (see engine.output.official)."""

    prefix: str = ""              # 机关代字 of the committee's 发文字号: X党 → X党〔2026〕7号
    full_name: str = ""           # 发文机关全称: 中共XX学区委员会 (signature, 主送 of the branches' requests)
    mark: str = ""                # 发文机关标志 (the red head): 中共XX学区委员会文件
    copy_to: str = ""             # 抄送机关 (版记)
    printer: str = ""             # 印发机关 (版记)
    signer: str = ""              # 签发人 of the branches' requests and reports (blank: written by hand)
    branches: dict[str, str] = {}  # each branch's 机关代字 (its 请示 and 备案报告); blank: derived


class StoreSettings(_Section):
    url: str = ""                 # postgresql://user:password@host:5432/db — a shared server; blank: SQLite
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    schema_name: str = Field("docflow", alias="schema")   # the workspace's schema on that server (one per committee)
    lease_seconds: float = Field(30.0, ge=5)   # a process elsewhere silent this long is taken for dead (its work taken)


class PdfSettings(_Section):
    beside: bool = False          # true: a PDF beside every rendered document (LibreOffice must be installed)
    converters: int = Field(2, ge=1, le=16)   # LibreOffice converters kept warm
    timeout_seconds: float = Field(120.0, gt=0)
    fonts: dict[str, str] = {}    # a document's font → the installed font the PDF uses (added to the defaults)


class Access(_Section):
    """[access]: who may change what through the shared folder (see engine.access)."""

    branch_inboxes: bool = False  # true: inbox/<支部>/ per branch; a file there may change only that branch's cases


class Privacy(_Section):
    """[privacy]: how long the personal data of applicants who left the procedure is kept (``docflow purge``)."""

    retention_years: int = Field(5, ge=0)   # after a withdrawal or termination; then purge may remove it


class Config(_Section):
    organisation: Organisation = Organisation()
    access: Access = Access()
    privacy: Privacy = Privacy()
    official: Official = Official()
    fonts: dict[str, Any] = {}                    # [fonts]: coverage and fallbacks for rare characters
    pdf: PdfSettings = PdfSettings()
    store: StoreSettings = StoreSettings()
    pack: PackChoice = PackChoice()
    folders: Folders = Folders()
    watch: WatchSettings = WatchSettings()
    settings: dict[str, Any] = {}
    plan: dict[str, dict[str, Any]] = {}          # [plan.2026]: the year's targets (engine.report.plan reads them)
    statistics: dict[str, Any] = {}               # [statistics]: categories the reports count by (engine.report)


def printed_settings(ws: Workspace) -> dict[str, str]:
    """The settings documents print, by where they are set (``docflow lint`` checks their characters print)."""
    org, off = ws.config.organisation, ws.config.official
    out = {"[organisation] name": org.name, "[organisation] feedback": org.feedback}
    out |= {f"[organisation] branches 第{i}项": b for i, b in enumerate(org.branches, 1)}
    out |= {f"[official] {k}": v for k, v in off.model_dump().items() if isinstance(v, str) and v}
    return out | {f"[official.branches] {k}": v for k, v in off.branches.items()}


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

    @property
    def store_url(self) -> str:
        """Where the store is: DOCFLOW_DATABASE_URL, else [store] url, else the SQLite file in the state folder."""
        return os.environ.get("DOCFLOW_DATABASE_URL") or self.config.store.url or str(self.database)

    def folders(self) -> list[Path]:
        return [self.inbox, self.outbox, self.processed, self.rejected, self.state, self.work,
                *self.branch_inboxes.values()]

    @property
    def branch_inboxes(self) -> dict[str, Path]:
        """Each branch's own inbox folder (``[access] branch_inboxes``), by branch; {} when off."""
        if not self.config.access.branch_inboxes:
            return {}
        from .output.names import safe_file_name

        return {b: self.inbox / safe_file_name(b, "") for b in self.config.organisation.branches}


def find_workspace(start: Path) -> Path:
    """The workspace ``start`` is in: the nearest folder, from ``start`` upwards, that holds docflow.toml (so
    docflow run from inside inbox/ or outbox/ finds its workspace)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(f"这里还不是 docflow 工作区：{start} 及其上级文件夹中都没有 {CONFIG_NAME}。"
                         "请在工作区中运行，或用 -w 指定工作区；新建工作区请运行：docflow init <新工作区的路径>",
                         place=str(start))


def load_workspace(root: Path) -> Workspace:
    root = find_workspace(root)
    path = root / CONFIG_NAME
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
        if folder == ws.state and not folder.exists():
            folder.mkdir(parents=True, mode=0o700)     # its database holds ID numbers: its owner's only
            if os.name != "nt":
                os.chmod(folder, 0o700)                 # whatever the umask
        folder.mkdir(parents=True, exist_ok=True)
    return ws


def state_warnings(ws: Workspace, fs_type: Any = None) -> list[str]:
    """What staff must hear about where the engine's state folder is (PIPL: the store holds ID numbers, which are
    sensitive personal information): readable by other users, or on a network share. ``fs_type``: the probe of a
    folder's filesystem type (tests pass their own)."""
    if fs_type is None:
        from .inbox.watch import filesystem_type as fs_type
    from .inbox.watch import is_network

    out: list[str] = []
    try:
        mode = os.stat(ws.state).st_mode
    except OSError:
        return out
    if os.name != "nt" and mode & 0o077:
        out.append(f"工作区的状态文件夹 {ws.state} 其他用户也能访问（权限 {mode & 0o777:o}），"
                   f"其中保存着公民身份号码等敏感个人信息。请只允许本人访问：chmod 700 \"{ws.state}\"")
    kind = fs_type(ws.state)
    if kind and is_network(kind):
        if ws.store_url.startswith(("postgresql://", "postgres://")):
            out.append(f"工作区的状态文件夹 {ws.state} 在网络共享文件夹上（{kind}）：处理中的文件会暂存在这里，"
                       "含个人信息，请确认这个共享只有党务工作人员能访问")
        else:
            out.append(f"工作区的状态文件夹 {ws.state} 在网络共享文件夹上（{kind}）：其中的 SQLite 数据库在网络共享上"
                       "可能损坏，也不应把含公民身份号码的数据库放在共享中。请把工作区放在本机硬盘上，或改用 PostgreSQL"
                       "（见 README）")
    return out


def init_workspace(root: Path, organisation: str | None = None, pack_settings: dict[str, Any] | None = None, *,
                   branches: list[str] | None = None, feedback: str | None = None, pack: str = "party",
                   accept_new_branches: bool = False, words: tuple[str, str] = ("组织", "支部"),
                   branch_inboxes: bool = False) -> Workspace:
    """A new workspace (folders and docflow.toml). What is not given is written as a placeholder marked
    待填写, which `process`, `watch` and `lint` warn about. An existing docflow.toml is never overwritten.
    ``words``: what the pack calls the organisation and its branches (党委/党支部, 团委/团支部)."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    path = root / CONFIG_NAME
    if not path.exists():
        org = Organisation(**{k: v for k, v in (("name", organisation or PLACEHOLDER + f"{words[0]}名称"),
                                                ("branches", branches), ("feedback", feedback)) if v is not None},
                           accept_new_branches=accept_new_branches)
        path.write_text(default_config_text(org, pack, pack_settings or {}, words, branch_inboxes), encoding="utf-8")
    return load_workspace(root)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, list)):
        return json.dumps(value, ensure_ascii=False)  # a JSON string or list of strings is a TOML one too
    return str(value)


def default_config_text(org: Organisation, pack: str, pack_settings: dict[str, Any],
                        words: tuple[str, str] = ("组织", "支部"), branch_inboxes: bool = False) -> str:
    todo = "   # ← 待填写" if org.placeholders() else ""
    lines = [
        "# docflow 工作区设置（修改后重新启动 docflow 生效）",
        "",
        "[organisation]",
        f"name = {_toml(org.name)}            # {words[0]}名称，出现在生成的文书上"
        + (todo if org.name.startswith(PLACEHOLDER) else ""),
        f"branches = {_toml(org.branches)}   # 本{words[0]}的各{words[1]}；名册中写了别的{words[1]}名称会被退回"
        + (todo if not org.branches else ""),
        f"feedback = {_toml(org.feedback)}   # 公示中的意见反映渠道"
        + (todo if org.feedback.startswith(PLACEHOLDER) else ""),
        f"accept_new_branches = {_toml(org.accept_new_branches)}        "
        f"# 改为 true：名册中出现未列出的{words[1]}时照常接收并提醒",
        "",
        "[access]",
        f"branch_inboxes = {_toml(branch_inboxes)}" + " " * (13 if branch_inboxes else 12)
        + f"# 改为 true：inbox 下为每个{words[1]}建一个文件夹，放在{words[1]}文件夹里的文件只能改动本{words[1]}的案卷"
        "（见 README）",
        "",
        "[privacy]",
        "retention_years = 5                # 撤回申请、终止发展的人员，个人信息保留这么多年后可用 docflow purge 清除",
        "",
        "[official]                         # 公文（批复、请示、备案报告、通报）的发文机关和文号，见 README",
        'prefix = ""                        # 发文字号的机关代字，如 "X学党" → X学党〔2026〕1号；不写时由名称推出',
        'copy_to = ""                       # 版记中的抄送机关（不写则不印）',
        "",
        "[pack]",
        f"name = {_toml(pack)}                     # 使用的流程包（templates/ 下的文件夹名）",
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
    lines += [f"{key} = {_toml(value)}" for key, value in pack_settings.items()]
    return "\n".join(lines) + "\n"
