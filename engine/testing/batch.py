"""Batches of files as staff drop them into an inbox, for tests and benchmarks: valid applicant rosters (each a
new case), member rosters (cheap, no document), invalid files (not office, text, damaged, an under-age roster),
byte-identical copies of valid files (duplicates), junk (lock and temporary files, which must stay untouched),
and folders of files — dropped by rename, by copy, chunk by chunk over a slow share, or as a whole folder."""
from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .forms import applicant, member_roster, write_roster

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅建国志文斌鹏辉宇浩凯"
JUNK_NAMES = ["~$名册{i}.xlsx", ".~lock.名册{i}.xlsx#", "~WRL{i:04d}.tmp", "草稿{i}.tmp", "下载{i}.xlsx.crdownload",
              "._名册{i}.xlsx", "Thumbs.db", "desktop.ini", ".DS_Store", "~WRD{i:04d}.tmp"]


@dataclass
class Dropped:
    name: str                 # path inside the inbox (a folder may come first)
    data: bytes
    kind: str                 # valid | member | invalid | duplicate | junk | talk
    person: str = ""          # ID number of the applicant (valid rosters)
    case: str = ""            # case id (talk forms)

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def base(self) -> str:
        return Path(self.name).name


def person_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + GIVEN[(i * 7 + 3) % len(GIVEN)]


def make_batch(staging: Path, valid: int, member: int, invalid: int, duplicate: int, junk: int,
               in_folder: int = 0, seed: int = 1, folder: str = "一支部材料") -> list[Dropped]:
    """Files to drop, with unique names (the processed place is flat) and unique contents except duplicates."""
    rng = random.Random(seed)
    staging.mkdir(parents=True, exist_ok=True)
    out: list[Dropped] = []
    for i in range(valid):
        birth = date(1975 + i % 25, 1 + i % 12, 1 + i % 28)
        row = applicant(person_name(i), birth, date(2026, 1, 5), seq=100 + i % 900)
        path = write_roster(staging / f"申请人名册{i:04d}.xlsx", [row], title="入党申请人名册")
        out.append(Dropped(path.name, path.read_bytes(), "valid", person=row["公民身份号码"]))
    for i in range(member):
        path = member_roster(staging / f"党员名册{i:04d}.xlsx", [(person_name(5000 + i), "第二党支部", "正式党员")])
        out.append(Dropped(path.name, path.read_bytes(), "member"))
    for i in range(invalid):
        kind = i % 4
        if kind == 0:
            out.append(Dropped(f"损坏{i:04d}.xlsx", f"not a workbook {i}".encode(), "invalid"))
        elif kind == 1:
            out.append(Dropped(f"说明{i:04d}.txt", f"随手放进来的说明 {i}".encode(), "invalid"))
        elif kind == 2:
            out.append(Dropped(f"损坏{i:04d}.docx", b"PK\x03\x04" + os.urandom(64), "invalid"))
        else:
            row = applicant(person_name(9000 + i), date(2012, 1, 1 + i % 28), date(2026, 1, 5), seq=100 + i % 900)
            path = write_roster(staging / f"未成年名册{i:04d}.xlsx", [row])
            out.append(Dropped(path.name, path.read_bytes(), "invalid"))
    sources = [d for d in out if d.kind in ("valid", "member")]
    for i in range(duplicate):
        src = rng.choice(sources)
        out.append(Dropped(f"副本{i:04d}-{src.base}", src.data, "duplicate"))
    for i in range(junk):
        name = JUNK_NAMES[i % len(JUNK_NAMES)].format(i=i)
        out.append(Dropped(name if "{i" in JUNK_NAMES[i % len(JUNK_NAMES)] else f"子{i}/{name}", b"lock", "junk"))
    rng.shuffle(out)
    movable = [d for d in out if d.kind != "junk"]
    for d in movable[:in_folder]:
        d.name = f"{folder}/{d.name}"
    return out


# ---------------------------------------------------------------- dropping
def put(inbox: Path, d: Dropped, staging: Path, how: str = "rename") -> None:
    """Drop one file the way staff tools do: an atomic rename (Explorer move), a copy, or chunk by chunk."""
    target = inbox / d.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if how == "rename":
        tmp = staging / f"drop-{abs(hash(d.name))}-{d.base}"
        tmp.write_bytes(d.data)
        os.replace(tmp, target)
    elif how == "copy":
        with open(target, "wb") as fh:
            fh.write(d.data)
    else:
        write_slowly(target, d.data, pause=float(how.split(":")[1]) if ":" in how else 0.02)


def write_slowly(target: Path, data: bytes, pause: float = 0.02, chunk: int = 1024, long_pause_at: int = -1,
                 long_pause: float = 0.0) -> None:
    """A copy over a slow share: the file is open for writing the whole time; one pause may exceed quiet."""
    with open(target, "wb") as fh:
        for n, i in enumerate(range(0, len(data), chunk)):
            fh.write(data[i:i + chunk])
            fh.flush()
            time.sleep(long_pause if n == long_pause_at else pause)


def put_folder(inbox: Path, staging: Path, items: list[Dropped]) -> None:
    """A whole folder dragged into the inbox: built aside, then moved in at once."""
    if not items:
        return
    folder = items[0].name.split("/")[0]
    built = staging / f"folder-{folder}"
    for d in items:
        (built / d.name).parent.mkdir(parents=True, exist_ok=True)
        (built / d.name).write_bytes(d.data)
    os.replace(built / folder, inbox / folder)


class Dropper(threading.Thread):
    """Drops a batch while the watcher runs: folders at once, most files by rename, some copied, some slow."""

    def __init__(self, inbox: Path, staging: Path, batch: list[Dropped], slow: int = 10, seed: int = 2) -> None:
        super().__init__(daemon=True)
        self.inbox, self.staging, self.batch, self.slow = inbox, staging, batch, slow
        self.rng = random.Random(seed)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            folders: dict[str, list[Dropped]] = defaultdict(list)
            loose: list[Dropped] = []
            for d in self.batch:
                (folders[d.name.split("/")[0]] if "/" in d.name and d.kind != "junk" else loose).append(d)
            slow_left = self.slow
            writers = []
            for n, d in enumerate(loose):
                if d.kind == "valid" and slow_left:
                    slow_left -= 1
                    long = slow_left % 2 == 0   # every other slow file pauses longer than the quiet period
                    t = threading.Thread(target=write_slowly, args=(self.inbox / d.name, d.data),
                                         kwargs={"pause": 0.01, "long_pause_at": 2 if long else -1,
                                                 "long_pause": 1.0})
                    t.start()
                    writers.append(t)
                else:
                    put(self.inbox, d, self.staging, "copy" if n % 5 == 0 else "rename")
                if n % 50 == 0:
                    time.sleep(0.05)
                if n == len(loose) // 2:
                    for items in folders.values():
                        put_folder(self.inbox, self.staging, items)
            for t in writers:
                t.join()
        except BaseException as exc:  # surfaced by the test
            self.error = exc
