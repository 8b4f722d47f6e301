"""Award the fixed lots: who wins each lot, under the tender's published rule.

- :func:`award` runs a rule (:data:`RULES`) with a criterion (:data:`CRITERIA`) and returns a
  :class:`~allocatie.solution.Solution` with an audit log, the per-lot table, the price of
  the rule against the optimal award, the lottery draws and the transitions per lot.
- :func:`diagnose_award` explains why no award is possible.
- :func:`format_log` writes the audit log again (Dutch or English) from
  ``solution.details['events']``; :func:`transitions_report` prints who moves to whom.

Modules: :mod:`.data` (bids and figures), :mod:`.milp` (the optimal award and its
formulation), :mod:`.rules` (the lot-by-lot rules), :mod:`.lottery`, :mod:`.audit`,
:mod:`.diagnose`, :mod:`.core`.
"""

from allocatie.award.audit import format_log, transitions_report, transitions_table
from allocatie.award.core import award, normalise_criterion, normalise_rule
from allocatie.award.data import CRITERIA, award_data, quality_scores
from allocatie.award.diagnose import diagnose_award
from allocatie.award.rules import RULES

__all__ = [
    "CRITERIA",
    "RULES",
    "award",
    "award_data",
    "diagnose_award",
    "format_log",
    "normalise_criterion",
    "normalise_rule",
    "quality_scores",
    "transitions_report",
    "transitions_table",
]
