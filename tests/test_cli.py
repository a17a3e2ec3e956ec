"""The thin CLI: each command calls one engine function; staff messages are Chinese."""
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock

from engine.cli import main
from engine.testing import applicant, member_roster, write_roster
from engine.workspace import load_workspace


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "ws"
    assert main(["init", str(r), "--org", "测试学区党委", "--branches", "第一党支部,第二党支部",
                 "--feedback", "测试学区党委组织委员（电话：0571-12345678）"]) == 0
    return r


def test_init_makes_the_workspace(root):
    for name in ("inbox", "outbox", "已处理", "退回", ".docflow", "docflow.toml", "空白表格"):
        assert (root / name).exists()
    text = (root / "docflow.toml").read_text(encoding="utf-8")
    assert "测试学区党委" in text and "talk_deadline_months = 1" in text
    ws = load_workspace(root)
    assert ws.config.organisation.branches == ["第一党支部", "第二党支部"]
    assert ws.config.organisation.feedback == "测试学区党委组织委员（电话：0571-12345678）"
    assert ws.config.organisation.placeholders() == []


def test_init_without_the_organisation_writes_marked_placeholders_that_process_and_lint_warn_about(tmp_path, capsys):
    r = tmp_path / "ws"
    assert main(["init", str(r)]) == 0           # not at a terminal: nothing is asked
    org = load_workspace(r).config.organisation
    assert org.name.startswith("待填写") and org.feedback.startswith("待填写") and org.branches == []
    assert "待填写" in capsys.readouterr().out
    for command in (["process", "-w", str(r)], ["lint", "-w", str(r)]):
        main(command)
        assert "提醒：docflow.toml 的 [organisation] 还有待填写的内容" in capsys.readouterr().out


def test_init_asks_when_someone_is_at_the_keyboard(tmp_path, monkeypatch):
    answers = iter(["问询学区党委", "甲支部，乙支部", "组织委员 电话1"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["init", str(tmp_path / "ws")]) == 0
    org = load_workspace(tmp_path / "ws").config.organisation
    assert (org.name, org.branches, org.feedback) == ("问询学区党委", ["甲支部", "乙支部"], "组织委员 电话1")


def test_process_handles_every_file_and_exits_zero(root, capsys):
    write_roster(root / "inbox" / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    (root / "inbox" / "说明.txt").write_text("随手放进来的文字", encoding="utf-8")
    (root / "inbox" / "~$名册.xlsx").write_bytes(b"lock")
    assert main(["process", "-w", str(root)]) == 0
    out = capsys.readouterr().out
    assert "已处理  名册.xlsx" in out and "已退回  说明.txt" in out and "共 2 个文件" in out
    assert (root / "inbox" / "~$名册.xlsx").exists()  # Office lock files are left alone


def test_status_json_and_text(root, capsys):
    write_roster(root / "inbox" / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    main(["process", "-w", str(root)])
    capsys.readouterr()
    assert main(["status", "-w", str(root), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [case] = data["cases"]
    assert case["state"] == "入党申请人" and case["dates"]["申请入党日期"] == "2026-01-05"
    assert "党组织派人谈话" in case["due"][0] and "2026-02-05" in case["due"][0]
    assert main(["status", "-w", str(root), "2026-0001"]) == 0
    out = capsys.readouterr().out
    assert "下一步" in out and "建立案卷" in out and "完成：递交入党申请书" in out and "来自文件 名册.xlsx" in out
    assert "case_created" not in out and "step_done" not in out and "sha256" not in out  # words, not codes


def test_status_of_unknown_case(root, capsys):
    assert main(["status", "-w", str(root), "2099-0001"]) == 6
    assert "没有案卷" in capsys.readouterr().err


def test_lint(root, capsys):
    assert main(["lint", "-w", str(root)]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_second_engine_on_the_same_workspace_is_refused(root, capsys):
    lock = FileLock(str(root / ".docflow" / "engine.lock"))
    with lock.acquire(timeout=0):
        assert main(["process", "-w", str(root)]) == 7
    assert "另一个 docflow" in capsys.readouterr().err


def test_lock_held_by_a_killed_process_does_not_block(root):
    code = ("import os, sys; from filelock import FileLock; "
            f"l = FileLock(r'{root / '.docflow' / 'engine.lock'}'); l.acquire(); os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert main(["process", "-w", str(root)]) == 0


def test_not_a_workspace(tmp_path, capsys):
    assert main(["process", "-w", str(tmp_path / "nowhere")]) == 6
    err = capsys.readouterr().err
    assert "docflow init <新工作区的路径>" in err and "nowhere" in err


def test_run_from_inside_the_workspace_finds_it(root, capsys, monkeypatch):
    write_roster(root / "inbox" / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    monkeypatch.chdir(root / "inbox")
    assert main(["process"]) == 0
    assert "已处理  名册.xlsx" in capsys.readouterr().out


def test_broken_config_is_reported(root, capsys):
    (root / "docflow.toml").write_text("[organisation\nname=", encoding="utf-8")
    assert main(["process", "-w", str(root)]) == 4
    assert "docflow.toml" in capsys.readouterr().err


def test_folder_dropped_into_the_inbox_is_processed_file_by_file(root, capsys):
    sub = root / "inbox" / "一支部材料"
    member_roster(sub / "党员.xlsx", [("刘一", "第一党支部", "正式党员")])
    write_roster(sub / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    assert main(["process", "-w", str(root)]) == 0
    assert "共 2 个文件：已处理 2" in capsys.readouterr().out


# ---------------------------------------------------------------- the command line speaks Chinese
ENGLISH = ("usage", "options", "positional", "arguments", "show this", "error:", "required", "invalid", "choose from",
           "unrecognized", "help message")


@pytest.mark.parametrize("argv", [["--help"], ["status", "--help"], ["init", "--help"], ["demo", "--help"], [],
                                  ["process", "--bogus"], ["nosuch"], ["watch", "--poll", "x"], ["init"]])
def test_help_and_usage_errors_are_in_chinese(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    text = (out.out + out.err).lower()
    assert exc.value.code == (0 if "--help" in argv else 2)
    assert "用法：" in out.out + out.err
    for word in ENGLISH:
        assert word not in text, (argv, word)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    from engine import __version__
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"docflow {__version__}"


def test_each_error_class_has_its_own_exit_code():
    from engine import errors

    classes = [errors.DocflowError, errors.ConfigError, errors.PackError, errors.WorkspaceError,
               errors.WorkspaceLocked, errors.TemplateError, errors.InputError]
    codes = [c.exit_code for c in classes]
    assert len(set(codes)) == len(codes) and not {0, 2, 3, 130} & set(codes)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for code in codes + [2, 3]:
        assert f"| {code} |" in readme   # documented for staff


# ---------------------------------------------------------------- demo: its own folder, the samples' date
def test_demo_runs_in_a_new_folder_on_the_samples_date(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "共 14 个文件：已处理 12，退回 2，重复 0，未就绪 0" in out and "按 2026-11-28 计算日期" in out
    assert (tmp_path / "演示工作区" / "docflow.toml").is_file()
    org = load_workspace(tmp_path / "演示工作区").config.organisation
    assert org.placeholders() == [] and "第一党支部" in org.branches
    # the same output on any day: the clock is the samples' date, not today's
    assert "2026-0004  赵雨桐（第一党支部）  入党申请人" in out and "应于 2026-04-18 前，已逾期" in out


def test_demo_never_touches_a_workspace_that_has_cases(root, capsys):
    write_roster(root / "inbox" / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    main(["process", "-w", str(root)])
    members_before = sorted(p.name for p in root.rglob("*"))
    assert main(["demo", str(root)]) == 6
    assert "已经有案卷" in capsys.readouterr().err
    assert sorted(p.name for p in root.rglob("*")) == members_before


def test_demo_refuses_a_folder_with_other_things_in_it(tmp_path, capsys):
    (tmp_path / "我的文件.docx").write_bytes(b"x")
    assert main(["demo", str(tmp_path)]) == 6 and "不是空文件夹" in capsys.readouterr().err
