"""Run the editor's web server (uvicorn) in the foreground, or in a thread for tests and
benchmarks."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from allocatie.editor.app import create_app
from allocatie.editor.session import Session

LOOPBACK = "127.0.0.1"


def serve(session: Session, host: str = LOOPBACK, port: int = 8765) -> None:
    """Serve until Ctrl-C (uvicorn stops on SIGINT); running solves are stopped then."""
    app = create_app(session)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.api.jobs.cancel_all()


class ThreadedServer:
    """The editor on a free loopback port in a background thread (``url``; ``stop()``)."""

    def __init__(self, session: Session, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.app = create_app(session)
        config = uvicorn.Config(self.app, host=LOOPBACK, port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True,
                                       name="editor-server")

    def start(self, timeout_s: float = 20.0) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the editor server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.app.state.api.jobs.cancel_all()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
