"""Make instance folders: the seeded tender generator and fully synthetic instances.

Not packaged with allocatie: used by scripts/build_instances.py, the benchmarks and the tests.
The generator's steps: ``clients`` (CBS districts, inhabitants -> clients), ``areas`` (rook
neighbours on gebieden, today's areas), ``bidding`` (providers, bidders, bids), ``generator``
(one :class:`Tender`, its assumptions, its certificate) and ``writing`` (the instance folder).
What callers use is named here.
"""

from tools.instances.areas import RD_CRS, RD_CRS_MEMBER, current_areas, representative_points
from tools.instances.clients import (
    buurt_population_proxy,
    clients_from_inhabitants,
    load_cbs_districts,
)
from tools.instances.generator import Tender, certificate_problems, child_seeds, generate_tender
from tools.instances.writing import summary_markdown, write_instance_folder

__all__ = [
    "RD_CRS", "RD_CRS_MEMBER", "Tender", "buurt_population_proxy", "certificate_problems",
    "child_seeds", "clients_from_inhabitants", "current_areas", "generate_tender",
    "load_cbs_districts", "representative_points", "summary_markdown", "write_instance_folder",
]
