# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS CLI's ``config`` and ``credentials`` files as a list of sections.

A file is its preamble (everything before the first section header) plus
its sections, each one header line and the lines up to the next header.
Rendering joins them again, so a file that is parsed and rendered without a
change comes back byte for byte: comments, blank lines, spacing, key order
and line endings of every section we do not own are never touched.

Sections we own carry the marker line ``# managed by awsorg.landing_zone``
right below their header; the marker is how a later run (or another host's
run) recognises them.  A managed section is rewritten whole, except for
the comment lines that trail it: people write a comment above the next
section, which the parser files under the section before it, so those
trailing comments stay where they are.

Section names follow botocore: in ``config`` a profile is ``[profile NAME]``
(``[default]`` for the default profile) and ``[sso-session NAME]`` holds an
IAM Identity Center session; in ``credentials`` every ``[NAME]`` is a
profile.  Like configparser, a header is a line starting with ``[``; an
indented ``[...]`` line is a value continuation and stays in its section.

A diff shows one section at a time (``config_diff_view``,
``credentials_diff_view``): of ``credentials`` only key names, of
``config`` the lines with secret values redacted.
"""

import re
import shlex

MANAGED_MARKER = "# managed by awsorg.landing_zone"
REDACTED = "********"

CONFIG = "config"
CREDENTIALS = "credentials"

PROFILE = "profile"
SSO_SESSION = "sso-session"
# Section kinds botocore knows in ``config`` besides profiles.
_NAMED_KINDS = (PROFILE, SSO_SESSION, "services")

_HEADER = re.compile(r"\[(?P<inner>.+)\]")
# configparser (which botocore uses) accepts both "=" and ":" between key and value.
_KEY_VALUE = re.compile(r"^(?P<lead>\s*(?P<key>[^=:\s#;\[][^=:]*?)\s*[=:]\s*)(?P<value>.*?)(?P<end>\r?\n?)$")
_COMMENT_LEAD = re.compile(r"^\s*[#;]+\s*")
# Keys of ``config`` whose values a diff never shows: secrets, and
# credential_process, whose command line may carry one.
_SECRET_KEY = re.compile(r"secret|token|password|credential_process", re.IGNORECASE)
# What a diff of the ``credentials`` file shows instead of any value.
VALUE_SET = "(set)"
VALUE_CHANGED = "(changed)"


class ConfigFileError(ValueError):
    """The file cannot be changed safely (for example a section appears twice)."""


def _is_comment_or_blank(line):
    stripped = line.strip()
    return not stripped or stripped.startswith(("#", ";"))


def _is_marker(line):
    return line.strip() == MANAGED_MARKER


def section_key(inner, file_kind):
    """(kind, name) of the section whose header is ``[inner]``."""
    inner = inner.strip()
    if file_kind == CREDENTIALS:
        return (PROFILE, inner)
    if inner == "default":
        return (PROFILE, "default")
    try:
        parts = shlex.split(inner)
    except ValueError:
        parts = inner.split()
    if len(parts) == 2 and parts[0] in _NAMED_KINDS:
        return (parts[0], parts[1])
    return ("section", inner)


def section_header(key, file_kind):
    """The header line text (no newline) for the section ``key``."""
    kind, name = key
    if file_kind == CREDENTIALS:
        return f"[{name}]"
    if key == (PROFILE, "default"):
        return "[default]"
    return f"[{kind} {name}]"


def describe_key(key):
    """``profile acme-dev`` / ``sso-session acme``: how results and messages name a section."""
    return f"{key[0]} {key[1]}"


class Section:
    def __init__(self, key, lines):
        self.key = key
        self.lines = lines  # the header line first; each line keeps its line ending

    @property
    def managed(self):
        return any(_is_marker(line) for line in self.lines[1:])

    def trailing_lines(self):
        """The comment and blank lines at the end of the section (never the marker)."""
        index = len(self.lines)
        while index > 1 and _is_comment_or_blank(self.lines[index - 1]) and not _is_marker(self.lines[index - 1]):
            index -= 1
        return self.lines[index:]

    def values(self):
        """{key: value} of the section's ``key = value`` lines."""
        found = {}
        for line in self.lines[1:]:
            if _is_comment_or_blank(line) or line[:1].isspace():
                continue
            match = _KEY_VALUE.match(line)
            if match:
                found[match.group("key").strip()] = match.group("value").strip()
        return found

    @property
    def text(self):
        return "".join(self.lines)


class AwsIniFile:
    """One ``config`` or ``credentials`` file; edit it, then ``render()`` it."""

    def __init__(self, text, file_kind):
        if file_kind not in (CONFIG, CREDENTIALS):
            raise ValueError(f"file_kind must be {CONFIG!r} or {CREDENTIALS!r}")
        self.file_kind = file_kind
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.preamble = []
        self.sections = []
        self._parse(text)

    def _parse(self, text):
        lines = text.split("\n")
        lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
        current = None
        for line in lines:
            match = _HEADER.match(line.rstrip("\r\n")) if line.startswith("[") else None
            if match:
                current = Section(section_key(match.group("inner"), self.file_kind), [line])
                self.sections.append(current)
            elif current is None:
                self.preamble.append(line)
            else:
                current.lines.append(line)

    def render(self):
        return "".join(self.preamble) + "".join(section.text for section in self.sections)

    # --- lookup ---------------------------------------------------------------

    def find(self, key):
        """The section ``key`` or None; ConfigFileError when the file has it twice."""
        found = [s for s in self.sections if s.key == key]
        if len(found) > 1:
            raise ConfigFileError(
                f"[{describe_key(key)}] appears {len(found)} times in the {self.file_kind} file; the AWS CLI"
                " refuses such a file. Merge the copies by hand first"
            )
        return found[0] if found else None

    def managed_keys(self):
        return [s.key for s in self.sections if s.managed]

    def keys(self):
        return [s.key for s in self.sections]

    # --- edits ------------------------------------------------------------------

    def render_section(self, key, items):
        """The lines of a managed section holding ``items`` (a list of (key, value))."""
        newline = self.newline
        lines = [section_header(key, self.file_kind) + newline, MANAGED_MARKER + newline]
        lines.extend(f"{name} = {value}{newline}" for name, value in items)
        return lines

    def set_managed(self, key, items, adopt=False):
        """Write section ``key`` with ``items``; True when the file changed.

        An existing section without the marker belongs to someone else:
        ConfigFileError unless ``adopt`` is true.
        """
        new_lines = self.render_section(key, items)
        section = self.find(key)
        if section is None:
            self._append(Section(key, new_lines))
            return True
        if not section.managed and not adopt:
            raise ConfigFileError(
                f"[{describe_key(key)}] already exists in the {self.file_kind} file and is not managed by"
                " this collection (no marker line); set adopt=true to take it over, or rename it"
            )
        new_lines = new_lines + section.trailing_lines()
        if new_lines == section.lines:
            return False
        section.lines = new_lines
        return True

    def remove_managed(self, key):
        """Drop the managed section ``key``; True when the file changed.

        Comments that trailed it stay (they usually describe the next section);
        a run of blank lines alone goes with it.
        """
        section = self.find(key)
        if section is None or not section.managed:
            return False
        trailing = section.trailing_lines()
        index = self.sections.index(section)
        del self.sections[index]
        if any(line.strip() for line in trailing):
            if index > 0:
                self.sections[index - 1].lines.extend(trailing)
            else:
                self.preamble.extend(trailing)
        return True

    def _append(self, section):
        tail = self.sections[-1].lines if self.sections else self.preamble
        if tail:
            if not tail[-1].endswith("\n"):
                tail[-1] += self.newline
            if tail[-1].strip():
                tail.append(self.newline)
        self.sections.append(section)


def redact(text):
    """``text`` with the value of every secret-looking key replaced by ********.

    An indented line right after a secret is a continuation of its value and
    is hidden too.
    """
    out = []
    in_secret = False
    for line in text.split("\n"):
        if in_secret and line[:1].isspace() and line.strip():
            out.append(line[: len(line) - len(line.lstrip())] + REDACTED)
            continue
        in_secret = False
        # A commented-out key (an old secret kept "just in case") is hidden too.
        comment = _COMMENT_LEAD.match(line)
        lead, body = (comment.group(0), line[comment.end():]) if comment else ("", line)
        match = _KEY_VALUE.match(body)
        if match and _SECRET_KEY.search(match.group("key")):
            line = lead + match.group("lead") + REDACTED + match.group("end")
            in_secret = not comment
        out.append(line)
    return "\n".join(out)


# --- what a diff shows ------------------------------------------------------------


def _without_trailing(section):
    """The section's lines without the comments and blank lines that trail it (they
    usually describe the next section, which may be someone else's)."""
    trailing = section.trailing_lines()
    return section.lines[: len(section.lines) - len(trailing)]


def config_diff_view(section):
    """The text a diff shows of one ``config`` section: its own lines, secrets redacted."""
    text = "".join(_without_trailing(section)).replace("\r\n", "\n")
    return redact(text if text.endswith("\n") else text + "\n")


def _value_marker(key, value, before_values):
    if before_values is not None and key in before_values and before_values[key] != value:
        return VALUE_CHANGED
    return VALUE_SET


def credentials_diff_view(section, before_values=None):
    """The text a diff shows of one ``credentials`` section: key names, never a value.

    Each ``key = value`` line shows ``(set)``; on the after side of a change
    (``before_values``: the section's values before it), a key whose value
    differs shows ``(changed)``.  Comments and continuation lines are left
    out: a value or an old key may hide in them.
    """
    lines = [section.lines[0].rstrip("\r\n")]
    for line in _without_trailing(section)[1:]:
        if _is_marker(line):
            lines.append(MANAGED_MARKER)
            continue
        match = None if _is_comment_or_blank(line) or line[:1].isspace() else _KEY_VALUE.match(line)
        if match:
            key, value = match.group("key").strip(), match.group("value").strip()
            lines.append(f"{key} = {_value_marker(key, value, before_values)}")
    return "\n".join(lines) + "\n"
