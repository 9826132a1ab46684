"""Generates minimerge roots of tiny packages for the executor's tests.

Each package NAME gets a source tree sources/NAME and a minibuild
minilays/gen/NAME-1.0 (install_method = cmmi, src_type = path).  Its
./configure is a POSIX sh script that

- records its options (all but --prefix) into options.txt;
- sleeps S seconds when given --sleep=S, fails when given --fail, prints
  N lines when given --noise=N;
- collects what its dependencies installed, as a real package would find
  them: the headers of each -I dir of CPPFLAGS, the lib/*.txt files of each
  -L dir of LDFLAGS and the output of the programs of each
  .../parts/part/bin dir of PATH, into deps.txt.

`make` writes NAME.txt (the package's name, its options, its data.txt and
deps.txt), NAME.h and the script NAME; `make install` installs them as
bin/NAME (0755), include/NAME.h and lib/NAME.txt (0644).  No absolute
path goes into an installed file, so two roots built from the same stack
install the same bytes, and a dependency's change reaches its users'
files.
"""

import os
import stat

CONFIGURE = r'''#!/bin/sh
# configure for NAME, a generated test package.
prefix='' opts='' fail='' delay='' noise=0
for arg
do
	case $arg in
	--prefix=*) prefix=${arg#*=} ;;
	--fail) fail=1 opts="$opts $arg" ;;
	--sleep=*) delay=${arg#*=} opts="$opts $arg" ;;
	--noise=*) noise=${arg#*=} opts="$opts $arg" ;;
	*) opts="$opts $arg" ;;
	esac
done
test -n "$prefix" || { echo "configure: error: --prefix=DIR is required" >&2; exit 1; }
echo "configuring NAME with options:$opts"
printf '%s\n' "$opts" >options.txt
i=0
while test "$i" -lt "$noise"; do
	echo "checking for noise $i... yes"
	i=$((i + 1))
done
if test -n "$delay"; then
	echo "sleeping $delay s"
	sleep "$delay"
fi
if test -n "$fail"; then
	echo "checking whether --fail was given... yes"
	echo "configure: error: NAME was told to fail" >&2
	exit 1
fi
: >deps.txt
for w in $CPPFLAGS; do
	case $w in
	-I*)
		for f in "${w#-I}"/*.h; do
			test -f "$f" || continue
			{ echo "header ${f##*/}:"; cat "$f"; } >>deps.txt
		done ;;
	esac
done
for w in $LDFLAGS; do
	case $w in
	-L*)
		for f in "${w#-L}"/*.txt; do
			test -f "$f" || continue
			{ echo "lib ${f##*/}:"; cat "$f"; } >>deps.txt
		done ;;
	esac
done
IFS=:
for d in $PATH; do
	case $d in
	*/parts/part/bin)
		for f in "$d"/*; do
			test -x "$f" || continue
			echo "program ${f##*/} says: $("$f")" >>deps.txt
		done ;;
	esac
done
unset IFS
printf 'prefix = %s\n' "$prefix" >config.mk
echo "configure: wrote config.mk"
exit 0
'''

MAKEFILE = '''.POSIX:
# NAME, a generated test package.

include config.mk

all: NAME.txt NAME.h NAME.sh

NAME.txt: options.txt data.txt deps.txt
\t{ echo "package NAME"; echo "options:$$(cat options.txt)"; cat data.txt deps.txt; } >NAME.txt

NAME.h: options.txt
\t{ echo '#define NAME_OPTIONS "'"$$(cat options.txt)"'"'; } >NAME.h

NAME.sh: options.txt
\t{ echo '#!/bin/sh'; echo 'echo "NAME'"$$(cat options.txt)"'"'; } >NAME.sh

install: all
\tmkdir -p $(DESTDIR)$(prefix)/bin $(DESTDIR)$(prefix)/include $(DESTDIR)$(prefix)/lib
\tcp NAME.sh $(DESTDIR)$(prefix)/bin/NAME
\tchmod 755 $(DESTDIR)$(prefix)/bin/NAME
\tcp NAME.h $(DESTDIR)$(prefix)/include/NAME.h
\tcp NAME.txt $(DESTDIR)$(prefix)/lib/NAME.txt
\tchmod 644 $(DESTDIR)$(prefix)/include/NAME.h $(DESTDIR)$(prefix)/lib/NAME.txt

.PHONY: all install
'''

CATEGORY = 'dependencies'
VERSION = '1.0'


class Stack:
    """A generated root: packages {name: (deps, configure_options)}."""

    def __init__(self, root, packages, category=CATEGORY, configure_padding=0):
        """configure_padding: bytes of comment lines added to each configure,
        to make it slower to copy."""
        self.root = os.path.realpath(str(root))
        self.category = category
        self.padding = configure_padding
        self.packages = {}
        os.makedirs(os.path.join(self.root, 'etc'), exist_ok=True)
        with open(os.path.join(self.root, 'etc', 'minimerge.cfg'), 'w') as f:
            f.write('[minimerge]\n')
        for name, (deps, options) in packages.items():
            self.add(name, deps, options)

    # --- names and places ---

    def full(self, name):
        """The minibuild's name: leaf0 -> leaf0-1.0."""
        return '%s-%s' % (name, VERSION)

    def place(self, name):
        return '%s/%s' % (self.category, self.full(name))

    def action(self, kind, name):
        """The identity of one of name's actions: 'build dependencies/x-1.0'."""
        return '%s %s' % (kind, self.place(name))

    def home(self, name):
        """The package's home: its fetched source, and parts/ beside it."""
        return os.path.join(self.root, self.category, self.full(name))

    def prefix(self, name):
        return os.path.join(self.home(name), 'parts', 'part')

    def builddir(self, name):
        return os.path.join(self.home(name), 'parts', 'build')

    def source(self, name):
        return os.path.join(self.root, 'sources', name)

    def minibuild_path(self, name):
        return os.path.join(self.root, 'minilays', 'gen', self.full(name))

    def log(self, kind, name):
        return os.path.join(self.root, '.minimerge', 'logs',
                            '%s.%s_%s.log' % (kind, self.category, self.full(name)))

    def lib_text(self, name):
        with open(os.path.join(self.prefix(name), 'lib', name + '.txt')) as f:
            return f.read()

    # --- the graph ---

    def deps(self, name):
        return self.packages[name][0]

    def reverse_deps(self, name):
        """Every package that needs name, directly or not."""
        out = set()
        todo = [name]
        while todo:
            n = todo.pop()
            for p, (deps, _) in self.packages.items():
                if n in deps and p not in out:
                    out.add(p)
                    todo.append(p)
        return out

    def needed_by(self, names):
        """names and every package they need, directly or not."""
        out = set()
        todo = list(names)
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(self.deps(n))
        return out

    # --- writing ---

    def add(self, name, deps=(), options=''):
        self.packages[name] = (list(deps), options)
        src = self.source(name)
        os.makedirs(src, exist_ok=True)
        pad = ('#' * 63 + '\n') * (self.padding // 64)
        for fname, text, mode in (('configure', CONFIGURE + pad, 0o755),
                                  ('Makefile', MAKEFILE, 0o644)):
            p = os.path.join(src, fname)
            with open(p, 'w') as f:
                f.write(text.replace('NAME', name))
            os.chmod(p, mode)
        self.write_data(name, 'data of %s\n' % name)
        self.write_minibuild(name)

    def write_data(self, name, text):
        with open(os.path.join(self.source(name), 'data.txt'), 'w') as f:
            f.write(text)

    def write_minibuild(self, name, **extra):
        deps, options = self.packages[name]
        keys = {}
        if deps:
            keys['dependencies'] = ' '.join(self.full(d) for d in deps)
        keys.update(src_type='path', src_uri='sources/' + name, install_method='cmmi',
                    category=self.category)
        if options:
            keys['configure_options'] = options
        keys.update(extra)
        path = self.minibuild_path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write('[minibuild]\n')
            for k, v in keys.items():
                f.write('%s = %s\n' % (k, v))

    def set_options(self, name, options):
        self.packages[name] = (self.packages[name][0], options)
        self.write_minibuild(name)

    # --- looking at the result ---

    def installed_tree(self):
        """{relative path under the root: (mode, bytes or link target)} of every
        file and directory under <root>/*/*/parts/part."""
        out = {}
        for cat in sorted(os.listdir(self.root)):
            catdir = os.path.join(self.root, cat)
            if cat in ('etc', 'minilays', 'sources', '.minimerge') or not os.path.isdir(catdir):
                continue
            for pkg in sorted(os.listdir(catdir)):
                part = os.path.join(catdir, pkg, 'parts', 'part')
                if not os.path.isdir(part):
                    continue
                for dirpath, dirnames, filenames in os.walk(part):
                    for n in dirnames + filenames:
                        p = os.path.join(dirpath, n)
                        st = os.lstat(p)
                        rel = os.path.relpath(p, self.root)
                        if stat.S_ISLNK(st.st_mode):
                            out[rel] = (st.st_mode, os.readlink(p))
                        elif stat.S_ISREG(st.st_mode):
                            with open(p, 'rb') as f:
                                out[rel] = (st.st_mode, f.read())
                        else:
                            out[rel] = (st.st_mode, None)
        return out

    def expected_files(self, name):
        base = os.path.relpath(self.prefix(name), self.root)
        return {os.path.join(base, 'bin', name), os.path.join(base, 'include', name + '.h'),
                os.path.join(base, 'lib', name + '.txt')}


# --- shapes ---

def chain(n, prefix='c', options=''):
    """c0 <- c1 <- ... : c<i> needs c<i-1>."""
    return {'%s%d' % (prefix, i): ([] if i == 0 else ['%s%d' % (prefix, i - 1)], options)
            for i in range(n)}


def diamond(prefix='d', options=''):
    """top needs left and right, which both need bottom."""
    return {prefix + 'bottom': ([], options),
            prefix + 'left': ([prefix + 'bottom'], options),
            prefix + 'right': ([prefix + 'bottom'], options),
            prefix + 'top': ([prefix + 'left', prefix + 'right'], options)}


def leaves(n, prefix='leaf', options=''):
    """n packages that need nothing."""
    return {'%s%d' % (prefix, i): ([], options) for i in range(n)}


def mixed(options=''):
    """A chain of 3, a diamond and 2 independent leaves: 9 packages."""
    out = {}
    out.update(chain(3, options=options))
    out.update(diamond(options=options))
    out.update(leaves(2, options=options))
    return out
