"""Compare runs end to end on Emmen (27 wijken) with fixed designs: outputs, determinism
across workers and executors, resuming a killed run, failures recorded without stopping."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from allocatie.checker import evaluate
from allocatie.compare import run_compare
from allocatie.compare.summary import VOLATILE
from allocatie.compare.tasks import DELAY_HOOK, FAIL_HOOK

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "emmen-wijken"
SEVEN = ROOT / "examples" / "emmen-stad4-land3.csv"
FIVE = ROOT / "examples" / "emmen-stad3-land2.csv"


def make_spec(folder: Path, count: int = 30, extra: str = "", chunk: int | None = None) -> Path:
    run = f"[run]\nchunk_size = {chunk}\n" if chunk else ""
    text = f"""
instance = "{INSTANCE}"
{run}
[scenarios]
count = {count}
seed = 2026
price_level_sd = 0.08
district_noise_sd = 0.05
no_show_probability = 0.15
capacity_shock_sd = 0.3

[[designs]]
name = "vandaag"
kind = "current"

[[designs]]
name = "zeven"
kind = "fixed"
lots = "{SEVEN}"

[[designs]]
name = "vijf"
kind = "fixed"
lots = "{FIVE}"
max_lots_per_bidder = 1
{extra}
"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def stable(frame: pd.DataFrame) -> pd.DataFrame:
    """The table without the columns that differ between runs (timings, run ids)."""
    return frame.drop(columns=[c for c in VOLATILE if c in frame.columns]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    """An uninterrupted in-process run (workers=1) of the 3-design, 30-scenario spec."""
    folder = tmp_path_factory.mktemp("reference")
    return run_compare(make_spec(folder), folder / "out", workers=1)


def test_outputs_tables_and_checker(reference) -> None:
    out = reference.out_dir
    for name in ("scenarios.csv", "scenarios.parquet", "designs.csv", "vergelijking.xlsx",
                 "pareto.png", "compare.json"):
        assert (out / name).stat().st_size > 0, name
    assert reference.complete and reference.total == 90 and reference.computed == 90
    assert len(list((out / "tasks").glob("*.json"))) == 90
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    assert list(scenarios["design"].unique()) == ["vandaag", "zeven", "vijf"]
    assert scenarios.groupby("design", sort=False)["scenario"].apply(list).tolist() == [
        list(range(30))] * 3
    sheets = pd.read_excel(out / "vergelijking.xlsx", sheet_name=None)
    assert {"Overzicht", "Per indeling", "Alle scenario's"} <= set(sheets)
    assert len(sheets["Alle scenario's"]) == 90 and len(sheets["Overzicht"]) == 3
    designs = pd.read_csv(out / "designs.csv")
    assert sorted(designs["rank"]) == [1, 2, 3]
    assert designs["pareto"].any()
    for column in ("cost_mean", "cost_sd", "cost_p5", "cost_p50", "cost_p95",
                   "transitions_mean", "objective_p95", "lot_no_bid_chance",
                   "infeasible_share", "cap_bound_share"):
        assert column in designs.columns
    assert reference.ok and "vandaag" in reference.describe()
    meta = json.loads((out / "compare.json").read_text())
    assert meta["seeds"]["scenarios"] == 2026 and meta["versions"]["numpy"]
    assert meta["tasks"]["total"] == 90 and not meta["interrupted"]

    # The summary follows from the scenario table.
    vandaag = scenarios[scenarios["design"] == "vandaag"]
    solved = vandaag[vandaag["objective"].notna()]
    row = designs.set_index("design").loc["vandaag"]
    assert row["objective_mean"] == pytest.approx(solved["objective"].mean())
    assert row["objective_p95"] == pytest.approx(solved["objective"].quantile(0.95))
    assert row["infeasible_share"] == pytest.approx((vandaag["status"] == "infeasible").mean())
    # With max 1 lot per bidder and 15% no-shows, some 5-lot awards are infeasible.
    assert (scenarios[scenarios["design"] == "vijf"]["status"] == "infeasible").any()
    assert scenarios[scenarios["design"] == "vijf"]["lot_cap_bound"].fillna(True).all()


def test_recorded_figures_match_the_checker(reference) -> None:
    """Rebuild two scenarios' instances and recompute their awards with the checker."""
    from allocatie.compare.scenarios import apply_draw, draw
    from allocatie.compare.tasks import award_instance
    from allocatie.io.loading import load_instance

    instance = load_instance(INSTANCE)
    target = award_instance(instance, dict(instance.current_lots))
    rows = reference.scenarios[(reference.scenarios["design"] == "vandaag")
                               & reference.scenarios["objective"].notna()].head(2)
    for _, row in rows.iterrows():
        scenario = apply_draw(target, draw(reference.spec.scenarios, int(row["scenario"]),
                                           len(target.bidders), len(target.districts)))
        winners = dict(item.split("=", 1) for item in row["winners"].split("; "))
        result = evaluate(scenario, scenario.lots, winners)
        assert result.feasible
        assert result.objective == pytest.approx(row["objective"], abs=0.01)
        assert result.transitions == row["transitions"]


def test_rerun_reuses_every_task(reference, tmp_path: Path) -> None:
    again = run_compare(reference.spec, reference.out_dir, workers=1)
    assert again.computed == 0 and again.reused == 90
    pd.testing.assert_frame_equal(stable(again.scenarios), stable(reference.scenarios))


def test_two_workers_give_the_same_table(reference, tmp_path: Path) -> None:
    spec = make_spec(tmp_path, chunk=7)
    parallel = run_compare(spec, tmp_path / "out", workers=2)
    assert parallel.executor.startswith("processes") and parallel.computed == 90
    assert parallel.scenarios["run_id"].nunique() == 1
    pd.testing.assert_frame_equal(stable(parallel.scenarios), stable(reference.scenarios))
    pd.testing.assert_frame_equal(parallel.designs.drop(columns=["design_time_s"]),
                                  reference.designs.drop(columns=["design_time_s"]))


def test_dask_local_cluster_gives_the_same_table(reference, tmp_path: Path) -> None:
    spec = make_spec(tmp_path, chunk=10)
    result = run_compare(spec, tmp_path / "out", workers=2, dask="local")
    assert result.executor.startswith("dask LocalCluster") and result.computed == 90
    pd.testing.assert_frame_equal(stable(result.scenarios), stable(reference.scenarios))


def stored(tasks: Path) -> list[Path]:
    """The stored tasks as the store reads them (``TaskStore.load``): ``<key>.json``, not the
    hidden ``.<key>.XXXX.tmp.json`` a kill in mid-write leaves (pathlib's glob matches it)."""
    return [p for p in tasks.glob("*.json") if not p.name.startswith(".")]


def test_a_killed_run_resumes_without_recomputing(reference, tmp_path: Path) -> None:
    spec = make_spec(tmp_path, chunk=3)
    out = tmp_path / "out"
    code = ("from allocatie.compare import run_compare; "
            f"run_compare({str(spec)!r}, {str(out)!r}, workers=1)")
    env = {**os.environ, DELAY_HOOK: "0.05", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-W", "ignore", "-c", code], env=env,
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tasks = out / "tasks"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if tasks.is_dir() and len(stored(tasks)) >= 12:
                break
            if process.poll() is not None:
                pytest.fail(f"the run ended early: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail("no tasks stored within 60 s")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    before = {p.name: (p.stat().st_mtime_ns, json.loads(p.read_text())["run_id"])
              for p in stored(tasks)}
    assert 12 <= len(before) < 90
    assert not (out / "scenarios.csv").exists()
    # the kill may or may not land mid-write; make the half-written temp file certain
    name = next(iter(before))[:-5]
    (tasks / f".{name}.kill.tmp.json").write_text('{"key": "' + name + '", "ru',
                                                  encoding="utf-8")

    resumed = run_compare(spec, out, workers=1)
    assert resumed.complete
    assert resumed.reused == len(before) and resumed.computed == 90 - len(before)
    after = {p.name: (p.stat().st_mtime_ns, json.loads(p.read_text())["run_id"])
             for p in stored(tasks)}
    assert {name: after[name] for name in before} == before  # nothing stored was redone
    assert len(after) == 90
    pd.testing.assert_frame_equal(stable(resumed.scenarios), stable(reference.scenarios))


def test_stop_keeps_what_is_done_and_writes_the_tables(reference, tmp_path: Path) -> None:
    spec = make_spec(tmp_path, chunk=5)
    stop = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, elapsed: float) -> None:
        seen.append((done, total))
        if done >= 20:
            stop.set()

    first = run_compare(spec, tmp_path / "out", workers=1, progress=progress, stop=stop)
    assert first.interrupted and not first.complete
    assert 20 <= len(first.scenarios) < 90 and first.missing == 90 - len(first.scenarios)
    assert pd.read_csv(tmp_path / "out" / "scenarios.csv").shape[0] == len(first.scenarios)
    assert seen[-1][1] == 90
    second = run_compare(spec, tmp_path / "out", workers=1)
    assert second.complete and second.reused == len(first.scenarios)
    pd.testing.assert_frame_equal(stable(second.scenarios), stable(reference.scenarios))


def test_failures_are_recorded_and_the_run_completes(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad-lots.csv"
    bad.write_text("district_id,lot\nWK999999,1\n" + "".join(
        f"{line}\n" for line in SEVEN.read_text().splitlines()[1:]), encoding="utf-8")
    extra = f'[[designs]]\nname = "kapot"\nkind = "fixed"\nlots = "{bad}"\n'
    spec = make_spec(tmp_path, count=6, extra=extra)
    monkeypatch.setenv(FAIL_HOOK, "vandaag:2,zeven:*")
    first = run_compare(spec, tmp_path / "out", workers=1)
    assert first.complete and first.total == 18  # 3 designs with lots x 6; kapot has none
    table = first.scenarios.set_index(["design", "scenario"])
    hook = table.loc[("vandaag", 2)]
    assert hook["status"] == "error" and hook["error_type"] == "RuntimeError"
    assert FAIL_HOOK in hook["error"]
    assert (table.loc["zeven", "status"] == "error").all()
    assert "kapot" not in first.scenarios["design"].tolist()
    assert "unknown district WK999999" in first.design_failures["kapot"]
    assert (table.loc["vijf", "status"] != "error").all()
    assert first.failed == 1 + 6 and list(first.design_failures) == ["kapot"]
    assert first.has_failures and not first.ok
    assert first.total == first.computed + first.reused + first.missing
    assert first.computed + first.reused == first.awarded + first.no_award + first.failed
    designs = first.designs.set_index("design")
    assert designs.loc["kapot", "design_status"] == "error"
    assert pd.isna(designs.loc["kapot", "rank"]) and designs.loc["zeven", "errors"] == 6
    failures = first.failures()
    assert any(line.startswith("design kapot: ") and "WK999999" in line for line in failures)
    assert any(line.startswith("vandaag / scenario 2: RuntimeError") for line in failures)

    monkeypatch.delenv(FAIL_HOOK)
    again = run_compare(spec, tmp_path / "out", workers=1)
    assert again.computed == 0 and again.failed == first.failed  # failures are kept
    retried = run_compare(spec, tmp_path / "out", workers=1, retry_failed=True)
    assert retried.computed == 7  # the 7 failed tasks; the broken design still fails
    assert retried.failed == 0 and list(retried.design_failures) == ["kapot"]


def test_milp_design_candidates_are_designed_once(tmp_path: Path) -> None:
    """A 4-lot MILP design (2 s limit) is designed once, stored and reused; a 3-lot design is
    proven impossible (capacities): a finding, not a failure, and it gets no tasks."""
    spec = tmp_path / "spec.toml"
    spec.write_text(f"""
instance = "{INSTANCE}"
[scenarios]
count = 4
seed = 1
price_level_sd = 0.05
[[designs]]
name = "K4"
kind = "design"
lots = 4
time_limit_s = 2
[[designs]]
name = "K3"
kind = "design"
lots = 3
time_limit_s = 2
""", encoding="utf-8")
    first = run_compare(spec, tmp_path / "out", workers=1)
    designs = first.designs.set_index("design")
    assert designs.loc["K4", "lots"] == 4 and designs.loc["K4", "design_check"] == "ok"
    assert designs.loc["K4", "design_status"] in ("optimal", "feasible")
    assert not designs.loc["K4", "design_reused"]
    assert designs.loc["K3", "design_status"] == "infeasible"
    assert "found no design (status infeasible)" in designs.loc["K3", "design_message"]
    assert list(first.no_design) == ["K3"] and not first.has_failures and first.ok
    assert first.total == 4 and first.distinct == 1
    table = first.scenarios.set_index(["design", "scenario"])
    assert (table.loc["K4", "status"] == "optimal").all()
    assert "K3" not in first.scenarios["design"].tolist()
    assert len(list((tmp_path / "out" / "designs").glob("*.json"))) == 2

    second = run_compare(spec, tmp_path / "out", workers=1)
    assert second.designs["design_reused"].all() and second.computed == 0
    pd.testing.assert_frame_equal(stable(second.scenarios), stable(first.scenarios))


def test_report_section_and_plot(reference) -> None:
    from allocatie.compare import compare_section_html, pareto_figure

    html = compare_section_html(reference.designs, "nl")
    assert html.startswith('<section class="compare">') and "<svg" in html
    assert html == compare_section_html(reference.designs, "nl")  # deterministic
    assert "Vergelijking van perceelindelingen" in html and ">vandaag<" in html
    png = compare_section_html(pd.read_csv(reference.files["designs.csv"]), "en", image="png")
    assert "data:image/png;base64," in png and "Comparison of lot designs" in png
    with pytest.raises(ValueError, match="image must be 'svg' or 'png'"):
        compare_section_html(reference.designs, "en", image="gif")
    figure = pareto_figure(reference.designs, "en")
    labels = {t.get_text() for t in figure.axes[0].texts}
    assert labels == {"1", "2", "3"}  # numbers, named in the legend beside the plot
    legend = " ".join(t.get_text() for t in figure.texts)
    assert all(f"{n}  {name}" in legend for n, name in ((1, "vandaag"), (2, "zeven"),
                                                         (3, "vijf")))
    assert "No results yet" in compare_section_html(reference.designs.iloc[0:0], "en")
