"""Address literals the SSRF guard refuses and allows, shared by the netguard, subscriber API and
WebSub tests. Literals only, so nothing here needs DNS."""

from __future__ import annotations

# (URL, what the refusal names: the address judged, an embedded IPv4 where there is one)
REFUSED = [
    # IPv6 forms that embed an IPv4 address are judged by that address
    ("http://[::ffff:127.0.0.1]/hook", "127.0.0.1"),  # IPv4-mapped
    ("http://[::ffff:a9fe:a9fe]/hook", "169.254.169.254"),
    ("http://[::127.0.0.1]/hook", "127.0.0.1"),  # IPv4-compatible (deprecated)
    ("http://[::10.0.0.1]/hook", "10.0.0.1"),
    ("http://[64:ff9b::7f00:1]/hook", "127.0.0.1"),  # NAT64 well-known prefix
    ("http://[64:ff9b::a9fe:a9fe]/hook", "169.254.169.254"),
    ("http://[64:ff9b:1::7f00:1]/hook", "127.0.0.1"),  # NAT64 local-use, as a /96
    ("http://[64:ff9b:1:808:7f:0:108:808]/hook", "127.0.0.1"),  # … as a /64 (the other layouts: public)
    ("http://[64:ff9b:1:7f08:8:808:808:808]/hook", "127.8.8.8"),  # … as a /48 (the others: 8.8.8.8)
    ("http://[2002:7f00:1::]/hook", "127.0.0.1"),  # 6to4
    ("http://[2002:c0a8:101::1]/hook", "192.168.1.1"),
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook", "127.0.0.1"),  # Teredo client (bits inverted)
    ("http://[2001:0:7f00:1:8000:63bf:f7f7:f7f7]/hook", "127.0.0.1"),  # Teredo server (client 8.8.8.8)
    # unspecified, loopback, private, CGNAT, link-local and cloud metadata
    ("http://0.0.0.0/hook", "0.0.0.0"),
    ("http://[::]/hook", "::"),
    ("http://127.0.0.1:9/hook", "127.0.0.1"),
    ("http://[::1]/hook", "::1"),
    ("http://10.1.2.3/hook", "10.1.2.3"),
    ("http://172.16.0.1/hook", "172.16.0.1"),
    ("http://192.168.0.1/hook", "192.168.0.1"),
    ("http://100.64.0.1/hook", "100.64.0.1"),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
    ("http://[fd00:ec2::254]/latest/meta-data", "fd00:ec2::254"),  # unique-local (AWS's metadata service)
    ("http://[fc00::1]/hook", "fc00::1"),
    ("http://[fe80::1]/hook", "fe80::1"),
    ("http://[fe80::1%25eth0]/hook", "fe80::1"),
    ("http://[fec0::1]/hook", "fec0::1"),  # site-local (deprecated)
    # multicast, reserved, documentation
    ("http://224.0.0.1/hook", "224.0.0.1"),
    ("http://[ff02::1]/hook", "ff02::1"),
    ("http://240.0.0.1/hook", "240.0.0.1"),
    ("http://255.255.255.255/hook", "255.255.255.255"),
    ("http://[100::1]/hook", "100::1"),  # discard-only
    ("http://[::ffff:0:7f00:1]/hook", "::ffff:0:7f00:1"),  # IPv4-translated: in the reserved ::/8
    ("http://192.0.2.1/hook", "192.0.2.1"),
    ("http://198.51.100.7/hook", "198.51.100.7"),
    ("http://203.0.113.9/hook", "203.0.113.9"),
    ("http://[2001:db8::1]/hook", "2001:db8::1"),
    ("http://[3fff::1]/hook", "3fff::1"),
    # 127.0.0.1 in the spellings the C library reads: decimal, hex, octal, short
    ("http://2130706433/hook", "127.0.0.1"),
    ("http://0x7f000001/hook", "127.0.0.1"),
    ("http://0x7f.1/hook", "127.0.0.1"),
    ("http://017700000001/hook", "127.0.0.1"),
    ("http://0177.0.0.1/hook", "127.0.0.1"),
    ("http://127.1/hook", "127.0.0.1"),
]

ALLOWED = [
    "https://93.184.216.34/hook",
    "http://8.8.8.8:8080/hook",
    "http://[2606:4700:4700::1111]/hook",
    "http://[::ffff:8.8.8.8]/hook",
    "http://[::8.8.8.8]/hook",
    "http://[64:ff9b::808:808]/hook",
    "http://[64:ff9b:1:808:8:808:808:808]/hook",  # 8.8.8.8 in every local-use layout
    "http://[2002:808:808::1]/hook",
    "http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/hook",  # Teredo: server 65.54.227.120, client 8.8.8.8
]

# Embedded loopback, as DNS might answer for a name (the connect-time test).
EMBEDDED_LOOPBACK = ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "2002:7f00:1::",
                     "2001:0:4136:e378:8000:63bf:80ff:fffe"]
