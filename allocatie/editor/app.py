"""The editor's web application (Starlette): the page, its static files, the one Leaflet copy
the package ships, and the HTTP API documented in docs/editor.md.

Every handler checks its request completely before it changes anything; a bad request gets a
4xx answer ``{"error": "..."}`` and the state stays as it was. Solver work runs in worker
threads, so the server keeps answering while it runs.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from allocatie.editor import evaluation
from allocatie.editor.complete import check_locked_lots, complete
from allocatie.editor.jobs import BusyError, Job, Jobs
from allocatie.editor.prices import boundary_prices
from allocatie.editor.repair import repair
from allocatie.editor.save import save_drawing
from allocatie.editor.session import RequestError, Session
from allocatie.editor.texts import PAGE
from allocatie.errors import UsageError
from allocatie.settings import BACKENDS
from allocatie.text import natural_key

STATIC = Path(__file__).parent / "static"
LEAFLET = Path(__file__).parent.parent / "report" / "assets"
LEAFLET_FILES = {"leaflet.js", "leaflet.css", "layers.png", "layers-2x.png",
                 "LICENSE-leaflet.txt"}
MAX_BODY = 4 * 1024 * 1024
MAX_TIME_LIMIT_S = 600.0
# "Maak af" solves the design model on a small contracted instance; there CP-SAT proves
# optimality more often within 10 s than HiGHS (benchmarks/bench_editor.py: 12 vs 8 of the 15
# choices of 4 locked lots on Emmen buurten, 2 shared cores under load).
COMPLETE_BACKEND = "cpsat"
LOT_COLOURS = ("#77AADD", "#EE8866", "#44BB99", "#FFAABB", "#BBCC33", "#EEDD88", "#99DDFF",
               "#AAAA00", "#C2A5CF", "#D8B48E", "#A6DBA0", "#F1B6DA", "#B8E186", "#FDDBC7")


def create_app(session: Session) -> Starlette:
    """The application serving ``session``."""
    api = _Api(session)
    routes = [
        Route("/", api.index),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/instance", api.instance),
        Route("/api/state", api.state),
        Route("/api/evaluate", api.evaluate, methods=["POST"]),
        Route("/api/binding", api.binding, methods=["POST"]),
        Route("/api/locks", api.locks, methods=["POST"]),
        Route("/api/complete", api.complete, methods=["POST"]),
        Route("/api/repair", api.repair, methods=["POST"]),
        Route("/api/prices", api.prices, methods=["POST"]),
        Route("/api/jobs/{job_id}", api.job),
        Route("/api/jobs/{job_id}/cancel", api.cancel, methods=["POST"]),
        Route("/api/snapshots", api.snapshot, methods=["POST"]),
        Route("/api/snapshots/{name}", api.delete_snapshot, methods=["DELETE"]),
        Route("/api/save", api.save, methods=["POST"]),
        Route("/api/draft/restore", api.restore, methods=["POST"]),
        Route("/api/draft/discard", api.discard, methods=["POST"]),
        Route("/leaflet/{name:path}", api.leaflet),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.state.api = api
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": f"not found: {request.url.path}"}, status_code=404)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request, allowed: set[str], required: set[str]) -> dict:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RequestError(f"request body over {MAX_BODY // 1024 // 1024} MB", status=413)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise RequestError(f"malformed JSON: {error}") from None
    if not isinstance(data, dict):
        raise RequestError("the request body must be a JSON object")
    if {"path", "out", "folder", "file", "dir"} & set(data):
        raise RequestError("saves go into the --out folder given at start; a path cannot be "
                           "chosen from the browser", status=403)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RequestError(f"unknown field(s) {', '.join(unknown)}; expected "
                           f"{', '.join(sorted(allowed))}")
    missing = sorted(required - set(data))
    if missing:
        raise RequestError(f"missing field(s) {', '.join(missing)}")
    return data


def _handles_errors(handler):
    async def wrapped(self, request: Request) -> Response:
        try:
            return await handler(self, request)
        except RequestError as error:
            return _error(str(error), error.status)
        except BusyError as error:
            return _error(str(error), 409)
        except UsageError as error:
            return _error(str(error), 422)
    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


class _Api:
    """The request handlers over one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.jobs = Jobs()
        self._running: dict[str, threading.Event] = {}
        self._evaluation_lock = threading.Lock()
        self._instance_json: dict | None = None

    # ------------------------------------------------------------------ page
    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def leaflet(self, request: Request) -> Response:
        name = Path(request.path_params["name"]).name
        if name not in LEAFLET_FILES:
            return _error(f"not found: {request.url.path}", 404)
        return FileResponse(LEAFLET / name)

    async def instance(self, request: Request) -> Response:
        if self._instance_json is None:
            self._instance_json = await run_in_threadpool(self._describe_instance)
        return JSONResponse(self._instance_json)

    def _describe_instance(self) -> dict:
        s = self.session
        inst, geo = s.instance, s.geography
        bidders = inst.bidder_ids
        features = []
        for feature in geo.features:
            d = inst.district_by_id[feature["id"]]
            bids = {b: inst.price(b, d.id) for b in bidders if inst.price(b, d.id) is not None}
            features.append({**feature, "properties": {
                "id": d.id, "name": d.name or d.id, "clients": d.clients,
                "incumbents": dict(sorted(d.incumbents.items(), key=lambda kv: -kv[1])),
                "bids": dict(sorted(bids.items(), key=lambda kv: kv[1])),
                "wijk": geo.wijk.get(d.id, d.id), "point": feature["properties"]["point"]}})
        rules = inst.rules
        return {
            "name": inst.name, "description": inst.description, "lang": s.lang,
            "texts": PAGE[s.lang],
            "districts": {"type": "FeatureCollection", "features": features},
            "district_ids": list(inst.district_ids),
            "neighbours": {d: list(n) for d, n in inst.neighbours.items()},
            "bidders": [{"id": b.id, "capacity": b.capacity, "max_lots": inst.max_lots(b.id),
                         "lot_fee": b.lot_fee} for b in inst.bidders],
            "providers": list(inst.providers),
            "lots": list(s.lot_labels),
            "colours": {lab: LOT_COLOURS[i % len(LOT_COLOURS)]
                        for i, lab in enumerate(s.lot_labels)},
            "has_wijken": geo.has_wijken,
            "rules": {"lots_min": rules.lots_min, "lots_max": rules.lots_max,
                      "lot_clients_min": rules.lot_clients_min,
                      "lot_clients_max": rules.lot_clients_max,
                      "soft_client_bounds": rules.soft_client_bounds,
                      "max_lots_per_bidder": rules.max_lots_per_bidder,
                      "transition_cost": rules.transition_cost,
                      "contiguity": rules.contiguity},
            "time_limit_s": min(s.settings.time_limit_s, 30.0),
        }

    async def state(self, request: Request) -> Response:
        return JSONResponse(self.session.state())

    # ------------------------------------------------------------------ edits
    @_handles_errors
    async def evaluate(self, request: Request) -> Response:
        """Score a drawing; a newer request stops this one's award (``superseded``)."""
        s = self.session
        data = await _body(request, {"assignment", "binding"}, {"assignment"})
        drawing = s.parse_assignment(data["assignment"])
        binding = data.get("binding", True)
        if not isinstance(binding, bool):
            raise RequestError('"binding" must be true or false')
        stop = self._supersede("evaluate")
        edit = await run_in_threadpool(s.set_drawing, drawing)
        result = await run_in_threadpool(evaluation.figures, s.instance, s.geography,
                                         drawing, s.settings, s.lang, stop, binding)
        if stop.is_set() or s.edits != edit:
            return JSONResponse({"superseded": True, "edit": edit})
        return JSONResponse({**result, "superseded": False, "edit": edit,
                             "gap_to_optimum": _gap(result, s.optimum)})

    @_handles_errors
    async def binding(self, request: Request) -> Response:
        """The rules that bind for a drawing (the page asks right after the figures)."""
        s = self.session
        data = await _body(request, {"assignment"}, {"assignment"})
        drawing = s.parse_assignment(data["assignment"])
        stop = self._supersede("binding")
        found = await run_in_threadpool(evaluation.binding_rules, s.instance, drawing,
                                        s.settings, stop)
        if stop.is_set():
            return JSONResponse({"superseded": True})
        return JSONResponse({"binding": found, "superseded": False})

    def _supersede(self, kind: str) -> threading.Event:
        """A stop event for a new request of ``kind``; the running one of that kind stops."""
        stop = threading.Event()
        with self._evaluation_lock:
            previous = self._running.get(kind)
            if previous is not None:
                previous.set()
            self._running[kind] = stop
        return stop

    @_handles_errors
    async def locks(self, request: Request) -> Response:
        data = await _body(request, {"locked"}, {"locked"})
        locked = self.session.parse_lots(data["locked"])
        await run_in_threadpool(self.session.set_locked, locked)
        return JSONResponse({"locked": sorted(locked, key=natural_key)})

    # ------------------------------------------------------------------ jobs
    def _job_request(self, data: dict) -> tuple[dict[str, str], set[str], float]:
        s = self.session
        drawing = s.parse_assignment(data["assignment"])
        locked = s.parse_lots(data.get("locked", sorted(s.locked)))
        limit = data.get("time_limit", min(s.settings.time_limit_s, 30.0))
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not (
                0 < limit <= MAX_TIME_LIMIT_S):
            raise RequestError(f"time_limit must be a number of seconds in (0, "
                               f"{MAX_TIME_LIMIT_S:g}]")
        return drawing, locked, float(limit)

    def _finish_drawing(self, job: Job, drawing: dict[str, str]) -> dict:
        s = self.session
        result = evaluation.figures(s.instance, s.geography, drawing, s.settings, s.lang)
        return {"assignment": drawing, "figures": {**result,
                                                   "gap_to_optimum": _gap(result, s.optimum)}}

    @_handles_errors
    async def complete(self, request: Request) -> Response:
        """Start "Maak af": locked lots stay, the design model draws the rest."""
        s = self.session
        data = await _body(request, {"assignment", "locked", "time_limit", "backend"},
                           {"assignment"})
        drawing, locked, limit = self._job_request(data)
        backend = data.get("backend", COMPLETE_BACKEND)
        if backend not in BACKENDS:
            raise RequestError(f"backend must be one of {', '.join(BACKENDS)}")
        nl = s.lang == "nl"
        if not locked:
            raise RequestError("zet eerst minstens één perceel vast (of gebruik allocatie "
                               "design)" if nl else
                               "lock at least one lot first (or run allocatie design)")
        if len(locked) >= s.instance.rules.lots_max:
            raise RequestError("alle percelen staan vast: maak de percelen los die het "
                               "ontwerpmodel mag tekenen" if nl else
                               "every lot is locked: unlock the lots the design may draw")
        check_locked_lots(s.instance, drawing, locked, s.lang)

        def work(job: Job) -> dict:
            def progress(p) -> None:
                job.report(incumbent=p.incumbent, bound=p.bound, gap=p.gap, phase=p.backend)

            done = complete(s.instance, drawing, locked,
                            s.settings.with_(time_limit_s=limit, backend=backend), progress,
                            job.stop)
            sol = done.solution
            answer = {"status": sol.status.value, "design_objective": done.objective,
                      "bound": done.bound, "gap": sol.gap, "message": sol.message,
                      "time_s": round(sol.time_s, 2)}
            if done.assignment:
                answer["design_winners"] = done.winners
                answer.update(self._finish_drawing(job, done.assignment))
            return answer

        return JSONResponse(self.jobs.start("complete", work).as_json(), status_code=202)

    @_handles_errors
    async def repair(self, request: Request) -> Response:
        """Start "Herstel": the valid drawing that moves the fewest districts."""
        s = self.session
        data = await _body(request, {"assignment", "locked", "time_limit"}, {"assignment"})
        drawing, locked, limit = self._job_request(data)
        repair_locked = {lot for lot in locked if lot in drawing.values()}
        check_locked_lots(s.instance, drawing, repair_locked, s.lang)

        def work(job: Job) -> dict:
            job.report(phase="repair")
            found = repair(s.instance, drawing, repair_locked,
                           s.settings.with_(time_limit_s=limit), job.stop)
            answer = {"status": found.status.value, "moved": found.moved,
                      "time_s": round(found.time_s, 2)}
            if found.assignment:
                answer.update(self._finish_drawing(job, found.assignment))
            return answer

        return JSONResponse(self.jobs.start("repair", work).as_json(), status_code=202)

    @_handles_errors
    async def prices(self, request: Request) -> Response:
        """Start the boundary prices of a drawing."""
        s = self.session
        data = await _body(request, {"assignment", "locked", "time_limit"}, {"assignment"})
        drawing, locked, limit = self._job_request(data)

        def work(job: Job) -> dict:
            return boundary_prices(s.instance, drawing, locked,
                                   s.settings.with_(time_limit_s=min(limit, 10.0)),
                                   lambda done, total: job.report(done=done, total=total),
                                   job.stop)

        return JSONResponse(self.jobs.start("prices", work).as_json(), status_code=202)

    async def job(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error(f"no job {request.path_params['job_id']!r}", 404)
        return JSONResponse(job.as_json())

    async def cancel(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error(f"no job {request.path_params['job_id']!r}", 404)
        job.stop.set()
        return JSONResponse(job.as_json())

    # ------------------------------------------------------------------ snapshots, save
    @_handles_errors
    async def snapshot(self, request: Request) -> Response:
        """Keep the drawing as a named snapshot with its figures (for comparison)."""
        s = self.session
        data = await _body(request, {"name", "assignment"}, {"name", "assignment"})
        drawing = s.parse_assignment(data["assignment"])
        if not isinstance(data["name"], str) or not data["name"].strip():
            raise RequestError('"name" must be a non-empty text')
        result = await run_in_threadpool(evaluation.figures, s.instance, s.geography, drawing,
                                         s.settings, s.lang, None, False)
        summary = _snapshot_summary(result)
        snap = await run_in_threadpool(s.add_snapshot, data["name"], drawing, summary)
        return JSONResponse(snap)

    @_handles_errors
    async def delete_snapshot(self, request: Request) -> Response:
        await run_in_threadpool(self.session.delete_snapshot, request.path_params["name"])
        return JSONResponse({"deleted": request.path_params["name"]})

    @_handles_errors
    async def save(self, request: Request) -> Response:
        """Write lots.csv and the evaluate results folder into --out."""
        s = self.session
        data = await _body(request, {"assignment", "report"}, {"assignment"})
        drawing = s.parse_assignment(data["assignment"])
        report = data.get("report", True)
        if not isinstance(report, bool):
            raise RequestError('"report" must be true or false')
        await run_in_threadpool(s.set_drawing, drawing)
        written = await run_in_threadpool(save_drawing, s.out, s.instance, drawing,
                                          s.settings, s.lang, report)
        return JSONResponse(written)

    @_handles_errors
    async def restore(self, request: Request) -> Response:
        await run_in_threadpool(self.session.restore_draft)
        return JSONResponse(self.session.state())

    async def discard(self, request: Request) -> Response:
        await run_in_threadpool(self.session.discard_draft)
        return JSONResponse(self.session.state())


def _gap(result: dict, optimum: dict | None) -> float | None:
    if optimum is None or result.get("objective") is None or not optimum.get("objective"):
        return None
    return (result["objective"] - optimum["objective"]) / abs(optimum["objective"])


def _snapshot_summary(result: dict) -> dict:
    sizes = [lot["clients"] for lot in result["lots"]]
    return {"objective": result["objective"], "cost": result["cost"],
            "transitions": result["transitions"], "feasible": result["feasible"],
            "lots": result["lots_drawn"],
            "balance": round(min(sizes) / max(sizes), 3) if sizes and max(sizes) else None,
            "smallest": min(sizes) if sizes else None, "largest": max(sizes) if sizes else None,
            "winners": {lot["lot"]: lot["winner"] for lot in result["lots"]}}
