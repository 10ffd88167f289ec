"""What a new user installs, and that README works after the install it documents.

Fast checks read setup.cfg and import the fake with pytest, Hypothesis and responses hidden. The slow ones
(a minute or two, run by ``python -m pytest`` like every other test) build the wheel, inspect it, and install
it into fresh virtual environments with no site-packages of this machine, then run there: README's Python
examples, README's pytest examples (under README's own ini file), the installed contract suite with its
replays, and examples/ installed on its own. pip uses this machine's local package index when pip is set up
with one (offline); otherwise its configured registry.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETUP = configparser.ConfigParser()
SETUP.read(ROOT / "setup.cfg", encoding="utf-8")


def _lines(section: str, key: str) -> list[str]:
    return [line.split("#")[0].strip() for line in SETUP[section][key].splitlines() if line.split("#")[0].strip()]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


# -- fast: what setup.cfg declares ------------------------------------------------------------------------------


def test_every_package_of_the_source_tree_is_installed_under_fakeimagebuilder():
    declared = set(_lines("options", "packages"))
    mapped = dict(line.split(" = ") for line in _lines("options", "package_dir"))
    found = {
        ".".join(("fakeimagebuilder", *init.parent.relative_to(ROOT / "fakeimagebuilder").parts))
        for init in (ROOT / "fakeimagebuilder").rglob("__init__.py")
    } | {
        ".".join(("fakeimagebuilder.contract_tests", *init.parent.relative_to(ROOT / "contract_tests").parts))
        for init in (ROOT / "contract_tests").rglob("__init__.py")
    }

    assert found | {"fakeimagebuilder.fixtures"} == declared
    assert all(name == "fakeimagebuilder" or name.startswith("fakeimagebuilder.") for name in declared)
    assert mapped == {"fakeimagebuilder.contract_tests": "contract_tests", "fakeimagebuilder.fixtures": "fixtures"}


def test_test_tools_are_extras_not_dependencies_of_the_fake():
    extras = {
        name: {_name(r) for r in _lines("options.extras_require", name)} for name in SETUP["options.extras_require"]
    }

    assert {_name(r) for r in _lines("options", "install_requires")} == {"botocore", "boto3"}
    assert extras["pytest"] == {"pytest"}
    assert extras["hypothesis"] == {"hypothesis"}
    assert extras["responses"] == {"responses"}
    assert extras["contract"] == {"pytest", "hypothesis"}


def test_the_fake_imports_and_runs_without_pytest_hypothesis_or_responses():
    hidden = """
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest", "_pytest", "hypothesis", "responses"):
            raise ImportError(f"{name} is hidden")

sys.meta_path.insert(0, Hide())
import boto3
import fakeimagebuilder, fakeimagebuilder.server, fakeimagebuilder.__main__
from fakeimagebuilder import FakeImageBuilder

with FakeImageBuilder() as fake:
    client = boto3.client("imagebuilder", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    assert client.list_image_pipelines()["imagePipelineList"] == []
assert not {"pytest", "hypothesis", "responses"} & set(sys.modules)
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", hidden], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0 and run.stdout == "ok\n", run.stderr


_WITHOUT = """
import runpy, sys
sys.modules[{module!r}] = None  # as if it were not installed
try:
    {use}
except ImportError as error:
    print(type(error).__name__, error)
"""


@pytest.mark.parametrize(
    ("module", "use", "extra"),
    [
        (
            "responses",
            "from fakeimagebuilder import FakeImageBuilder; FakeImageBuilder().mock_requests().__enter__()",
            "responses",
        ),
        ("requests", "import fakeimagebuilder.transports.responses_mock", "responses"),
        ("hypothesis", "import fakeimagebuilder.strategies", "hypothesis"),
        ("hypothesis", "import contract_tests.conftest", "contract"),
        ("pytest", "runpy.run_module('fakeimagebuilder.contract_tests', run_name='__main__')", "contract"),
        ("pytest", "runpy.run_module('fakeimagebuilder.contract_tests.sweep', run_name='__main__')", "contract"),
        ("pytest", "import fakeimagebuilder.pytest_plugin", "pytest"),
    ],
)
def test_a_feature_whose_extra_is_missing_names_the_extra(module: str, use: str, extra: str):
    run = subprocess.run(
        [sys.executable, "-c", _WITHOUT.format(module=module, use=use)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ModuleNotFoundError ")
    assert f"needs {module}, which is not installed: " in run.stdout
    assert f'pip install "fakeimagebuilder[{extra}]"' in run.stdout


def test_examples_require_only_published_packages():
    project = tomllib.loads((ROOT / "examples" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = {_name(r) for r in project["dependencies"]}
    for requirements in project["optional-dependencies"].values():
        named |= {_name(r) for r in requirements}

    # fakeimagebuilder is not on PyPI: naming it made `pip install ./examples[test]` fail on its own.
    assert "fakeimagebuilder" not in named
    assert named == {"boto3", "pytest", "hypothesis", "moto"}


def test_readme_sets_dummy_credentials_before_its_first_example():
    section = _section("Use it from Python")

    assert section.index("export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing") < section.index(
        "```python"
    )


def test_readme_commands_are_the_ones_ci_runs():
    quick = _section("Quick start")
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)[:2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    assert commands == [
        'python -m pip install -e ".[contract]" && python -m pytest contract_tests',
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
    assert all(f"\n{command}\n" in ci for command in commands)


# -- slow: the wheel, and fresh environments ----------------------------------------------------------------------


def _pip_env() -> dict[str, str]:
    """pip's environment: this machine's local package indexes only, when pip is set up with any."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "PIP_INDEX_URL", "VIRTUAL_ENV"))}
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60
    ).stdout
    local = [url for url in re.findall(r"file://\S+?(?=['\s])", listed) if Path(url[len("file://") :]).is_dir()]
    if local:
        env["PIP_INDEX_URL"] = local[0]
        env["PIP_EXTRA_INDEX_URL"] = " ".join(local[1:])
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the source (a build writes build/ next to it)."""
    source = tmp_path_factory.mktemp("source") / "fakeimagebuilder"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".*_cache", ".benchmarks"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)], out, _pip_env())
    (built,) = out.glob("fakeimagebuilder-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[Path]:
    """A new virtual environment (no site-packages of this machine) with the wheel and README's test extras."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], venv.parent)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", f"{wheel}[pytest,hypothesis]"], venv.parent, _pip_env())
    yield python


def _user_env(home: Path) -> dict[str, str]:
    """A user's shell with no AWS setup at all: only what README tells them to export is added."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def test_the_wheel_holds_fakeimagebuilder_only_with_the_suite_and_its_fixtures(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    fixtures = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").glob("*/*.json"))
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    required = {
        _name(line.split(":", 1)[1])
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }

    assert tops == {"fakeimagebuilder", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    assert "fakeimagebuilder/contract_tests/conftest.py" in names and "fakeimagebuilder/py.typed" in names
    assert fixtures and all(f"fakeimagebuilder/{f}" in names for f in fixtures)
    assert required == {"botocore", "boto3"}


def test_readme_python_examples_run_after_the_documented_install(fresh: Path, tmp_path: Path):
    section = _section("Use it from Python")
    exported = dict(re.findall(r"(AWS_\w+)=(\S+)", re.search(r"```sh\n(export .*?)\n```", section).group(1)))
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 3

    for number, block in enumerate(blocks):
        script = tmp_path / f"example_{number}.py"
        script.write_text(block, encoding="utf-8")
        _run([str(fresh), str(script)], tmp_path, {**_user_env(tmp_path), **exported}, timeout=120)


def test_readme_pytest_examples_pass_with_readme_s_ini_file(fresh: Path, tmp_path: Path):
    section = _section("Use it in your tests")
    source = "\n\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    (ini,) = re.findall(r"```ini\n(.*?)```", section, re.S)
    (tmp_path / "test_readme.py").write_text(source, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(ini, encoding="utf-8")
    tests = re.findall(r"^def (test_\w+)", source, re.M)

    out = _run(
        [str(fresh), "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers"], tmp_path, _user_env(tmp_path)
    )

    assert "region eu-west-1" in out  # README's ini file reached the plugin (and its network guard was on)
    assert re.search(rf"=+ {len(tests)} passed in [0-9.]+s =+$", out.splitlines()[-1])


def test_the_installed_contract_suite_runs_with_its_replays(fresh: Path, tmp_path: Path):
    out = _run([str(fresh), "-m", "fakeimagebuilder.contract_tests", "-rA"], tmp_path, _user_env(tmp_path))

    replays = re.findall(r"^PASSED \S*test_fixtures\.py::test_fixture_replays\[fake-(\S+)\]", out, re.M)
    assert sorted(replays) == sorted(f"{p.parent.name}/{p.stem}" for p in (ROOT / "fixtures").glob("*/*.json"))
    assert " failed" not in out.splitlines()[-1] and " skipped" not in out.splitlines()[-1]
    assert "PytestAssertRewriteWarning" not in out and " warning" not in out.splitlines()[-1]
    assert (tmp_path / ".pytest_cache").is_dir()  # pytest's cache where the user ran it, not in site-packages
    assert "contract_tests" not in {p.name for p in Path(str(fresh)).parents[1].glob("lib/python*/site-packages/*")}


def test_the_installed_suite_takes_its_options(fresh: Path, tmp_path: Path):
    run = subprocess.run(
        [str(fresh), "-m", "fakeimagebuilder.contract_tests", "--target", "endpoint", "--endpoint-url",
         "http://127.0.0.1:9"],
        cwd=tmp_path,
        env=_user_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert run.stderr.startswith("ERROR: --endpoint-url http://127.0.0.1:9 does not answer")


def test_examples_install_on_their_own_and_pass(fresh: Path, tmp_path: Path):
    project = tmp_path / "ami-release"
    shutil.copytree(ROOT / "examples", project, ignore=shutil.ignore_patterns("__pycache__", ".*_cache"))
    _run([str(fresh), "-m", "pip", "install", "-q", f"{project}[test]"], tmp_path, _pip_env())

    # Without the moto extra (moto is not in every local index): everything but test_publish.py, which needs it.
    out = _run(
        [str(fresh), "-m", "pytest", "-p", "no:cacheprovider", "--ignore", "tests/test_publish.py"],
        project,
        _user_env(tmp_path),
    )

    assert " passed" in out.splitlines()[-1] and "failed" not in out.splitlines()[-1]
