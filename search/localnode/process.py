"""Starting, stopping and asking after the node process, identified by its pid file."""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from search.localnode.common import NodeError, NodePaths, NodeStatus, node_url
from search.localnode.config import write_config
from search.localnode.java import java_home
from search.localnode.provision import LANGUAGE_PLUGINS, provision
from search.settings import Settings

HEALTHY = ("yellow", "green")
STOP_GRACE_S = 30.0
LOG_TAIL_LINES = 30
#: OpenSearch refuses to run as root ("can not run opensearch as root", no override), so a
#: root caller hands the node to this account, as the packaged distributions do.
ACCOUNT_FOR_ROOT = "nobody"
# Runs the node in the background and prints its pid: the node is then not our child, so it
# outlives us and is never left a zombie of ours; the shell exits at once.
LAUNCHER = 'log=$1; shift; "$@" >"$log" 2>&1 </dev/null & echo $!'


def status(settings: Settings) -> NodeStatus:
    """What answers on the node's port, with our pid when the node is ours."""
    url = node_url(settings)
    pid = _live_pid(NodePaths.of(settings))
    root = _get_json(f"{url}/", timeout_s=2)
    if root is None:
        return NodeStatus(running=False, url=url, version=None, health=None, pid=pid)
    health = _get_json(f"{url}/_cluster/health", timeout_s=5) or {}
    version = root.get("version", {}).get("number")
    return NodeStatus(
        running=True,
        url=url,
        version=version if isinstance(version, str) else None,
        health=health.get("status") if isinstance(health.get("status"), str) else None,
        pid=pid,
    )


def start(settings: Settings, *, wait_s: float = 180) -> NodeStatus:
    """Start the node unless ours runs already; return once its health is yellow or green."""
    paths = NodePaths.of(settings)
    paths.root.mkdir(parents=True, exist_ok=True)
    with _start_lock(paths):  # two callers at once must not launch two nodes on one data dir
        pid = _live_pid(paths)
        if pid is not None and _lacks_plugins(settings):
            stop(settings)  # started from a release provisioned before its plugins were needed
            pid = None
        launched = pid is None
        if pid is None:
            _refuse_foreign_port(settings)
            pid = _launch(settings, paths)
        return _wait_until_healthy(settings, paths, pid, wait_s, stop_on_timeout=launched)


def _lacks_plugins(settings: Settings) -> bool:
    """Whether our running node has not loaded every language plugin (unknown: assume not)."""
    url = node_url(settings)
    found = _get_json(f"{url}/_nodes/_local/plugins", timeout_s=5)
    if found is None:
        return False  # still booting or unreachable: the health wait below decides
    loaded = {
        plugin.get("name")
        for node in found.get("nodes", {}).values()
        for plugin in node.get("plugins", [])
    }
    return any(spec.name not in loaded for spec in LANGUAGE_PLUGINS)


def stop(settings: Settings) -> bool:
    """Stop only the process in our pid file (TERM, then KILL); True if one was running."""
    paths = NodePaths.of(settings)
    pid = _live_pid(paths)
    if pid is not None:
        _signal(pid, signal.SIGTERM)
        if not _wait_gone(pid, STOP_GRACE_S):
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, 10)
    paths.pid_file.unlink(missing_ok=True)
    return pid is not None


@contextmanager
def _start_lock(paths: NodePaths) -> Iterator[None]:
    with (paths.root / ".start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _refuse_foreign_port(settings: Settings) -> None:
    if not _port_taken(settings.node_port):
        return
    other = status(settings)
    found = f"OpenSearch {other.version}" if other.version else "something that is not ours"
    raise NodeError(
        f"{other.url} is already served by {found}; not starting a second node. "
        "Stop it, or choose another port with NEWSROOM_NODE_PORT."
    )


def _launch(settings: Settings, paths: NodePaths) -> int:
    account = _account()
    if account is not None:  # fail before a download, not after
        cache = settings.node_cache_dir.expanduser().resolve()
        _check_access(account, [_nearest_existing(cache), _nearest_existing(paths.root.parent)])
    home = provision(settings)
    java = java_home(settings)
    write_config(settings, home, paths)
    (paths.root / "tmp").mkdir(exist_ok=True)
    if account is not None:
        _hand_over(paths.root, account)
        _check_access(account, [home / "bin" / "opensearch", java / "bin" / "java", paths.root])
    done = subprocess.run(
        ["/bin/sh", "-c", LAUNCHER, "sh", str(paths.console_log), str(home / "bin" / "opensearch")],
        env=_node_env(paths, java),
        cwd=paths.root,
        capture_output=True,
        text=True,
        start_new_session=True,  # no terminal signals from the caller reach the node
        check=False,
        user=account.pw_uid if account else None,
        group=account.pw_gid if account else None,
        extra_groups=[] if account else None,
    )
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise NodeError(f"could not launch OpenSearch: {done.stderr.strip()}")
    pid = int(done.stdout.strip())
    paths.pid_file.write_text(f"{pid}\n", encoding="ascii")
    return pid


def _node_env(paths: NodePaths, java: Path) -> dict[str, str]:
    # Inherited OPENSEARCH_* variables (another home, extra JVM options) would change the node.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSEARCH_")}
    env.update(
        JAVA_HOME=str(java),
        OPENSEARCH_JAVA_HOME=str(java),
        OPENSEARCH_PATH_CONF=str(paths.config),
        OPENSEARCH_TMPDIR=str(paths.root / "tmp"),
        HOME=str(paths.root),
    )
    return env


def _wait_until_healthy(
    settings: Settings, paths: NodePaths, pid: int, wait_s: float, *, stop_on_timeout: bool
) -> NodeStatus:
    deadline = time.monotonic() + wait_s
    while True:
        current = status(settings)
        if current.health in HEALTHY:
            return current
        if not _alive(pid):
            paths.pid_file.unlink(missing_ok=True)
            raise NodeError(f"OpenSearch exited during start-up.\n{_log_tail(paths)}")
        if time.monotonic() > deadline:
            if stop_on_timeout:  # a node we just launched; one that ran before is left alone
                stop(settings)
            raise NodeError(
                f"OpenSearch was not yellow or green after {wait_s:.0f} s "
                f"({'stopped it' if stop_on_timeout else 'left it running'}).\n"
                f"{_log_tail(paths)}"
            )
        time.sleep(0.5)


def _log_tail(paths: NodePaths) -> str:
    """The log's last lines without Java stack frames, which would crowd out the cause."""
    try:
        lines = paths.console_log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return f"(no log at {paths.console_log})"
    kept = [line for line in lines if not re.match(r"\s+(at |\.\.\. \d+ more)", line)]
    return f"Last lines of {paths.console_log}:\n" + "\n".join(kept[-LOG_TAIL_LINES:])


def _get_json(url: str, *, timeout_s: float) -> dict[str, Any] | None:
    # No proxies: an HTTP(S)_PROXY from the environment must not swallow loopback requests.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as response:
            body = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _port_taken(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _live_pid(paths: NodePaths) -> int | None:
    """The pid file's process, if it still runs and is the node of this very data dir."""
    try:
        pid = int(paths.pid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    ours = f"OPENSEARCH_PATH_CONF={paths.config}".encode() in environ
    return pid if ours and _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")  # a zombie has stopped


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        group = os.getpgid(pid)
        # The launcher made the node's own process group: it also holds the start script's
        # helper JVMs when we stop a node that is still booting.
        if group != os.getpgrp():
            os.killpg(group, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _account() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(ACCOUNT_FOR_ROOT)
    except KeyError as exc:
        raise NodeError(f"running as root, but there is no '{ACCOUNT_FOR_ROOT}' account") from exc


def _hand_over(root: Path, account: pwd.struct_passwd) -> None:
    """Give the data dir to the node's account: it writes data, logs and its keystore there."""
    for dirpath, _dirs, files in os.walk(root):
        os.chown(dirpath, account.pw_uid, account.pw_gid)
        for name in files:
            os.chown(Path(dirpath) / name, account.pw_uid, account.pw_gid, follow_symlinks=False)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_access(account: pwd.struct_passwd, reachable: list[Path]) -> None:
    """Each path must be executable (a directory: searchable) by the node's account."""
    tests = " && ".join(f'test -x "${n}"' for n in range(1, len(reachable) + 1))
    probe = subprocess.run(
        ["/bin/sh", "-c", tests, "sh", *map(str, reachable)],
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=[],
        check=False,
    )
    if probe.returncode != 0:
        raise NodeError(
            f"OpenSearch refuses to run as root, so the node runs as '{account.pw_name}', which "
            f"cannot reach one of {', '.join(map(str, reachable))}. Put the cache and data dirs "
            "where that account can reach them (root's home is private), e.g. "
            "NEWSROOM_NODE_CACHE_DIR=/var/cache/newsroom."
        )


def answering(url: str) -> bool:
    """Whether an OpenSearch node answers at this URL (the first, if several are listed)."""
    first = url.split(",")[0].strip().rstrip("/")
    return _get_json(f"{first}/", timeout_s=2) is not None


def ensure_running(settings: Settings) -> tuple[Settings, bool]:
    """Settings pointing at a node that answers, and whether this call started it.

    The configured NEWSROOM_OPENSEARCH_URL wins when something answers there; otherwise the
    project's own local node is started and the settings point at it.
    """
    if answering(settings.opensearch_url):
        first = urlsplit(settings.opensearch_url.split(",")[0].strip())
        ours = first.hostname in ("127.0.0.1", "localhost") and first.port == settings.node_port
        if not (ours and _live_pid(NodePaths.of(settings)) and _lacks_plugins(settings)):
            return settings, False
        # Our own node, started before the language plugins were provisioned: restart it.
    started = not status(settings).running
    node = start(settings)
    return settings.model_copy(update={"opensearch_url": node.url}), started
