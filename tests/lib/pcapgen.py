"""Building blocks of the crafted captures (tests/lib/*_pcap*.py,
bench/packets.py): the Internet checksum, an IPv4 header, an Ethernet
header and a pcap writer. Nothing here sends traffic."""
import struct


def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0):
    """An IPv4 packet (DF, TTL 64) from src to dst, dotted strings."""
    a, b = (bytes(map(int, x.split("."))) for x in (src, dst))
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                      0x4000, 64, proto, 0, a, b)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def eth(proto, vlan=None):
    """An Ethernet header between two locally administered MACs."""
    dst, src = bytes.fromhex("020000000002"), bytes.fromhex("020000000001")
    if vlan is None:
        return dst + src + struct.pack("!H", proto)
    return dst + src + struct.pack("!HHH", 0x8100, vlan, proto)


def write_pcap(path, frames, when=lambda i: (1700000000 + i // 1000, i % 1000 * 1000)):
    """A pcap (microseconds, Ethernet) of frames; when(i) gives frame i's
    (seconds, microseconds)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            sec, usec = when(i)
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
