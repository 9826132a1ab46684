"""Imported before zc.buildout: Debian's 2.13.2 predates Python 3.10's
removal of the collections ABC aliases, and would not import without
them; its deprecation warnings are silenced too."""

import collections
import collections.abc
import warnings

for _name in ('MutableMapping', 'Mapping', 'MutableSet', 'Sequence',
              'Iterable', 'Callable'):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
warnings.filterwarnings('ignore')
