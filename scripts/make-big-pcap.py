#!/usr/bin/env python3
"""Write a large classic pcap by repeating the frames of Ethernet captures.

    scripts/make-big-pcap.py -o /tmp/big.pcap [-n 1000000] CAPTURE.pcap...

The frames of the given captures are taken in order (file after file, frame
after frame) and repeated until the output holds N packets (default
1,000,000). Each output frame gets a new timestamp, increasing by --step-us
microseconds (default 10) from --start (default 2024-01-01T00:00:00Z), so the
file reads as one long capture. Captured and original lengths are kept.

Only classic pcap inputs with link type Ethernet (1) are used, in either byte
order, with microsecond or nanosecond timestamps; anything else (pcapng,
another link type, a file cut short) is skipped with a note on stderr. The
output is little-endian, microsecond pcap, link type 1, snaplen 262144; with
--pcapng, a pcapng file of one section and one Ethernet interface (default
microsecond resolution), each frame in an Enhanced Packet Block.
Pure python3, no dependencies; the output is streamed (buffered writes), so
memory stays at the size of the inputs.
"""

import argparse
import struct
import sys

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
SNAPLEN = 262144


def read_frames(path):
    """Returns [(caplen, origlen, bytes)] of an Ethernet classic pcap, or None with a reason."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, str(e)
    if len(data) < 24:
        return None, "shorter than a pcap header"
    for order in ("<", ">"):
        magic, _major, _minor, _zone, _sigfigs, _snaplen, linktype = struct.unpack(order + "IHHiIII", data[:24])
        if magic in (MAGIC_US, MAGIC_NS):
            break
    else:
        return None, "not a classic pcap (pcapng?)"
    if linktype & 0x0FFFFFFF != LINKTYPE_ETHERNET:
        return None, "link type %d, not Ethernet" % linktype
    frames = []
    offset = 24
    record = struct.Struct(order + "IIII")
    while offset + 16 <= len(data):
        _sec, _sub, caplen, origlen = record.unpack_from(data, offset)
        offset += 16
        if offset + caplen > len(data) or caplen > SNAPLEN:
            sys.stderr.write("make-big-pcap: %s: record cut short or too long, %d frames kept\n" % (path, len(frames)))
            break
        frames.append((caplen, max(origlen, caplen), data[offset:offset + caplen]))
        offset += caplen
    return frames, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("captures", nargs="+", help="Ethernet classic pcap files whose frames are repeated, in order")
    parser.add_argument("-o", "--output", required=True, help="the pcap file to write")
    parser.add_argument("-n", "--packets", type=int, default=1_000_000, help="packets to write (default 1000000)")
    parser.add_argument("--start", type=int, default=1704067200, help="first timestamp, Unix seconds (default 2024-01-01)")
    parser.add_argument("--step-us", type=int, default=10, help="microseconds between packets (default 10)")
    parser.add_argument("--pcapng", action="store_true", help="write pcapng (Enhanced Packet Blocks) instead of pcap")
    args = parser.parse_args()

    frames = []
    used = 0
    for path in args.captures:
        got, reason = read_frames(path)
        if got is None:
            sys.stderr.write("make-big-pcap: skipping %s: %s\n" % (path, reason))
            continue
        if got:
            used += 1
        frames.extend(got)
    if not frames:
        sys.stderr.write("make-big-pcap: no Ethernet frames in the inputs\n")
        return 2

    record = struct.Struct("<IIII")
    written_bytes = 0
    with open(args.output, "wb", buffering=1 << 20) as out:
        if args.pcapng:
            # Section header (byte-order magic, version 1.0, section length unknown), then one
            # interface: link type, reserved, snaplen, no options.
            out.write(struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28))
            out.write(struct.pack("<IIHHII", 1, 20, LINKTYPE_ETHERNET, 0, SNAPLEN, 20))
        else:
            out.write(struct.pack("<IHHiIII", MAGIC_US, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        usec_total = args.start * 1_000_000
        step = args.step_us
        count = len(frames)
        for i in range(args.packets):
            caplen, origlen, payload = frames[i % count]
            if args.pcapng:
                padded = (caplen + 3) & ~3
                length = 32 + padded
                out.write(struct.pack("<IIIIIII", 6, length, 0, usec_total >> 32, usec_total & 0xFFFFFFFF, caplen, origlen))
                out.write(payload)
                out.write(b"\0" * (padded - caplen))
                out.write(struct.pack("<I", length))
            else:
                out.write(record.pack(usec_total // 1_000_000, usec_total % 1_000_000, caplen, origlen))
                out.write(payload)
            written_bytes += caplen
            usec_total += step
    sys.stderr.write(
        "make-big-pcap: %s: %d packets, %d captured bytes (%d distinct frames from %d captures)\n"
        % (args.output, args.packets, written_bytes, count, used))
    return 0


if __name__ == "__main__":
    sys.exit(main())
