"""The `newsroom` command: thin; every subcommand delegates to a module that holds the work."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from search import cli_ingest
from search.cli_output import print_json, print_summary
from search.settings import Settings

if TYPE_CHECKING:
    pass

log = logging.getLogger("newsroom")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


# --- opensearch ----------------------------------------------------------------------------


def cmd_opensearch(args: argparse.Namespace, settings: Settings) -> int:
    from search import localnode

    if args.action == "start":
        node = localnode.start(settings)
    elif args.action == "stop":
        stopped = localnode.stop(settings)
        print("stopped" if stopped else "no local node was running")
        return 0
    else:
        node = localnode.status(settings)
    print_json(
        {
            "running": node.running,
            "url": node.url,
            "version": node.version,
            "health": node.health,
            "pid": node.pid,
        }
    )
    return 0 if node.running or args.action == "status" else 1


# --- index ---------------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from search.index import schema
    from search.index.client import sync_client

    client = sync_client(settings)
    if args.action == "create":
        created = schema.ensure_index(client, settings.index)
        print_json(
            {
                "alias": settings.index,
                "index": created.index,
                "created": created.created,
                "mapping_updated": created.mapping_updated,
            }
        )
    elif args.action == "migrate":
        moved = schema.migrate(client, settings.index)
        print_json(
            {
                "alias": settings.index,
                "from": moved.old_index,
                "to": moved.new_index,
                "documents": moved.documents,
            }
        )
    elif args.action == "drop":
        print_json({"deleted": schema.drop(client, settings.index)})
    return 0


# --- enrich, eval --------------------------------------------------------------------------


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from search.ingest.run import reenrich_index

    print_json(reenrich_index(settings))
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.task == "duplicates":
        return _eval_duplicates(args)
    if args.file is None:
        print(f"eval {args.task} needs a FILE", file=sys.stderr)
        return 2
    if args.task == "facets":
        from search.evaluation.facets import report
        from search.index.client import sync_client

        tagged = Path(args.tagged) if args.tagged else None
        client = sync_client(settings)
        print_json(report(client, settings.index, Path(args.file), top=args.top, tagged=tagged))
        return 0
    from search.evaluation.ner import run_ner_eval

    print_json(run_ner_eval(Path(args.file)))
    return 0


def _eval_duplicates(args: argparse.Namespace) -> int:
    from search.evaluation.duplicates import run_duplicates_eval

    corpora = Path(args.file) if args.file else SAMPLES.parent.parent / "shared" / "corpora"
    report = run_duplicates_eval(corpora, seed=args.seed, tune=args.tune)
    if report is None:
        print(f"skipped: the corpora are not in {corpora}", file=sys.stderr)
        return 0
    print_json(report)
    return 0


def cmd_dedupe(args: argparse.Namespace, settings: Settings) -> int:
    from search.duplicates.reindex import recluster
    from search.duplicates.summaries import summarise_all
    from search.index.client import sync_client
    from search.index.schema import ensure_index

    client = sync_client(settings.model_copy(update={"opensearch_timeout_s": 120.0}))
    ensure_index(client, settings.index)  # adds the cluster fields to an older index
    if args.reindex:
        print_json(recluster(client, settings.index))
    else:
        print_json({"members_changed": summarise_all(client, settings.index)})
    return 0


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    from search.entities import editing
    from search.entities.consolidate import consolidate
    from search.index.client import sync_client

    client = sync_client(settings)
    if args.action == "consolidate":
        print_json(consolidate(client, settings.index))
    elif args.action == "export":
        docs = editing.export_curated(client, settings.index)
        text = json.dumps(docs, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"{len(docs)} curated entities written to {args.file}")
    elif args.action == "import":
        docs = json.loads(Path(args.file).read_text(encoding="utf-8"))
        entry = editing.import_curated(client, settings.index, docs, actor="cli")
        print(f"{len(docs)} entities imported; {entry.articles_updated} articles re-resolved")
    elif args.action == "proposals":
        from search.entities.proposals import gather_proposals

        print_json([asdict(p) for p in gather_proposals(client, settings.index)])
    elif args.action == "add-alias":
        from search.entities.curation import AddAlias

        correction = AddAlias(entity=args.file, alias=args.alias, reason="confirmed proposal")
        entry = editing.correct(client, settings.index, correction, actor="cli")
        print(f"alias added; {entry.articles_updated} articles re-resolved")
    else:
        for entry in editing.audit_log(client, settings.index, size=args.size):
            reverted = f" (reverted by {entry.reverted_by})" if entry.reverted_by else ""
            print(
                f"{entry.at:%Y-%m-%d %H:%M} {entry.id} {entry.actor}: {entry.action} "
                f"{', '.join(entry.entity_ids)} {entry.reason}{reverted}"
            )
    return 0


# --- serve, demo ---------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from search.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Everything the README's run command promises: node, index, sample, service."""
    from search import localnode
    from search.index import schema
    from search.index.client import sync_client
    from search.ingest.run import ingest_paths

    settings, _ = localnode.ensure_running(settings)
    log.info("OpenSearch answers at %s", settings.opensearch_url)
    schema.ensure_index(sync_client(settings), settings.index)
    summary = ingest_paths(
        settings,
        sorted(SAMPLES.glob("*.ndjson")),
        fmt="auto",
        source=None,
        published_at=None,
        dead_letter=None,
        progress=True,
    )
    print_summary(summary.as_dict())
    return cmd_serve(args, settings)


Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsroom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("opensearch", help="provision and run a local OpenSearch node")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(run=cmd_opensearch)

    p = sub.add_parser("index", help="create, migrate or drop the versioned article index")
    p.add_argument("action", choices=["create", "migrate", "drop"])
    p.set_defaults(run=cmd_index)

    cli_ingest.add_parsers(sub)

    p = sub.add_parser("enrich", help="re-run entity extraction over what is indexed")
    p.add_argument(
        "--reindex",
        action="store_true",
        required=True,
        help="read the indexed articles back and write them with fresh entities",
    )
    p.set_defaults(run=cmd_enrich)

    p = sub.add_parser(
        "eval", help="evaluate entity extraction, the facets of an index, copy clustering"
    )
    p.add_argument("task", choices=["ner", "facets", "duplicates"])
    p.add_argument(
        "file",
        nargs="?",
        help="ner: a CoNLL-2003 file; facets: a labels JSON file; duplicates: the corpora "
        "folder (default ../shared/corpora)",
    )
    p.add_argument("--top", type=int, default=50, help="facets: how many top values to judge")
    p.add_argument("--tagged", help="facets: Reuters-21578 NDJSON, for recall of its tags")
    p.add_argument("--seed", type=int, default=1, help="duplicates: seed of the labelled set")
    p.add_argument("--tune", action="store_true", help="duplicates: also vary each parameter alone")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("dedupe", help="cluster copies of a story in what is already indexed")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--reindex",
        action="store_true",
        help="clear every cluster and build them anew from the stored articles",
    )
    how.add_argument(
        "--summaries",
        action="store_true",
        help="store each cluster's copies, outlets and dates on its members again",
    )
    p.set_defaults(run=cmd_dedupe)

    p = sub.add_parser(
        "entities",
        help="the entity registry: consolidate, export, import, log; cross-script alias "
        "proposals, and add-alias ENTITY_ID --alias NAME to confirm one",
    )
    p.add_argument(
        "action",
        choices=["consolidate", "export", "import", "log", "proposals", "add-alias"],
    )
    p.add_argument(
        "file", nargs="?", help="export/import: the curated entities' JSON file; add-alias: the id"
    )
    p.add_argument("--alias", help="add-alias: the name the entity also goes by")
    p.add_argument("--size", type=int, default=50, help="log: how many corrections")
    p.set_defaults(run=cmd_entities)

    for name, run, help_text in (
        ("serve", cmd_serve, "run the API and web UI"),
        ("demo", cmd_demo, "start node, load the sample, serve"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args, Settings())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
