"""HTTPS at the proxy: the teacher's certificate and key, checked before anything starts.

``network_policy`` decides how the classroom may listen: TLS when a certificate is given; plain
HTTP on a loopback address; plain HTTP on any other address only with ``insecure_http`` (a LAN
with no domain), and then with a warning, since passwords and cookies cross the room in clear.

>>> network_policy("127.0.0.1", None, None, insecure_http=False)
(False, '')
>>> network_policy("0.0.0.0", None, None, insecure_http=False)
Traceback (most recent call last):
...
ValueError: HOST=0.0.0.0 is not a loopback address and no CERT/KEY were given: passwords and session cookies would cross the network in clear. Give CERT=fullchain.pem KEY=privkey.pem, or INSECURE_HTTP=1 for a LAN with no domain.
"""  # noqa: E501 -- a doctest's expected error is one line

import ipaddress
import os
import stat
from pathlib import Path

INSECURE_WARNING = (
    "WARNING: plain HTTP on {ip} (INSECURE_HTTP=1): every password and session cookie crosses "
    "the network in clear; anyone on it can read them and log in as that student or the teacher. "
    "Use CERT= and KEY= (README, 'HTTPS') wherever the class has a domain.")


def is_loopback(ip):
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def check_key_file(key):
    """Refuse a private key that another user could read (or that is missing)."""
    path = Path(key)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ValueError(f"KEY={key}: no such file") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValueError(f"KEY={key} can be read by other users (mode {stat.S_IMODE(mode):04o}): "
                         f"run `chmod 600 {key}`; a key others can read is no longer private")
    if not os.access(path, os.R_OK):
        raise ValueError(f"KEY={key}: this user cannot read it")


def check_cert_file(cert):
    try:
        text = Path(cert).read_text(errors="replace")
    except FileNotFoundError:
        raise ValueError(f"CERT={cert}: no such file") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError(f"CERT={cert}: expected a PEM certificate (fullchain.pem), got no "
                         "'BEGIN CERTIFICATE' block")


def network_policy(ip, cert, key, insecure_http):
    """``(tls, warning)`` for listening on ``ip``; ValueError when it must not start."""
    if bool(cert) != bool(key):
        raise ValueError(f"CERT and KEY go together: got CERT={cert or '(none)'} KEY={key or '(none)'}")
    if cert:
        check_cert_file(cert)
        check_key_file(key)
        return True, ""
    if is_loopback(ip):
        return False, ""
    if not insecure_http:
        raise ValueError(
            f"HOST={ip} is not a loopback address and no CERT/KEY were given: passwords and "
            "session cookies would cross the network in clear. Give CERT=fullchain.pem "
            "KEY=privkey.pem, or INSECURE_HTTP=1 for a LAN with no domain.")
    return False, INSECURE_WARNING.format(ip=ip)
