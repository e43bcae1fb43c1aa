"""classroom/z2jh/config.yaml against the Zero to JupyterHub chart's own schema.

As helm does: the config is deep-merged over the chart's values.yaml (dicts key by key, anything
else replaced) and the result validated with the chart's values.schema.json (JSON Schema draft 7,
``additionalProperties: false`` on most levels), so a misspelt key fails here, not at
``helm install``. The chart's files are in classroom/z2jh/chart/ (BSD-3-Clause, see its README).
"""

import copy
import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")

Z2JH = Path(__file__).resolve().parents[2] / "classroom" / "z2jh"


def merge(base, override):
    """helm's merge of values: dicts merged key by key, every other value replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="module")
def chart():
    schema = json.loads((Z2JH / "chart" / "values.schema.json").read_text())
    values = yaml.safe_load((Z2JH / "chart" / "values.yaml").read_text())
    return jsonschema.Draft7Validator(schema), values


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((Z2JH / "config.yaml").read_text())


def errors(validator, values):
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values))


def test_the_config_merged_over_the_charts_values_is_valid(chart, config):
    validator, values = chart
    assert errors(validator, merge(values, config)) == []


def test_the_check_catches_a_misspelt_key(chart, config):
    validator, values = chart
    bad = merge(config, {"singleuser": {"memroy": {"limit": "1G"}}})
    found = errors(validator, merge(values, bad))
    assert found == ["singleuser: Additional properties are not allowed ('memroy' was unexpected)"]


def test_the_config_holds_what_the_classroom_measured(config):
    user = config["singleuser"]
    assert user["memory"] == {"guarantee": "300M", "limit": "1G"}        # = Spawner.mem_limit
    assert user["startTimeout"] == 600 and user["defaultUrl"] == "/lab"
    assert config["cull"] == {"enabled": True, "timeout": 3600, "every": 300}
    extensions = user["extraFiles"]["sporelab-student-config"]["data"]["ServerApp"]["jpserver_extensions"]
    assert extensions == {"jupyter_lsp": False, "notebook": False}
    assert "SharedPasswordAuthenticator" not in config["hub"]["config"]  # passwords: at install time


def test_first_use_by_default_and_https_through_the_charts_proxy(config):
    hub = config["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] == "firstuse"
    assert hub["FirstUseAuthenticator"] == {"create_users": True, "min_password_length": 8}
    assert config["proxy"]["https"]["enabled"] is True and config["proxy"]["https"]["type"] == "letsencrypt"


def test_the_roster_overlay_is_valid_and_runs_the_classrooms_authenticator(chart, config):
    validator, values = chart
    roster = yaml.safe_load((Z2JH / "roster.yaml").read_text())
    assert errors(validator, merge(merge(values, config), roster)) == []
    hub = merge(config, roster)["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "classroom.authenticator.ClassroomAuthenticator"
    assert hub["config"]["Authenticator"]["allow_all"] is False
    mounted = {Path(f["mountPath"]).name for f in hub["extraFiles"].values()}
    assert mounted == {"passwords.json", "__init__.py", "authenticator.py", "credentials.py",
                       "passwords.py", "throttle.py"}
    # every module the authenticator imports from the package is mounted
    import ast
    imported = {n.module.split(".")[1] + ".py" for path in ("authenticator.py", "credentials.py")
                for n in ast.walk(ast.parse((Z2JH.parent / path).read_text()))
                if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("classroom.")}
    assert imported <= mounted, imported - mounted
