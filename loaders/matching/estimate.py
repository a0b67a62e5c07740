"""``match estimate``: new m and u probabilities from the pairs people decided.

The estimate itself is the model ``int_matching__weight_estimates`` (built
here through loaders.core.dbt): per comparison and level the weights in use
and the ones the labelled pairs give, with how many pairs each rests on. This
module shows them side by side and, once the person agrees, saves the new
ones in ``ops.match_weights`` as a new estimate; the next ``build`` uses the
newest estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from loaders.core.db import transaction
from loaders.core.dbt import dbt
from loaders.core.errors import ScorebridgeError

MODEL = "int_matching__weight_estimates"
# Fewer labelled same-person pairs than this and a comparison's new m
# probabilities are noise: that comparison keeps the weights it has.
MIN_PAIRS = 50


class EstimateError(ScorebridgeError):
    """The estimate could not be made or saved."""


@dataclass(frozen=True)
class Level:
    comparison: str
    level: str
    current_m: float | None
    current_u: float | None
    current_weight: float | None
    m_probability: float | None
    u_probability: float | None
    new_weight: float | None
    m_pairs: int
    u_pairs: int


@dataclass
class Estimate:
    levels: list[Level]
    # comparison -> why it is not saved (too few labelled pairs, no new value)
    held_back: dict[str, str] = field(default_factory=dict)

    @property
    def saved_levels(self) -> list[Level]:
        return [lv for lv in self.levels if lv.comparison not in self.held_back
                and lv.m_probability is not None and lv.u_probability is not None]


@dataclass
class Saved:
    estimate_id: int | None
    comparisons: list[str]
    levels: int
    carried: int = 0  # rows of the estimate before, for comparisons held back now


def _pairs(levels: list[Level]) -> int:
    """The labelled same-person pairs a comparison's estimate rests on."""
    return max((lv.m_pairs for lv in levels), default=0)


def read_estimate(conn) -> Estimate:
    with conn.cursor() as cur:
        cur.execute(f"select comparison, level, current_m, current_u, current_weight, "
                    f"m_probability, u_probability, new_weight, m_pairs, u_pairs "
                    f"from intermediate.{MODEL} "
                    "order by comparison, current_weight desc nulls last, level")
        levels = [Level(c, lv, *map(_float, (cm, cu, cw, m, u, w)), int(mp or 0), int(up or 0))
                  for c, lv, cm, cu, cw, m, u, w, mp, up in cur.fetchall()]
    return judge(levels)


def _float(value) -> float | None:
    """The model's numerics (Decimal on PostgreSQL) as the floats ops stores."""
    return None if value is None else float(value)


def judge(levels: list[Level]) -> Estimate:
    """The estimate with the comparisons that cannot be saved held back: too few
    labelled pairs, or no level with a new m and u. A level without one keeps
    the seed's default (the models fall back level by level)."""
    estimate = Estimate(levels)
    for comparison in dict.fromkeys(lv.comparison for lv in levels):
        mine = [lv for lv in levels if lv.comparison == comparison]
        pairs = _pairs(mine)
        if pairs < MIN_PAIRS:
            estimate.held_back[comparison] = (f"{pairs} labelled same-person pair(s), fewer "
                                              f"than {MIN_PAIRS}")
        elif not any(_estimated(lv) for lv in mine):
            estimate.held_back[comparison] = "no level has a new m and u probability"
    return estimate


def _estimated(level: Level) -> bool:
    return level.m_probability is not None and level.u_probability is not None


def make_estimate(ctx) -> Estimate:
    """Builds the estimate model and reads it."""
    code = dbt(ctx.db, ["build", "--select", MODEL], quiet=ctx.quiet)
    if code != 0:
        raise EstimateError(f"dbt build --select {MODEL} failed (the failing nodes are "
                            f"above; dbt's whole output is in {ctx.log_file})")
    return read_estimate(ctx.conn)


def render(estimate: Estimate) -> None:
    from rich.table import Table

    from loaders.core.ui_console import out_console

    def num(value, digits: int = 4) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    table = Table(title="Match weights: in use and estimated from the labelled pairs")
    for name in ("comparison", "level", "m now", "u now", "weight now", "m new", "u new",
                 "weight new", "m pairs", "u pairs"):
        table.add_column(name, justify="left" if name in ("comparison", "level") else "right")
    for lv in estimate.levels:
        style = "dim" if lv.comparison in estimate.held_back else None
        table.add_row(lv.comparison, lv.level, num(lv.current_m), num(lv.current_u),
                      num(lv.current_weight, 2), num(lv.m_probability), num(lv.u_probability),
                      num(lv.new_weight, 2), str(lv.m_pairs), str(lv.u_pairs), style=style)
    out_console().print(table)


def save(conn, estimate: Estimate, by: str) -> Saved:
    """The new m and u of every comparison not held back, as one new estimate.

    The models read only the newest estimate, so the rows of the one before
    for the comparisons held back now are carried into it unchanged (with
    their own estimated_at and estimated_by): a comparison held back keeps
    the weights it has rather than fall back to the seed's."""
    levels = estimate.saved_levels
    if not levels:
        return Saved(None, [], 0)
    for lv in levels:
        if not (0 < lv.m_probability <= 1 and 0 < lv.u_probability <= 1):
            raise EstimateError(f"{MODEL} gives {lv.comparison} {lv.level} m = "
                                f"{lv.m_probability}, u = {lv.u_probability}: a probability "
                                "above 0 and at most 1 is needed for a weight; nothing saved")
    comparisons = list(dict.fromkeys(lv.comparison for lv in levels))
    with transaction(conn) as cur:
        # One estimate at a time: the next id is read and used under the lock.
        cur.execute("lock table ops.match_weights in share row exclusive mode")
        cur.execute("select max(estimate_id) from ops.match_weights")
        (previous,), = cur.fetchall()
        estimate_id = (previous or 0) + 1
        for lv in levels:
            cur.execute("insert into ops.match_weights (estimate_id, comparison, level, "
                        "m_probability, u_probability, estimated_by) "
                        "values (%s, %s, %s, %s, %s, %s)",
                        (estimate_id, lv.comparison, lv.level, lv.m_probability,
                         lv.u_probability, by))
        carried = 0
        if previous is not None:
            cur.execute("insert into ops.match_weights (estimate_id, comparison, level, "
                        "m_probability, u_probability, estimated_at, estimated_by) "
                        "select %s, comparison, level, m_probability, u_probability, "
                        "estimated_at, estimated_by from ops.match_weights "
                        "where estimate_id = %s and not (comparison = any(%s))",
                        (estimate_id, previous, comparisons))
            carried = cur.rowcount
    return Saved(int(estimate_id), comparisons, len(levels), carried)


def estimate(ctx, by: str, confirm: Callable[[Estimate], bool]) -> tuple[Estimate, Saved]:
    """Builds and shows the estimate; saves it when ``confirm`` agrees."""
    made = make_estimate(ctx)
    if not made.levels:
        raise EstimateError(f"intermediate.{MODEL} has no rows: no comparison to estimate")
    render(made)
    if not made.saved_levels or not confirm(made):
        return made, Saved(None, [], 0)
    return made, save(ctx.conn, made, by)
