"""docflow command line: parse arguments, call one engine function, print the result (in Chinese).

Exit codes: 0 done; 1 lint found problems (or an engine error of no finer kind); 2 the command line was
wrong; 3 some files were not ready yet (process); 4 docflow.toml malformed; 5 a pack malformed; 6 not a
workspace / unknown case; 7 another docflow is working on the workspace; 8 a template cannot be rendered;
9 a file cannot be read; 130 interrupted."""
from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path

from filelock import FileLock, Timeout

from . import __version__, status
from .clock import FixedClock
from .errors import DocflowError, WorkspaceError, WorkspaceLocked
from .outcomes import Duplicate, Outcome, Processed, Rejected
from .output.blanks import BLANK_FOLDER, write_blank_forms
from .output.glyphs import FontPlan
from .pack import load_pack
from .pack.lint import lint_pack, lint_renderer, render_plan, text_problems
from .road import Engine, process_inbox, recover
from .workspace import BUNDLED_PACKS, CONFIG_NAME, SAMPLES, Workspace, init_workspace, load_workspace, printed_settings

EXIT_USAGE, EXIT_NOT_READY, EXIT_INTERRUPTED = 2, 3, 130
DEMO_FOLDER = "演示工作区"

# argparse's own words, in Chinese (it looks them up through gettext at the moment it prints them)
_ARGPARSE_ZH = {
    "usage: ": "用法：", "positional arguments": "参数", "options": "选项", "subcommands": "命令",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（运行 docflow -h 查看用法）\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值", "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少一个值", "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用", "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "须给出以下参数之一：%s", "unexpected option string: %s": "意外的选项：%s",
}
_ARGPARSE_TYPES = {"float": "数字", "int": "整数"}


def _zh(text: str) -> str:
    return _ARGPARSE_ZH.get(text, text)


def _zh_n(singular: str, plural: str, n: int) -> str:
    return {"expected %s argument": "需要 %s 个值"}.get(singular, singular if n == 1 else plural)


argparse._ = _zh            # type: ignore[attr-defined]
argparse.ngettext = _zh_n   # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def format_help(self) -> str:  # section headings end with a Chinese colon
        return re.sub(r"(?m)^(\S[^\n]*):$", r"\1：", super().format_help())

    def _get_value(self, action, arg_string):
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as exc:
            kind = _ARGPARSE_TYPES.get(getattr(action.type, "__name__", ""), "")
            if kind:
                raise argparse.ArgumentError(action, f"“{arg_string}”不是{kind}") from None
            raise exc


@contextmanager
def engine_for(root: Path, clock=None, role: str = "cli") -> Iterator[Engine]:
    """Open the workspace's engine. On SQLite under the workspace's lock (one engine per workspace; the OS frees
    the lock when the holder dies, so a crash needs no clean-up); on a shared server (PostgreSQL) any number of
    engines work side by side, on this machine or others — files are claimed, and work items taken, in the store."""
    ws = load_workspace(root)
    lock = None if shared_store(ws.store_url) else FileLock(str(ws.state / "engine.lock"))
    try:
        if lock is not None:
            lock.acquire(timeout=0)
    except Timeout:
        raise WorkspaceLocked("另一个 docflow（process 或 watch）正在处理这个工作区，请勿同时运行两个。"
                              "如确认没有在运行，稍等片刻再试", place=str(ws.root)) from None
    try:
        eng = Engine.open(ws, clock=clock)
    except BaseException:
        if lock is not None:
            lock.release()     # e.g. the store's server down: a later try must find the workspace free
        raise
    try:
        eng.start_heartbeat(role)
        warn_placeholders(ws)
        for line in recover(eng):
            print(f"恢复：{line}")
        yield eng
    finally:
        eng.stop_heartbeat()
        eng.store.close()
        if lock is not None:
            lock.release()


def shared_store(url: str) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def warn_placeholders(ws: Workspace) -> None:
    from .workspace import state_warnings

    text = ws.config.organisation.warning()
    if text:
        print(f"提醒：{text}（{ws.root / CONFIG_NAME}）", flush=True)
    for line in state_warnings(ws):
        print(f"提醒：{line}", flush=True)


def describe(o: Outcome) -> str:
    name = Path(o.file).name
    if isinstance(o, Processed):
        extra = f"，{len(o.row_problems)}处问题行未导入" if o.row_problems else ""
        warn = f"，{len(o.warnings)}条提醒" if o.warnings else ""
        return f"已处理  {name}：生成 {len(o.documents)} 份文书{extra}{warn}"
    if isinstance(o, Rejected):
        first = o.reasons[0]
        more = f"（共{len(o.reasons)}个问题，见退回说明）" if len(o.reasons) > 1 else ""
        return f"已退回  {name}：{first.label + '：' if first.label else ''}{first.message}{more}"
    if isinstance(o, Duplicate):
        return f"重复    {name}：与此前已处理的文件相同，未再处理"
    return f"未就绪  {name}：{o.why}"


# ---------------------------------------------------------------- init
def _ask(prompt: str, given: str | None) -> str | None:
    """Ask staff when the command line does not say and someone is at the keyboard."""
    if given is not None or not sys.stdin.isatty():
        return given
    answer = input(prompt).strip()
    return answer or None


def _branch_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [b.strip() for b in text.replace("，", ",").replace("、", ",").split(",") if b.strip()] or None


def cmd_init(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    # the workspace's own pack (templates/<name>/ in the folder, as Workspace.pack_dir finds it) or a bundled one
    found = [d for d in (root / "templates" / args.pack, BUNDLED_PACKS / args.pack) if (d / "pack.toml").is_file()]
    if not found:
        known = "、".join(sorted(p.name for p in BUNDLED_PACKS.iterdir() if (p / "pack.toml").is_file()))
        raise WorkspaceError(f"没有名为“{args.pack}”的流程包（可用：{known}；"
                             f"自己的流程包请放在 {root / 'templates'} 下的同名文件夹中）")
    pack = load_pack(found[0])
    org_word, branch_word = pack.terms.organisation, pack.terms.branch
    if (root / CONFIG_NAME).exists():
        print(f"{root / CONFIG_NAME} 已存在，未作改动")
        org = branches = feedback = None
    else:
        org = _ask(f"{org_word}名称（如 XX学区{org_word}，直接回车以后再填）：", args.org)
        branches = _branch_list(_ask(f"各{branch_word}名称，用逗号分开（如 第一{branch_word},第二{branch_word}）：",
                                     args.branches))
        feedback = _ask(f"公示的意见反映渠道（如 XX学区{org_word}组织委员，电话……）：", args.feedback)
    settings = {**pack.settings, **(getattr(args, "settings", None) or {})}
    ws = init_workspace(root, org, settings, branches=branches, feedback=feedback, pack=args.pack,
                        words=(org_word, branch_word), branch_inboxes=getattr(args, "branch_inboxes", False))
    blanks = write_blank_forms(load_pack(ws.pack_dir, ws.config.settings), ws.root / BLANK_FOLDER,
                               ws.config.organisation.branches)
    print(f"工作区已就绪：{ws.root}")
    print(f"  把填好的表格放进：{ws.inbox}")
    if ws.branch_inboxes:
        folders = "、".join(f"{ws.config.folders.inbox}/{p.name}/" for p in ws.branch_inboxes.values())
        print(f"  各{branch_word}的文件夹：{folders}（放在这里的文件只能改动本{branch_word}的案卷）")
    print(f"  生成的文书在：    {ws.outbox}")
    print(f"  处理完的原件在：  {ws.processed}；退回的文件在：{ws.rejected}")
    print(f"  空白表格在：      {ws.root / BLANK_FOLDER}（{'、'.join(p.stem for p in blanks)}）")
    warn_placeholders(ws)
    return 0


# ---------------------------------------------------------------- process, watch
def cmd_process(args: argparse.Namespace) -> int:
    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        outcomes = process_inbox(eng)
        notes = list(eng.notes)
    for o in outcomes:
        print(describe(o))
    for note in notes:
        print(f"说明：{note}")
    counts = {k: sum(1 for o in outcomes if o.kind == k) for k in ("processed", "rejected", "duplicate", "not_ready")}
    print(f"共 {len(outcomes)} 个文件：已处理 {counts['processed']}，退回 {counts['rejected']}，"
          f"重复 {counts['duplicate']}，未就绪 {counts['not_ready']}")
    return EXIT_NOT_READY if counts["not_ready"] else 0


# how often ``watch`` tries a store server that is down when it starts (DOCFLOW_SERVER_WAIT_SECONDS to change it)
SERVER_WAIT_SECONDS = 15.0


@contextmanager
def engine_when_server_answers(root: Path, role: str = "watch") -> Iterator[Engine]:
    """``engine_for`` — and while the store's server does not answer (PostgreSQL down, network), say so and try
    again every SERVER_WAIT_SECONDS: the files wait in the inbox, nothing is lost (Ctrl+C stops the waiting)."""
    import os

    from .errors import StoreUnavailable

    wait = float(os.environ.get("DOCFLOW_SERVER_WAIT_SECONDS") or SERVER_WAIT_SECONDS)
    while True:
        manager = engine_for(root, role=role)
        try:
            eng = manager.__enter__()
        except StoreUnavailable as exc:
            print(f"提示：{exc.message}（{wait:g} 秒后再试，按 Ctrl+C 停止）", flush=True)
            time.sleep(wait)
            continue
        break
    with ExitStack() as stack:
        stack.push(manager)
        yield eng


def cmd_watch(args: argparse.Namespace) -> int:
    from .inbox.watch import Watcher

    with engine_when_server_answers(Path(args.workspace)) as eng:
        cfg = eng.ws.config.watch
        w = Watcher(eng, poll=args.poll if args.poll is not None else cfg.poll_seconds, quiet=cfg.quiet_seconds,
                    rescan=cfg.rescan_seconds, grace=max(cfg.grace_seconds, 10 * cfg.quiet_seconds),
                    on_outcome=lambda o: print(describe(o), flush=True),
                    on_notice=lambda text: print(f"提示：{text}", flush=True), spread=shared_store(eng.ws.store_url))

        def stop(*_: object) -> None:
            if w.stop.is_set():       # asked twice: stop at once (the journal finishes the file at next start)
                raise KeyboardInterrupt
            w.stop.set()              # finish the file in hand, then stop
            print("正在停止（处理完当前文件后退出）…", flush=True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print(f"正在监视 {eng.ws.inbox}（{w.mode}），按 Ctrl+C 停止", flush=True)
        try:
            w.run()
        except KeyboardInterrupt:
            w.stop.set()
    print("已停止监视")
    return 0


def cmd_work(args: argparse.Namespace) -> int:
    """A render worker: takes documents from the store's render queue (a regeneration started anywhere, documents
    a watcher stored and could not render) until stopped, or until the queue is empty (``--once``)."""
    from .work.renders import work

    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()
        print("正在停止（生成完手上的文书后退出）…", flush=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    total = 0
    with engine_when_server_answers(Path(args.workspace), role="work") as eng:
        print(f"正在从 {getattr(eng.store, 'path', '')} 的生成队列领取文书（本进程：{eng.holder.id}），按 Ctrl+C 停止",
              flush=True)
        while not stopping.is_set():
            n = work(eng)
            total += n
            if n:
                print(f"已生成 {n} 份（共 {total} 份）", flush=True)
            elif args.once:
                break
            else:
                stopping.wait(args.idle)
    print(f"已停止：本进程共生成 {total} 份文书")
    return 0


# ---------------------------------------------------------------- status, lint
def cmd_status(args: argparse.Namespace) -> int:
    ws = load_workspace(Path(args.workspace))
    eng = Engine.open(ws, clock=getattr(args, "clock", None))
    try:
        rep = status.report(eng, args.case, text=not args.json)
    finally:
        eng.store.close()
    first = next((f.label for f in eng.pack.forms.values() if f.creates_case), "名册")
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else status.report_text(rep, first))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    ws = load_workspace(Path(args.workspace))
    warn_placeholders(ws)
    pack = load_pack(ws.pack_dir, ws.config.settings)
    fonts = FontPlan.from_settings(ws.config.fonts)
    problems = lint_pack(pack, fonts) + text_problems(printed_settings(ws), lint_renderer(pack, fonts))
    plan = render_plan(pack)
    slow = {t: why for t, why in plan.items() if why}
    print(f"渲染方式：{len(plan) - len(slow)} 个模板用快速渲染"
          + (f"，{len(slow)} 个改用 docxtpl/openpyxl：" if slow else ""))
    for template, why in sorted(slow.items()):
        print(f"  {template}：{why}")
    for p in problems:
        print(f"问题：{p}")
    print("流程包和模板检查通过" if not problems else f"共 {len(problems)} 个问题")
    return 1 if problems else 0


DUE_PRINT_LIMIT = 200     # items ``docflow due`` prints before it sums up the rest (the workbook has them all)


def cmd_due(args: argparse.Namespace) -> int:
    from .output.ledger import DUE_LIST, DUE_WINDOW_DAYS, due_bytes, due_items, write_beside

    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        today = eng.clock.today()
        within = args.within if args.within is not None else DUE_WINDOW_DAYS
        until = (today + timedelta(days=within)).isoformat()
        items = due_items(eng.store.due_rows(until, today.isoformat()), today, within, args.branch)
        note = write_beside(eng.ws.outbox / DUE_LIST, due_bytes(eng.pack, items, today, within), eng.clock.now()) \
            if not args.branch else ""
        outbox = eng.ws.outbox
    if args.json:
        print(json.dumps({"today": today.isoformat(), "within": within, "items": [i.as_dict() for i in items]},
                         ensure_ascii=False, indent=2))
        return 0
    if not items:
        print(f"没有逾期或 {within} 天内到期的事项。")
    shown = items if args.all else items[:DUE_PRINT_LIMIT]
    lines = []
    for i in shown:
        d = i.due
        days = (date.fromisoformat(d.date) - today).days
        state = f"已逾期 {-days} 天" if i.overdue else f"{days} 天后" + ("可办" if d.earliest else "到期")
        lines.append(f"{d.date}  {state:<10} {d.case_id} {d.name}（{d.branch}）  {i.what}  〔{d.rule}〕")
    if len(shown) < len(items):
        by_branch: dict[str, list[int]] = {}
        for i in items:
            counts = by_branch.setdefault(i.due.branch, [0, 0])
            counts[0 if i.overdue else 1] += 1
        lines.append(f"……另有 {len(items) - len(shown)} 项未列出（加 --all 列出全部）。各{eng.pack.terms.branch}："
                     + "；".join(f"{b} 已逾期 {late} 项、{within} 天内到期 {soon} 项"
                                for b, (late, soon) in sorted(by_branch.items())))
    if lines:
        print("\n".join(lines))
    if not args.branch:
        print(f"共 {len(items)} 项；已写入 {outbox / DUE_LIST}" + (f"（{note}）" if note else ""))
    return 0


def cmd_regenerate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .regenerate import planned, regenerate

    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        jobs = planned(eng, args.year, args.branch, args.case)
        with tqdm(total=len(jobs), unit="份", desc="预览" if args.dry_run else "重新生成", file=sys.stderr,
                  disable=args.quiet or None, dynamic_ncols=True) as bar:
            result = regenerate(eng, jobs, force=args.force, dry_run=args.dry_run, processes=args.processes,
                                progress=bar.update,
                                reports=None if args.case else (args.year, args.branch))
    verb = "将重新生成" if args.dry_run else "已重新生成"
    print(f"共 {result.total} 份文书和报表：{verb} {len(result.written)} 份，内容未变 {len(result.unchanged)} 份，"
          f"工作人员改动过而保留 {len(result.kept)} 份")
    for rel in result.written if args.dry_run else []:
        print(f"  将更新：{rel}")
    for rel in result.kept:
        print(f"  已保留（改动过，未覆盖；加 --force 可覆盖）：{rel}")
    for note in result.notes:
        print(f"说明：{note}")
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pdfs import make_pdfs, printable

    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        total = len(printable(eng, case=args.case, year=args.year, branch=args.branch))
        with tqdm(total=total, unit="份", desc="生成 PDF", file=sys.stderr, disable=args.quiet or None,
                  dynamic_ncols=True) as bar:
            run = make_pdfs(eng, case=args.case, year=args.year, branch=args.branch,
                            pool_size=eng.ws.config.pdf.converters, progress=bar.update, force=args.force)
        rel = eng.ws.outbox
    print(f"共 {total} 份文书：已生成 PDF {len(run.written)} 份，PDF 已是最新的 {len(run.current)} 份，"
          f"失败 {len(run.failed)} 份，检查发现问题 {len(run.problems)} 处")
    for path, why in run.failed:
        print(f"  失败：{path.relative_to(rel) if path.is_relative_to(rel) else path}：{why}")
    for path, why in run.problems:
        print(f"  问题：{path.relative_to(rel) if path.is_relative_to(rel) else path}：{why}")
    return 1 if run.failed or run.problems else 0


def cmd_store(args: argparse.Namespace) -> int:
    from .store import open_store
    from .store.copy import copy_store, export

    ws = load_workspace(Path(args.workspace))
    lock = FileLock(str(ws.state / "engine.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise WorkspaceLocked("另一个 docflow（process 或 watch）正在处理这个工作区，请先停止它",
                              place=str(ws.root)) from None
    try:
        source = open_store(ws.store_url, ws.config.store.schema_name)
        try:
            if args.action == "migrate":
                print(f"数据库结构版本：{source.schema_version}（{getattr(source, 'path', '')}）")
                return 0
            if not args.to:
                raise DocflowError("copy 需要 --to 目标数据库（如 postgresql://用户:密码@服务器:5432/数据库）")
            target = open_store(args.to, args.schema or ws.config.store.schema_name)
            try:
                counts = copy_store(source, target)
                same = export(source) == export(target)
            finally:
                target.close()
        finally:
            source.close()
    finally:
        lock.release()
    print("已复制：" + "，".join(f"{t} {n} 行" for t, n in counts.items() if n))
    print("逐表核对：一致" if same else "逐表核对：不一致！请勿改用目标数据库，并把此情况报告给维护人员")
    if same:
        print(f"改用新数据库：在 docflow.toml 中写 [store] url = \"{args.to}\"（或设置环境变量 DOCFLOW_DATABASE_URL）")
    return 0 if same else 1


def cmd_audit(args: argparse.Namespace) -> int:
    from .report.audit import write_audit

    ws = load_workspace(Path(args.workspace))
    eng = Engine.open(ws, clock=getattr(args, "clock", None))
    try:
        if args.case and eng.store.case(args.case) is None:
            raise WorkspaceError(f"没有案卷 {args.case}")
        try:
            since = date.fromisoformat(args.since) if args.since else None
        except ValueError:
            raise WorkspaceError(f"--since 的日期“{args.since}”看不懂，请写成 2026-01-01 这样") from None
        path = write_audit(eng, args.case, since)
    finally:
        eng.store.close()
    print(f"已生成审计记录：{path.relative_to(ws.root)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from .purge import purge

    try:
        before = date.fromisoformat(args.withdrawn_before)
    except ValueError:
        raise WorkspaceError(f"--withdrawn-before 的日期“{args.withdrawn_before}”看不懂，"
                             "请写成 2021-01-01 这样") from None
    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        done = purge(eng, before, dry_run=args.dry_run)
    verb = "将清除" if args.dry_run else "已清除"
    if not done.cases:
        print(f"没有 {before.isoformat()} 以前撤回申请或终止发展、尚未清除的人员")
        return 0
    print(f"{verb} {len(done.cases)} 人的个人信息（姓名、身份证号码、联系方式、谈话和考察内容等；"
          "统计所需的性别、民族、出生日期、学历、支部和各步骤日期保留，报表总数不变）：")
    for c in done.cases:
        print(f"  {c}")
    if done.originals:
        print("这些人交来的原件仍在“已处理”文件夹中（docflow 不改动原件），请按本单位档案规定处理：")
        for o in done.originals:
            print(f"  {o}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from .output.ledger import write_paperwork
    from .views import rebuild

    with engine_for(Path(args.workspace), getattr(args, "clock", None)) as eng:
        n = rebuild(eng)
        notes = write_paperwork(eng)
    print(f"已按事件记录重建 {n} 份案卷的当前状态，并重写台账和待办事项")
    for note in notes:
        print(f"说明：{note}")
    return 0


# ---------------------------------------------------------------- demo
def demo_settings() -> tuple[date, dict, dict]:
    """The samples' day, committee and pack settings (samples/demo.toml)."""
    raw = tomllib.loads((SAMPLES / "demo.toml").read_text(encoding="utf-8"))
    return raw["date"], raw.get("organisation", {}), raw.get("settings", {})


def cmd_demo(args: argparse.Namespace) -> int:
    """The samples, processed in a workspace of their own, on the samples' date (the same output any day)."""
    root = Path(args.dir)
    today, org, settings = demo_settings()
    if (root / CONFIG_NAME).exists():
        eng = Engine.open(load_workspace(root))
        try:
            busy = eng.store.cases() or eng.store.files(limit=1)
        finally:
            eng.store.close()
        if busy:
            raise WorkspaceError("这个工作区已经有案卷或处理记录，演示不会往里面放示例数据。"
                                 "请换一个新文件夹：docflow demo <新文件夹>", place=str(root.resolve()))
    elif root.exists() and any(root.iterdir()):
        raise WorkspaceError("这不是空文件夹，演示只在新文件夹或空文件夹中进行：docflow demo <新文件夹>",
                             place=str(root.resolve()))
    cmd_init(argparse.Namespace(dir=str(root), org=org.get("name"), branches=",".join(org.get("branches", [])),
                                feedback=org.get("feedback"), pack="party", branch_inboxes=False,
                                settings=settings))
    ws = load_workspace(root)
    copied = 0
    from .signing import signed_copy

    eng = Engine.open(ws)
    try:        # the samples' forms as this committee issued them: signed with the demo workspace's key
        for src in sorted(SAMPLES.glob("*.*")):
            if src.suffix.lower() in (".xlsx", ".docx"):
                (ws.inbox / src.name).write_bytes(signed_copy(eng.signer, src.read_bytes(), src.name))
                copied += 1
    finally:
        eng.store.close()
    print(f"\n已把 {copied} 个示例文件放入 {ws.inbox}（演示按 {today.isoformat()} 计算日期）")
    clock = FixedClock(today)
    code = cmd_process(argparse.Namespace(workspace=str(root), clock=clock))
    print()
    cmd_status(argparse.Namespace(workspace=str(root), case=None, json=False, clock=clock))
    print(f"\n请打开 {ws.outbox} 查看生成的文书，{ws.rejected} 查看退回的文件和退回说明。")
    return code


# ---------------------------------------------------------------- the parser
def _bundled_packs() -> str:
    """The bundled packs for --pack's help: "party 发展党员工作（默认）、league 发展团员工作"."""
    import tomllib

    out = []
    for d in sorted(BUNDLED_PACKS.iterdir(), key=lambda d: (d.name != "party", d.name)):
        try:
            name = tomllib.loads((d / "pack.toml").read_text(encoding="utf-8"))["pack"]["name"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            continue
        out.append(f"{d.name} {name}" + ("（默认）" if d.name == "party" else ""))
    return "、".join(out)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="docflow", description="docflow：由 Word/Excel 表格驱动的文书流程（发展党员、发展团员……）。"
                "把填好的表格放进 inbox，系统检查后记入案卷，并在 outbox 生成下一步的文书。",
                epilog="各命令的用法：docflow <命令> -h")
    p.add_argument("--version", action="version", version=f"docflow {__version__}", help="显示版本号并退出")
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="<命令>", parser_class=_Parser)
    s = sub.add_parser("init", help="新建工作区（inbox、outbox、已处理、退回、空白表格、docflow.toml）",
                       description="新建工作区。没有给出的组织名称、支部和意见反映渠道会询问；"
                                   "不在终端中运行时写成“待填写”，之后在 docflow.toml 中修改。")
    s.add_argument("dir", metavar="目录", help="工作区所在的文件夹（不存在则新建）")
    s.add_argument("--org", metavar="名称", help="组织名称，如 XX学区党委")
    s.add_argument("--branches", metavar="支部,支部", help="各支部名称（党支部、团支部），用逗号分开")
    s.add_argument("--feedback", metavar="文字", help="公示中的意见反映渠道，如 XX学区党委组织委员（电话……）")
    s.add_argument("--branch-inboxes", action="store_true",
                   help="inbox 下为每个支部建一个文件夹，放在支部文件夹里的文件只能改动本支部的案卷和名册")
    s.add_argument("--pack", metavar="流程包", default="party",
                   help=f"使用的流程包：{_bundled_packs()}；或工作区 templates/ 下自己的流程包")
    s.set_defaults(func=cmd_init)
    for name, func, text in (("process", cmd_process, "处理 inbox 中的全部文件后退出"),
                             ("watch", cmd_watch, "持续监视 inbox，文件放进来就处理"),
                             ("status", cmd_status, "查看案卷的阶段、关键日期和下一步"),
                             ("due", cmd_due, "列出逾期和即将到期的事项，并写入 outbox/待办事项.xlsx"),
                             ("rebuild", cmd_rebuild, "按事件记录重建各案卷的当前状态，重写台账和待办事项"),
                             ("regenerate", cmd_regenerate,
                              "按现有记录重新生成全部文书和以前生成过的报表（模板或设置改过之后）"),
                             ("work", cmd_work, "从数据库的生成队列领取文书并生成（多台电脑分担重新生成）"),
                             ("lint", cmd_lint, "检查流程包和模板"),
                             ("purge", cmd_purge, "清除撤回申请、终止发展满保留期的人员的个人信息（报表总数不变）"),
                             ("audit", cmd_audit, "导出审计记录（每项记录的来源文件、处理时间和提交人）到 "
                              "outbox/审计记录/"),
                             ("pdf", cmd_pdf, "把生成的文书转换为 PDF（放在文书旁边，需要安装 LibreOffice），"
                              "并检查字体都已嵌入、页数不超")):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("-w", "--workspace", default=".", metavar="目录",
                       help="工作区目录（默认当前目录；在工作区的子文件夹中运行也可以）")
        s.set_defaults(func=func)
        if name == "watch":
            s.add_argument("--poll", type=float, default=None, metavar="秒", help="按间隔轮询（网络共享文件夹用）")
        if name == "work":
            s.add_argument("--once", action="store_true", help="队列空了就退出")
            s.add_argument("--idle", type=float, default=1.0, metavar="秒", help="队列空时隔多久再看一次（默认 1 秒）")
        if name == "regenerate":
            s.add_argument("--year", type=int, metavar="年份",
                           help="只生成这一年建立的案卷（按案卷编号的年份）和这一年的报表")
            s.add_argument("--branch", metavar="支部", help="只生成这个支部的文书，以及这个支部和全委的报表")
            s.add_argument("--case", metavar="案卷编号", help="只生成这一份案卷的文书（不生成报表）")
            s.add_argument("--force", action="store_true", help="工作人员改动过的文书也覆盖")
            s.add_argument("--dry-run", action="store_true", help="只列出会改变的文书，不写入")
            s.add_argument("--processes", type=int, default=None, metavar="N", help="同时使用的进程数（默认全部核）")
            s.add_argument("--quiet", action="store_true", help="不显示进度条")
        if name == "pdf":
            s.add_argument("--case", metavar="案卷编号", help="只转换这一份案卷的文书")
            s.add_argument("--year", type=int, metavar="年份", help="只转换这一年建立的案卷的文书")
            s.add_argument("--branch", metavar="支部", help="只转换这个支部的文书")
            s.add_argument("--force", action="store_true", help="PDF 比文书新的也重新转换")
            s.add_argument("--quiet", action="store_true", help="不显示进度条")
        if name == "due":
            s.add_argument("--within", type=int, default=None, metavar="天数", help="列出多少天内到期的（默认 30）")
            s.add_argument("--branch", metavar="支部", help="只看这个支部")
            s.add_argument("--all", action="store_true",
                           help=f"事项多于 {DUE_PRINT_LIMIT} 项时也全部列出（默认只列最早的 {DUE_PRINT_LIMIT} 项"
                           "和各支部的项数；待办事项.xlsx 总是全部）")
            s.add_argument("--json", action="store_true", help="以 JSON 输出")
        if name == "purge":
            s.add_argument("--withdrawn-before", required=True, metavar="日期",
                           help="清除这一天以前撤回或终止的人员"
                           "（须已过 docflow.toml [privacy] retention_years 的保留期）")
            s.add_argument("--dry-run", action="store_true", help="只列出会清除的人员，不清除")
        if name == "audit":
            s.add_argument("--case", metavar="案卷编号", help="只导出这一份案卷的记录")
            s.add_argument("--since", metavar="日期", help="只导出这一天（如 2026-01-01）以后的记录")
        if name == "status":
            s.add_argument("case", nargs="?", metavar="案卷编号", help="只看这一份案卷（含全部历史）")
            s.add_argument("--json", action="store_true", help="以 JSON 输出")
    from .report.cli import add_parser as add_report

    add_report(sub)
    s = sub.add_parser("store", help="数据库：升级结构（migrate），或把本工作区的数据复制到 PostgreSQL（copy --to）",
                       description="migrate：把数据库结构升级到本程序的版本；copy：把本工作区的全部记录（案卷、事件、文件记录、"
                       "名册、台账、文号……）复制到另一个数据库（如 PostgreSQL），复制后逐表核对。")
    s.add_argument("action", choices=["migrate", "copy"], metavar="操作", help="migrate 或 copy")
    s.add_argument("--to", metavar="URL", help="copy：目标数据库，如 postgresql://用户:密码@服务器:5432/数据库")
    s.add_argument("--schema", default=None, metavar="名称",
                   help="copy：目标中本工作区的 schema（默认同 [store] schema）")
    s.add_argument("-w", "--workspace", default=".", metavar="目录", help="工作区目录（默认当前目录）")
    s.set_defaults(func=cmd_store)
    s = sub.add_parser("demo", help="在一个新文件夹中演示：放入 samples/ 的示例并处理",
                       description="新建一个演示工作区，放入示例表格并处理，日期按示例的日期计算。")
    s.add_argument("dir", nargs="?", default=DEMO_FOLDER, metavar="目录", help=f"演示工作区（默认 ./{DEMO_FOLDER}）")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DocflowError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
