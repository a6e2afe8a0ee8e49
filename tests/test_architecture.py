"""The arrows of STYLE.md: domain is pure; nothing imports apps; domain imports only domain."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_DOMAIN = {
    "bytewax", "confluent_kafka", "psycopg", "faster_whisper", "openai", "pyspark",
    "fastapi", "connectors", "flows", "apps", "analytics", "infra", "polars", "httpx",
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_io_library():
    offenders = {
        str(p.relative_to(ROOT)): sorted(imports_of(p) & FORBIDDEN_IN_DOMAIN)
        for p in (ROOT / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_below_apps_imports_apps():
    for pkg in ("domain", "connectors", "flows", "analytics"):
        for p in (ROOT / pkg).rglob("*.py"):
            assert "apps" not in imports_of(p), f"{p} imports apps"


def test_connectors_do_not_import_flows():
    for p in (ROOT / "connectors").rglob("*.py"):
        assert not imports_of(p) & {"flows", "analytics"}, p
