"""``allocatie editor``: build the session from the command line and serve the page."""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path

from allocatie.editor.session import Session, check_out_folder, read_draft
from allocatie.editor.texts import LANGS
from allocatie.errors import UsageError
from allocatie.instance import Instance
from allocatie.text import natural_key


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``editor`` subcommand (called by :func:`allocatie.cli.build_parser`)."""
    p = sub.add_parser("editor", help="draw lots on a map in the browser, with live figures")
    p.add_argument("instance", type=Path, help="instance folder (with instance.toml)")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--lots", type=Path, help="start from this design (district_id,lot)")
    start.add_argument("--from", dest="from_results", type=Path,
                       help="start from a 'design' results folder; its optimum is shown "
                            "next to the drawing")
    p.add_argument("--out", type=Path,
                   help="folder for lots.csv, the results and the autosaved draft "
                        "(default: <instance>-editor in the current folder)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument("--lang", choices=LANGS, default="nl", help="page language")
    p.add_argument("--quiet", action="store_true", help="print only the URL")
    p.set_defaults(handler=cmd_editor)


def cmd_editor(args: argparse.Namespace) -> int:
    from allocatie.editor.server import free_port, port_free, serve

    session = build_session(args.instance, lots=args.lots, from_results=args.from_results,
                            out=args.out, lang=args.lang)
    port = args.port or free_port()
    if not 0 < port < 65536:
        raise UsageError(f"--port must be 1..65535 (or 0 for any free port), got {port}")
    if not port_free(args.host, port):
        raise UsageError(f"port {port} on {args.host} is in use (another editor?); choose "
                         "another with --port N, or --port 0 for any free port")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach this address can "
              "see and change the drawing and write into --out", file=sys.stderr)
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{port}/"
    print(f"editor for {session.instance.name}: {url}")
    if not args.quiet:
        print(f"saves and the autosaved draft go to {session.out}; Ctrl-C stops the editor",
              file=sys.stderr)
    if not args.no_browser:
        webbrowser.open(url)
    serve(session, host=args.host, port=port)
    return 0


def build_session(instance_folder: Path, lots: Path | None = None,
                  from_results: Path | None = None, out: Path | None = None,
                  lang: str = "nl") -> Session:
    """Load the instance and the starting drawing: ``lots``, the design in ``from_results``
    (with its optimum), else the instance's fixed lots or today's areas, else nothing."""
    from allocatie.editor.geo import load_geography
    from allocatie.io.loading import load_instance, load_lots_file

    instance = load_instance(instance_folder)
    out = Path(out) if out is not None else Path.cwd() / f"{Path(instance_folder).name}-editor"
    check_out_folder(out)
    optimum = None
    if lots is not None:
        drawing, _winners = load_lots_file(lots, instance)
    elif from_results is not None:
        drawing, optimum = _from_results(from_results, instance)
    else:
        drawing = dict(instance.lots or instance.current_lots or {})
    drawing = numbered(instance, drawing)
    session = Session(instance=instance, geography=load_geography(instance), out=out,
                      settings=instance.solver, lang=lang, drawing=dict(drawing),
                      optimum=optimum)
    draft = read_draft(out, instance, session.lot_labels)
    if draft is not None and (draft["assignment"] != drawing or draft["locked"]
                              or draft["snapshots"]):
        session.draft = draft  # the page offers to restore it
    return session


def numbered(instance: Instance, drawing: dict[str, str]) -> dict[str, str]:
    """The drawing with its lots numbered 1..K (labels 1..K stay; other labels are numbered
    in natural order). Raises :class:`UsageError` with more lots than K."""
    k = instance.rules.lots_max
    labels = sorted(set(drawing.values()), key=natural_key)
    if len(labels) > k:
        raise UsageError(f"the starting design has {len(labels)} lots, more than the "
                         f"tender's {k}; start from a design with at most {k} lots")
    wanted = {str(i) for i in range(1, k + 1)}
    if set(labels) <= wanted:
        return dict(drawing)
    number = {lab: str(i) for i, lab in enumerate(labels, start=1)}
    return {d: number[lab] for d, lab in drawing.items()}


def _from_results(folder: Path, instance: Instance) -> tuple[dict[str, str], dict]:
    from allocatie.io.results import read_results

    summary, assignment, _winners = read_results(folder)
    unknown = [d for d in assignment if d not in instance.district_by_id]
    if unknown or not assignment:
        raise UsageError(f"{folder} does not hold a design of {instance.name} "
                         f"({'unknown district ' + unknown[0] if unknown else 'no assignment'})"
                         "; give the results folder of a design run on this instance")
    optimum = {"objective": summary.get("objective"), "status": summary.get("status"),
               "bound": summary.get("bound"), "gap": summary.get("gap"),
               "command": summary.get("command"), "folder": str(folder),
               "cost": summary.get("cost"), "transitions": summary.get("transitions")}
    return assignment, optimum
