# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Is this file an OpenPGP public key?  Read without gpg, so the preflight can say before any write.

An OpenPGP key file is a sequence of packets (RFC 9580, section 4).  The
first packet of a transferable public key is a Public-Key packet (tag 6);
that of a secret key a Secret-Key packet (tag 5).  A file may hold them
binary, or ASCII-armored between ``-----BEGIN PGP PUBLIC KEY BLOCK-----``
and ``-----END PGP PUBLIC KEY BLOCK-----`` lines (section 6.2), the base64
body after the armor headers and a blank line, and an optional ``=`` CRC
line.

What this does not decide (an expired or revoked key, one without an
encryption subkey, a user id that does not match) needs gpg itself:
common/gpg.py, which the iam_initial_password module runs, and the
preflight too when python-gnupg and gpg are there.
"""

import base64
import binascii

PUBLIC_KEY_TAG = 6
SECRET_KEY_TAG = 5
_ARMOR_BEGIN = "-----BEGIN PGP "
_PUBLIC_BLOCK = "PUBLIC KEY BLOCK"
_PRIVATE_BLOCK = "PRIVATE KEY BLOCK"
EXPORT_HINT = "gpg --armor --export <email>"


def packet_tag(first_byte):
    """The packet tag of a packet header's first byte, or None when it is no packet header."""
    if not first_byte & 0x80:
        return None
    if first_byte & 0x40:  # new format: the tag is the low six bits
        return first_byte & 0x3F
    return (first_byte >> 2) & 0x0F  # legacy format: bits 5-2


def _armored_body(text):
    """The bytes of the first armored block, or None when the armor is broken."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(_ARMOR_BEGIN))
    body = []
    in_headers = True
    for line in lines[start + 1:]:
        line = line.strip()
        if line.startswith("-----END PGP "):
            break
        if in_headers:
            # Armor headers ("Version: ...", "Comment: ...") end at a blank line.
            if not line:
                in_headers = False
                continue
            if ": " in line:
                continue
            in_headers = False
        if line.startswith("=") and len(line) == 5:
            continue  # the CRC-24 line
        body.append(line)
    else:
        return None
    try:
        return base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError):
        return None


def _first_packet_problem(data):
    tag = packet_tag(data[0]) if data else None
    if tag == SECRET_KEY_TAG:
        return f"holds a private key; give the public key only ({EXPORT_HINT})"
    if tag != PUBLIC_KEY_TAG:
        return f"is not an OpenPGP public key ({EXPORT_HINT} writes one)"
    return None


def public_key_data_problem(data):
    """What is wrong with ``data`` (bytes of a key file) as one user's OpenPGP public key, or None."""
    text = data.decode("ascii", errors="replace")
    if _PRIVATE_BLOCK in text:
        return f"holds a private key; give the public key only ({EXPORT_HINT})"
    if _ARMOR_BEGIN in text:
        if _ARMOR_BEGIN + _PUBLIC_BLOCK not in text:
            return f"is an armored OpenPGP block, but not a public key block ({EXPORT_HINT} writes one)"
        body = _armored_body(text)
        if body is None:
            return "has a broken armored public key block (no END line, or a body that is not base64)"
        return _first_packet_problem(body)
    return _first_packet_problem(data)


def public_key_file_problem(path):
    """What is wrong with the file at ``path`` as an OpenPGP public key, or None (an unreadable file is a problem)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as e:
        return f"cannot be read: {e.strerror}"
    return public_key_data_problem(data)
