"""Semantic checks of an :class:`~allocatie.instance.Instance`, with the numbers quoted.

:func:`instance_problems` lists what makes an instance unusable (each a
:class:`~allocatie.errors.Problem`: what, where, how to fix); :func:`instance_warnings` lists
what is odd but workable (a bidder who bids on nothing). Both never raise.

The checks, in order: the rules (ranges, contiguity, pins); districts (duplicate ids, clients,
today's providers); bidders and bids; the fixed design (lots, lot bids, combination bids);
the neighbour graph (unknown ids, parts under the contiguity rule); and cheap feasibility
pre-checks: some lot count K in ``[lots_min, lots_max]`` must respect the number of
districts, the bidders' lot limits, the client bounds, the pins and the winner limits, and the
bidders' total capacity must cover all clients.

When the instance was read from a folder, the loader passes a :class:`Context` with the row
numbers of every key, so problems name the file *and* the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from allocatie.errors import InstanceError, Problem
from allocatie.instance import Instance, Rules
from allocatie.validation.bids import BidChecks
from allocatie.validation.context import Context
from allocatie.validation.districts import DistrictChecks
from allocatie.validation.feasibility import FeasibilityChecks
from allocatie.validation.fixed_design import FixedDesignChecks
from allocatie.validation.rules import RuleChecks


def create_instance(**fields: object) -> Instance:
    """Build an :class:`Instance` and validate it; raises :class:`InstanceError` listing every
    problem found."""
    instance = Instance(**fields)  # type: ignore[arg-type]
    problems = instance_problems(instance)
    if problems:
        raise InstanceError(problems, source=instance.name)
    return instance


def with_rules(instance: Instance, overrides: Mapping[str, object]) -> Instance:
    """``instance`` with rule overrides (names of :class:`~allocatie.instance.Rules` fields)
    applied and validated again; raises :class:`InstanceError` listing every problem the
    overrides cause (an unknown name is one)."""
    if not overrides:
        return instance
    fields = set(Rules.__dataclass_fields__)
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise InstanceError([Problem(f"unknown rule override(s) {', '.join(unknown)}",
                                     hint=f"use rules of {', '.join(sorted(fields))}")],
                            source=instance.name)
    changed = replace(instance, rules=replace(instance.rules, **dict(overrides)))
    problems = instance_problems(changed)
    if problems:
        raise InstanceError(problems, source=instance.name)
    return changed


def instance_problems(instance: Instance, context: Context | None = None) -> list[Problem]:
    """Return every problem that makes the instance unusable (empty = fine). Never raises."""
    return check_instance(instance, context)[0]


def instance_warnings(instance: Instance, context: Context | None = None) -> list[Problem]:
    """Return what is odd but workable (e.g. a bidder who bids on nothing). Never raises."""
    return check_instance(instance, context)[1]


def check_instance(instance: Instance,
                   context: Context | None = None) -> tuple[list[Problem], list[Problem]]:
    """Return (problems, warnings) of an instance in one pass. Never raises."""
    checks = _Checks(instance, context or Context())
    checks.run()
    return checks.problems, checks.warnings


class _Checks(RuleChecks, DistrictChecks, BidChecks, FixedDesignChecks, FeasibilityChecks):
    """All checks, in the order of the module docstring."""

    def run(self) -> None:
        self.rules()
        self.districts()
        self.bidders()
        self.bids()
        self.fixed_design()
        self.current_lots()
        self.graph()
        self.lot_count()
        self.capacity()
        from allocatie.validation.plausibility import check_plausibility

        check_plausibility(self.i, self.add)
