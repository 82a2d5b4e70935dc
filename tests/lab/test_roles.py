"""Each role gets the nbgrader extensions it needs: students validate; instructors grade and create.

`make lab` and `make lab-instructor` put jupyter-config/<role> on JUPYTER_CONFIG_PATH. This test reads
the configuration the way JupyterLab and Jupyter Server do (their own config managers), without
starting a server; tests/lab/test_browser.py checks the student's screen in a real browser.
"""
import json
import subprocess
import sys

import pytest

from tiny_course import ROOT

PLUGINS = ["formgrader", "create-assignment", "assignment-list", "course-list", "menu", "validate-assignment"]
READ_CONFIG = """
import json
from jupyter_core.paths import jupyter_config_path
from jupyter_server.extension.config import ExtensionConfigManager
from jupyterlab_server.config import get_static_page_config
server = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
page = get_static_page_config(level="all")
print(json.dumps({"server": server, "disabled": page.get("disabledExtensions", {})}))
"""


def _effective_config(role, tmp_path):
    """Server extensions and disabled lab plugins as a fresh process with the role's config sees them."""
    env = {"JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config" / role),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "empty-user-config"), "PATH": ""}
    out = subprocess.run([sys.executable, "-c", READ_CONFIG], env=env, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    enabled_plugins = {p for p in PLUGINS if not data["disabled"].get(f"@jupyter/nbgrader:{p}")}
    server = {name.rsplit(".", 1)[1] for name, on in data["server"].items() if on and name.startswith("nbgrader.")}
    return enabled_plugins, server


@pytest.mark.parametrize("role, plugins, server", [
    ("student", {"validate-assignment"}, {"validate_assignment"}),
    ("instructor", {"formgrader", "create-assignment", "menu", "validate-assignment"},
     {"formgrader", "validate_assignment"}),
])
def test_role_gets_its_nbgrader_extensions_only(role, plugins, server, tmp_path):
    assert _effective_config(role, tmp_path) == (plugins, server)


def test_installed_nbgrader_still_has_these_plugins():
    """The plugin ids above are nbgrader 0.9's: a renamed plugin would silently stay enabled."""
    import glob

    bundle = "".join(open(f).read() for f in glob.glob(
        f"{sys.prefix}/share/jupyter/labextensions/@jupyter/nbgrader/static/*.js"))
    missing = [p for p in PLUGINS if f'"@jupyter/nbgrader:{p}"' not in bundle]
    assert not missing, f"nbgrader's lab extension no longer defines {missing}"


def test_makefile_starts_each_role_with_its_config():
    makefile = (ROOT / "Makefile").read_text()
    assert "JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/student" in makefile
    assert "JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config/instructor" in makefile
