"""The classroom's authenticator without a hub: roster, first use, slow guessing per name and
per address, the same answer for a name that does not exist. (A real hub: test_auth_hub.py.)"""

import asyncio
import time
from types import SimpleNamespace

import pytest

pytest.importorskip("jupyterhub")
from tornado import web

from classroom.authenticator import ClassroomAuthenticator
from classroom.passwords import PasswordStore
from classroom.throttle import Throttle


def form(name, password, ip="10.0.0.1"):
    return SimpleNamespace(request=SimpleNamespace(remote_ip=ip)), {"username": name, "password": password}


def login(auth, name, password, ip="10.0.0.1"):
    return asyncio.run(auth.authenticate(*form(name, password, ip)))


@pytest.fixture
def roster_auth(tmp_path):
    PasswordStore(tmp_path / "passwords.json").set("ann", "ann-secret-1")
    PasswordStore(tmp_path / "passwords.json").set("ben", "ben-secret-2")
    return ClassroomAuthenticator(private_dir=str(tmp_path), allowed_users={"ann", "ben"},
                                  admin_users={"teacher"}, free_failures=2, first_delay=0.2,
                                  max_delay=0.4, free_failures_per_address=5)


def test_a_roster_student_gets_in_with_their_own_password_only(roster_auth):
    assert login(roster_auth, "ann", "ann-secret-1") == "ann"
    assert login(roster_auth, "ANN", "ann-secret-1") == "ann"
    assert login(roster_auth, "ann", "ben-secret-2") is None
    assert login(roster_auth, "ben", "ann-secret-1") is None
    assert login(roster_auth, "eve", "ann-secret-1") is None        # not on the roster
    assert login(roster_auth, "teacher", "anything-at-all") is None  # no first use with a roster
    assert not roster_auth.check_allowed("eve") and roster_auth.check_allowed("ann")


def test_first_use_sets_the_password_and_the_name_is_then_taken(tmp_path):
    auth = ClassroomAuthenticator(private_dir=str(tmp_path), first_use=True)
    with pytest.raises(web.HTTPError) as short:
        login(auth, "cy", "short")
    assert short.value.status_code == 403
    assert short.value.log_message == "A new name's password must have at least 8 characters."
    assert login(auth, "cy", "cy-first-pass") == "cy"
    assert login(auth, "cy", "another-password") is None
    assert login(auth, "cy", "cy-first-pass") == "cy"
    assert PasswordStore(tmp_path / "passwords.json").check("cy", "cy-first-pass")


def refused_with_429(auth, name, password, ip="10.0.0.1"):
    with pytest.raises(web.HTTPError) as caught:
        login(auth, name, password, ip)
    assert caught.value.status_code == 429
    return caught.value.log_message


def test_guessing_one_name_slows_down_and_the_right_password_works_after_the_wait(roster_auth):
    assert [login(roster_auth, "ann", "guess") for _ in range(3)] == [None] * 3   # 2 free, then 0.2 s
    message = refused_with_429(roster_auth, "ann", "ann-secret-1")   # even the right one, for now
    assert message == "Too many failed logins for this name or from this address. Try again in 1 s."
    assert login(roster_auth, "ben", "ben-secret-2") == "ben"         # other names are not slowed
    time.sleep(0.25)
    assert login(roster_auth, "ann", "guess") is None                 # 4th failure: 0.4 s
    refused_with_429(roster_auth, "ann", "ann-secret-1")
    time.sleep(0.45)
    assert login(roster_auth, "ann", "ann-secret-1") == "ann"
    assert login(roster_auth, "ann", "guess") is None                 # a success cleared the count


def test_a_name_that_does_not_exist_is_answered_exactly_as_one_that_does(roster_auth):
    for name in ("ann", "nobody"):
        assert [login(roster_auth, name, "guess") for _ in range(3)] == [None] * 3
    assert refused_with_429(roster_auth, "ann", "x") == refused_with_429(roster_auth, "nobody", "x")


def test_one_address_guessing_many_names_slows_down_that_address_only(roster_auth):
    for i in range(5):
        assert login(roster_auth, f"name{i}", "guess", ip="10.0.0.9") is None
    assert login(roster_auth, "x5", "guess", ip="10.0.0.9") is None           # 6th: over the limit
    refused_with_429(roster_auth, "ben", "ben-secret-2", ip="10.0.0.9")
    assert login(roster_auth, "ben", "ben-secret-2", ip="10.0.0.2") == "ben"  # another address


def test_a_password_over_1024_characters_is_refused_without_an_error(roster_auth):
    assert login(roster_auth, "ann", "a" * 5000) is None


def test_the_throttle_doubles_up_to_the_ceiling_and_refuses_bad_settings():
    t = Throttle(free=3, first_delay=0.5, max_delay=3.0)
    assert [t.delay_after(n) for n in range(1, 9)] == [0, 0, 0, 0.5, 1.0, 2.0, 3.0, 3.0]
    with pytest.raises(ValueError) as caught:
        Throttle(free=1, first_delay=2.0, max_delay=1.0)
    assert str(caught.value) == ("Throttle: expected free >= 0 and 0 < first_delay <= max_delay, "
                                 "got free=1, first_delay=2.0, max_delay=1.0")


def test_made_up_names_do_not_fill_the_hubs_memory(monkeypatch):
    import classroom.throttle as throttle
    monkeypatch.setattr(throttle, "MAX_KEYS", 10)
    t = Throttle(free=0, first_delay=1.0, max_delay=1.0)
    for i in range(10):
        t.fail(f"old{i}", now=0)
    t.fail("new", now=throttle.FORGET_AFTER + 10)        # the old ones are quiet: forgotten
    assert list(t._failures) == ["new"]
    for i in range(9):
        t.fail(f"busy{i}", now=throttle.FORGET_AFTER + 10)
    t.fail("one-more", now=throttle.FORGET_AFTER + 11)   # none quiet: the oldest half goes
    assert len(t._failures) == 6 and t.wait("one-more", now=throttle.FORGET_AFTER + 11) == 1.0


def test_two_first_logins_for_one_name_at_once_only_the_first_takes_it(tmp_path):
    auth = ClassroomAuthenticator(private_dir=str(tmp_path), first_use=True)

    async def both():
        return await asyncio.gather(auth.authenticate(*form("dee", "dee-password-1")),
                                    auth.authenticate(*form("dee", "eve-password-2")))

    assert sorted(map(str, asyncio.run(both()))) == ["None", "dee"]
    store = PasswordStore(tmp_path / "passwords.json")
    assert store.check("dee", "dee-password-1") != store.check("dee", "eve-password-2")
