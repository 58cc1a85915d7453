"""The command line's ingest commands: `ingest` (files, here or on Dask), `feeds` (what
`watch` polls) and `watch`. Installed into the parser by `search.cli`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from search.cli_output import print_json, print_summary
from search.settings import Settings

if TYPE_CHECKING:
    from search.ingest.pipeline import IngestSummary


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from search.index.client import sync_client
    from search.ingest import runs
    from search.ingest.distributed import EngineUnreachable

    client = sync_client(settings)
    run = runs.new_run("cli", " ".join(args.paths))
    runs.save_quietly(client, settings.index, run, ensure=True)
    try:
        summary = _ingest(args, settings)
    except EngineUnreachable as exc:
        runs.save_quietly(client, settings.index, runs.failed(run, exc))
        print(str(exc), file=sys.stderr)
        return 3
    except BaseException as exc:
        runs.save_quietly(client, settings.index, runs.failed(run, exc))
        raise
    runs.save_quietly(client, settings.index, runs.finished(run, summary))
    if args.json:
        print_json({**summary.as_dict(), "run_id": run.id})
    else:
        print_summary(summary.as_dict())
        print(f"{'run':>15}: {run.id}")
    if not summary.reached_opensearch and summary.read:
        print("OpenSearch was unreachable throughout the run.", file=sys.stderr)
        return 2
    return 0 if summary.stored or not summary.read else 1


def _ingest(args: argparse.Namespace, settings: Settings) -> IngestSummary:
    """The run itself: in this process, or on Dask with --workers or --scheduler."""
    from search.ingest.distributed import ingest_distributed
    from search.ingest.pipeline import default_dead_letter_path
    from search.ingest.progress import Progress
    from search.ingest.readers.detect import count_records, read_paths
    from search.ingest.run import ingest_paths

    paths = [Path(p) for p in args.paths]
    dead_letter = Path(args.dead_letter) if args.dead_letter else None
    scheduler = args.scheduler or (settings.ingest_scheduler if args.workers is None else None)
    if args.workers is None and scheduler is None:
        return ingest_paths(
            settings,
            paths,
            fmt=args.format,
            source=args.source,
            published_at=args.published_at,
            dead_letter=dead_letter,
            progress=not args.json,
        )
    bar = not args.json and Progress.on_terminal()
    return ingest_distributed(
        settings,
        read_paths(paths, fmt=args.format),
        expected=count_records(paths, args.format) if bar else None,
        source=args.source,
        published_at=args.published_at,
        dead_letter=dead_letter or default_dead_letter_path(settings.dead_letter_dir),
        progress=not args.json,
        scheduler=scheduler,
        workers=args.workers or None,
    )


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from search.index.client import sync_client
    from search.watch import registry

    client = sync_client(settings)
    if args.action == "add":
        if not args.url:
            print("feeds add needs the feed's URL.", file=sys.stderr)
            return 2
        feed = registry.add(
            client, settings.index, registry.FeedIn(url=args.url, interval_s=args.interval)
        )
        print(f"watching {feed.url} every {feed.interval_s}s (id {feed.id})")
    elif args.action == "remove":
        if not args.url or not registry.remove(client, settings.index, registry.feed_id(args.url)):
            print(f"No watched feed has the URL {args.url!r}.", file=sys.stderr)
            return 2
        print(f"no longer watching {args.url}")
    else:
        for feed in registry.listed(client, settings.index):
            error = f"  ({feed.last_error})" if feed.last_error else ""
            print(f"{feed.status:>8}  {feed.items_indexed:>6} items  {feed.url}{error}")
    return 0


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from search.watch.poller import Watcher

    watcher = Watcher(settings)
    if args.once:
        report = watcher.poll_once()
        print_json(asdict(report))
        return 0
    watcher.run()
    return 0


def add_parsers(sub: Any) -> None:
    """The ingest commands' parsers, into the CLI's subparsers."""
    p = sub.add_parser("ingest", help="read archives and index their articles")
    p.add_argument("paths", nargs="+", help="files or folders (recursed)")
    p.add_argument(
        "--format", default="auto", choices=["auto", "ndjson", "text", "html", "feed", "warc"]
    )
    p.add_argument("--source", help="publication name for records that lack one")
    p.add_argument("--published-at", help="publication date for records that lack one")
    p.add_argument("--dead-letter", help="NDJSON file for rejected records")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="enrich on a local Dask cluster of N worker processes (0: one per core)",
    )
    engine.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="enrich on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786)",
    )
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("feeds", help="the RSS and Atom feeds `newsroom watch` polls")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("url", nargs="?", help="add/remove: the feed's URL")
    p.add_argument("--interval", type=int, default=900, help="add: seconds between polls")
    p.set_defaults(run=cmd_feeds)

    p = sub.add_parser("watch", help="poll the watched feeds and index their new items")
    p.add_argument("--once", action="store_true", help="poll the due feeds once and stop")
    p.set_defaults(run=cmd_watch)
