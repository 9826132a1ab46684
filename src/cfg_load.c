/* Reading a config and what it extends, and merging the layers: [buildout]
 * defaults, user defaults, the config tree, the command line. */
#include "cfg.h"

#include "cfg_internal.h"
#include "cfg_parse.h"
#include "fetch_url.h"

#include "../lib/diag.h"
#include "../lib/file.h"
#include "../lib/path.h"
#include "../lib/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* zc.buildout 2.13.2's defaults for [buildout] (research/buildout.md §6). */
static const char *const buildout_defaults[][2] = {
	{"allow-hosts", "*"},
	{"allow-picked-versions", "true"},
	{"allow-unknown-extras", "false"},
	{"bin-directory", "bin"},
	{"develop-eggs-directory", "develop-eggs"},
	{"eggs-directory", "eggs"},
	{"executable", NULL}, /* the python3 found on PATH */
	{"find-links", ""},
	{"install-from-cache", "false"},
	{"installed", ".installed.cfg"},
	{"log-format", ""},
	{"log-level", "INFO"},
	{"newest", "true"},
	{"offline", "false"},
	{"parts-directory", "parts"},
	{"prefer-final", "true"},
	{"python", "buildout"},
	{"show-picked-versions", "false"},
	{"socket-timeout", ""},
	{"update-versions-file", ""},
	{"use-dependency-links", "true"},
};

/* buildout's `executable` is the Python running it; minimerge's is the
 * python3 a recipe would run: the first one on PATH. */
static const char *find_python(struct arena *a)
{
	const char *path = getenv("PATH");
	if (path) {
		for (const char *p = path;;) {
			const char *e = strchr(p, ':');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			if (n) {
				char *dir = arena_strndup(a, p, n);
				char *cand = path_join(a, dir, "python3");
				if (access(cand, X_OK) == 0)
					return cand;
			}
			if (!e)
				break;
			p = e + 1;
		}
	}
	return "python3";
}

struct cfg_section *cfg_find_section(const struct cfg *cfg, const char *name)
{
	return hmap_gets(&cfg->index, name);
}

struct cfg_option *cfg_find_option(const struct cfg_section *s, const char *name)
{
	return hmap_gets(&s->index, name);
}

struct cfg_section *cfg_add_section(struct cfg *cfg, const char *name, const char *file,
				    int line)
{
	struct cfg_section **at = (struct cfg_section **)hmap_at(&cfg->index, name, strlen(name));
	if (*at)
		return *at;
	struct cfg_section *s = *at = arena_alloc(&cfg->arena, sizeof(*s));
	s->name = name;
	s->file = file;
	s->line = line;
	if (cfg->nsections == cfg->capsections) {
		cfg->capsections = cfg->capsections ? cfg->capsections * 2 : 16;
		cfg->sections = xrealloc(cfg->sections, cfg->capsections * sizeof(*cfg->sections));
	}
	cfg->sections[cfg->nsections++] = s;
	return s;
}

struct cfg_option *cfg_add_option(struct cfg *cfg, struct cfg_section *s, const char *name)
{
	struct cfg_option **at = (struct cfg_option **)hmap_at(&s->index, name, strlen(name));
	if (*at)
		return *at;
	struct cfg_option *o = *at = arena_alloc(&cfg->arena, sizeof(*o));
	o->name = name;
	if (s->noptions == s->capoptions) {
		s->capoptions = s->capoptions ? s->capoptions * 2 : 8;
		s->options = xrealloc(s->options, s->capoptions * sizeof(*s->options));
	}
	s->options[s->noptions++] = o;
	return o;
}

static void push_step(struct cfg *cfg, struct cfg_option *o, enum cfg_op op, const char *value,
		      const char *source, int line)
{
	o->file = source;
	o->line = line;
	if (!cfg->history)
		return;
	struct cfg_step *st = arena_alloc(&cfg->arena, sizeof(*st));
	st->op = op;
	st->value = value;
	st->source = source;
	st->line = line;
	st->prev = o->history;
	o->history = st;
}

/* buildout's -=: drops every line of value that equals a line of removed. */
const char *cfg_remove_lines(struct arena *a, const char *value, const char *removed)
{
	struct strbuf sb = STRBUF_INIT;
	bool first = true;
	for (const char *p = value;;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		bool drop = false;
		for (const char *q = removed;;) {
			const char *qe = strchr(q, '\n');
			size_t qn = qe ? (size_t)(qe - q) : strlen(q);
			if (qn == n && !memcmp(p, q, n)) {
				drop = true;
				break;
			}
			if (!qe)
				break;
			q = qe + 1;
		}
		if (!drop) {
			if (!first)
				strbuf_addc(&sb, '\n');
			strbuf_add(&sb, p, n);
			first = false;
		}
		if (!e)
			break;
		p = e + 1;
	}
	const char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

/* One file's change to one option, applied to what lies below it.
 * section_existed: the section was named by an earlier layer; buildout then
 * shows a += or -= on a new option as changing an IMPLICIT_VALUE. */
static void apply_delta(struct cfg *cfg, struct cfg_section *s, const struct cfg_delta *d,
			const char *source, bool section_existed)
{
	struct arena *a = &cfg->arena;
	size_t before = s->noptions;
	struct cfg_option *o = cfg_add_option(cfg, s, d->name);
	if (s->noptions != before && !d->set && section_existed)
		push_step(cfg, o, CFG_SET, "", "IMPLICIT_VALUE", 0);
	if (d->set) {
		bool existed = o->has_base || o->value;
		o->value = d->set;
		o->removed = NULL;
		o->has_base = true;
		push_step(cfg, o, existed ? CFG_OVERRIDE : CFG_SET, d->set, source, d->set_line);
	}
	if (d->add) {
		o->value = o->has_base || o->value ? cfg_join_lines(a, o->value, d->add) : d->add;
		push_step(cfg, o, CFG_ADD, d->add, source, d->add_line);
	}
	if (d->remove) {
		if (o->has_base)
			o->value = cfg_remove_lines(a, o->value, d->remove);
		else
			o->removed = o->removed ? cfg_join_lines(a, o->removed, d->remove)
						: d->remove;
		push_step(cfg, o, CFG_REMOVE, d->remove, source, d->remove_line);
	}
}

/* skip: a delta not to apply ([buildout] extends, consumed by the loader). */
static void apply_file(struct cfg *cfg, const struct cfg_file *f, const char *source,
		       const struct cfg_delta *skip)
{
	for (size_t i = 0; i < f->nsections; i++) {
		const struct cfg_file_section *fs = f->sections[i];
		size_t before = cfg->nsections;
		struct cfg_section *s = cfg_add_section(cfg, fs->name, source, fs->line);
		bool existed = cfg->nsections == before;
		for (size_t j = 0; j < fs->ndeltas; j++)
			if (fs->deltas[j] != skip)
				apply_delta(cfg, s, fs->deltas[j], source, existed);
	}
}

/* What loading the tree of extends needs to carry along. */
struct loader {
	struct cfg *cfg;
	struct hmap parsed; /* name -> struct cfg_file *, each file parsed once */
	struct cfg_file **files;
	size_t nfiles, capfiles;
	const char **stack; /* the chain of files extending one another */
	size_t depth, capstack;
	const struct cfg_load_options *opts;
	/* The root file's own [buildout] offline, which decides downloads of
	 * its extends before the merge has it. */
	const struct cfg_delta *root_offline;
};

/* buildout decides offline mode for downloads from the command line, then
 * the root config's own [buildout], then what was read below it. */
static int offline_mode(struct loader *ld, const char *where, int line, bool *offline)
{
	const char *v = "false";
	struct cfg_option *o = cfg_find_option(cfg_find_section(ld->cfg, "buildout"), "offline");
	if (o && o->has_base)
		v = o->value;
	if (ld->root_offline && ld->root_offline->set)
		v = ld->root_offline->set;
	for (size_t i = 0; i < ld->opts->nassignments; i++) {
		const struct cfg_assignment *as = &ld->opts->assignments[i];
		if (!strcmp(as->section, "buildout") && !strcmp(as->option, "offline"))
			v = as->value;
	}
	if (strcmp(v, "true") && strcmp(v, "false")) {
		diag_error(where, line, "Invalid value for 'offline' option: '%s'", v);
		return -1;
	}
	*offline = !strcmp(v, "true");
	return 0;
}

static struct cfg_file *parse_source(struct loader *ld, const char *name, const char *where,
				     int line)
{
	struct cfg_file *f = hmap_gets(&ld->parsed, name);
	if (f)
		return f;
	struct strbuf text = STRBUF_INIT;
	if (path_is_url(name)) {
		bool offline;
		if (offline_mode(ld, where, line, &offline) < 0)
			return NULL;
		if (offline) {
			diag_error(where, line, "Couldn't download '%s' in offline mode.", name);
			return NULL;
		}
		char err[512];
		if (fetch_url(name, &text, err, sizeof(err)) < 0) {
			diag_error(where, line, "Error downloading extends for URL %s: %s", name, err);
			strbuf_release(&text);
			return NULL;
		}
	} else {
		int err;
		if (file_read(name, &text, &err) < 0) {
			if (where)
				diag_error(where, line, "Couldn't open extended file %s: %s", name,
					   strerror(err));
			else
				diag_error(name, 0, "Couldn't open the config file: %s", strerror(err));
			strbuf_release(&text);
			return NULL;
		}
	}
	f = xcalloc(1, sizeof(*f));
	int rc = cfg_parse(&ld->cfg->arena, name, text.buf, text.len, f);
	strbuf_release(&text);
	if (ld->nfiles == ld->capfiles) {
		ld->capfiles = ld->capfiles ? ld->capfiles * 2 : 8;
		ld->files = xrealloc(ld->files, ld->capfiles * sizeof(*ld->files));
	}
	ld->files[ld->nfiles++] = f;
	if (rc < 0)
		return NULL;
	hmap_put(&ld->parsed, f->path, strlen(f->path), f);
	return f;
}

/* Where an extends entry points, relative to the file that names it. */
static const char *resolve_extends(struct arena *a, const char *base, const char *name)
{
	if (path_is_url(name))
		return name;
	if (path_is_url(base)) {
		if (name[0] == '/')
			return path_normpath(a, name);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/%s", base, name);
		const char *r = arena_strndup(a, sb.buf, sb.len);
		strbuf_release(&sb);
		return r;
	}
	return path_normpath(a, path_join(a, base, name));
}

static const char *base_of(struct arena *a, const char *name)
{
	if (path_is_url(name))
		return arena_strndup(a, name, (size_t)(strrchr(name, '/') - name));
	return path_dirname(a, name);
}

/* Loads name and, first, everything it extends, left to right: each file's
 * changes apply to what was read before it, as buildout overlays a file on
 * the merge of its extends. */
static int load_tree(struct loader *ld, const char *name, const char *where, int line)
{
	struct arena *a = &ld->cfg->arena;
	for (size_t i = 0; i < ld->depth; i++) {
		if (strcmp(ld->stack[i], name))
			continue;
		struct strbuf chain = STRBUF_INIT;
		for (size_t j = i; j < ld->depth; j++)
			strbuf_addf(&chain, "%s extends ", ld->stack[j]);
		strbuf_adds(&chain, name);
		diag_error(where, line, "Recursive file include: %s", chain.buf);
		strbuf_release(&chain);
		return -1;
	}
	struct cfg_file *f = parse_source(ld, name, where, line);
	if (!f)
		return -1;
	struct cfg_file_section *b = cfg_file_find(f, "buildout");
	struct cfg_delta *ext = b ? cfg_file_section_find(b, "extends") : NULL;
	if (b && cfg_file_section_find(b, "extended-by")) {
		diag_error(f->path, cfg_file_section_find(b, "extended-by")->set_line,
			   "No-longer supported \"extended-by\" option found in %s.", f->path);
		return -1;
	}
	if (ext && (ext->add || ext->remove)) {
		diag_error(f->path, ext->add ? ext->add_line : ext->remove_line,
			   "extends cannot be changed with += or -=; list the files with extends =");
		return -1;
	}
	if (ld->depth == 0)
		ld->root_offline = b ? cfg_file_section_find(b, "offline") : NULL;
	if (ext && ext->set) {
		if (ld->depth == ld->capstack) {
			ld->capstack = ld->capstack ? ld->capstack * 2 : 8;
			ld->stack = xrealloc(ld->stack, ld->capstack * sizeof(*ld->stack));
		}
		ld->stack[ld->depth++] = f->path;
		const char *base = base_of(a, f->path);
		char *list = arena_strdup(a, ext->set);
		char *save = NULL;
		for (char *tok = strtok_r(list, " \t\n\r\f\v", &save); tok;
		     tok = strtok_r(NULL, " \t\n\r\f\v", &save)) {
			if (load_tree(ld, resolve_extends(a, base, tok), f->path, ext->set_line) < 0) {
				ld->depth--;
				return -1;
			}
		}
		ld->depth--;
	}
	apply_file(ld->cfg, f, f->path, ext);
	return 0;
}

bool cfg_parse_assignment(struct arena *a, const char *arg, struct cfg_assignment *out)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return false;
	const char *colon = memchr(arg, ':', (size_t)(eq - arg));
	const char *opt = arg;
	out->section = "buildout";
	if (colon) {
		const char *sec = arg;
		size_t n = (size_t)(colon - arg);
		while (n && cfg_isspace((unsigned char)sec[n - 1]))
			n--;
		while (n && cfg_isspace((unsigned char)*sec))
			sec++, n--;
		out->section = arena_strndup(a, sec, n);
		opt = colon + 1;
	}
	size_t n = (size_t)(eq - opt);
	while (n && cfg_isspace((unsigned char)opt[n - 1]))
		n--;
	while (n && cfg_isspace((unsigned char)*opt))
		opt++, n--;
	out->option = arena_strndup(a, opt, n);
	const char *v = eq + 1;
	n = strlen(v);
	while (n && cfg_isspace((unsigned char)v[n - 1]))
		n--;
	while (n && cfg_isspace((unsigned char)*v))
		v++, n--;
	out->value = arena_strndup(a, v, n);
	return true;
}

/* The command line is one more layer, above everything read from files. */
static void apply_assignments(struct cfg *cfg, const struct cfg_load_options *opts)
{
	struct cfg_file f = {0};
	for (size_t i = 0; i < opts->nassignments; i++) {
		const struct cfg_assignment *as = &opts->assignments[i];
		struct cfg_file_section *fs =
			cfg_file_section_for(&cfg->arena, &f, as->section, strlen(as->section), 0);
		size_t n = strlen(as->option);
		char op = '=';
		if (n && (as->option[n - 1] == '+' || as->option[n - 1] == '-')) {
			op = as->option[n - 1];
			while (n && (as->option[n - 1] == ' ' || as->option[n - 1] == op))
				n--;
		}
		cfg_file_add(&cfg->arena, fs, arena_strndup(&cfg->arena, as->option, n), op,
			     as->value, 0);
	}
	apply_file(cfg, &f, CFG_SRC_COMMAND_LINE, NULL);
	cfg_file_free(&f);
}

static void apply_defaults(struct cfg *cfg)
{
	struct cfg_file f = {0};
	struct cfg_file_section *fs = cfg_file_section_for(&cfg->arena, &f, "buildout", 8, 0);
	for (size_t i = 0; i < sizeof(buildout_defaults) / sizeof(*buildout_defaults); i++) {
		const char *v = buildout_defaults[i][1];
		cfg_file_add(&cfg->arena, fs, buildout_defaults[i][0], '=',
			     v ? v : find_python(&cfg->arena), 0);
	}
	apply_file(cfg, &f, CFG_SRC_DEFAULT, NULL);
	cfg_file_free(&f);
}

static void set_value(struct cfg *cfg, struct cfg_section *s, const char *name,
		      const char *value, enum cfg_op op, const char *source)
{
	struct cfg_option *o = cfg_add_option(cfg, s, name);
	o->value = value;
	o->has_base = true;
	o->removed = NULL;
	push_step(cfg, o, op, value, source, 0);
}

/* buildout makes download-cache, eggs-directory and extends-cache absolute
 * against the directory of the file that set them, before anything else. */
static int absolutize_caches(struct cfg *cfg, struct cfg_section *b)
{
	static const char *const names[] = {"download-cache", "eggs-directory", "extends-cache"};
	struct arena *a = &cfg->arena;
	for (size_t i = 0; i < 3; i++) {
		struct cfg_option *o = cfg_find_option(b, names[i]);
		if (!o)
			continue;
		const char *v = cfg_raw_value(cfg, o);
		if (strstr(v, "${"))
			continue;
		const char *src = o->file ? o->file : CFG_SRC_DEFAULT;
		if (v[0] != '/') {
			const char *basedir;
			if (!strcmp(src, CFG_SRC_DEFAULT) || !strcmp(src, CFG_SRC_COMPUTED) ||
			    !strcmp(src, CFG_SRC_COMMAND_LINE)) {
				struct cfg_option *d = cfg_find_option(b, "directory");
				basedir = d ? cfg_raw_value(cfg, d) : cfg->directory;
			} else if (path_is_url(src)) {
				diag_error(o->file, o->line,
					   "Setting \"%s\" to a non absolute location (\"%s\") "
					   "within a remote configuration file (\"%s\") is ambiguous.",
					   names[i], v, src);
				return -1;
			} else {
				basedir = path_dirname(a, src);
			}
			v = path_expanduser(a, v);
			if (v[0] != '/')
				v = path_join(a, basedir, v);
		}
		v = path_abspath(a, v);
		if (!v)
			return -1;
		/* The step is DIRECTORY, from the same source; errors still point
		 * at the line that set the value. */
		const char *file = o->file;
		int line = o->line;
		o->value = v;
		o->has_base = true;
		o->removed = NULL;
		push_step(cfg, o, CFG_DIRECTORY, v, src, 0);
		o->file = file;
		o->line = line;
	}
	return 0;
}

int cfg_load(struct cfg *cfg, const struct cfg_load_options *opts)
{
	struct arena *a = &cfg->arena;
	struct loader ld = {.cfg = cfg, .opts = opts};
	int rc = -1;
	cfg->history = opts->history;
	apply_defaults(cfg);
	struct cfg_section *b = cfg_find_section(cfg, "buildout");

	const char *config = opts->config_file;
	if (!path_is_url(config)) {
		config = path_abspath(a, config);
		if (!config) {
			diag_error(NULL, 0, "cannot read the current directory");
			goto out;
		}
		cfg->directory = path_dirname(a, config);
		set_value(cfg, b, "directory", cfg->directory, CFG_SET, CFG_SRC_COMPUTED);
	} else {
		/* buildout leaves directory unset for a URL config and then fails;
		 * minimerge works in the current directory. */
		cfg->directory = path_abspath(a, ".");
		set_value(cfg, b, "directory", cfg->directory, CFG_SET, CFG_SRC_COMPUTED);
	}

	if (opts->user_defaults) {
		const char *home = getenv("BUILDOUT_HOME");
		const char *dir = home && *home ? home : path_expanduser(a, "~/.buildout");
		const char *user = path_abspath(a, path_join(a, dir, "default.cfg"));
		if (user && access(user, F_OK) == 0 && load_tree(&ld, user, NULL, 0) < 0)
			goto out;
	}
	if (load_tree(&ld, config, NULL, 0) < 0)
		goto out;
	apply_assignments(cfg, opts);

	struct cfg_option *versions = cfg_find_option(b, "versions");
	if (!versions) {
		set_value(cfg, b, "versions", "versions", CFG_SET, CFG_SRC_DEFAULT);
		cfg_add_section(cfg, "versions", CFG_SRC_DEFAULT, 0);
	}
	rc = absolutize_caches(cfg, b);
out:
	for (size_t i = 0; i < ld.nfiles; i++) {
		cfg_file_free(ld.files[i]);
		free(ld.files[i]);
	}
	free(ld.files);
	free(ld.stack);
	hmap_free(&ld.parsed);
	return rc;
}

void cfg_free(struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->nsections; i++) {
		struct cfg_section *s = cfg->sections[i];
		if (s->expanded != s->options) {
			free(s->expanded);
			hmap_free(&s->expanded_index);
		}
		free(s->options);
		free(s->refs);
		hmap_free(&s->index);
	}
	free(cfg->sections);
	free(cfg->parts);
	hmap_free(&cfg->index);
	strbuf_release(&cfg->scratch);
	arena_free(&cfg->arena);
}
