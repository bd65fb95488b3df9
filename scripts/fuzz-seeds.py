#!/usr/bin/env python3
"""Seed corpora for the fuzzers in Fuzz/ (see docs/HARDENING.md).

    scripts/fuzz-seeds.py OUTDIR CAPTURE_DIR...

Reads every pcap and pcapng file under the given directories (pcaps/ and
Tests/Corpus/) and writes
  OUTDIR/decoder/  one file per distinct frame: a byte naming the link type as
                   DecoderFuzzer numbers them, then the frame's captured bytes;
  OUTDIR/stream/   StreamFuzzer inputs: the TCP port-179 segments and OSPF
                   packets of each capture, in order, a few to a file.
Python's standard library only; no capture library, so a corrupt file is skipped.
"""
import hashlib
import os
import struct
import sys

# DecoderFuzzer's link type order (Fuzz/Sources/DecoderFuzzer): LINKTYPE value -> index.
LINK_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 12: 5, 14: 6, 101: 7, 228: 8, 229: 9}
MAX_FRAMES_PER_FILE = 400
STREAM_RECORDS_PER_SEED = 8
STREAM_CONFIG = 0x7F  # 8 KiB buffers, 8 held segments, 4 connections


def frames_pcap(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    if len(data) < 24:
        return
    link = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    at = 24
    while at + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + "IIII", data[at:at + 16])
        at += 16
        if caplen > len(data) - at:
            return
        yield link, data[at:at + caplen]
        at += caplen


def frames_pcapng(data):
    at, e, links = 0, "<", []
    while at + 12 <= len(data):
        btype = struct.unpack(e + "I", data[at:at + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[at + 4:at + 8])[0]
        if blen < 12 or at + blen > len(data):
            return
        body = data[at + 8:at + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            if iface < len(links):
                yield links[iface], body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], body[4:]
        at += blen


def ip_offset(link, f):
    """Offset of the IP header after the link header (and VLAN tags), or None."""
    if link == 1:
        at, etype = 14, f[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(f) >= at + 4:
            etype, at = f[at + 2:at + 4], at + 4
        return at if etype in (b"\x08\x00", b"\x86\xdd") else None
    if link == 113:
        return 16 if f[14:16] in (b"\x08\x00", b"\x86\xdd") else None
    if link == 276:
        return 20 if f[0:2] in (b"\x08\x00", b"\x86\xdd") else None
    if link in (0, 108):
        return 4
    if link in (12, 14, 101, 228, 229):
        return 0
    return None


def stream_records(link, f, state):
    """The StreamFuzzer record for a BGP segment or OSPF packet in frame f, or None."""
    at = ip_offset(link, f)
    if at is None or len(f) < at + 20:
        return None
    version = f[at] >> 4
    if version == 4:
        ihl = (f[at] & 15) * 4
        proto, payload_at, v6 = f[at + 9], at + ihl, 0
    elif version == 6 and len(f) >= at + 40:
        proto, payload_at, v6 = f[at + 6], at + 40, 0x20
    else:
        return None
    if proto == 89:
        payload = f[payload_at:payload_at + 0xFFFF]
        return bytes([0x10 | v6]) + b"\0\0" + struct.pack(">H", len(payload)) + payload
    if proto != 6 or len(f) < payload_at + 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", f[payload_at:payload_at + 8])
    if 179 not in (sport, dport):
        return None
    flags = f[payload_at + 13]
    payload = f[payload_at + (f[payload_at + 12] >> 4) * 4:][:0xFFFF]
    reverse = 1 if sport == 179 else 0
    client = dport if reverse else sport
    conns = state.setdefault("conns", {})
    conn = conns.setdefault(client, len(conns) % 4)
    key = (conn, reverse)
    expected = state.setdefault("next", {}).get(key)
    delta = 0 if expected is None else (seq - expected + 2**31) % 2**32 - 2**31
    delta = max(-32768, min(32767, delta))
    syn = 1 if flags & 2 else 0
    state["next"][key] = (seq + len(payload) + syn) % 2**32
    op = reverse | (flags & 7) << 1 | v6 | conn << 6
    return bytes([op]) + struct.pack(">hH", delta, len(payload)) + payload


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    for sub in ("decoder", "stream"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)

    def save(sub, blob):
        name = hashlib.sha1(blob).hexdigest()
        with open(os.path.join(out, sub, name), "wb") as fh:
            fh.write(blob)

    files = decoder_seeds = stream_seeds = 0
    for root in sys.argv[2:]:
        for dirpath, _, names in sorted(os.walk(root)):
            for name in sorted(names):
                if not name.endswith((".pcap", ".pcapng", ".cap")):
                    continue
                with open(os.path.join(dirpath, name), "rb") as fh:
                    data = fh.read()
                reader = frames_pcapng if data[:4] == b"\x0a\x0d\x0d\x0a" else frames_pcap
                files += 1
                state, records = {}, []
                try:
                    for n, (link, f) in enumerate(reader(data)):
                        if n < MAX_FRAMES_PER_FILE and link in LINK_INDEX:
                            save("decoder", bytes([LINK_INDEX[link]]) + f)
                            decoder_seeds += 1
                        record = stream_records(link, f, state)
                        if record:
                            records.append(record)
                except (struct.error, IndexError):
                    pass
                for i in range(0, len(records), STREAM_RECORDS_PER_SEED):
                    save("stream", bytes([STREAM_CONFIG]) + b"".join(records[i:i + STREAM_RECORDS_PER_SEED]))
                    stream_seeds += 1
    print(f"fuzz-seeds: {files} captures -> {decoder_seeds} decoder seeds, {stream_seeds} stream seeds in {out}")


if __name__ == "__main__":
    main()
