"""`studio`: the script and its reel side by side in a browser, served from this machine."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import typer

from storyreel.cli.app import command, console
from storyreel.store.project import Project

_HERE = typer.Argument(Path("."), help="The project (folder, toml or script).")


@command("studio")
def studio(
    project: Path = _HERE,
    host: str = typer.Option(
        "127.0.0.1",
        help="Address to listen on (0.0.0.0: every network; the token is still required).",
    ),
    port: int = typer.Option(8765, help="Port (0: any free one)."),
    browser: bool = typer.Option(True, "--browser/--no-browser", help="Open the browser."),
    author: str = typer.Option(None, help="Name on your notes (default: your login)."),
    yes: bool = typer.Option(
        False, "--yes", help="Let builds pay hosted backends (within [budget] limit)."
    ),
) -> None:
    """Write on the left, watch the reel on the right: a local web studio for the project."""
    from storyreel.studio.security import new_token  # the web stack loads only for the studio
    from storyreel.studio.server import bind, check_writable, make_server, url_of

    p = Project.open(project)
    check_writable(p)
    token = new_token()
    sock = bind(host, port)
    server = make_server(p.root, token, author, yes)
    _, url = url_of(sock, token)
    console.print(f"storyreel studio for {p.root}", markup=False, highlight=False)
    console.print(f"open {url}", markup=False, highlight=False, soft_wrap=True)
    if host not in {"127.0.0.1", "localhost", "::1"}:
        console.print(f"listening on {host} (every request still needs the token)", markup=False)
    console.print("Ctrl+C stops it", markup=False)
    if browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
