"""Which network an address belongs to: the unit for per-network limits and signals."""

from __future__ import annotations

import ipaddress


def network_of(address: str) -> str:
    """The network an address belongs to, or "" when it identifies none (loopback etc.)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
