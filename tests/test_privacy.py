"""Personal data in bounds (PIPL: ID numbers are sensitive personal information): the engine's state folder — its
database holds them — is created readable by its owner only, and staff are told at start-up when it is readable by
others or lies on a network share."""
from __future__ import annotations

import os
import stat

import pytest

from engine.testing import workspace
from engine.workspace import load_workspace, state_warnings

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


def test_the_state_folder_is_created_for_its_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        ws = workspace(tmp_path / "ws")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(ws.state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ws.inbox).st_mode) & 0o077            # the shared folders keep the umask's
    assert state_warnings(ws, fs_type=lambda p: "ext4") == []


def test_a_state_folder_others_can_read_is_warned_about(tmp_path):
    ws = workspace(tmp_path / "ws")
    os.chmod(ws.state, 0o750)
    [line] = state_warnings(ws, fs_type=lambda p: "ext4")
    assert str(ws.state) in line and "750" in line and "chmod 700" in line and "公民身份号码" in line
    os.chmod(ws.state, 0o700)
    assert state_warnings(load_workspace(ws.root), fs_type=lambda p: "ext4") == []   # an existing folder is kept


def test_a_state_folder_on_a_network_share_is_warned_about(tmp_path):
    ws = workspace(tmp_path / "ws")
    [line] = state_warnings(ws, fs_type=lambda p: "cifs")
    assert "网络共享" in line and "cifs" in line and "SQLite" in line
    assert state_warnings(ws, fs_type=lambda p: "nfs4") and not state_warnings(ws, fs_type=lambda p: "xfs")


def test_the_warnings_are_printed_when_a_command_starts(tmp_path, capsys):
    from engine.cli import main

    ws = workspace(tmp_path / "ws")
    os.chmod(ws.state, 0o755)
    assert main(["due", "-w", str(ws.root)]) == 0
    assert "其他用户也能访问（权限 755）" in capsys.readouterr().out
