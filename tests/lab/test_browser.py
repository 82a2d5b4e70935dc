"""What a student sees in JupyterLab, checked in a real browser.

The test does what `make lab` does (a student workspace made by `python -m autograder workspace`,
JupyterLab started in it with the student's extensions), opens chapter 01 in the system Chromium
through Playwright, runs all cells, and checks what is on the screen: the environment line, an inline
SVG computational graph, a matplotlib figure, errors only from the blank exercises
(NotImplementedError), nbgrader's Validate button but no instructor tools. Then it types a correct
answer into the first exercise, runs its test cell and waits for the ✓ message, and reruns the
progress table. Screenshots go to test-artifacts/lab/ (look at them: they are what a student sees).

The same chapter in Chinese (a workspace made with `--lang zh`, JupyterLab started as `make lab`
starts it for that workspace): JupyterLab's menus in Chinese (the zh-CN language pack), the environment
line and the chapter's translated prose in Chinese, and a Chinese hint after a wrong answer typed into
the first exercise, the very hint the catalog gives (computed in this process). The kernel learns its
language as in `make lab` without COURSE_LANG: from the notebook JupyterLab opened it for. Until the
translators' catalog lands, a pseudo-Chinese stand-in is used (zh_catalog.py); until the chapter has
its Chinese cells, the prose check is skipped.

`LAB_TEST_CHAPTER=04_vjp_jvp` (and `LAB_TEST_COURSE=<course dir>`) run the same checks on another
chapter.

No browser is ever downloaded: the test uses /usr/bin/chromium (.ci/run installs it) and skips
without it, except when the CI environment variable is set: then a missing browser is an error.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from autograder import languages
from autograder.i18n import _, using
from autograder.student import workspace
from zh_catalog import is_chinese

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
CHAPTER = os.environ.get("LAB_TEST_CHAPTER", "01_leaf_tensors")
COURSE = Path(os.environ.get("LAB_TEST_COURSE", ROOT / "course"))  # another course: for trying the test
SOURCE = COURSE / "source" / CHAPTER / f"{CHAPTER}.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "lab"


def _why_skip() -> str | None:
    if not SOURCE.is_file():
        return f"{SOURCE} is not written yet"
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright (Python) is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        missing = f"no browser at {CHROMIUM} (sudo apt-get install chromium)"
    if missing and os.environ.get("CI"):
        raise RuntimeError(f"the browser test must run on CI, but {missing}")
    return missing


REASON = _why_skip()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


# ------------------------------------------------------------------------------------------- fixtures
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # localhost: never a proxy
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with opener.open(request, timeout=5) as response:
        return response.status


@contextlib.contextmanager
def _jupyterlab(tmp, lang, extra_env=None):
    """JupyterLab serving a fresh student workspace of the chapter in `lang`, as `make lab` starts it."""
    course = tmp / "course"
    shutil.copytree(SOURCE.parent, course / "source" / CHAPTER)
    shutil.copy(COURSE / "nbgrader_config.py", course)
    ws = tmp / "workspace"
    assert workspace.main(["--course", str(course), "--workspace", str(ws), "--lang", lang]) == 0

    port, token = _free_port(), secrets.token_hex(16)
    env = {**{k: v for k, v in os.environ.items() if k != "COURSE_LANG"},  # the notebook says the language
           "JUPYTER_CONFIG_PATH": workspace.jupyter_config_path(lang),  # the student's, as in `make lab`
           "JUPYTER_CONFIG_DIR": str(tmp / "user-config"),  # nothing from ~/.jupyter
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
           **(extra_env or {})}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: to wait for the kernel
               f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'lab-ws'}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    # No "get notified about Jupyter news?" toast over the notebook.
    notification = tmp / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    log_path = tmp / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=ws, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{url}/api/status", token) == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield SimpleNamespace(url=url, token=token, workspace=ws, log=log_path, lang=lang)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a fresh English student workspace of the chapter."""
    with _jupyterlab(tmp_path_factory.mktemp("lab"), "en") as server:
        yield server


@pytest.fixture(scope="module")
def zh_lab(tmp_path_factory):
    """JupyterLab serving a fresh Chinese student workspace of the chapter, speaking the zh catalog (the
    course's, or a stand-in in this process and the server's kernels while the course has none)."""
    from zh_catalog import real_catalog, write_pseudo_catalog

    extra = {}
    if not real_catalog().is_file():
        extra["AUTOGRADER_LOCALE_DIR"] = str(tmp_path_factory.mktemp("locale"))
        write_pseudo_catalog(Path(extra["AUTOGRADER_LOCALE_DIR"]))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in extra.items():
            patch.setenv(name, value)
        with _jupyterlab(tmp_path_factory.mktemp("lab-zh"), "zh", extra) as server:
            yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser, last_screenshot):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    page.screenshot(path=str(ARTIFACTS / last_screenshot))  # the screen at the end (or failure)
    context.close()


@pytest.fixture(scope="module")
def page(lab, browser):
    yield from _new_page(browser, "99-last.png")


@pytest.fixture(scope="module")
def zh_page(zh_lab, browser):
    yield from _new_page(browser, "zh-99-last.png")


# ---------------------------------------------------------------------------- JupyterLab in the page
# Small JS helpers over window.jupyterapp (exposed by --LabApp.expose_app_in_browser).
PANEL = "(window.jupyterapp && window.jupyterapp.shell.currentWidget)"
KERNEL_IDLE = f"""() => {{
    const p = {PANEL};
    const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;
    return !!(p && p.content && p.context.isReady && k && k.status === 'idle');
}}"""
RUN_FINISHED = f"""() => {{
    const p = {PANEL};
    const queued = [...p.content.node.querySelectorAll('.jp-InputPrompt')].some(e => e.textContent.includes('*'));
    const code = p.content.widgets.filter(c => c.model.type === 'code');
    return p.sessionContext.session.kernel.status === 'idle' && !queued
        && code.some(c => c.model.executionCount !== null);
}}"""  # no cell shows [*]: every cell ran, or Run All stopped at an error and dropped the rest
CELLS = f"""() => {PANEL}.content.widgets.map((c, i) => ({{
    index: i, type: c.model.type, grade_id: (c.model.getMetadata('nbgrader') || {{}}).grade_id || null,
    executed: c.model.type !== 'code' || c.model.executionCount !== null,
    execution_count: c.model.type === 'code' ? c.model.executionCount : null,
    outputs: c.model.type === 'code' ? c.model.outputs.toJSON() : []
}}))"""
MARKDOWN = f"""() => {PANEL}.content.widgets.map((c, i) => c.model.type !== 'markdown' ? null : ({{
    index: i, rendered: !!c.rendered,
    text: (c.node.querySelector('.jp-RenderedMarkdown') || {{textContent: ''}}).textContent
}})).filter(c => c)"""
MARK_CELL = f"""([index, name]) => {{
    const cell = {PANEL}.content.widgets[index];
    cell.node.setAttribute('data-lab-test', name);
    {PANEL}.content.activeCellIndex = index;
    cell.node.scrollIntoView({{block: 'center'}});
}}"""


def _screenshot(page, name, locator=None):
    (locator or page).screenshot(path=str(ARTIFACTS / name))


def _open_notebook(page, lab, name):
    page.goto(f"{lab.url}/lab/tree/{urllib.parse.quote(name)}?token={lab.token}")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)


@functools.lru_cache(maxsize=None)
def _lab_strings(lang):
    """JupyterLab's own strings in `lang`: {English (with its context): translation} from the language pack."""
    if lang == "en":
        return {}
    from jupyterlab_server.translation_utils import get_language_pack

    data, message = get_language_pack({"zh": "zh_CN"}[lang])
    assert data, f"JupyterLab's {lang} language pack is not installed: {message}"
    return {key: value[0] for key, value in data["jupyterlab"].items() if key and isinstance(value, list)}


def _lab_label(lang, text, context=None):
    """What JupyterLab shows for `text` in `lang` (a menu title has the context 'menu')."""
    strings = _lab_strings(lang)
    return strings.get(f"{context}\x04{text}" if context else text, strings.get(text, text))


def _run_menu(page, item, lang="en"):
    page.locator(".lm-MenuBar-itemLabel", has_text=_lab_label(lang, "Run", "menu")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=_lab_label(lang, item)).first.click()


def _run_all_cells(page, lang, screenshot):
    """Run > Run All Cells (in the interface's language); the cells once every one has run."""
    _run_menu(page, "Run All Cells", lang)
    for _attempt in range(2):  # twice, a second apart: the kernel is idle for an instant between two cells
        page.wait_for_function(RUN_FINISHED, timeout=120_000)
        page.wait_for_timeout(1000)
    cells = page.evaluate(CELLS)
    _screenshot(page, screenshot)
    not_run = [c["index"] for c in cells if not c["executed"]]
    if not_run:
        stop = [c for c in cells[: not_run[0]] if any(o["output_type"] == "error" for o in c["outputs"])][-1:]
        why = [f"cell {c['index']} ({c['grade_id']}): {o['ename']}" for c in stop for o in c["outputs"]
               if o["output_type"] == "error"]
        pytest.fail(f"Run All Cells stopped at {why or 'an unknown point'}; cells {not_run} did not run. "
                    f"Only a cell tagged raises-exception lets Run All go on after an error.")
    return cells


def _mark(page, index, name):
    page.evaluate(MARK_CELL, [index, name])
    return page.locator(f"[data-lab-test='{name}']")


def _unexpected_errors(cells):
    """Errors other than a blank exercise's (NotImplementedError in its answer or test cell)."""
    ids = {c["grade_id"] for c in cells if c["grade_id"]}
    exercise_cells = {i for i in ids if i.endswith("_tests") or f"{i}_tests" in ids}
    errors = [(c["grade_id"], o["ename"], o["evalue"]) for c in cells for o in c["outputs"]
              if o["output_type"] == "error"]
    if not errors:
        return ["no error at all: the blank exercises should fail with NotImplementedError"]
    return [f"cell {gid}: {ename}: {evalue[:200]}" for gid, ename, evalue in errors
            if gid not in exercise_cells or not (ename == "NotImplementedError" or (
                ename == "CheckFailed" and "NotImplementedError" in evalue))]


def _first_exercise(cells):
    """The first exercise's answer cell (as CELLS gives it) and the index of its test cell."""
    ids = {c["grade_id"] for c in cells if c["grade_id"]}
    answer = next(c for c in cells if c["grade_id"] and f"{c['grade_id']}_tests" in ids)
    return answer, next(c["index"] for c in cells if c["grade_id"] == f"{answer['grade_id']}_tests")


def _answer(page, answer_index, tests_index, code, screenshot):
    """Type `code` into the answer cell (as if pasted), run it and its test cell; the test cell's outputs."""
    editor = _mark(page, answer_index, "answer").locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    before = page.evaluate(CELLS)[tests_index]["execution_count"]
    page.keyboard.press("Shift+Enter")  # runs the answer cell, moves to its test cell
    page.wait_for_function(KERNEL_IDLE)
    page.keyboard.press("Shift+Enter")  # runs the test cell
    page.wait_for_function(f"""() => {PANEL}.content.widgets[{tests_index}].model.executionCount > {before}
                                     && ({KERNEL_IDLE})()""")
    _mark(page, tests_index, "tests").scroll_into_view_if_needed()
    _screenshot(page, screenshot)
    return page.evaluate(CELLS)[tests_index]["outputs"]


def _solution_of(exercise_id):
    """The chapter's own solution of an exercise (the source notebook's answer cell, markers removed)."""
    nb = nbformat.read(SOURCE, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == exercise_id)
    return "\n".join(line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def _images(page, selector):
    """The <img> elements under `selector` that finished loading: their src (data URI)."""
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.complete && e.naturalWidth > 0).map(e => e.getAttribute('src'))")


# ------------------------------------------------------------------------------------------------ test
def test_student_runs_the_chapter_then_solves_an_exercise(lab, page):
    _open_notebook(page, lab, f"{CHAPTER}.ipynb")
    _screenshot(page, "01-opened.png")

    # The student's tools: nbgrader's Validate button, none of the instructor's.
    assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate").count() == 1
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0
    assert page.locator("#nbgrader-create_assignemnt").count() == 0  # nbgrader's own (misspelt) id
    # JupyterLab's own menus in English (the workspace's language), whatever the machine's locale.
    assert {"File", "Edit", "Run", "Kernel"} <= set(page.locator(".lm-MenuBar-itemLabel").all_inner_texts())

    cells = _run_all_cells(page, "en", "02-after-run-all.png")

    problems = []  # what a student would see wrong after Run All (all reported together at the end)

    # First cell: the environment line.
    first_code = next(c for c in cells if c["type"] == "code")
    env_text = "".join(o.get("text", "") for o in first_code["outputs"])
    if not env_text.startswith("✓ Environment ready"):
        problems.append(f"the environment check says: {env_text!r}")

    # Errors: only the blank exercises' NotImplementedError (in their answer cells, or their test cells
    # saying so: "Not attempted yet: ... still raises NotImplementedError").
    problems += _unexpected_errors(cells)

    # An inline SVG computational graph (JupyterLab shows SVG as an <img> of the SVG's data URI).
    svgs = [urllib.parse.unquote(src) for src in _images(page, ".jp-RenderedSVG img")]
    graphs = [i for i, svg in enumerate(svgs)
              if "<svg" in svg and "AccumulateGrad" in svg and re.search(r"\w+Backward\d", svg)]
    if graphs:
        graph = page.locator(".jp-RenderedSVG img").nth(graphs[0])
        graph.scroll_into_view_if_needed()
        _screenshot(page, "03-graph.png", graph)
    else:
        problems.append(f"no computational graph (an SVG naming AccumulateGrad and a *Backward0 node)"
                        f" among {len(svgs)} SVG outputs")

    # A matplotlib figure.
    if _images(page, ".jp-RenderedImage img[src^='data:image/png']"):
        plot = page.locator(".jp-RenderedImage").first
        plot.scroll_into_view_if_needed()
        _screenshot(page, "04-plot.png", plot)
    else:
        problems.append("no matplotlib figure (image/png) is displayed")

    # The student answers the first exercise: replace the stub, run the answer cell, then its tests.
    answer, tests_index = _first_exercise(cells)
    outputs = _answer(page, answer["index"], tests_index, _solution_of(answer["grade_id"]),
                      "05-exercise-answered.png")
    text = "".join(o.get("text", "") for o in outputs)
    assert "✓" in text and not [o for o in outputs if o["output_type"] == "error"], \
        f"the chapter's own solution of {answer['grade_id']}, typed in, did not pass its test cell: {outputs}"

    # The progress table (last cell) now counts the exercise as passed.
    last = _mark(page, len(cells) - 1, "progress")
    last.locator(".jp-InputArea").click()
    before = page.evaluate(CELLS)[-1]["execution_count"]
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"""() => {PANEL}.content.widgets[{len(cells) - 1}].model.executionCount > {before}
                                     && ({KERNEL_IDLE})()""")
    last.scroll_into_view_if_needed()
    _screenshot(page, "06-progress.png", last)
    table = last.locator(".jp-OutputArea-output").inner_text()
    row = [line for line in table.splitlines() if line.strip().startswith(f"{answer['grade_id']} ")]
    assert row and "✓ passed" in row[0], table

    assert not problems, "after Run All Cells:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------- the zh workspace
@pytest.fixture(scope="module")
def zh_cells(zh_lab, zh_page):
    """The Chinese chapter opened and run top to bottom: its cells, as the page has them."""
    _open_notebook(zh_page, zh_lab, f"{CHAPTER}.ipynb")
    _screenshot(zh_page, "zh-01-opened.png")
    return _run_all_cells(zh_page, "zh", "zh-02-after-run-all.png")


def test_zh_student_sees_jupyterlab_and_the_chapters_messages_in_chinese(zh_page, zh_cells):
    menus = zh_page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    expected = [_lab_label("zh", title, "menu") for title in ("File", "Edit", "Run", "Kernel")]
    assert all(is_chinese(title) for title in expected) and set(expected) <= set(menus), menus

    with using("zh"):
        ready = "✓ " + _("Environment ready: torch {version}, minigrad, graphviz and `dot` found; device: "
                         "{device}.").split("{version}")[0]
        progress_title = _("Progress — {chapter} (visible checks; hidden tests run when your work is "
                           "graded)").format(chapter=CHAPTER)
    first_code = next(c for c in zh_cells if c["type"] == "code")
    env_text = "".join(o.get("text", "") for o in first_code["outputs"])
    assert env_text.startswith(ready) and is_chinese(env_text), env_text
    progress_text = "".join(o.get("text", "") for o in zh_cells[-1]["outputs"])
    assert progress_text.splitlines()[:1] == [progress_title], progress_text
    assert not _unexpected_errors(zh_cells), "after Run All Cells:\n" + "\n".join(_unexpected_errors(zh_cells))


def test_zh_student_sees_the_chinese_prose_rendered(zh_page, zh_cells):
    source = nbformat.read(SOURCE, as_version=4)
    if not any(languages.is_twin(c) for c in source.cells):
        pytest.skip(f"{CHAPTER} has no Chinese cells yet")
    zh, en = languages.variant(source, "zh"), languages.variant(source, "en")
    shown = {c["index"]: c for c in zh_page.evaluate(MARKDOWN)}
    missing = []
    for i, (cell, english) in enumerate(zip(zh.cells, en.cells)):
        if cell.cell_type != "markdown" or cell.source == english.source:
            continue
        # Its longest run of Chinese characters that the English cell does not have (bilingual titles).
        longest = max((run for run in re.findall(r"[\u3400-\u9fff]+", cell.source) if run not in english.source),
                      key=len, default=None)
        if longest is None:
            continue
        if not (shown[i]["rendered"] and longest in shown[i]["text"]):
            missing.append(f"cell {i}: {longest!r} not rendered (shows {shown[i]['text'][:80]!r})")
    _mark(zh_page, 0, "title").scroll_into_view_if_needed()
    _screenshot(zh_page, "zh-03-prose.png")
    assert not missing, "\n".join(missing)


def _expected_hint(exercise_id, code):
    """What the visible check of `exercise_id` says about `code` in Chinese, computed in this process (the
    chapter's imports first, as in the notebook)."""
    import ast

    from autograder.exercises import get
    from autograder.exercises.base import MISSING
    from autograder.exercises.expect import CheckFailed

    namespace = {}
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        if cell.cell_type == "code" and all(isinstance(s, (ast.Import, ast.ImportFrom))
                                            for s in ast.parse(cell.source).body):
            exec(cell.source, namespace)
    exec(code, namespace)
    exercise = get(exercise_id)
    with using("zh"), pytest.raises(CheckFailed) as failure:
        exercise(*(namespace.get(name, MISSING) for name in exercise.names))
    return str(failure.value)


def test_zh_wrong_answer_gets_the_chinese_hint(zh_page, zh_cells, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "course"))
    import harness  # the course's catalog of wrong answers

    answer, tests_index = _first_exercise(zh_cells)
    description, code = next((d, src) for ex, d, src in harness.catalog(CHAPTER, "WRONG") if ex == answer["grade_id"])
    expected = _expected_hint(answer["grade_id"], code)
    outputs = _answer(zh_page, answer["index"], tests_index, code, "zh-04-hint.png")
    shown = [o["evalue"] for o in outputs if o["output_type"] == "error"]
    assert shown == [expected], f"{description}: the page shows {shown}, the catalog says {expected!r}"
    assert is_chinese(expected), expected
