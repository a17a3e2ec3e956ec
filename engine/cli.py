"""docflow command line: parse arguments, call one engine function, print the result (in Chinese)."""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from . import status
from .errors import DocflowError, WorkspaceError
from .lint import lint_pack
from .outcomes import Duplicate, Outcome, Processed, Rejected
from .pack import load_pack
from .road import Engine, process_inbox, recover
from .workspace import BUNDLED_PACKS, init_workspace, load_workspace

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@contextmanager
def engine_for(root: Path) -> Iterator[Engine]:
    """Open the workspace's engine under its lock (one engine per workspace; the OS frees the lock
    when the holder dies, so a crash needs no clean-up)."""
    ws = load_workspace(root)
    lock = FileLock(str(ws.state / "engine.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise WorkspaceError("另一个 docflow（process 或 watch）正在处理这个工作区，请勿同时运行两个。"
                             "如确认没有在运行，稍等片刻再试", place=str(ws.root)) from None
    eng = Engine.open(ws)
    try:
        for line in recover(eng):
            print(f"恢复：{line}")
        yield eng
    finally:
        eng.store.close()
        lock.release()


def describe(o: Outcome) -> str:
    name = Path(o.file).name
    if isinstance(o, Processed):
        extra = f"，{len(o.row_problems)}处问题行未导入" if o.row_problems else ""
        warn = f"，{len(o.warnings)}条提醒" if o.warnings else ""
        return f"已处理  {name}：生成 {len(o.documents)} 份文书{extra}{warn}"
    if isinstance(o, Rejected):
        first = o.reasons[0]
        return f"已退回  {name}：{first.label + '：' if first.label else ''}{first.message}"
    if isinstance(o, Duplicate):
        return f"重复    {name}：与此前已处理的文件相同，未再处理"
    return f"未就绪  {name}：{o.why}"


def cmd_init(args: argparse.Namespace) -> int:
    pack = load_pack(BUNDLED_PACKS / "party")
    ws = init_workspace(Path(args.dir), args.org, pack.settings)
    print(f"工作区已就绪：{ws.root}")
    print(f"  把填好的表格放进：{ws.inbox}")
    print(f"  生成的文书在：    {ws.outbox}")
    print(f"  处理完的原件在：  {ws.processed}；退回的文件在：{ws.rejected}")
    return 0


def cmd_process(args: argparse.Namespace) -> int:
    with engine_for(Path(args.workspace)) as eng:
        outcomes = process_inbox(eng)
    for o in outcomes:
        print(describe(o))
    counts = {k: sum(1 for o in outcomes if o.kind == k) for k in ("processed", "rejected", "duplicate", "not_ready")}
    print(f"共 {len(outcomes)} 个文件：已处理 {counts['processed']}，退回 {counts['rejected']}，"
          f"重复 {counts['duplicate']}，未就绪 {counts['not_ready']}")
    return 3 if counts["not_ready"] else 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import Watcher

    with engine_for(Path(args.workspace)) as eng:
        cfg = eng.ws.config.watch
        w = Watcher(eng, poll=args.poll if args.poll is not None else cfg.poll_seconds, quiet=cfg.quiet_seconds,
                    rescan=cfg.rescan_seconds, grace=max(cfg.grace_seconds, 10 * cfg.quiet_seconds),
                    on_outcome=lambda o: print(describe(o), flush=True),
                    on_notice=lambda text: print(f"提示：{text}", flush=True))

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


def cmd_status(args: argparse.Namespace) -> int:
    ws = load_workspace(Path(args.workspace))
    eng = Engine.open(ws)
    try:
        rep = status.report(eng, args.case)
    finally:
        eng.store.close()
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else status.report_text(rep))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    ws = load_workspace(Path(args.workspace))
    problems = lint_pack(load_pack(ws.pack_dir, ws.config.settings))
    for p in problems:
        print(f"问题：{p}")
    print("流程包和模板检查通过" if not problems else f"共 {len(problems)} 个问题")
    return 1 if problems else 0


def cmd_demo(args: argparse.Namespace) -> int:
    root = Path(args.workspace)
    if not (root / "docflow.toml").exists():
        cmd_init(argparse.Namespace(dir=str(root), org="XX学区党委"))
    ws = load_workspace(root)
    copied = 0
    for src in sorted(SAMPLES.glob("*.*")):
        if src.suffix.lower() in (".xlsx", ".docx", ".csv", ".txt", ".pdf", ".xls"):
            shutil.copy2(src, ws.inbox / src.name)
            copied += 1
    print(f"已把 {copied} 个示例文件放入 {ws.inbox}")
    code = cmd_process(argparse.Namespace(workspace=str(root)))
    print()
    cmd_status(argparse.Namespace(workspace=str(root), case=None, json=False))
    print(f"\n请打开 {ws.outbox} 查看生成的文书，{ws.rejected} 查看退回的文件和退回说明。")
    return code


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="docflow", description="docflow：由 Word/Excel 表格驱动的发展党员工作文书流程")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("init", help="新建工作区（inbox、outbox、已处理、退回、docflow.toml）")
    s.add_argument("dir")
    s.add_argument("--org", default="XX学区党委", help="党委名称")
    s.set_defaults(func=cmd_init)
    for name, func, text in (("process", cmd_process, "处理 inbox 中的全部文件后退出"),
                             ("watch", cmd_watch, "持续监视 inbox"),
                             ("status", cmd_status, "查看案卷状态和下一步"),
                             ("lint", cmd_lint, "检查流程包和模板"),
                             ("demo", cmd_demo, "把 samples/ 的示例放入 inbox 并处理")):
        s = sub.add_parser(name, help=text)
        s.add_argument("-w", "--workspace", default=".", help="工作区目录（默认当前目录）")
        s.set_defaults(func=func)
        if name == "watch":
            s.add_argument("--poll", type=float, default=None, metavar="SECONDS", help="按间隔轮询（网络共享文件夹用）")
        if name == "status":
            s.add_argument("case", nargs="?")
            s.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DocflowError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
