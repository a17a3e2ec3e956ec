"""The thin CLI: each command calls one engine function; staff messages are Chinese."""
import json
import subprocess
import sys
from datetime import date

import pytest
from filelock import FileLock

from engine.cli import main
from factory import applicant, member_roster, write_roster


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "ws"
    assert main(["init", str(r), "--org", "测试学区党委"]) == 0
    return r


def test_init_makes_the_workspace(root):
    for name in ("inbox", "outbox", "已处理", "退回", ".docflow", "docflow.toml"):
        assert (root / name).exists()
    text = (root / "docflow.toml").read_text(encoding="utf-8")
    assert "测试学区党委" in text and "talk_deadline_months = 1" in text


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
    assert main(["status", "-w", str(root), "2099-0001"]) == 2
    assert "没有案卷" in capsys.readouterr().err


def test_lint(root, capsys):
    assert main(["lint", "-w", str(root)]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_second_engine_on_the_same_workspace_is_refused(root, capsys):
    lock = FileLock(str(root / ".docflow" / "engine.lock"))
    with lock.acquire(timeout=0):
        assert main(["process", "-w", str(root)]) == 2
    assert "另一个 docflow" in capsys.readouterr().err


def test_lock_held_by_a_killed_process_does_not_block(root):
    code = ("import os, sys; from filelock import FileLock; "
            f"l = FileLock(r'{root / '.docflow' / 'engine.lock'}'); l.acquire(); os._exit(0)")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert main(["process", "-w", str(root)]) == 0


def test_not_a_workspace(tmp_path, capsys):
    assert main(["process", "-w", str(tmp_path / "nowhere")]) == 2
    assert "docflow init" in capsys.readouterr().err


def test_broken_config_is_reported(root, capsys):
    (root / "docflow.toml").write_text("[organisation\nname=", encoding="utf-8")
    assert main(["process", "-w", str(root)]) == 2
    assert "docflow.toml" in capsys.readouterr().err


def test_folder_dropped_into_the_inbox_is_processed_file_by_file(root, capsys):
    sub = root / "inbox" / "一支部材料"
    member_roster(sub / "党员.xlsx", [("刘一", "第一党支部", "正式党员")])
    write_roster(sub / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    assert main(["process", "-w", str(root)]) == 0
    assert "共 2 个文件：已处理 2" in capsys.readouterr().out
