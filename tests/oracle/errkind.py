"""Classify a config error message into a short kind.

The same function reads two kinds of text:

* the exception text zc.buildout 2.13.2 raises (what `buildout` prints after
  `Error:`, or the text of an internal error such as a parse error), as
  reported by tests/oracle/buildout_oracle.py;
* minimerge's stderr, whose error lines look like
  `minimerge: FILE:LINE: error: MESSAGE` (or `minimerge: error: MESSAGE`),
  where MESSAGE reuses buildout's wording, possibly joined onto one line.

Kinds: parse, condition, extends-cycle, missing-file, extended-by,
macro-loop, macro-missing, circular, bad-substitution, missing-section,
missing-option, bad-option-value, bad-log-level; anything else is `unknown`
(a test seeing `unknown` fails).
"""

import re

# A line of minimerge's diagnostics: "minimerge: FILE:LINE: error: " or
# "minimerge: error: " (FILE may be absent, LINE too).
_PREFIX = re.compile(
    r'^minimerge:\s+(?:(?:[^\n]*?:\d+:|[^\n:]+:)\s+)?error:\s+', re.M)

# Order matters: the parse-error texts quote the offending lines, which may
# contain any words, so they are recognised first; file-level errors come
# before substitution errors because their messages contain paths.
_RULES = [
    ('parse', r'File contains parsing errors|File contains no section headers'),
    ('extended-by', r'No-longer supported\s+"?extended-by"?|\bextended-by\b'),
    ('extends-cycle', r'Recursive file include'),
    ('missing-file', r"Couldn't open|No such file|\[Errno 2\]"),
    ('macro-loop', r'Infinite extending loop'),
    ('macro-missing', r'No section named'),
    ('circular', r'Circular reference'),
    ('bad-substitution',
     r"doesn't\s+contain\s+a\s+colon"
     r"|has\s+too\s+many\s+colons"
     r"|(?:section|option)\s+name\s+in\s+substitution.*?has\s+invalid\s+characters"),
    ('missing-section', r'The referenced section,.*?was not defined'),
    ('missing-option', r'Referenced option does not exist|Missing option'),
    ('bad-option-value', r"Invalid value for\s+'?[^\s']+'?\s+option"),
    ('bad-log-level', r'Invalid logging level'),
    ('condition',
     r"\bcondition|\bexpression\b|is not defined|invalid syntax"
     r"|NameError|SyntaxError|unknown name"),
]
_COMPILED = [(kind, re.compile(rx, re.S | re.I if kind == 'condition' else re.S))
             for kind, rx in _RULES]


def _message(text):
    """The message part of TEXT: from the first diagnostic line on, with
    minimerge's `minimerge: FILE:LINE: error: ` prefixes removed.  Text
    without such a prefix (buildout's) is returned whole."""
    m = _PREFIX.search(text)
    if m:
        text = text[m.start():]
    return _PREFIX.sub('', text)


def classify(text):
    """Return the kind of the error described by TEXT, or 'unknown'."""
    if not text:
        return 'unknown'
    msg = _message(text)
    for kind, rx in _COMPILED:
        if rx.search(msg):
            return kind
    return 'unknown'


if __name__ == '__main__':
    import sys
    print(classify(sys.stdin.read()))
