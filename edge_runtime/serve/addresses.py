"""The URLs a listening socket can be opened at: its own address, or, for a socket on every interface
(0.0.0.0 or ::), each interface's address (Linux: an ioctl per interface for IPv4, /proc/net/if_inet6
for IPv6; other systems: the host name's addresses and loopback), other machines' first and loopback last."""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from pathlib import Path

SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address
IF_INET6 = Path("/proc/net/if_inet6")  # Linux: address, index, prefix, scope, flags, name per line
LINK_SCOPE = 0x20  # fe80::/10 needs a %interface, which browsers do not take in a URL


def url(host: str, port: int) -> str:
    """http://HOST:PORT/ (an IPv6 address in brackets)."""
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def listening_urls(sock: socket.socket) -> list[str]:
    """The URLs of the listening `sock`: one for an address, one per interface address for a wildcard."""
    host, port = sock.getsockname()[:2]
    if not ipaddress.ip_address(host).is_unspecified:
        return [url(host, port)]
    ipv6 = sock.family == socket.AF_INET6
    dual_stack = ipv6 and not sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)  # takes IPv4 too
    addresses = (ipv4_addresses() if dual_stack or not ipv6 else []) + (ipv6_addresses() if ipv6 else [])
    addresses.sort(key=lambda address: ipaddress.ip_address(address).is_loopback)
    return [url(address, port) for address in addresses] or [url(host, port)]


def ipv4_addresses() -> list[str]:
    """The IPv4 address of each network interface that has one."""
    if not sys.platform.startswith("linux"):
        return _host_name_addresses(socket.AF_INET)
    import fcntl  # Unix only

    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # no IPv4 address
                continue
            found.append(socket.inet_ntoa(answer[20:24]))
    return found


def ipv6_addresses() -> list[str]:
    """The global and loopback IPv6 addresses of the network interfaces."""
    if not sys.platform.startswith("linux"):
        return _host_name_addresses(socket.AF_INET6)
    try:
        lines = IF_INET6.read_text().splitlines()
    except OSError:  # IPv6 is off
        return []
    found = []
    for line in lines:
        hex_address, _, _, scope, *_ = line.split()
        if int(scope, 16) != LINK_SCOPE:
            found.append(str(ipaddress.IPv6Address(bytes.fromhex(hex_address))))
    return found


def _host_name_addresses(family: socket.AddressFamily) -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, family, socket.SOCK_STREAM)
    except OSError:
        infos = []
    loopback = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    return list(dict.fromkeys([info[4][0] for info in infos] + [loopback]))
