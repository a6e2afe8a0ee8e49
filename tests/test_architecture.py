"""The layering of the README's Architecture section: domain is pure; nothing imports apps; only
connectors/ and infra/ talk to PostgreSQL; analytics/ gets what infra/ resolves through Settings."""

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


def _packages(*names: str) -> list[Path]:
    return [p for name in names for p in sorted((ROOT / name).rglob("*.py"))]


def test_only_connectors_and_infra_import_psycopg():
    offenders = {
        str(p.relative_to(ROOT)): sorted(imports_of(p) & {"psycopg", "psycopg_pool"})
        for p in _packages("apps", "flows", "analytics", "domain")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_analytics_does_not_import_infra():
    offenders = [str(p.relative_to(ROOT)) for p in _packages("analytics") if "infra" in imports_of(p)]
    assert offenders == []


def test_imports_of_sees_imports_inside_functions(tmp_path):
    # The rules above must also catch a late import tucked inside a function body.
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    import psycopg\n    from infra.maven import x\n")
    assert imports_of(probe) == {"psycopg", "infra"}
