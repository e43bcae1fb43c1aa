"""How the classroom may listen: TLS with the teacher's files, plain HTTP only on loopback or
with INSECURE_HTTP=1 (and a warning); a key others can read is refused. Nothing is written first."""

import os

import pytest

from classroom.serve import Classroom
from classroom.tls import INSECURE_WARNING, network_policy
from tests._requires import require

trustme = require("trustme")


@pytest.fixture
def pem(tmp_path):
    cert = trustme.CA().issue_cert("127.0.0.1", "classroom.example.org")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "fullchain.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "privkey.pem"))
    os.chmod(tmp_path / "privkey.pem", 0o600)
    return str(tmp_path / "fullchain.pem"), str(tmp_path / "privkey.pem")


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20", "::", "classroom.example.org"])
def test_plain_http_on_a_non_loopback_address_refuses_to_start(tmp_path, ip):
    with pytest.raises(ValueError) as caught:
        Classroom(tmp_path / "c", ip=ip)
    assert str(caught.value) == (
        f"HOST={ip} is not a loopback address and no CERT/KEY were given: passwords and session "
        "cookies would cross the network in clear. Give CERT=fullchain.pem KEY=privkey.pem, or "
        "INSECURE_HTTP=1 for a LAN with no domain.")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_plain_http_on_loopback_starts_without_a_warning(ip):
    assert network_policy(ip, None, None, insecure_http=False) == (False, "")


def test_insecure_http_allows_a_lan_address_and_warns(tmp_path):
    room = Classroom(tmp_path / "c", ip="0.0.0.0", insecure_http=True)
    assert room.network_warning == INSECURE_WARNING.format(ip="0.0.0.0")
    assert room.network_warning.startswith("WARNING: plain HTTP on 0.0.0.0 (INSECURE_HTTP=1): every "
                                           "password and session cookie crosses the network in clear")
    assert room.url.startswith("http://") and room.settings["tls"] is False


def test_a_certificate_makes_the_classroom_https(tmp_path, pem):
    room = Classroom(tmp_path / "c", ip="0.0.0.0", cert=pem[0], key=pem[1])
    assert room.url.startswith("https://0.0.0.0:") and room.settings["tls"] is True
    assert room.network_warning == ""


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_key_others_can_read_is_refused(tmp_path, pem, mode):
    os.chmod(pem[1], mode)
    with pytest.raises(ValueError) as caught:
        Classroom(tmp_path / "c", ip="0.0.0.0", cert=pem[0], key=pem[1])
    assert str(caught.value) == (f"KEY={pem[1]} can be read by other users (mode {mode:04o}): run "
                                 f"`chmod 600 {pem[1]}`; a key others can read is no longer private")
    assert not (tmp_path / "c").exists()


def test_cert_without_key_a_missing_file_and_a_key_as_cert_are_refused(tmp_path, pem):
    cases = [((pem[0], None), f"CERT and KEY go together: got CERT={pem[0]} KEY=(none)"),
             ((str(tmp_path / "x.pem"), pem[1]), f"CERT={tmp_path / 'x.pem'}: no such file"),
             ((pem[0], str(tmp_path / "k.pem")), f"KEY={tmp_path / 'k.pem'}: no such file"),
             ((pem[1], pem[1]), f"CERT={pem[1]}: expected a PEM certificate (fullchain.pem), got no "
                                "'BEGIN CERTIFICATE' block")]
    for (cert, key), message in cases:
        with pytest.raises(ValueError) as caught:
            network_policy("0.0.0.0", cert, key, insecure_http=False)
        assert str(caught.value) == message
