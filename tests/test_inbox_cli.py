"""`docflow watch` as staff run it: its own process, polling when asked, one engine per workspace, a
clean stop on Ctrl+C or SIGTERM (the file in hand is finished first)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from engine.cli import main
from engine.testing import applicant, write_roster

REPO = Path(__file__).resolve().parents[1]


class Running:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "engine.cli", *args], cwd=REPO, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONPATH": str(REPO)})
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = [line for line in self.lines if text in line]
            if hit:
                return hit[0]
            assert self.proc.poll() is None, self.lines
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not seen in {self.lines}")


def test_watch_polls_when_asked_refuses_a_second_engine_and_stops_cleanly(tmp_path, capsys):
    root = tmp_path / "ws"
    assert main(["init", str(root)]) == 0
    toml = root / "docflow.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("quiet_seconds = 2.0", "quiet_seconds = 0.2"),
                    encoding="utf-8")
    watcher = Running("watch", "-w", str(root), "--poll", "0.3")
    try:
        assert "轮询（每 0.3 秒）" in watcher.wait_for("正在监视")
        capsys.readouterr()
        assert main(["watch", "-w", str(root)]) == 7  # another engine holds the workspace
        assert main(["process", "-w", str(root)]) == 7
        assert capsys.readouterr().err.count("另一个 docflow") == 2
        write_roster(root / "inbox" / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
        (root / "inbox" / "~$名册.xlsx").write_bytes(b"lock")
        assert "份文书" in watcher.wait_for("已处理  名册.xlsx")
        watcher.proc.send_signal(signal.SIGINT)            # Ctrl+C
        assert watcher.proc.wait(20) == 0
    finally:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
    time.sleep(0.1)
    assert "已停止监视" in watcher.lines
    assert (root / "inbox" / "~$名册.xlsx").exists()
    assert main(["process", "-w", str(root)]) == 0       # the lock went with the process
