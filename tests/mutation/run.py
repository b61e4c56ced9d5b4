"""`make mutate`: mutation testing of the rule-bearing modules with Cosmic Ray.

Each module below is mutated one change at a time and only its own tests run against each mutant;
a mutant is killed when those tests fail. The run prints the kill rate and every survivor
(file:line, operator and the changed line). A survivor must be killed by a new test or listed, with
the reason, in tests/mutation/equivalent.md, which this run reads.

Why Cosmic Ray and not mutmut 3: mutmut 3 never mutates a decorated function (its trampolines cannot
wrap one), and every service here carries `@transaction.atomic`. Cosmic Ray edits the source file and
runs any command, so Django settings, the apps/ layout and pytest-django need nothing special.

It runs on a copy of the tree (var/mutation/tree-N), never on the working files, so tests run by
someone else at the same time never see a mutant; on SQLite unless MUTATE_USE_ENV=1, each job with a
TIJORI_VAR_DIR of its own, reusing its test database between mutants (--reuse-db).

    python tests/mutation/run.py                  # every module, within MUTATE_BUDGET_MINUTES
    python tests/mutation/run.py quotas api_keys  # modules whose path contains these words
    python tests/mutation/run.py --list           # count the mutants, run nothing

Settings (environment): MUTATE_BUDGET_MINUTES (default 25), MUTATE_JOBS (parallel modules, default 2),
MUTATE_USE_ENV=1 (keep DATABASE_URL/REDIS_URL, e.g. for PostgreSQL).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "mutation"
EQUIVALENT_FILE = Path(__file__).with_name("equivalent.md")


@dataclass
class Target:
    """A module to mutate, the tests that guard it and, optionally, only some of its functions."""

    tests: list[str]
    functions: list[str] = field(default_factory=list)


# Module -> its tests. Keep the test selection small: every mutant pays one pytest start (~5 s).
MODULES: dict[str, Target] = {
    "apps/tenants/services/roles.py": Target(["tests/tenants/services/test_roles.py"]),
    "apps/tenants/services/api_keys.py": Target(
        [
            "tests/tenants/services/test_api_keys.py",
            "tests/tenants/services/test_members.py",
            "tests/tenants/test_api.py",
        ]
    ),
    "apps/core/api/idempotency.py": Target(
        [
            "tests/core/test_idempotency_rules.py",
            "tests/core/test_idempotency_server_errors.py",
            "tests/core/test_idempotency.py",
        ]
    ),
    "apps/audit/services.py": Target(["tests/audit"]),
    "apps/inventory/rules.py": Target(
        [
            "tests/inventory/test_hallmark_rules.py",
            "tests/inventory/test_hallmarking.py",
            "tests/inventory/services/test_stock.py",
            "tests/inventory/test_input_rules.py",
        ]
    ),
    "apps/inventory/hallmarking.py": Target(
        ["tests/inventory/test_hallmarking.py", "tests/inventory/services/test_stock.py"]
    ),
    "apps/provisioning/services/quotas.py": Target(["tests/provisioning/test_quotas.py"]),
    "apps/inventory/services/stock.py": Target(
        ["tests/inventory/services/test_stock.py", "tests/inventory/test_input_rules.py"],
        functions=["_derive_fields", "_check_rules", "_making_charge_error", "hsn_default"],
    ),
    "apps/core/money.py": Target(["tests/core/test_money.py", "tests/gst/test_tax.py"]),
    "apps/gst/tax.py": Target(["tests/gst/test_tax.py"]),
    "apps/gst/periods.py": Target(["tests/gst/test_periods.py"]),
    "apps/gst/numbering.py": Target(["tests/gst/test_numbering.py"]),
    "apps/gst/words.py": Target(["tests/gst/test_words.py"]),
    "apps/invoicing/services/series.py": Target(["tests/invoicing/test_numbering.py"]),
    "apps/invoicing/services/payments.py": Target(["tests/invoicing/test_payments.py"]),
}
BUDGET_MINUTES = float(os.environ.get("MUTATE_BUDGET_MINUTES", "25"))
JOBS = int(os.environ.get("MUTATE_JOBS", "2"))

# Cosmic Ray replaces each operator with every other one; one or two meaningful replacements per
# operator catch the same slips (off-by-one, inverted test, wrong sign) at a fraction of the time.
BINARY = {"Add": "Sub", "Sub": "Add", "Mul": "Div", "Div": "Mul", "FloorDiv": "Mul", "Mod": "FloorDiv"}
BINARY.update(BitOr="BitAnd", BitAnd="BitOr", Pow="Mul")
COMPARISON = {
    "Eq": {"NotEq"},
    "NotEq": {"Eq"},
    "Lt": {"LtE", "GtE"},
    "LtE": {"Lt", "Gt"},
    "Gt": {"GtE", "LtE"},
    "GtE": {"Gt", "Lt"},
    "Is": {"IsNot"},
    "IsNot": {"Is"},
    "In": {"NotIn"},
    "NotIn": {"In"},
}


def _wanted_operator(name: str) -> bool:
    name = name.removeprefix("core/")
    if name.startswith("ReplaceBinaryOperator_"):
        _, old, new = name.split("_")
        return BINARY.get(old) == new
    if name.startswith("ReplaceComparisonOperator_"):
        _, old, new = name.split("_")
        return new in COMPARISON.get(old, ())
    # Removing @transaction.atomic only shows under concurrency: the race tests (PostgreSQL) cover it.
    return name not in {"RemoveDecorator", "ReplaceUnaryOperator_Delete_Not"}


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where type hints are: `str | None` mutated to `str & None` is never evaluated (PEP 563)."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        hints = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            hints.append(node.returns)
        if isinstance(node, ast.arg) and node.annotation:
            hints.append(node.annotation)
        if isinstance(node, ast.AnnAssign):
            hints.append(node.annotation)
        spans += [((h.lineno, h.col_offset), (h.end_lineno, h.end_col_offset)) for h in hints]
    return spans


def _signatures(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where functions' parameters are, from `def` to the first statement of the body.

    Cosmic Ray (parso) offers the bare `*` of keyword-only parameters as an operator to replace; that
    mutant changes no behaviour worth a test. (Type hints, the other operators there, are skipped too.)
    """
    return [
        ((n.lineno, n.col_offset), (n.body[0].lineno, n.body[0].col_offset))
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _enclosing_functions(source: str) -> list[tuple[int, int, str]]:
    return [
        (n.lineno, n.end_lineno, n.name)
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def mutants(module: str, target: Target, tree: Path):
    """The work items for one module, inside the given tree, after pruning."""
    from cosmic_ray.commands.init import _all_work_items

    path = tree / module
    source = path.read_text()
    hints = _annotation_spans(source)
    signatures = _signatures(source)
    functions = _enclosing_functions(source)
    for item in _all_work_items([path], {}):
        spec = item.mutations[0]
        start = tuple(spec.start_pos)
        if not _wanted_operator(spec.operator_name) or any(a <= start < b for a, b in hints):
            continue
        binary = "BinaryOperator" in spec.operator_name
        if binary and any(a <= start < b for a, b in signatures):
            continue
        if target.functions and not any(
            first <= start[0] <= last and name in target.functions for first, last, name in functions
        ):
            continue
        yield item


def _equivalents() -> list[tuple[str, ...]]:
    """Each mutant listed in equivalent.md as "- `module` `operator` `original line`", optionally
    followed by " → `mutated line`" when only one of the mutants of that line is equivalent."""
    text = EQUIVALENT_FILE.read_text() if EQUIVALENT_FILE.exists() else ""
    pattern = r"^- `([^`]+)` `([^`]+)` `([^`]+)`(?: → `([^`]+)`)?"
    return re.findall(pattern, text, flags=re.MULTILINE)


def _is_listed(row: dict, equivalents: list[tuple[str, ...]]) -> bool:
    return any(
        (row["module"], row["operator"], row["original"]) == (module, operator, original)
        and mutated in ("", row.get("mutated"))
        for module, operator, original, mutated in equivalents
    )


def _copy_tree(dest: Path) -> None:
    """The working tree as it is now (tracked and new files, not ignored ones), without the venv."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    if dest.exists():
        shutil.rmtree(dest)
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name.decode())


def _test_command(target: Target, tree: Path) -> str:
    tests = [t for t in target.tests if (tree / t).exists()]
    for missing in sorted(set(target.tests) - set(tests)):
        print(f"  note: {missing} does not exist; running the others", file=sys.stderr)
    return (
        f"{sys.executable} -m pytest -x -q -p no:cacheprovider --reuse-db -o addopts= "
        f"-W ignore::DeprecationWarning {' '.join(tests)}"
    )


def _env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", TIJORI_VAR_DIR=str(var_dir))
    env.pop("TIJORI_REQUIRE_SERVICES", None)  # a skipped PostgreSQL test kills nothing; that is fine here
    if os.environ.get("MUTATE_USE_ENV") != "1":
        for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_READ_URL", "REDIS_URL"):
            env.pop(name, None)
    return env


def worker(module: str, tree: Path, deadline: float, out: Path) -> None:
    """Run one module's mutants in `tree` and write every outcome to `out` (JSON lines)."""
    from cosmic_ray.mutating import mutate_and_test

    target = MODULES[module]
    var_dir = tree.parent / f"{tree.name}-var"
    os.environ.clear()
    os.environ.update(_env(var_dir))
    os.chdir(tree)
    command = _test_command(target, tree)
    started = time.monotonic()
    baseline = subprocess.run(command.split(), capture_output=True, text=True)
    if baseline.returncode != 0:
        print(f"{module}: its tests fail without any mutation:\n{baseline.stdout[-3000:]}", file=sys.stderr)
        sys.exit(2)
    timeout = max(60.0, 3 * (time.monotonic() - started))
    items = list(mutants(module, target, tree))
    with out.open("w") as results:
        for item in items:
            spec = item.mutations[0]
            row = {"module": module, "operator": spec.operator_name.removeprefix("core/")}
            row["line"] = spec.start_pos[0]
            row["original"] = (tree / module).read_text().splitlines()[spec.start_pos[0] - 1].strip()
            if time.time() > deadline:
                row["outcome"] = "not run"
            else:
                result = mutate_and_test(item.mutations, command, timeout)
                row["outcome"] = result.test_outcome.value if result.test_outcome else result.worker_outcome
                row["mutated"] = next(
                    (
                        line[1:].strip()
                        for line in (result.diff or "").splitlines()
                        if line.startswith("+") and not line.startswith("+++")
                    ),
                    "",
                )
            results.write(json.dumps(row) + "\n")
            results.flush()


def _selected(words: list[str]) -> list[str]:
    return [m for m in MODULES if not words or any(w in m for w in words)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("words", nargs="*", help="run only modules whose path contains one of these")
    parser.add_argument("--list", action="store_true", help="count the mutants per module and stop")
    parser.add_argument("--worker", nargs=3, metavar=("MODULE", "TREE", "DEADLINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        module, tree, deadline = args.worker
        worker(module, Path(tree), float(deadline), Path(tree).parent / f"{Path(tree).name}.jsonl")
        return 0

    modules = _selected(args.words)
    if args.list:
        for module in modules:
            print(f"{len(list(mutants(module, MODULES[module], ROOT))):5d}  {module}")
        return 0

    started = time.time()
    deadline = started + BUDGET_MINUTES * 60
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"Mutating {len(modules)} module(s), {JOBS} at a time, budget {BUDGET_MINUTES:g} min")
    running: list[tuple[str, Path, subprocess.Popen]] = []
    queue = list(enumerate(modules))
    failed = []
    while queue or running:
        while queue and len(running) < JOBS:
            index, module = queue.pop(0)
            tree = WORK / f"tree-{index}"
            _copy_tree(tree)
            shutil.rmtree(WORK / f"tree-{index}-var", ignore_errors=True)
            worker_args = ["--worker", module, str(tree), str(deadline)]
            running.append((module, tree, subprocess.Popen([sys.executable, __file__, *worker_args])))
        for entry in list(running):
            module, tree, process = entry
            if process.poll() is not None:
                running.remove(entry)
                minutes = (time.time() - started) / 60
                print(f"  {module} done after {minutes:.1f} min (exit {process.returncode})")
                if process.returncode != 0:
                    failed.append(module)
        time.sleep(1)

    rows = []
    for index, module in enumerate(modules):
        out = WORK / f"tree-{index}.jsonl"
        if out.exists() and module not in failed:
            rows += [json.loads(line) for line in out.read_text().splitlines()]
    return _report(rows, failed, time.time() - started)


def _report(rows: list[dict], failed: list[str], seconds: float) -> int:
    equivalents = _equivalents()
    # Only a survivor can be equivalent: a listed mutant that some test kills counts as killed.
    listed = [r for r in rows if r["outcome"] == "survived" and _is_listed(r, equivalents)]
    tested = [r for r in rows if r["outcome"] != "not run" and r not in listed]
    killed = [r for r in tested if r["outcome"] in ("killed", "incompetent")]
    survivors = [r for r in tested if r not in killed]
    print(f"\nMutation testing took {seconds / 60:.1f} min")
    for module in dict.fromkeys(r["module"] for r in rows):
        mine = [r for r in tested if r["module"] == module]
        dead = sum(r in killed for r in mine)
        skipped = sum(r["module"] == module and r["outcome"] == "not run" for r in rows)
        equal = sum(r["module"] == module for r in listed)
        rate = f"{100 * dead / len(mine):5.1f} %" if mine else "    - "
        print(
            f"  {rate}  {dead:4d}/{len(mine):<4d} killed  {module}  ({equal} equivalent, {skipped} not run)"
        )
    if tested:
        print(f"Kill rate: {100 * len(killed) / len(tested):.1f} % ({len(killed)} of {len(tested)} mutants)")
        everything = len(tested) + len(listed)
        print(
            f"  {len(listed)} more survived and are listed as equivalent in {EQUIVALENT_FILE.name}; "
            f"counted as survivors, {100 * len(killed) / everything:.1f} % of {everything} are killed"
        )
    for r in survivors:
        print(
            f"SURVIVED {r['module']}:{r['line']}  {r['operator']}\n    - {r['original']}\n    + {r['mutated']}"
        )
    not_run = sum(r["outcome"] == "not run" for r in rows)
    if not_run:
        print(f"{not_run} mutants not run: the budget ran out (raise MUTATE_BUDGET_MINUTES)")
    for module in failed:
        print(f"FAILED {module}: its tests do not pass unmutated, or the worker crashed (see above)")
    return 1 if failed or survivors else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
