"""Compare lot designs in batch: scenarios of unknown bids, robustness, Pareto fronts.

``run_compare(SPEC, OUT)`` awards every candidate lot design under many seeded scenarios of
the bids and summarises, per design, the spread of cost, client transitions and the objective
(cost + transition_cost x transitions). Work runs in parallel on the local cores or on a Dask
cluster, every finished task is kept in ``OUT/tasks/`` so an interrupted run resumes where it
stopped, and the same SPEC and seed give the same tables whatever the number of workers.

The SPEC
--------
A TOML file (paths relative to it) with ``instance``, ``[scenarios]`` (the random families
and ``[[scenarios.named]]`` what-ifs: ``absent``, ``price_factor``, ``capacity``, ``bids``),
``[[designs]]`` (kinds ``current``, ``fixed``, ``design``) and optional ``[rules]``,
``[award]``, ``[solver]`` and ``[run]``. Every key, with an example, is in
``docs/compare-spec.md``; :class:`SpecError` lists every problem at once.

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
``vergelijking.html`` (the report, with a map per design; :mod:`allocatie.compare.report`),
``vergelijking.xlsx`` (the same tables for Excel), ``designs/<name>/lots.csv`` and
``lots.geojson``, ``scenarios.csv`` / ``.parquet`` (one row per design x scenario),
``designs.csv`` (per design), ``named.csv`` (per design x named scenario), ``pareto.png``,
``compare.json`` (SPEC, seeds, versions, counts) and the resume store ``tasks/``. How tasks
are counted and what counts as a failure: :mod:`allocatie.compare.runner`.

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
