"""The students' system user names (classroom/users.py), and the guard on the tests' clean-up
(tests/classroom/_users.py): it removes throw-away test users only, never a real class's students.
"""

import os
import pwd
import secrets
import stat
from types import SimpleNamespace

import pytest

from classroom.classroom_spawner import ClassroomSpawner
from classroom.users import system_user_name
from tests.classroom._users import remove_test_users


def test_a_student_gets_the_prefixed_name():
    assert system_user_name("jupyter-", "ann") == "jupyter-ann"
    assert system_user_name("sporelab-test-ab12-", "a" * 13) == "sporelab-test-ab12-" + "a" * 13


@pytest.mark.parametrize("prefix, student", [("jupyter-", "Ann"), ("jupyter-", "a" * 25), ("", "1ann"),
                                             ("jupyter-", "ann.b")])
def test_a_name_linux_refuses_is_a_value_error_naming_it(prefix, student):
    with pytest.raises(ValueError) as caught:
        system_user_name(prefix, student)
    assert str(caught.value) == (f"system user name {prefix + student!r} is not a valid Linux user name "
                                 "(lower-case letters, digits, '-' or '_', at most 32 characters)")


def test_only_throwaway_test_users_can_be_removed():
    with pytest.raises(ValueError, match="prefix must start with 'sporelab-test-' or 'sporelab-bench-', "
                                         "got 'jupyter-'"):
        remove_test_users("jupyter-")


def test_the_length_limit_is_at_32_characters_exactly():
    assert len(system_user_name("jupyter-", "a" * 24)) == 32
    with pytest.raises(ValueError, match="at most 32 characters"):
        system_user_name("jupyter-", "a" * 25)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating system users needs root")
def test_useradd_takes_a_name_at_the_limit_and_one_more_is_the_kits_value_error():
    """The kit's limit is the system's: 32 characters are created for real; at 33 the student gets
    the kit's ValueError before useradd runs, never useradd's CalledProcessError."""
    prefix = f"sporelab-test-{secrets.token_hex(2)}-"                  # 19 characters
    at_limit = ClassroomSpawner(user=SimpleNamespace(name="a" * 13), system_user_prefix=prefix)
    one_more = ClassroomSpawner(user=SimpleNamespace(name="a" * 14), system_user_prefix=prefix)
    try:
        home = at_limit.ensure_home()
        entry = pwd.getpwnam(prefix + "a" * 13)
        assert len(entry.pw_name) == 32 and entry.pw_dir == home
        assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
        with pytest.raises(ValueError, match=r"is not a valid Linux user name .*at most 32 characters"):
            one_more.ensure_home()
        assert not [e.pw_name for e in pwd.getpwall() if e.pw_name == prefix + "a" * 14]
    finally:
        remove_test_users(prefix)
    assert not [e.pw_name for e in pwd.getpwall() if e.pw_name.startswith(prefix)]
