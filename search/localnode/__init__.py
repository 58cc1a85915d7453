"""Provision, start, stop and status of a local OpenSearch node without Docker.

The release is fetched by Maven coordinates into `Settings.node_cache_dir` once per version;
each data dir (`Settings.node_data_dir`) gets its own generated config, data, logs and pid file.
"""

from search.localnode.common import NodeError, NodeStatus
from search.localnode.process import ensure_running, start, status, stop
from search.localnode.provision import provision

__all__ = ["NodeError", "NodeStatus", "ensure_running", "provision", "start", "status", "stop"]
