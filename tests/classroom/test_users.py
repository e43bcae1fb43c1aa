"""The students' system user names (classroom/users.py), and the guard on the tests' clean-up
(tests/classroom/_users.py): it removes throw-away test users only, never a real class's students.
"""

import pytest

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
