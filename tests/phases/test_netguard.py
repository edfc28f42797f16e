"""Network policy at connect time, byte budget and deadline, against servers this file starts on loopback.

127.0.0.1 plays the public internet and 127.0.0.2 an internal host: the tests hand acquisition a
`forbidden` predicate saying so, which exercises the real guard while staying on this machine.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autointel.errors import InputError
from autointel.phases import netguard
from autointel.phases.acquisition import AcquisitionLimits, acquire
from autointel.phases.guarded_http import Client, Outgoing, fetch
from autointel.phases.netguard import AddressRefused, IPAddress, NetworkPolicy, is_forbidden_ip
from autointel.phases.transfer import DeadlineExceeded, Transfer, TransferLimitExceeded
from tests.helpers import FIXTURES

WAV = (FIXTURES / "media" / "health_diet.wav").read_bytes()
PUBLIC = ipaddress.IPv4Address("127.0.0.1")
INTERNAL = ipaddress.IPv4Address("127.0.0.2")
LIMIT = 1_000_000  # under the wav's size: a whole download of it must be refused
ROOMY = 4 * len(WAV)
BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
SERVE_CAP = 64 * 1024 * 1024  # the endless body stops here: a bound on the test itself, not on the product


def loopback_forbidden(ip: IPAddress) -> bool:
    """The policy under test, with 127.0.0.1 moved to the public side for the test servers."""
    return ip == INTERNAL or (ip != PUBLIC and is_forbidden_ip(ip))


@dataclass
class Site:
    base: str
    internal: str
    internal_hits: list[str] = field(default_factory=list)


def _html(body: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>t</title>{body}</head><body><p>talk</p></body></html>".encode()


class _Public(http.server.BaseHTTPRequestHandler):
    internal = ""

    def do_GET(self) -> None:
        routes: dict[str, Callable[[], None]] = {
            "/talk.wav": lambda: self._send(200, "audio/wav", WAV),
            "/redirect": lambda: self._redirect("/talk.wav"),
            "/redirect-internal": lambda: self._redirect(f"{self.internal}/talk.wav"),
            "/video.html": lambda: self._send(200, "text/html", _html(
                f'</head><body><video src="{self.internal}/talk.wav" controls></video>')),
            "/refresh.html": lambda: self._send(200, "text/html", _html(
                f'<meta http-equiv="refresh" content="0; url={self.internal}/talk.wav">')),
            "/endless.wav": self._endless,
            "/bomb.wav": lambda: self._send(200, "audio/wav", BOMB, {"Content-Encoding": "gzip"}),
            "/drip.wav": self._drip,
        }
        routes.get(self.path, lambda: self._send(404, "text/plain", b"missing"))()

    def _send(self, status: int, ctype: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": ctype, "Content-Length": str(len(body)), **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.end_headers()
        block = WAV[:65536]
        try:
            for _ in range(SERVE_CAP // len(block)):
                self.wfile.write(block)
        except OSError:
            pass

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(WAV)))
        self.end_headers()
        try:
            for index in range(40):  # 40 drips of 0.25 s: longer than any deadline used below
                self.wfile.write(WAV[index:index + 1])
                self.wfile.flush()
                time.sleep(0.25)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


def _internal_handler(hits: list[str]) -> type[http.server.BaseHTTPRequestHandler]:
    class Internal(http.server.BaseHTTPRequestHandler):
        def handle_one_request(self) -> None:
            hits.append(self.client_address[0])
            super().handle_one_request()

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(len(WAV)))
            self.end_headers()
            self.wfile.write(WAV)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    return Internal


def _serve(host: str, handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer((host, 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture()
def site() -> Iterator[Site]:
    hits: list[str] = []
    internal = _serve(str(INTERNAL), _internal_handler(hits))
    internal_url = f"http://{INTERNAL}:{internal.server_address[1]}"
    public_handler = type("Public", (_Public,), {"internal": internal_url})
    public = _serve(str(PUBLIC), public_handler)
    yield Site(f"http://{PUBLIC}:{public.server_address[1]}", internal_url, hits)
    public.shutdown()
    internal.shutdown()


def limits(**overrides: Any) -> AcquisitionLimits:
    values: dict[str, Any] = {"max_bytes": LIMIT, "max_duration_s": 3600.0, "forbidden": loopback_forbidden,
                              "deadline_s": 30.0, "read_timeout_s": 10.0}
    return AcquisitionLimits(**{**values, **overrides})


def refused(url: str, downloads: Path, **overrides: Any) -> str:
    """Run one acquisition that must fail; return its message after the common checks."""
    with pytest.raises(InputError) as caught:
        acquire(url, limits(**overrides), downloads)
    message = str(caught.value)
    assert "\n" not in message and message
    assert not downloads.exists() or list(downloads.iterdir()) == []
    return message


# --- the SSRF paths that used to bypass the guard --------------------------------------------------

def test_a_redirect_between_public_paths_is_followed(site: Site, tmp_path: Path) -> None:
    media = acquire(f"{site.base}/redirect", limits(max_bytes=ROOMY), tmp_path / "downloads")
    assert media.size_bytes == len(WAV) and media.has_audio
    assert site.internal_hits == []


@pytest.mark.parametrize("path", ["/redirect-internal", "/video.html", "/refresh.html"])
def test_internal_targets_reached_through_public_pages_get_zero_requests(site: Site, path: str,
                                                                        tmp_path: Path) -> None:
    message = refused(f"{site.base}{path}", tmp_path / "downloads", max_bytes=ROOMY)
    assert str(INTERNAL) in message and "non-public" in message
    assert site.internal_hits == []


def test_the_internal_server_is_reachable_when_the_policy_allows_it(site: Site, tmp_path: Path) -> None:
    """Control for the zero-request tests: the same page does reach it once the guard is off."""
    open_policy = limits(allow_private_network=True, max_bytes=ROOMY)
    media = acquire(f"{site.base}/video.html", open_policy, tmp_path / "downloads")
    assert media.size_bytes == len(WAV)
    assert site.internal_hits


def test_dns_rebinding_gets_no_second_lookup(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name answers public once, internal afterwards; each connection uses the answer it checked."""
    real = socket.getaddrinfo
    port = int(site.base.rsplit(":", 1)[1])
    answers: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "media.test":
            return real(host, *args, **kwargs)
        answers.append(str(PUBLIC) if not answers else str(INTERNAL))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[-1], port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    message = refused(f"http://media.test:{port}/talk.wav", tmp_path / "downloads", max_bytes=ROOMY)
    assert str(INTERNAL) in message and len(answers) >= 2
    assert site.internal_hits == []


# --- the byte budget and the deadline --------------------------------------------------------------

def test_an_announced_oversize_body_is_refused_unread(site: Site, tmp_path: Path) -> None:
    message = refused(f"{site.base}/talk.wav", tmp_path / "downloads")
    assert f"{len(WAV)} bytes" in message and "--max-bytes" in message


@pytest.mark.parametrize("path", ["/endless.wav", "/bomb.wav"])
def test_oversized_bodies_are_cut_at_max_bytes_and_removed(site: Site, path: str, tmp_path: Path) -> None:
    message = refused(f"{site.base}{path}", tmp_path / "downloads")
    assert "--max-bytes" in message and str(LIMIT) in message


@pytest.mark.parametrize("path", ["/endless.wav", "/bomb.wav"])
def test_no_byte_past_the_limit_is_ever_handed_out(site: Site, path: str) -> None:
    transfer = Transfer(LIMIT, deadline_s=30.0, read_timeout_s=10.0)
    client = Client(NetworkPolicy(forbidden=loopback_forbidden), transfer, ssl.create_default_context())
    reply = fetch(client, Outgoing("GET", f"{site.base}{path}", {}))
    delivered = 0
    with pytest.raises(TransferLimitExceeded):
        for _ in range(10_000):
            chunk = reply.body.read(256 * 1024)
            assert chunk, "the body ended before the limit"
            delivered += len(chunk)
    assert LIMIT - 256 * 1024 < delivered <= LIMIT and transfer.used == delivered


def test_a_dripping_server_meets_the_acquisition_deadline(site: Site, tmp_path: Path) -> None:
    started = time.monotonic()
    message = refused(f"{site.base}/drip.wav", tmp_path / "downloads", deadline_s=2.0, read_timeout_s=1.0,
                      max_bytes=ROOMY)
    assert "deadline" in message
    assert time.monotonic() - started < 6.0


def test_one_silent_read_meets_the_read_timeout(site: Site) -> None:
    transfer = Transfer(ROOMY, deadline_s=30.0, read_timeout_s=0.1)
    client = Client(NetworkPolicy(forbidden=loopback_forbidden), transfer, ssl.create_default_context())
    reply = fetch(client, Outgoing("GET", f"{site.base}/drip.wav", {}))
    with pytest.raises(DeadlineExceeded, match="no data"):
        for _ in range(100):
            reply.body.read(1024)


def test_cli_exit_status_and_one_line_for_a_cut_download(site: Site, tmp_path: Path) -> None:
    env = {**os.environ, "AUTOINTEL_ENGINE": "pipeline"}
    proc = subprocess.run(
        [sys.executable, "-m", "autointel.cli", "run", f"{site.base}/bomb.wav", "--max-bytes", str(LIMIT),
         "--allow-private-network", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "--max-bytes" in lines[0], proc.stderr
    downloads = tmp_path / "data" / "downloads"
    assert not downloads.exists() or list(downloads.iterdir()) == []


# --- the address classifier ------------------------------------------------------------------------

_FORBIDDEN_V4 = [ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
    "0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4")]
_PUBLIC_V4 = [ipaddress.ip_network(n) for n in ("8.8.8.0/24", "1.1.1.0/24", "93.184.216.0/24", "151.101.0.0/16")]
_PUBLIC_V6 = [ipaddress.ip_network(n) for n in ("2606:4700::/32", "2a00:1450::/32", "2001:4860::/32")]


def _in(networks: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(networks).flatmap(lambda net: st.integers(0, net.num_addresses - 1).map(
        lambda offset: net[offset]))


def _v4_spellings(ip: ipaddress.IPv4Address) -> st.SearchStrategy[str]:
    value, octets = int(ip), ip.packed
    return st.sampled_from([
        str(value), hex(value), "0" + oct(value)[2:], str(ip), str(ip) + ".",
        ".".join(hex(o) for o in octets), ".".join("0" + oct(o)[2:] for o in octets),
        f"{octets[0]}.{value & 0xFFFFFF}", f"{octets[0]}.{octets[1]}.{value & 0xFFFF}",
    ])


def _v6_carriers(ip: ipaddress.IPv4Address) -> st.SearchStrategy[ipaddress.IPv6Address]:
    value = int(ip)
    return st.sampled_from([
        ipaddress.IPv6Address((0xFFFF << 32) | value),  # IPv4-mapped
        ipaddress.IPv6Address(value),  # IPv4-compatible ::a.b.c.d
        ipaddress.IPv6Address((0x64FF9B << 96) | value),  # NAT64
        ipaddress.IPv6Address((0x2002 << 112) | (value << 80) | 1),  # 6to4
    ])


def _teredo(server: ipaddress.IPv4Address, client: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x20010000 << 96) | (int(server) << 64) | (0x8000 << 48)
                                 | (0xFFFF << 32) | (int(client) ^ 0xFFFFFFFF))


def _v6_spellings(ip: ipaddress.IPv6Address) -> st.SearchStrategy[str]:
    return st.sampled_from([str(ip), ip.exploded, f"[{ip}]", f"[{ip}%eth0]", f"{ip}%25lo", f"[{ip.exploded}]."])


@given(_in(_FORBIDDEN_V4).flatmap(_v4_spellings))
def test_forbidden_ipv4_in_any_spelling_is_refused(host: str) -> None:
    with pytest.raises(AddressRefused):
        NetworkPolicy().check_host(host)


@given(_in(_FORBIDDEN_V4).flatmap(_v6_carriers).flatmap(_v6_spellings))
def test_forbidden_ipv4_inside_ipv6_is_refused(host: str) -> None:
    with pytest.raises(AddressRefused):
        NetworkPolicy().check_host(host)


@given(_in(_PUBLIC_V4), _in(_FORBIDDEN_V4))
def test_teredo_is_refused(server: ipaddress.IPv4Address, client: ipaddress.IPv4Address) -> None:
    assert is_forbidden_ip(_teredo(server, client)) and is_forbidden_ip(_teredo(client, server))


@given(_in(_PUBLIC_V4).flatmap(lambda ip: st.one_of(_v4_spellings(ip), _v6_carriers(ip).flatmap(_v6_spellings))))
def test_public_ipv4_in_any_spelling_is_accepted(host: str) -> None:
    NetworkPolicy().check_host(host)
    parsed = netguard.parse_ip_literal(host)
    assert parsed is not None and not is_forbidden_ip(parsed)


@given(_in(_PUBLIC_V6).flatmap(_v6_spellings))
def test_public_ipv6_is_accepted(host: str) -> None:
    NetworkPolicy().check_host(host)


TUNNELS = ["2002:7f00:1::1", "64:ff9b::a00:1", "::127.0.0.1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"]


@pytest.mark.parametrize("address", TUNNELS)
def test_resolved_tunnel_addresses_are_refused(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check runs on what the resolver returns, not only on how the URL spells its host."""
    answer = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, 80, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answer)
    with pytest.raises(AddressRefused, match="non-public"):
        NetworkPolicy().resolve("innocent.example", 80)


@pytest.mark.parametrize("name", ["metadata.google.internal", "METADATA.google.internal."])
def test_metadata_names_are_refused_before_lookup(name: str) -> None:
    with pytest.raises(AddressRefused, match="metadata"):
        NetworkPolicy().check_host(name)
