"""A wheel built from the repository installs in a fresh virtual environment and works there: templates and
samples are package data, not files next to the source tree."""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_a_wheel_installs_in_a_fresh_venv_and_init_and_demo_work_there(tmp_path):
    pytest.importorskip("wheel", reason="须安装 wheel 才能构建（.[test] 已包含）")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
          str(ROOT)], cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("docflow-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    bin_ = fresh / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bin_ / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=tmp_path)
    # the dependencies come from this environment; docflow itself only from the wheel
    site = Path(_run([str(bin_ / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (site / "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = _run([str(bin_ / "python"), "-c", "import engine, engine.workspace as w; print(engine.__file__); "
                  "print(w.BUNDLED_PACKS); print(w.SAMPLES)"], cwd=tmp_path).split()
    assert all(Path(p).is_relative_to(site) for p in where), where     # not the source tree
    out = _run([str(bin_ / "docflow"), "init", "ws", "--org", "测试党委", "--branches", "第一党支部",
                "--feedback", "组织委员"], cwd=tmp_path)
    assert "工作区已就绪" in out and (tmp_path / "ws" / "空白表格" / "入党申请人名册.xlsx").is_file()
    out = _run([str(bin_ / "docflow"), "demo", "演示"], cwd=tmp_path)
    assert "共 14 个文件：已处理 12，退回 2，重复 0，未就绪 0" in out
    assert any((tmp_path / "演示" / "outbox" / "第一党支部").iterdir())


def test_every_engine_package_is_in_the_wheel():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "engine").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
