"""Forms that verify: every form docflow issues carries, beside its identity (form, case, pack version, period,
issue serial), an HMAC-SHA256 of that identity made with the workspace's own key. The key lives in the store —
the SQLite file in the engine's state folder, or the PostgreSQL server — never on the share, so a form's identity
cannot be copied from another workspace or edited by hand without the signature failing.

A form whose signature does not verify is refused. A form without one (an office program dropped its custom
properties, or it was issued before forms were signed) is still identified — by its properties, or by the marks
inside it — and recorded as unverified, visibly (its receipt, ``status``, the audit export)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from .outcomes import UNVERIFIED, VERIFIED, Code, Finding, Identity
from .read.office import PROP_SERIAL, PROP_SIGNATURE

if TYPE_CHECKING:
    from .store import Store

KEY = "form_key"
INVALID = "invalid"


class Signer:
    """The workspace's form key (read from the store, or made there the first time a form is issued or read)."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self.store = store              # the engine's store, whichever it is when the key is first wanted
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = bytes.fromhex(self.store().secret(KEY, secrets.token_hex(32)))
        return self._key

    def sign(self, form: str, case: str, pack: str, period: int | None, serial: int) -> str:
        message = "\x1f".join((form, case, pack, "" if period is None else str(period), str(serial)))
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()[:32]

    def check(self, ident: Identity, props: dict[str, str]) -> str:
        """VERIFIED, UNVERIFIED (no signature: properties stripped, or identified by its marks) or INVALID."""
        given = props.get(PROP_SIGNATURE, "")
        if ident.how != "properties" or not given:
            return UNVERIFIED
        try:
            serial = int(props.get(PROP_SERIAL) or "1")
        except ValueError:
            return INVALID
        expected = self.sign(ident.form_id, ident.case_id, ident.pack_version, ident.period, serial)
        return VERIFIED if hmac.compare_digest(expected, given.strip().lower()) else INVALID


def invalid_finding(ident: Identity) -> Finding:
    return Finding(Code.SIGNATURE_INVALID,
                   f"这张表的身份签名核对不上（表单 {ident.form_id}，案卷编号 {ident.case_id or '无'}）："
                   "它不是本工作区签发的（可能是从另一个工作区或其他党委复制来的），或者表格的文档属性被手工改动过",
                   "请使用本系统为该同志生成的表格（在 outbox 文件夹中）重新填写后放回 inbox；"
                   "如确是本党委签发的表格，请联系负责本系统的管理员核对")


UNVERIFIED_NOTE = ("这张表没有本工作区的身份签名（文档属性可能被办公软件删去，或是旧版本签发的表格），"
                   "已按表内的案卷编号和标题识别并办理，记录为“身份未验证”")


def signed_copy(signer: Signer, data: bytes, name: str) -> bytes:
    """``data`` (an issued form whose identity this workspace vouches for, e.g. the bundled samples a demo drops
    in) signed with this workspace's key; anything else unchanged."""
    from .read.office import PROP_CASE, PROP_FORM, PROP_PACK, PROP_PERIOD, custom_properties, with_custom_properties
    from .read.safety import open_package

    props = custom_properties(open_package(data, name))
    if not props.get(PROP_FORM):
        return data
    period = int(props[PROP_PERIOD]) if props.get(PROP_PERIOD, "").isdigit() else None
    serial = int(props.get(PROP_SERIAL) or 1)
    props[PROP_SERIAL] = str(serial)
    props[PROP_SIGNATURE] = signer.sign(props[PROP_FORM], props.get(PROP_CASE, ""), props.get(PROP_PACK, ""),
                                        period, serial)
    return with_custom_properties(data, props)
