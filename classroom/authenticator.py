"""Who gets into the classroom hub: every student with a password of their own.

``ClassroomAuthenticator`` checks the login form against the password store (passwords.py):
- with a roster (``allowed_users``), only roster names get in, each with its generated password;
- without one (``first_use = True``), the first login under a free name sets its password and
  the name is then taken; a taken name with another password is refused.
Guessing is slow: after ``free_failures`` failures for one name (typed, known or not) or
``free_failures_per_address`` from one client address, each further try must wait
``first_delay``, then twice as long, up to ``max_delay``; a try too early is refused with 429 and
the same words whether or not the name exists. The right password works once the wait is over.

The teacher (an admin) resets a student's password at ``/hub/classroom/passwords`` (linked from
the banner) or with ``python -m classroom.passwords reset NAME``; the student's files stay.
"""

import asyncio
import html
import json
from pathlib import Path

from jupyterhub import orm
from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from tornado import web
from traitlets import Bool, Float, Integer, Unicode, default

from classroom.credentials import reset_password
from classroom.passwords import PasswordStore

REFUSED = "Invalid username or password"
# Long enough for any passphrase, short enough that hashing it costs nothing extra.
MAX_PASSWORD = 1024


class ClassroomAuthenticator(Authenticator):
    private_dir = Unicode(help="The classroom's private state folder (password store, settings).",
                          config=True)
    first_use = Bool(False, help="A free name's first login sets its password.", config=True)
    min_password_length = Integer(8, config=True)
    free_failures = Integer(3, help="Failures per name before tries slow down.", config=True)
    free_failures_per_address = Integer(
        60, config=True, help="Failures per client address before tries slow down: above a class's "
        "size, since a room behind one NAT address shares it.")
    first_delay = Float(1.0, help="The first wait (s); each further failure doubles it.", config=True)
    max_delay = Float(60.0, help="The longest wait (s).", config=True)

    @default("any_allow_config")
    def _any_allow_config(self):
        return True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from classroom.throttle import Throttle
        self.store = PasswordStore(Path(self.private_dir) / "passwords.json")
        self.per_name = Throttle(self.free_failures, self.first_delay, self.max_delay)
        self.per_address = Throttle(self.free_failures_per_address, self.first_delay, self.max_delay)
        self._claiming = asyncio.Lock()

    def check_allowed(self, username, authentication=None):
        if self.first_use:
            return True
        return super().check_allowed(username, authentication)

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        address = handler.request.remote_ip
        wait = max(self.per_name.wait(name), self.per_address.wait(address))
        if wait > 0:
            raise web.HTTPError(429, f"Too many failed logins for this name or from this address. "
                                     f"Try again in {int(wait) + 1} s.")
        if self._accepted(name) and 0 < len(password) <= MAX_PASSWORD:
            if await asyncio.to_thread(self.store.check, name, password):
                self.per_name.succeed(name)
                return name
            if self.first_use and name not in self.store and self.validate_username(name):
                claimed = await self._claim(name, password)
                if claimed:
                    return claimed
        else:
            await asyncio.to_thread(self.store.check, "", password[:MAX_PASSWORD])  # same time
        self.per_name.fail(name)
        self.per_address.fail(address)
        return None

    def _accepted(self, name):
        return self.first_use or name in self.allowed_users or name in self.admin_users

    async def _claim(self, name, password):
        if len(password) < self.min_password_length:
            raise web.HTTPError(403, f"A new name's password must have at least "
                                     f"{self.min_password_length} characters.")
        async with self._claiming:      # two first logins at once: the first one takes the name
            if name in self.store:
                return None
            await asyncio.to_thread(self.store.set, name, password)
        self.log.info("first login of %s: password set", name)
        return name

    def get_handlers(self, app):
        return super().get_handlers(app) + [(r"/classroom/passwords", PasswordsHandler)]


class PasswordsHandler(BaseHandler):
    """The teacher's page: reset a student's password (admins only)."""

    def _admin(self):
        user = self.current_user
        if user is None or not getattr(user, "admin", False):
            raise web.HTTPError(403, "only the teacher (an admin) can reset passwords")

    def _page(self, message=""):
        names = sorted(u.name for u in self.db.query(orm.User) if not u.admin)
        rows = "".join(f'<li>{html.escape(n)} <button name="name" value="{html.escape(n)}">reset</button></li>'
                       for n in names)
        return (f"<!doctype html><meta charset=utf-8><title>Reset a password</title>"
                f"<h1>Reset a student's password</h1><p id=message>{html.escape(message)}</p>"
                f'<form method=post>{self.xsrf_form_html()}<ul>{rows}</ul></form>'
                f'<p><a href="{self.hub.base_url}admin">back to the admin page</a></p>')

    @web.authenticated
    def get(self):
        self._admin()
        self.finish(self._page())

    @web.authenticated
    def post(self):
        self._admin()
        name = self.get_body_argument("name", "").strip().lower()
        try:
            message = reset_password(self.authenticator.private_dir, name)
        except (KeyError, ValueError) as err:
            self.set_status(400)
            message = f"not reset: {err.args[0]}"
        self.log.info("password reset requested for %s", json.dumps(name))
        self.finish(self._page(message))
