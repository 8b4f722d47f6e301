"""Compare lot designs in batch: scenarios of unknown bids, robustness, Pareto fronts.

``run_compare(SPEC, OUT)`` awards every candidate lot design under many seeded scenarios of
the bids and summarises, per design, the spread of cost, client transitions and the objective
(cost + transition_cost x transitions). Work runs in parallel on the local cores or on a Dask
cluster, every finished task is kept in ``OUT/tasks/`` so an interrupted run resumes where it
stopped, and the same SPEC and seed give the same tables whatever the number of workers.

The SPEC (TOML; paths relative to the SPEC file)
------------------------------------------------
::

    name = "Emmen: vijf indelingen"       # optional
    instance = "../instances/emmen-wijken" # required: the instance folder

    [rules]                # optional overrides of the instance's rules, for every design
    transition_cost = 1000 # EUR per client who must switch provider
    max_lots_per_bidder = 2
    # min_winners, max_winners

    [scenarios]            # required
    count = 200            # scenarios per design
    seed = 2026            # scenario i draws from SeedSequence(seed, spawn_key=(i,))
    price_level_sd = 0.08  # per-bidder price level factor exp(sd*z - sd^2/2) (mean 1)
    district_noise_sd = 0.05   # per-bid (bidder x district) factor, same form
    no_show_probability = 0.1  # each bidder stays away with this probability
    capacity_shock_sd = 0.15   # per-bidder capacity factor, same form (unlimited stays so)

    [award]                # optional
    rule = "optimal"       # or by-lot-value, by-lot-number, by-preference (allocatie.award)
    criterion = "price"    # or price_quality
    method = "auto"        # optimal rule only: exact (branch and bound), milp, auto (exact,
                           # falling back to the MILP when the search gets large)

    [solver]               # optional: backend, mip_gap, seed for all solves; time_limit_s
    backend = "highs"      # and threads for the award MILP (threads default 1: the
    time_limit_s = 60      # scenarios already run in parallel)

    [run]                  # optional
    chunk_size = 25        # scenarios per batch sent to a worker (default: automatic)

    [[designs]]            # one table per candidate, at least one; names unique
    name = "vandaag"
    kind = "current"       # today's areas (the instance's current_lots)

    [[designs]]
    name = "bestek"
    kind = "fixed"
    lots = "../instances/emmen-wijken/lots.csv"   # district_id,lot

    [[designs]]
    name = "K5"
    kind = "design"        # drawn once by the design MILP on the expected bids
    lots = 5               # or lots_min / lots_max
    max_lots_per_bidder = 2    # also used in every award of this design
    time_limit_s = 20          # design MILP limit (default 60); threads (default 2),
                               # mip_gap, lot_clients_min/max, contiguity also allowed

Every kind accepts ``max_lots_per_bidder``. Errors name the key and the fix
(:class:`SpecError` lists every problem at once).

What is computed
----------------
A ``design`` candidate is designed ONCE on the instance as is (the expected bids) and stored
in ``OUT/designs/``. Then for each design x scenario the design's lots are awarded on the
scenario's bids, per-district bids summed over each lot (the instance with ``lots`` = the
design and no lot bids; rules that only shape a design, like client bounds and contiguity,
play no part in an award). Each result is recomputed by the independent checker. See
:mod:`allocatie.compare.scenarios` for how a scenario is drawn.

Running, resuming, reproducing
------------------------------
Tasks run in batches (one design, several scenarios) on a process pool of ``workers``
local processes (default: all cores; ``workers=1`` runs in the calling process), or on Dask:
``dask="local"`` starts a LocalCluster on 127.0.0.1, ``dask="tcp://host:port"`` uses a
running scheduler whose workers have allocatie installed and see the instance folder at the
same path (each worker checks the instance's content hash). Every finished batch is stored
task by task in ``OUT/tasks/<hash>.json`` (hash of the instance content, rules, design,
scenario parameters and index, award rule, solver settings and code version); a rerun skips
what is stored, so a killed run loses at most the batches that were running. A task that
raises is stored with its error and kept on reruns; ``retry_failed=True`` runs it again.
Setting ``stop`` (or Ctrl-C) submits nothing more, waits for the running batches, and writes
the tables for what is done (``CompareResult.interrupted``).

The same SPEC gives the same tables whatever the number of workers or the executor. A MILP
design stopped by its time limit is not reproducible from scratch (the solver's path depends
on timing): it is made once per output folder and reused from ``OUT/designs/``.

Test hooks (environment variables read in the workers): ``ALLOCATIE_COMPARE_FAIL``
(``"design:scenario,..."``, ``*`` for any) makes those tasks raise;
``ALLOCATIE_COMPARE_DELAY_S`` slows every task down (see :mod:`allocatie.compare.tasks`).

Outputs in OUT (all written atomically)
---------------------------------------
- ``scenarios.csv`` / ``scenarios.parquet``: one row per design x scenario: status, cost,
  transitions, objective, distinct winners, whether the lot cap bound, lots without any bid,
  absent bidders, solver, solver status, time, error (type and message), winners;
- ``designs.csv``: per design mean, sd, p5, p50, p95 of cost, transitions and objective over
  the scenarios with an award, the chance a lot gets no bid, the share of infeasible
  scenarios, the share where the lot cap binds, Pareto efficiency (mean cost vs mean
  transitions), a rank (mean objective, ties by p95), and the award on the expected bids;
- ``vergelijking.xlsx``: both tables; ``pareto.png``: the Pareto plot;
- ``compare.json``: the SPEC, seeds, versions, executor and task counts;
- ``tasks/<hash>.json``: one per finished task (the resume store); ``designs/``.

Python API
----------
``run_compare``, ``load_spec``, ``compare_section_html(designs_table, lang, image="svg")``
(the plot and the table as an HTML fragment for the report), ``pareto_figure``,
``pareto_svg`` and ``write_pareto_png``.
"""

from __future__ import annotations

import importlib
from typing import Any

from allocatie.compare.spec import CompareSpec, DesignSpec, ScenarioSpec, SpecError, load_spec

# Imported on first use, so that a worker process that only runs tasks does not load pandas
# tables, matplotlib and the runner.
_LAZY = {
    "CompareResult": "allocatie.compare.runner",
    "run_compare": "allocatie.compare.runner",
    "compare_section_html": "allocatie.compare.plots",
    "pareto_figure": "allocatie.compare.plots",
    "pareto_svg": "allocatie.compare.plots",
    "write_pareto_png": "allocatie.compare.plots",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CompareResult",
    "CompareSpec",
    "DesignSpec",
    "ScenarioSpec",
    "SpecError",
    "compare_section_html",
    "load_spec",
    "pareto_figure",
    "pareto_svg",
    "run_compare",
    "write_pareto_png",
]
