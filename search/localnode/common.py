"""Shared by the local-node modules: the error type, the status record, the node's paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from search.settings import Settings


class NodeError(RuntimeError):
    """The local node could not be provisioned, started or stopped; the message says what to do."""


@dataclass(frozen=True)
class NodeStatus:
    """What answers on the node's port, so callers can tell 'ours', 'foreign' and 'down'."""

    running: bool
    url: str
    version: str | None
    health: str | None
    pid: int | None


@dataclass(frozen=True)
class NodePaths:
    """All one node writes lives under its data dir, so several dirs can share one release."""

    root: Path

    @classmethod
    def of(cls, settings: Settings) -> NodePaths:
        # Absolute, because the node runs with its release home as working directory.
        return cls(settings.node_data_dir.expanduser().resolve())

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pid_file(self) -> Path:
        return self.root / "opensearch.pid"

    @property
    def console_log(self) -> Path:
        return self.root / "console.log"


def node_url(settings: Settings) -> str:
    """The node only ever listens on loopback."""
    return f"http://127.0.0.1:{settings.node_port}"
