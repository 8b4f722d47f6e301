"""The warm LP relaxation used by the design's root cutting-plane loop."""

from __future__ import annotations

from allocatie.milp import Model, Relaxation


def _small_lp() -> tuple[Model, list[int]]:
    m = Model(name="lp")
    x = [m.add_binary(cost) for cost in (3.0, 2.0, 4.0)]
    m.add_ge([(v, 1.0) for v in x], 1.5)
    return m, x


def test_relaxation_resolves_warm_after_rows_are_added() -> None:
    m, x = _small_lp()
    relaxation = Relaxation(m)
    first = relaxation.solve(10.0)
    assert first is not None and abs(first[0] - 3.5) < 1e-9  # 1 x 2 + 0.5 x 3
    m.add_le([(x[1], 1.0)], 0.5)
    second = relaxation.solve(10.0)
    assert second is not None and abs(second[0] - 4.0) < 1e-9  # 0.5 x 2 + 1 x 3


def test_each_solve_gets_its_own_time_limit() -> None:
    """HiGHS counts its time limit over all runs of one object; every solve must still get
    the time it is given (the root cut loop once stopped early because of this)."""
    m, _ = _small_lp()
    relaxation = Relaxation(m)
    for _ in range(3):
        assert relaxation.solve(10.0) is not None
        limit = relaxation.h.getOptionValue("time_limit")[1]
        assert limit >= relaxation.h.getRunTime() + 9.0
