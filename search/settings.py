"""The one place that reads the environment: every setting, with the reason it exists."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The OpenSearch release the project provisions locally and runs in docker-compose.
OPENSEARCH_VERSION = "3.8.0"


def _default_cache() -> Path:
    # OpenSearch will not run as root, so for root the node runs as an unprivileged account,
    # which must be able to read the release: root's home is private, a system cache is not.
    if os.geteuid() == 0:
        return Path("/var/cache/newsroom")
    return Path.home() / ".cache" / "newsroom"


#: Where the local node keeps its data unless told otherwise: inside the project.
PROJECT_NODE_DIR = Path(".newsroom/node")
#: For root, when the project sits where other accounts cannot walk.
SYSTEM_NODE_DIRS = Path("/var/lib/newsroom/nodes")


def others_can_reach(path: Path) -> bool:
    """Whether an account that owns none of the way (the node's 'nobody') can walk to `path`:
    every existing folder on the way must be searchable by others. Folders still to be made
    will be, as the process makes them."""
    return all(folder.stat().st_mode & 0o001 for folder in (path, *path.parents) if folder.exists())


def _default_node_data() -> Path:
    # As root the node runs as 'nobody' (OpenSearch refuses root). A clone in root's home or in
    # a private temporary folder cannot hold that account's data, so the data goes to a system
    # folder named after the project's path, one per clone.
    local = PROJECT_NODE_DIR.resolve()
    if os.geteuid() != 0 or others_can_reach(local.parent):
        return PROJECT_NODE_DIR
    return SYSTEM_NODE_DIRS / hashlib.sha256(str(local).encode()).hexdigest()[:12]


class Settings(BaseSettings):
    """Configuration, read from `NEWSROOM_*` variables; passed in, never imported as a global."""

    model_config = SettingsConfigDict(env_prefix="NEWSROOM_", extra="ignore")

    # --- OpenSearch -------------------------------------------------------------
    opensearch_url: str = Field(
        "http://127.0.0.1:9200",
        description="Comma-separated node URLs; more than one spreads requests over a cluster.",
    )
    index: str = Field("articles", description="Alias that every read and write goes through.")
    opensearch_timeout_s: float = Field(10.0, description="Per-request timeout towards OpenSearch.")

    # --- Local node (newsroom opensearch start|stop|status) ---------------------
    node_version: str = Field(OPENSEARCH_VERSION, description="OpenSearch release to provision.")
    node_cache_dir: Path = Field(
        default_factory=_default_cache,
        description="Downloads and unpacked releases, outside the repo: a second start is offline.",
    )
    node_data_dir: Path = Field(
        default_factory=_default_node_data,
        description="Data, logs and pid file of the local node: `.newsroom/node`, or for root in "
        "a folder other accounts cannot reach, /var/lib/newsroom/nodes/<hash of that path>.",
    )
    node_port: int = Field(9200, description="HTTP port of the local node (127.0.0.1 only).")
    node_heap: str = Field("1g", description="JVM heap of the local node (-Xms and -Xmx).")
    node_java_home: Path | None = Field(
        None, description="JDK for the node; by default the newest JDK 21+ found on the machine."
    )

    # --- Ingest -----------------------------------------------------------------
    dead_letter_dir: Path = Field(
        Path(".newsroom/dead-letters"), description="Where rejected records are written."
    )
    max_body_bytes: int = Field(5_000_000, description="Bodies above this size are dead-lettered.")
    bulk_chunk_docs: int = Field(500, description="Documents per bulk request at most.")
    bulk_chunk_bytes: int = Field(10_000_000, description="Bytes per bulk request at most.")
    bulk_max_retries: int = Field(8, description="Retries of a chunk on 429/5xx/connection errors.")
    ner_batch_size: int = Field(32, description="Texts per spaCy batch.")
    ner_processes: int = Field(1, description="spaCy worker processes for large ingests.")
    cluster_copies: bool = Field(
        True,
        description="Group copies and near copies of a story into clusters at ingest "
        "(search.duplicates); off only to price the step (bench) or for a one-off bulk load "
        "followed by `newsroom dedupe --reindex`.",
    )
    ingest_scheduler: str | None = Field(
        None,
        description="Dask scheduler (tcp://host:8786) that `newsroom ingest` and the API's "
        "queued ingests run their batches on; unset: in the process itself.",
    )
    allow_private_urls: bool = Field(
        False,
        description="Let webhooks and watched feeds use private, loopback and link-local "
        "addresses (a receiver or a feed inside the newsroom's own network).",
    )
    saved_searches_per_key: int = Field(
        1000, description="Saved searches one API key may keep; beyond, saving answers 409."
    )
    collections_per_key: int = Field(
        200, ge=0, le=200, description="Collections one API key may keep; beyond, 409."
    )
    articles_per_collection: int = Field(
        1000, ge=0, le=1000, description="Articles one collection may hold; beyond, 409."
    )
    ingest_queue_size: int = Field(
        8, description="Ingest runs the API holds waiting at most; beyond, a 429 asks to retry."
    )

    # --- API --------------------------------------------------------------------
    api_keys: list[SecretStr] = Field(
        default_factory=list, description="Keys accepted in X-API-Key for write and admin calls."
    )
    protect_reads: bool = Field(False, description="Require an API key for read endpoints too.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    rate_limit_per_minute: int = Field(600, description="Requests per client address per minute.")
    max_request_bytes: int = Field(
        20_000_000, description="Request bodies above this size are refused with 413."
    )
    cursors_per_client: int = Field(
        10,
        description="Open cursors and exports one client address may hold at once: each pins a "
        "point in time on the node, which allows only so many (300 by default) for everyone.",
    )
    cursors_total: int = Field(
        200,
        description="Open cursors and exports of this process at once; keep it under the node's "
        "`search.max_open_pit_context` divided by the number of API workers.",
    )
    export_max_rows: int = Field(100_000, description="Most rows one export streams.")
    request_timeout_s: float = Field(30.0, description="Wall-clock limit of one API request.")
