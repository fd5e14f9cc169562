#!/usr/bin/env python3
"""Copy the kernel's BTF blob out of a boot image (scripts/fetch-kernel-btf.sh).

usage: extract_btf.py VMLINUZ OUT.btf

An arm64 vmlinuz is the raw kernel Image (or that Image gzip-compressed): no ELF section
table says where .BTF is. The blob starts with struct btf_header (include/uapi/linux/btf.h):
magic 0xeB9F (little-endian), version 1, flags, hdr_len 24, then type_off/type_len and
str_off/str_len relative to the end of the header. A candidate counts only if its header is
self-consistent: the type section starts at 0, the strings follow it, everything fits in the
file, and the string section starts with the empty string. Exactly one candidate must remain
(the image holds the kernel's own BTF only; modules carry theirs in the .ko files).
"""
import gzip
import struct
import sys

MAGIC = b"\x9f\xeb\x01\x00\x18\x00\x00\x00"  # magic, version 1, flags 0, hdr_len 24
HDR = struct.Struct("<HBBIIIII")
MAX_IMAGE = 512 << 20  # a decompressed kernel image is < 100 MiB; refuse anything absurd


def load(path):
    with open(path, "rb") as f:
        data = f.read(MAX_IMAGE + 1)
    if data[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as g:
            data = g.read(MAX_IMAGE + 1)
    if len(data) > MAX_IMAGE:
        sys.exit(f"extract_btf.py: {path}: image larger than {MAX_IMAGE} bytes")
    return data


def candidates(data):
    at = data.find(MAGIC)
    while at >= 0:
        if at + HDR.size <= len(data):
            _, _, _, hdr_len, type_off, type_len, str_off, str_len = HDR.unpack_from(data, at)
            end = at + hdr_len + str_off + str_len
            if (type_off == 0 and type_len > 0 and str_off == type_off + type_len and str_len > 0
                    and end <= len(data) and data[at + hdr_len + str_off] == 0):
                yield data[at:end]
        at = data.find(MAGIC, at + 1)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    found = list(candidates(load(sys.argv[1])))
    if len(found) != 1:
        sys.exit(f"extract_btf.py: {sys.argv[1]}: expected one BTF blob, found {len(found)} "
                 "(is CONFIG_DEBUG_INFO_BTF on, and is the image compressed in a format other than gzip?)")
    with open(sys.argv[2], "wb") as f:
        f.write(found[0])
    print(f"extract_btf.py: {len(found[0])} bytes of BTF", file=sys.stderr)


if __name__ == "__main__":
    main()
