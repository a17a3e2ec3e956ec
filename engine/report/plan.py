"""The year's targets (``[plan.2026]`` in docflow.toml) and the categories the reports count by (``[statistics]``).

    [plan.2026]
    new_members = 3            # 发展党员（上级党委审批接收的预备党员）不少于3名
    activists = 1              # 新确定入党积极分子不少于1名
    applicants = 1             # 新收到入党申请不少于1份
    [plan.2026.per_branch]     # 每个党支部的数量目标（可选）
    activists = 1
    [[plan.2026.structure]]    # 当年新党员的结构目标，一项一段
    label = "35岁以下"
    measure = "age_at_most"    # 见 MEASURES
    value = 35
    share = 0.80               # 占当年新党员的比例（0–1）；或 count = 2（人数）；compare = "at_most" 表示“不超过”

    [statistics]
    occupation_fields = ["post", "unit"]   # 按这些人员字段中的关键词归入职业类别（先看职务/岗位，再看工作单位）
    [statistics.occupation]                # 类别 = 关键词；不属于任何类别的计为“其他”
    "专业技术人员" = ["教师", "医生"]

Nothing here is hard-coded to one committee's plan: the 2023 plan's figures are an example in README.md (报表).
Settings that are wrong raise ConfigError with every problem in Chinese."""
from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError
from ..pack.model import Pack
from ..procedure.dates import years_between

MEASURES: dict[str, str] = {
    "age_at_most": "上级党委审批时不超过 value 周岁（含 value 周岁；“35岁以下”即 35 岁及以下）",
    "age_below": "上级党委审批时未满 value 周岁",
    "education_at_least": "学历在 value 及以上（value 写学历名称，如“大学专科”或“大专”）",
    "gender": "性别为 value（男/女）",
    "frontline": "是否一线为 value（默认“是”）",
    "ethnic_minority": "民族不是 value（默认“汉族”），即少数民族",
    "field_equals": "人员字段 field 等于 value（value 可以是一组值）",
    "field_contains": "人员字段 field 含有 value（value 可以是一组关键词）",
    "occupation": "职业类别为 value（类别在 [statistics.occupation] 中定义，未归类的为“其他”）",
}
HEAD_COUNTS: dict[str, str] = {     # key -> what is counted (stage entries of the year, by the forms' dates)
    "applicants": "新收到入党申请",
    "activists": "新确定入党积极分子",
    "targets": "新确定发展对象",
    "new_members": "发展党员",
    "full_members": "预备党员转正",
}
HEAD_COUNT_STAGES = {"applicants": "applicant", "activists": "activist", "targets": "target",
                     "new_members": "probationary", "full_members": "full"}
HEAD_COUNT_UNITS = {"applicants": "份", "activists": "名", "targets": "名", "new_members": "名", "full_members": "名"}
OTHER = "其他"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HeadCounts(_Section):
    """Head-count targets: at least so many entered the stage during the year (dated by the forms)."""

    applicants: int | None = Field(None, ge=0)
    activists: int | None = Field(None, ge=0)
    targets: int | None = Field(None, ge=0)
    new_members: int | None = Field(None, ge=0)
    full_members: int | None = Field(None, ge=0)

    def items(self) -> list[tuple[str, int]]:
        return [(k, v) for k in HEAD_COUNTS if (v := getattr(self, k)) is not None]


class StructureTarget(_Section):
    label: str = Field(min_length=1, max_length=40)
    measure: Literal["age_at_most", "age_below", "education_at_least", "gender", "frontline", "ethnic_minority",
                     "field_equals", "field_contains", "occupation"]
    value: int | str | list[str] | None = None
    field: str = ""
    share: float | None = None
    count: int | None = Field(None, ge=0)
    compare: Literal["at_least", "at_most"] = "at_least"
    note: str = ""                   # shown beside the target (e.g. the plan's wording)

    @field_validator("share")
    @classmethod
    def _share(cls, v: float | None) -> float | None:
        if v is not None and not 0 <= v <= 1:
            hint = f"（{v:g}% 请写成 {v / 100:g}）" if 1 < v <= 100 else ""
            raise ValueError(f"比例 share 应在 0 到 1 之间{hint}")
        return v

    @model_validator(mode="after")
    def _shape(self) -> StructureTarget:
        if self.share is None and self.count is None:
            raise ValueError(f"“{self.label}”须写 share（比例，如 0.80）或 count（人数）")
        if self.measure in ("age_at_most", "age_below"):
            if not isinstance(self.value, int) or isinstance(self.value, bool) or not 14 <= self.value <= 120:
                raise ValueError(f"“{self.label}”的 value 应为年龄（整数，如 35）")
        elif self.measure in ("education_at_least", "gender", "occupation"):
            if not isinstance(self.value, str) or not self.value.strip():
                raise ValueError(f"“{self.label}”的 value 应为文字（{MEASURES[self.measure]}）")
        elif self.measure in ("field_equals", "field_contains"):
            if not self.field:
                raise ValueError(f"“{self.label}”须写 field（人员字段，如 post）")
            if not _texts(self.value):
                raise ValueError(f"“{self.label}”的 value 应为文字或一组文字")
        elif self.value is not None and not isinstance(self.value, str):
            raise ValueError(f"“{self.label}”的 value 应为文字")
        return self

    # ------------------------------------------------------------ what it counts and what it asks
    def target_text(self) -> str:
        """不低于80% / 不少于2名 / 不高于10%."""
        parts = []
        if self.share is not None and self.share == 1 and self.compare == "at_least":
            parts.append("达到100%")
        elif self.share is not None:
            parts.append(("不低于" if self.compare == "at_least" else "不高于") + percent(self.share, exact=True))
        if self.count is not None:
            parts.append(("不少于" if self.compare == "at_least" else "不多于") + f"{self.count}名")
        return "，且".join(parts)

    def met(self, n: int, total: int) -> bool | None:
        """Whether ``n`` of ``total`` new members meet the target (exactly the share is met); None: no new
        members, so a share cannot be judged."""
        checks = []
        if self.share is not None:
            if total == 0:
                return None
            ratio, wanted = Fraction(n, total), Fraction(repr(self.share))
            checks.append(ratio >= wanted if self.compare == "at_least" else ratio <= wanted)
        if self.count is not None:
            checks.append(n >= self.count if self.compare == "at_least" else n <= self.count)
        return all(checks)


class YearPlan(_Section):
    """``[plan.<year>]``: head counts for the committee, for each branch, and the structure of the new members."""

    applicants: int | None = Field(None, ge=0)
    activists: int | None = Field(None, ge=0)
    targets: int | None = Field(None, ge=0)
    new_members: int | None = Field(None, ge=0)
    full_members: int | None = Field(None, ge=0)
    per_branch: HeadCounts = HeadCounts()
    structure: list[StructureTarget] = []

    @property
    def counts(self) -> HeadCounts:
        return HeadCounts(applicants=self.applicants, activists=self.activists, targets=self.targets,
                          new_members=self.new_members, full_members=self.full_members)


class StatisticsSettings(_Section):
    """``[statistics]``: the occupation categories (keyword lists, in order) and the person fields searched."""

    occupation: dict[str, list[str]] = {}
    occupation_fields: list[str] = ["post", "unit"]

    def occupation_of(self, facts: dict[str, Any]) -> str:
        """The first category a keyword of which appears in the post (then in the unit); else 其他."""
        for key in self.occupation_fields:
            text = str(facts.get(key) or "")
            if not text:
                continue
            for category, words in self.occupation.items():
                if any(w and w in text for w in words):
                    return category
        return OTHER

    @property
    def categories(self) -> list[str]:
        return [*self.occupation, OTHER] if OTHER not in self.occupation else list(self.occupation)


# ---------------------------------------------------------------- measures
class Measure:
    """A structure target's test on one person, with the pack's choices (education order, aliases)."""

    def __init__(self, target: StructureTarget, pack: Pack, stats: StatisticsSettings) -> None:
        self.target, self.pack, self.stats = target, pack, stats

    def holds(self, facts: dict[str, Any], on: date | None) -> bool:
        t, v = self.target, self.target.value
        if t.measure in ("age_at_most", "age_below"):
            age = age_on(facts, self.pack, on)
            assert isinstance(v, int)
            return age is not None and (age <= v if t.measure == "age_at_most" else age < v)
        if t.measure == "education_at_least":
            order = education_order(self.pack)
            got = str(facts.get("education") or "")
            wanted = choice_of(self.pack, "education", str(v))
            return got in order and order.index(got) <= order.index(wanted)
        if t.measure == "gender":
            return str(facts.get("gender") or "") == choice_of(self.pack, "gender", str(v))
        if t.measure == "frontline":
            return str(facts.get("frontline") or "") == choice_of(self.pack, "frontline", str(v or "是"))
        if t.measure == "ethnic_minority":
            got = str(facts.get("ethnicity") or "").strip()
            return bool(got) and got != str(v or "汉族")
        if t.measure == "occupation":
            return self.stats.occupation_of(facts) == v
        got = str(facts.get(t.field) or "").strip()
        texts = _texts(v)
        if t.measure == "field_equals":
            return got in texts
        return bool(got) and any(w in got for w in texts)

    def describe(self) -> str:
        """The measure in words (the report's 口径 column)."""
        t, v = self.target, self.target.value
        if t.measure == "age_at_most":
            return f"审批时年龄在{v}周岁及以下"
        if t.measure == "age_below":
            return f"审批时未满{v}周岁"
        if t.measure == "education_at_least":
            order = education_order(self.pack)
            wanted = choice_of(self.pack, "education", str(v))
            return f"学历为{wanted}及以上（{'、'.join(order[: order.index(wanted) + 1])}）"
        if t.measure == "gender":
            return f"性别为{v}"
        if t.measure == "frontline":
            return f"是否一线为“{v or '是'}”"
        if t.measure == "ethnic_minority":
            return f"民族不是{v or '汉族'}"
        if t.measure == "occupation":
            return f"职业类别为{v}"
        label = self.pack.person_label(t.field)
        joined = "、".join(f"“{w}”" for w in _texts(v))
        return f"{label}为{joined}" if t.measure == "field_equals" else f"{label}含{joined}"


def age_on(facts: dict[str, Any], pack: Pack, on: date | None) -> int | None:
    born = facts.get(pack.case.birth or "birth_date")
    return years_between(born, on) if isinstance(born, date) and isinstance(on, date) else None


def education_order(pack: Pack) -> list[str]:
    """The education choices, highest first (as the pack lists them)."""
    found = next((f for f in pack.person_fields if f.key == "education"), None)
    return list(found.choices) if found else []


def choice_of(pack: Pack, key: str, value: str) -> str:
    """A person field's choice for ``value`` (its aliases taken: 大专 → 大学专科)."""
    found = next((f for f in pack.person_fields if f.key == key), None)
    if found is None:
        return value
    return found.aliases.get(value, value)


def percent(x: float | Fraction, exact: bool = False) -> str:
    """80% / 87.5% (``exact``: as a target is written, no padding)."""
    value = float(x) * 100
    return f"{value:g}%" if exact else f"{value:.1f}%"


def _texts(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, list):
        return [w for w in v if isinstance(w, str) and w.strip()]
    return []


# ---------------------------------------------------------------- reading the settings
def _problems(exc: ValidationError, where: str) -> list[str]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"])
        place = f"{where}.{loc}" if loc else where
        kind = e["type"]
        if kind == "extra_forbidden":
            out.append(f"{place}：不认识的设置项")
        elif kind == "missing":
            out.append(f"{place}：缺少此项")
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            out.append(f"{place}：应为整数")
        elif kind in ("float_type", "float_parsing"):
            out.append(f"{place}：应为数字（如 0.80）")
        elif kind == "greater_than_equal":
            out.append(f"{place}：不能是负数")
        elif kind == "literal_error":
            allowed = "、".join(MEASURES) if loc.endswith("measure") else "at_least、at_most"
            out.append(f"{place}：应为以下之一：{allowed}")
        elif kind in ("string_too_short", "string_type"):
            out.append(f"{place}：应为文字，不能为空")
        elif kind == "string_too_long":
            out.append(f"{place}：太长了")
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            out.append(f"{place}：应为一个设置表（[...]）")
        elif kind == "list_type":
            out.append(f"{place}：应为一组（[[...]] 或 [\"…\", \"…\"]）")
        elif kind == "value_error":
            out.append(f"{place}：{e.get('ctx', {}).get('error', e['msg'])!s}")
        else:
            out.append(f"{place}：设置有误（{e['msg']}）")
    return out


def _check_against_pack(plan: YearPlan, pack: Pack, stats: StatisticsSettings, where: str) -> list[str]:
    """What the shape alone cannot tell: values that must be the pack's choices, fields it must have."""
    out: list[str] = []
    keys = {f.key: f for f in pack.person_fields}
    for i, t in enumerate(plan.structure):
        place = f"{where}.structure[{i + 1}]（{t.label}）"
        if t.measure == "education_at_least":
            order = education_order(pack)
            if choice_of(pack, "education", str(t.value)) not in order:
                out.append(f"{place}：学历“{t.value}”不是可选的学历（可选：{'、'.join(order)}）")
        elif t.measure in ("gender", "frontline") and t.value is not None:
            f = keys.get(t.measure)
            if f is not None and f.choices and choice_of(pack, t.measure, str(t.value)) not in f.choices:
                out.append(f"{place}：“{t.value}”不是{f.label}的可选值（可选：{'、'.join(f.choices)}）")
        elif t.measure in ("field_equals", "field_contains") and t.field not in keys:
            listed = "、".join(f"{k}（{f.label}）" for k, f in keys.items() if k not in ("id_number", "phone"))
            out.append(f"{place}：没有人员字段“{t.field}”（可用：{listed}）")
        elif t.measure in ("field_equals", "field_contains") and t.field in ("id_number", "phone"):
            out.append(f"{place}：报表不使用公民身份号码和联系电话")
        elif t.measure == "occupation" and t.value not in stats.categories:
            out.append(f"{place}：职业类别“{t.value}”没有在 [statistics.occupation] 中定义"
                       f"（已定义：{'、'.join(stats.categories)}）")
    labels = [t.label for t in plan.structure]
    out += [f"{where}.structure：名称“{x}”重复" for x in sorted({x for x in labels if labels.count(x) > 1})]
    return out


def load_statistics(raw: dict[str, Any], pack: Pack) -> StatisticsSettings:
    try:
        stats = StatisticsSettings.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigError("docflow.toml 的 [statistics] 设置有误：\n  " + "\n  ".join(_problems(exc, "statistics")),
                          place="docflow.toml") from None
    keys = {f.key for f in pack.person_fields}
    bad = [k for k in stats.occupation_fields if k not in keys]
    if bad:
        raise ConfigError(f"docflow.toml 的 [statistics] occupation_fields 中没有这些人员字段：{'、'.join(bad)}"
                          f"（可用：{'、'.join(sorted(keys - {'id_number', 'phone'}))}）", place="docflow.toml")
    return stats


def load_plan(plans: dict[str, dict[str, Any]], year: int, pack: Pack, stats: StatisticsSettings,
              required: bool = True) -> YearPlan | None:
    """``[plan.<year>]`` of docflow.toml, checked against the pack (None when not set and not required)."""
    where = f"plan.{year}"
    raw = plans.get(str(year))
    if raw is None:
        if not required:
            return None
        have = "、".join(f"[plan.{k}]" for k in sorted(plans)) or "没有任何 [plan.年份]"
        raise ConfigError(f"docflow.toml 中没有 {year} 年的目标设置 [plan.{year}]（现有：{have}）。"
                          "请按 README“报表”一节的示例写上数量目标和结构目标", place="docflow.toml")
    try:
        plan = YearPlan.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"docflow.toml 的 [plan.{year}] 设置有误：\n  " + "\n  ".join(_problems(exc, where)),
                          place="docflow.toml") from None
    problems = _check_against_pack(plan, pack, stats, where)
    if problems:
        raise ConfigError(f"docflow.toml 的 [plan.{year}] 设置有误：\n  " + "\n  ".join(problems),
                          place="docflow.toml")
    return plan
