"""What the open-data API takes and answers, as pydantic models: the OpenAPI document is generated from them
(``rating.api.describe``), the query parameters are checked against them, and the tests check every answer against
the document. Enumerated values are the domain's own enums, never copies."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rating.models.cycles import CycleStatus
from rating.models.rankings import Ranking
from rating.models.results import ResultKind
from rating.models.units import UnitKind
from rating.scoring.verdict import Title
from rating.views import INT_MAX

#: A number carried in a query string: a whole number in the database's range.
Count = Annotated[int, Field(ge=1, le=INT_MAX)]
#: Free text in a query string: anything but NUL, which no database column can hold.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class Query(BaseModel):
    """Query parameters: unknown ones are ignored, known ones must be right."""

    model_config = ConfigDict(extra="ignore")


class PostsQuery(Query):
    page: Count = Field(1, description="page number")
    per_page: Count = Field(20, description="page size (capped at 100)")
    q: Text = Field("", description="search holder, title, code, unit or duty (first 100 characters)")
    unit: Text = Field("", description="unit code")


class VersionQuery(Query):
    version: Count | None = Field(None, description="a published version (default: the newest)")


class Answer(BaseModel):
    """An answer's body: exactly these fields, so a field added without describing it fails the tests."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(Answer):
    status: int
    message: str


class Error(Answer):
    error: ErrorBody


class UnitRef(Answer):
    code: str = Field(examples=["M05"])
    name: str = Field(examples=["市公安局"])
    kind: UnitKind


class Unit(UnitRef):
    parent: str | None = Field(description="parent unit code")
    head: str = Field(description="the unit's principal leader (主要负责人)")


class Post(Answer):
    code: str = Field(examples=["DT-001"])
    title: str
    unit: UnitRef
    holder: str | None = Field(description="current holder (岗位责任人)")
    responsibilities: list[str]
    commitments: list[str]


class PostPage(Answer):
    items: list[Post]
    total: int
    page: int
    per_page: int
    pages: int


class UnitList(Answer):
    items: list[Unit]
    total: int


class Cycle(Answer):
    year: int = Field(examples=[2025])
    status: CycleStatus
    starts_on: date
    ends_on: date
    published_version: int | None = Field(description="newest published version")


class CycleList(Answer):
    items: list[Cycle]
    total: int


Score = float | None


class ResultLine(Answer):
    """One post's line; scores on 0–100 rounded to 2 decimals (SPEC §3)."""

    rank: Annotated[int, Field(ge=1)] | None
    post_code: str = Field(examples=["DT-001"])
    post_title: str
    unit: str = Field(description="unit name")
    holder: str = Field(description="the holder named in the result")
    service: Score = Field(description="S, service-object rating (服务对象评议)")
    assessment: Score = Field(description="A, annual assessment (年度考核)")
    conduct: Score = Field(description="C, undercover visits and complaints (暗访投诉考核)")
    inspection: Score = Field(description="I, comprehensive inspection (综合检查评议)")
    composite: Score = Field(description="T = 0.40·S + 0.30·A + 0.20·C + 0.10·I by default")
    ratings: int = Field(description="counted ratings")
    title: Title | None = Field(description="标兵岗位 / 优秀岗位 / 行政告诫, or null")
    ranked: bool = Field(True, description="false: held too briefly to be ranked (sets computed with tenures)")


class Published(Answer):
    """What every published set says about itself."""

    cycle: int = Field(examples=[2025])
    status: CycleStatus
    kind: ResultKind
    version: int = Field(description="a correction is a new version")
    computed_at: datetime
    published_at: datetime | None
    reason: str | None = Field(description="why this version was published (corrections, late rankings)")
    content_hash: str = Field(
        description="sha256 of the canonical JSON of {cycle, kind, version, method, results} (and ranking) "
        "(sorted keys, no spaces, UTF-8)"
    )
    method: dict[str, Any] = Field(description="the method settings frozen into the set")


class CycleResult(Published):
    results: list[ResultLine]


class DepartmentLine(Answer):
    group: UnitKind
    rank: int | None = Field(description="within the group; null: no conduct score")
    unit_code: str
    unit: str
    targets: Score
    responsibility: Score
    conduct: Score
    composite: Score
    commended: bool
    yellow_card: bool
    last: bool
    head_to_resign: bool = Field(description="last in this and the previous cycle")


class StationLine(Answer):
    rank: int | None
    unit_code: str
    unit: str
    ratings: int
    satisfied: int = Field(description="ratings at levels 3–5")
    rate: float = Field(ge=0, le=1)
    ranked: bool = Field(description="false under the minimum sample")
    named_lowest: bool


class DepartmentRanking(Published):
    ranking: Ranking
    results: list[DepartmentLine]


class StationRanking(Published):
    ranking: Ranking
    results: list[StationLine]
