"""Who gets in, tried against a real hub: a roster class behind HTTPS (conftest.roster_classroom).

Every way in that should be refused is tried through the login form as a browser would and
shown refused, with the other student's server, files and API out of reach. The tests run in
file order on one hub (one start for the module).
"""

import asyncio
import json
import re
import subprocess
import sys
import time

import aiohttp
import pytest

from classroom.serve import REPO
from classroom.student_client import Student
from classroom.throttle import Throttle
from tests.classroom.conftest import TEST_THROTTLE

BEN_WORK = "ben's answer: 0.4714"
REFUSED = "Invalid username or password"


def run(coro, timeout=600):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def student(room, context, name, password):
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                    connector=aiohttp.TCPConnector(ssl=context),
                                    timeout=aiohttp.ClientTimeout(total=300))
    return Student(room.url, name, password, session=session)


async def try_login(room, context, name, password):
    """(status, page text) of one login through the form, not starting a server."""
    s = student(room, context, name, password)
    try:
        page = await s.session.get(f"{room.url}/hub/login")
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', await page.text())[1]
        async with s.session.post(f"{room.url}/hub/login?next=/hub/home", allow_redirects=False,
                                  data={"username": name, "password": password, "_xsrf": xsrf}) as r:
            return r.status, await r.text()
    finally:
        await s.close()


async def reach_bens_work(s):
    """What a session gets from ben's server and the hub's idea of who it is."""
    async with s.session.get(f"{s.hub}/user/ben/api/contents/work.txt?content=1") as r:
        work = (r.status, await r.text())
    async with s.session.get(f"{s.hub}/hub/api/user") as r:
        who = (r.status, await r.text())
    return work, who


def test_ben_logs_in_with_his_own_password_and_saves_work(roster_classroom):
    room, context = roster_classroom

    async def lesson():
        ben = student(room, context, "ben", room.passwords["ben"])
        status, _ = await ben.login()
        assert status == 200
        await ben.wait_server(timeout=300)
        await ben.open_lab()
        await ben.server_api("PUT", "/api/contents/work.txt",
                             {"type": "file", "format": "text", "content": BEN_WORK})
        _, model = await ben.server_api("GET", "/api/contents/work.txt?content=1")
        await ben.close()
        return model["content"]

    assert run(lesson()) == BEN_WORK


@pytest.mark.parametrize("name, password_of", [
    ("ben", "class password"), ("ben", "ann"), ("mallory", "ann"), ("teacher", "ann")])
def test_nobody_gets_in_as_another_student(roster_classroom, name, password_of):
    room, context = roster_classroom
    password = room.secrets["class_password"] if password_of == "class password" else room.passwords[password_of]

    async def intrude():
        status, page = await try_login(room, context, name, password)
        s = student(room, context, name, password)
        try:
            await s.login(next_url="/hub/home")
            return status, page, await reach_bens_work(s)
        finally:
            await s.close()

    status, page, (work, who) = run(intrude())
    assert status == 403 and REFUSED in page
    assert who[0] == 403
    assert BEN_WORK not in work[1] and work[0] != 200 or "/hub/login" in work[1], work


def test_a_logged_in_student_cannot_reach_another_students_server(roster_classroom):
    room, context = roster_classroom

    async def peek():
        ann = student(room, context, "ann", room.passwords["ann"])
        try:
            status, _ = await ann.login(next_url="/hub/home")
            assert status == 200
            work, who = await reach_bens_work(ann)
            async with ann.session.get(f"{room.url}/hub/api/users/ben") as r:
                api = r.status
            return work, json.loads(who[1])["name"], api
        finally:
            await ann.close()

    work, who, api = run(peek())
    assert who == "ann"
    assert work[0] == 403 and BEN_WORK not in work[1]
    assert api == 404                 # the hub does not even say that ben exists to ann


def test_tls_is_verified_and_every_cookie_is_secure(roster_classroom):
    room, context = roster_classroom

    async def cookies():
        ben = student(room, context, "ben", room.passwords["ben"])
        try:
            status, _ = await ben.login(next_url="/hub/home")
            assert status == 200
            await ben.open_lab()
            return {(m.key, m["path"]): bool(m["secure"]) for m in ben.session.cookie_jar}
        finally:
            await ben.close()

    async def unverified():
        async with aiohttp.ClientSession() as plain:      # the system CAs only: the test CA is unknown
            await plain.get(f"{room.url}/hub/login")

    assert room.url.startswith("https://127.0.0.1:")
    seen = run(cookies())
    names = {key for key, _ in seen}
    assert {"jupyterhub-session-id", "jupyterhub-hub-login", "_xsrf", "jupyterhub-user-ben"} <= names, seen
    assert ("_xsrf", "/user/ben/") in seen, seen          # the student server's own xsrf cookie
    assert all(seen.values()), [k for k, secure in seen.items() if not secure]
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        run(unverified())


def test_fifty_wrong_tries_for_one_name_are_slowed_and_the_right_password_still_works(roster_classroom):
    room, context = roster_classroom
    throttle = Throttle(TEST_THROTTLE["free_failures"], TEST_THROTTLE["first_delay"],
                        TEST_THROTTLE["max_delay"])
    least = sum(throttle.delay_after(n) for n in range(1, 50))    # the waits between 50 tries

    async def guess(name):
        answers, early, start = [], [], time.monotonic()
        while len(answers) < 50:
            status, page = await try_login(room, context, name, "a-wrong-guess")
            if status == 429:
                early.append(re.search(r"Too many failed logins[^<]*", page)[0])
                await asyncio.sleep(0.02)
            else:
                answers.append((status, REFUSED in page))
        return time.monotonic() - start, answers, early

    elapsed, answers, early = run(guess("cy"))
    assert answers == [(403, True)] * 50
    assert elapsed >= least, (elapsed, least)
    assert len(early) >= 46 and set(early) == {
        "Too many failed logins for this name or from this address. Try again in 1 s."}
    # a name that does not exist: the very same answers
    _, unknown_answers, unknown_early = run(guess("nobody"))
    assert unknown_answers == answers and set(unknown_early) == set(early)
    time.sleep(TEST_THROTTLE["max_delay"])
    assert run(try_login(room, context, "cy", room.passwords["cy"]))[0] == 302


def test_the_teacher_resets_a_password_from_the_admin_page_and_bens_work_stays(roster_classroom):
    room, context = roster_classroom
    old = room.passwords["ben"]

    async def reset():
        teacher = student(room, context, "teacher", room.secrets["teacher_password"])
        ann = student(room, context, "ann", room.passwords["ann"])
        try:
            assert (await teacher.login(next_url="/hub/home"))[0] == 200
            async with teacher.session.get(f"{room.url}/hub/admin") as r:
                admin_page = await r.text()
            assert '<a class="nav-link" href="/hub/classroom/passwords">Reset a password</a>' in admin_page
            async with teacher.session.get(f"{room.url}/hub/classroom/passwords") as r:
                page = await r.text()
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)[1]
            async with teacher.session.post(f"{room.url}/hub/classroom/passwords",
                                            data={"name": "ben", "_xsrf": xsrf}) as r:
                done = await r.text()
            assert (await ann.login(next_url="/hub/home"))[0] == 200
            async with ann.session.get(f"{room.url}/hub/classroom/passwords") as r:
                by_a_student = r.status
            async with ann.session.get(f"{room.url}/hub/home") as r:
                assert "classroom/passwords" not in await r.text()
            return page, done, by_a_student
        finally:
            await teacher.close()
            await ann.close()

    page, done, by_a_student = run(reset())
    assert '<button name="name" value="ben">reset</button>' in page
    new = re.search(r"ben: new password ([a-z0-9-]+) ", done)[1]
    assert new != old and by_a_student == 403
    assert run(try_login(room, context, "ben", old))[0] == 403
    assert run(try_login(room, context, "ben", new))[0] == 302

    async def bens_work():
        ben = student(room, context, "ben", new)
        try:
            assert (await ben.login(next_url="/hub/home"))[0] == 200
            await ben.open_lab()
            _, model = await ben.server_api("GET", "/api/contents/work.txt?content=1")
            return model["content"]
        finally:
            await ben.close()

    assert run(bens_work()) == BEN_WORK
    room.passwords["ben"] = new
    slips = (room.private / "passwords.csv").read_text()
    assert f"ben,Ben B.,,{new}\n" in slips and old not in slips


def test_a_reset_by_command_reaches_the_running_hub(roster_classroom):
    room, context = roster_classroom
    done = subprocess.run([sys.executable, "-m", "classroom.passwords", "reset", "ann",
                           "--state", str(room.state)], cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=True)
    new = re.fullmatch(r"ann: new password ([a-z0-9-]+) \(also in .*passwords.csv\)\n", done.stdout)[1]
    assert run(try_login(room, context, "ann", room.passwords["ann"]))[0] == 403
    assert run(try_login(room, context, "ann", new))[0] == 302
    room.passwords["ann"] = new
    refused = subprocess.run([sys.executable, "-m", "classroom.passwords", "reset", "mallory",
                              "--state", str(room.state)], cwd=REPO, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 1 and refused.stderr == "reset: 'mallory' is not on the roster\n"


def test_no_password_or_token_in_logs_argv_or_a_students_environment(roster_classroom):
    import psutil
    room, _ = roster_classroom
    secret_values = [*room.passwords.values(), room.secrets["teacher_password"],
                     room.secrets["admin_token"], room.secrets["proxy_token"], room.secrets["culler_token"]]
    for log in (room.private / "logs").glob("*.log"):
        text = log.read_text(errors="replace")
        assert [s for s in secret_values if s in text] == [], log
    for proc in psutil.process_iter():
        try:
            argv = "\0".join(proc.cmdline())
        except (psutil.Error, OSError):
            continue
        assert [s for s in secret_values if s in argv] == [], proc.pid
    students = [p for p in room.processes() if p.environ().get("JUPYTERHUB_USER") == "ben"]
    assert students, "ben's server is not running"
    for proc in students:
        env = "\n".join(proc.environ().values())
        assert [s for s in secret_values if s in env] == [], proc.cmdline()
