"""The setup files agree with each other: conda users get what pip users get."""
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]

# pip name -> conda-forge name, where they differ
CONDA_NAMES = {"torch": "pytorch", "graphviz": "python-graphviz"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_names_every_runtime_dependency():
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env_text = (ROOT / "environment.yml").read_text()
    listed = {_name(line.strip()[2:]) for line in env_text.splitlines() if line.strip().startswith("- ")}
    missing = [r for r in runtime if CONDA_NAMES.get(_name(r), _name(r)) not in listed]
    assert not missing, f"environment.yml lacks {missing}"
    assert "python-graphviz" in listed and "graphviz" in listed, "conda needs both dot and the Python package"


def test_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_cluster_and_database_dependencies_are_pinned():
    """Every Dask worker must run the main process's distributed; the PostgreSQL driver is chosen."""
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {_name(r): r for r in runtime}
    assert "==" in pins["distributed"] and "==" in pins["psycopg"], pins
    env_text = (ROOT / "environment.yml").read_text()
    assert "distributed==" in env_text and "psycopg==" in env_text
    assert "postgresql" in (ROOT / ".ci" / "run").read_text()  # CI runs the PostgreSQL tests
