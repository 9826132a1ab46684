#include "backend.h"

#include "build_env.h"
#include "project_info.h"

#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char want_script[] = "want";
static const char all_info_script[] = "all_info";

/* ---- finding them ---- */

static struct backend *add(struct backend_set *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	struct backend *b = &s->v[s->n++];
	memset(b, 0, sizeof(*b));
	return b;
}

static bool have_name(const struct backend_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return true;
	return false;
}

/* A backend is a directory whose name does not start with '.'. */
static bool backend_entry(const char *name, bool is_dir, void *ctx)
{
	(void)ctx;
	return name[0] != '.' && is_dir;
}

static void load_dir(struct backend_set *s, const char *dir)
{
	size_t n;
	const char **names = fs_list_dir(&s->arena, dir, backend_entry, NULL, &n);
	if (!names)
		return;
	/* pkgme's helpers: <dir>/../helpers, beside the backends' directory. */
	const char *helpers = path_join(&s->arena, path_dirname(&s->arena, dir), "helpers");
	if (!fs_is_dir(helpers, true))
		helpers = NULL;
	for (size_t i = 0; i < n; i++) {
		if (have_name(s, names[i]))
			continue;
		struct backend *b = add(s);
		b->name = names[i];
		b->dir = path_join(&s->arena, dir, names[i]);
		b->helpers = helpers;
	}
	free(names);
}

static int read_timeout(struct backend_set *s, struct strbuf *err)
{
	s->timeout = 60;
	const char *t = getenv("MINIMERGE_BACKEND_TIMEOUT");
	if (!t || !*t)
		return 0;
	char *end;
	errno = 0;
	double v = strtod(t, &end);
	if (errno || *end || !(v > 0) || !isfinite(v)) {
		strbuf_addf(err, "MINIMERGE_BACKEND_TIMEOUT=%s: not a number of seconds above 0", t);
		return -1;
	}
	s->timeout = v;
	return 0;
}

int backend_set_load(struct backend_set *s, struct strbuf *err)
{
	memset(s, 0, sizeof(*s));
	if (read_timeout(s, err) != 0)
		return -1;
	const char *paths = getenv("MINIMERGE_BACKEND_PATHS");
	if (!paths || !*paths)
		paths = getenv("PKGME_BACKEND_PATHS");
	if (!paths || !*paths)
		paths = MINIMERGE_BACKEND_DIR;
	s->searched = arena_strdup(&s->arena, paths);
	for (const char *p = paths; *p;) {
		size_t len = strcspn(p, ":");
		/* Absolute: the scripts run in the project, not here.  (NULL: no
		 * current directory to take a relative one from.) */
		const char *dir = len ? path_abspath(&s->arena, arena_strndup(&s->arena, p, len)) : NULL;
		if (dir)
			load_dir(s, dir);
		p += len + (p[len] == ':');
	}
	size_t nbuiltin;
	const struct backend_builtin *builtin = backend_builtins(&nbuiltin);
	for (size_t i = 0; i < nbuiltin; i++) {
		if (have_name(s, builtin[i].name))
			continue;
		struct backend *b = add(s);
		b->name = builtin[i].name;
		b->builtin = &builtin[i];
	}
	return 0;
}

void backend_set_free(struct backend_set *s)
{
	free(s->v);
	arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

/* ---- running a script ---- */

struct script {
	const struct backend *backend;
	const char *name;
	const char *path;
	int out, err; /* its stdout and stderr: scratch files */
	pid_t pid;
	int start_errno;
	struct spawn_result r;
};

/* Starts script name of b in cwd with input (NULL: none) on its stdin. */
static void script_start(struct arena *a, const struct backend *b, const char *name,
			 const char *cwd, const char *input, struct script *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->backend = b;
	sc->name = name;
	sc->path = path_join(a, b->dir, name);
	sc->out = fs_open_scratch();
	sc->err = sc->out < 0 ? -1 : fs_open_scratch();
	int in = -1;
	if (sc->err < 0) {
		sc->start_errno = errno;
		return;
	}
	if (input) {
		in = fs_open_scratch();
		if (in < 0 || fs_write_all(in, input, strlen(input)) != 0 ||
		    lseek(in, 0, SEEK_SET) != 0) {
			sc->start_errno = errno ? errno : EIO;
			if (in >= 0)
				close(in);
			return;
		}
	}
	char **envp = b->helpers ? build_env_append_path(b->helpers) : NULL;
	const char *argv[] = {sc->path, NULL};
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	o.cwd = cwd;
	o.envp = envp;
	o.stdin_fd = in;
	o.stdout_fd = sc->out;
	o.stderr_fd = sc->err;
	sc->start_errno = spawn_start(&o, &sc->pid);
	build_env_free(envp);
	if (in >= 0)
		close(in);
}

/* What a script wrote, up to BACKEND_OUTPUT_MAX bytes: false if it wrote
 * more. */
static bool read_scratch(int fd, struct strbuf *out)
{
	char buf[4096];
	ssize_t n;
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		return true;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out->len + (size_t)n > BACKEND_OUTPUT_MAX)
			return false;
		strbuf_add(out, buf, (size_t)n);
	}
	return true;
}

/* Waits for it: 0 when it exited with 0 (its stdout in out), 1 when the
 * script is not there, -1 with why in err.  Its stderr goes to log. */
static int script_wait(const struct backend_set *s, struct script *sc, struct strbuf *out,
		       struct strbuf *log, struct strbuf *err)
{
	if (!sc->start_errno)
		spawn_wait(sc->pid, s->timeout, &sc->r);
	struct strbuf stdout_text = STRBUF_INIT, stderr_text = STRBUF_INIT;
	bool stdout_whole = read_scratch(sc->out, &stdout_text);
	bool stderr_whole = read_scratch(sc->err, &stderr_text);
	bool whole = stdout_whole && stderr_whole;
	if (sc->out >= 0)
		close(sc->out);
	if (sc->err >= 0)
		close(sc->err);
	if (log && stderr_text.len)
		strbuf_addf(log, "%s: stderr:\n%s%s", sc->path, stderr_text.buf,
			    stderr_text.buf[stderr_text.len - 1] == '\n' ? "" : "\n");
	const struct backend *b = sc->backend;
	int rc = -1;
	struct stat st;
	if ((sc->start_errno == ENOENT || sc->start_errno == EACCES) && stat(sc->path, &st) != 0) {
		rc = 1;
	} else if (sc->start_errno == EACCES || (sc->start_errno && access(sc->path, X_OK) != 0)) {
		strbuf_addf(err,
				    "Backend %s (%s) has no usable '%s' script: permission denied "
				    "trying to execute %s, is it executable?",
			    b->name, b->dir, sc->name, sc->path);
	} else if (sc->start_errno) {
		strbuf_addf(err, "Backend %s (%s) has no usable '%s' script: %s", b->name, b->dir,
			    sc->name, strerror(sc->start_errno));
	} else if (sc->r.timed_out) {
		strbuf_addf(err, "%s ", sc->path);
		spawn_result_describe(&sc->r, sc->path, s->timeout, err);
	} else if (!whole) {
		strbuf_addf(err, "%s printed more than %d bytes", sc->path, BACKEND_OUTPUT_MAX);
	} else if (sc->r.exited && sc->r.code == 0) {
		strbuf_add(out, stdout_text.buf, stdout_text.len);
		rc = 0;
	} else if (sc->r.exited && sc->r.code == BACKEND_USER_ERROR) {
		/* The user's mistake, said by the backend: its words alone. */
		rc = -2;
		strbuf_add(err, stdout_text.buf, stdout_text.len);
		if (!stdout_text.len)
			strbuf_add(err, stderr_text.buf, stderr_text.len);
		while (err->len && err->buf[err->len - 1] == '\n')
			err->buf[--err->len] = '\0';
	} else {
		strbuf_addf(err, "%s ", sc->path);
		if (sc->r.exited)
			strbuf_addf(err, "failed with returncode %d", sc->r.code);
		else
			spawn_result_describe(&sc->r, sc->path, s->timeout, err);
		strbuf_adds(err, ". Output:");
		const struct strbuf *parts[] = {&stdout_text, &stderr_text};
		for (int k = 0; k < 2; k++)
			for (const char *p = parts[k]->buf; *p;) {
				size_t len = strcspn(p, "\n");
				strbuf_addf(err, "\n | %.*s", (int)len, p);
				p += len + (p[len] == '\n');
			}
	}
	strbuf_release(&stdout_text);
	strbuf_release(&stderr_text);
	return rc;
}

/* ---- want ---- */

/* What pkgme prints of a text it could not read: Python's repr of it. */
static void add_repr(struct strbuf *out, const char *s)
{
	strbuf_addc(out, '\'');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c == '\n')
			strbuf_adds(out, "\\n");
		else if (c == '\t')
			strbuf_adds(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(out, "\\x%02x", c);
		else
			strbuf_addc(out, (char)c);
	}
	strbuf_addc(out, '\'');
}

static void add_json(struct strbuf *out, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	strbuf_adds(out, text ? text : "?");
	free(text);
}

static int clamp(double v)
{
	return v >= INT_MAX ? INT_MAX : v <= INT_MIN ? INT_MIN : (int)v;
}

/* Python's int(v): integers, reals truncated, and strings of digits. */
static bool as_int(const json_t *v, int *out)
{
	if (json_is_integer(v)) {
		*out = clamp((double)json_integer_value(v));
	} else if (json_is_real(v)) {
		*out = clamp(trunc(json_real_value(v)));
	} else if (json_is_boolean(v)) {
		*out = json_is_true(v);
	} else if (json_is_string(v)) {
		const char *t = json_string_value(v);
		char *end;
		errno = 0;
		long long n = strtoll(t, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\n')
			end++;
		if (end == t || *end || errno)
			return false;
		*out = clamp((double)n);
	} else {
		return false;
	}
	return true;
}

/* pkgme's reading of want's output; the messages are its own. */
static int parse_want(struct arena *a, const struct backend *b, const char *text,
		      struct backend_score *sc, struct strbuf *err)
{
	size_t start = strspn(text, " \t\r\n"), end = strlen(text);
	while (end > start && strchr(" \t\r\n", text[end - 1]))
		end--;
	char *stripped = arena_strndup(a, text + start, end - start);
	json_t *v = json_loads(stripped, JSON_DECODE_ANY, NULL);
	int rc = -1;
	if (!v) {
		strbuf_addf(err, "Backend %s (%s) returned invalid JSON from '%s' script: ", b->name,
			    b->dir, want_script);
		add_repr(err, stripped);
		return -1;
	}
	const json_t *score = v;
	if (json_is_object(v)) {
		score = json_object_get(v, "score");
		const json_t *reason = json_object_get(v, "reason");
		if (!score) {
			strbuf_addf(err, "Backend %s (%s) did not return a score from '%s' script: ",
				    b->name, b->dir, want_script);
			add_json(err, v);
			goto out;
		}
		if (json_is_string(reason)) {
			sc->reason = project_info_one_line(a, json_string_value(reason));
		} else if (reason && !json_is_null(reason)) {
			struct strbuf r = STRBUF_INIT;
			add_json(&r, reason);
			sc->reason = project_info_one_line(a, r.buf);
			strbuf_release(&r);
		}
	} else if (json_is_array(v) || json_is_null(v)) {
		strbuf_addf(err, "Backend %s (%s) returned invalid score from '%s' script: ", b->name,
			    b->dir, want_script);
		add_json(err, v);
		goto out;
	}
	if (!as_int(score, &sc->score)) {
		strbuf_addf(err, "Backend %s (%s) returned non-integer score from '%s' script: ",
			    b->name, b->dir, want_script);
		if (json_is_string(score))
			add_repr(err, json_string_value(score));
		else
			add_json(err, score);
		goto out;
	}
	rc = 0;
out:
	json_decref(v);
	return rc;
}

static int by_rank(const void *x, const void *y)
{
	const struct backend_score *a = x, *b = y;
	bool ea = a->score > 0, eb = b->score > 0;
	if (ea != eb)
		return ea ? -1 : 1;
	if (ea && a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->backend->name, b->backend->name);
}

int backend_rank(const struct backend_set *s, const char *dir, struct arena *a,
		 struct backend_score **scores, struct strbuf *log, struct strbuf *err)
{
	if (!fs_is_dir(dir, true)) {
		strbuf_addf(err, "%s: no such directory", dir);
		return -1;
	}
	struct backend_score *v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	struct script *runs = xcalloc(s->n ? s->n : 1, sizeof(*runs));
	/* Every script starts before the first is waited for: the backends
	 * think at once, and the built-in ones meanwhile. */
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].builtin)
			script_start(a, &s->v[i], want_script, dir, NULL, &runs[i]);
	struct strbuf out = STRBUF_INIT, reason = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct backend *b = &s->v[i];
		v[i].backend = b;
		if (b->builtin) {
			strbuf_reset(&reason);
			v[i].score = backend_builtin_want(b->builtin, dir, &reason);
			v[i].reason = reason.len ? arena_strdup(a, reason.buf) : NULL;
			continue;
		}
		strbuf_reset(&out);
		struct strbuf *e = rc == 0 ? err : &reason; /* the first error is the one said */
		int r = script_wait(s, &runs[i], &out, log, e);
		if (r == 1)
			strbuf_addf(e, "Backend %s (%s) has no '%s' script", b->name, b->dir,
				    want_script);
		if (r == 0 && parse_want(a, b, out.buf, &v[i], e) != 0)
			r = -1;
		if (r != 0 && rc == 0)
			rc = r == -2 ? -2 : -1;
	}
	strbuf_release(&out);
	strbuf_release(&reason);
	free(runs);
	if (rc != 0) {
		free(v);
		return rc;
	}
	qsort(v, s->n, sizeof(*v), by_rank);
	*scores = v;
	return 0;
}

bool backend_has_winner(const struct backend_score *scores, size_t n)
{
	return n > 0 && scores[0].score > 0;
}

static int by_backend_name(const void *x, const void *y)
{
	const struct backend_score *a = x, *b = y;
	return strcmp(a->backend->name, b->backend->name);
}

void backend_describe_none(const struct backend_set *s, const struct backend_score *scores,
			   const char *dir, struct strbuf *out)
{
	struct backend_score *v = xmalloc(s->n * sizeof(*v));
	memcpy(v, scores, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), by_backend_name);
	strbuf_addf(out, "No eligible backends for %s. Tried ", dir);
	for (size_t i = 0; i < s->n; i++) {
		strbuf_addf(out, "%s%s (%d", i ? ", " : "", v[i].backend->name, v[i].score);
		if (v[i].reason)
			strbuf_addf(out, ": %s", v[i].reason);
		strbuf_addc(out, ')');
	}
	free(v);
}

/* ---- info ---- */

static int info_all(const struct backend_set *s, struct arena *a, const struct backend *b, const char *dir,
		    const char *const *keys, json_t **facts, struct strbuf *log, struct strbuf *err)
{
	json_t *list = json_array();
	for (const char *const *k = keys; *k; k++)
		json_array_append_new(list, json_string(*k));
	char *input = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	struct script sc;
	script_start(a, b, all_info_script, dir, input, &sc);
	free(input);
	struct strbuf out = STRBUF_INIT;
	int r = script_wait(s, &sc, &out, log, err);
	if (r == 1)
		strbuf_addf(err, "Backend %s (%s) has no '%s' script", b->name, b->dir,
			    all_info_script);
	if (r == -2) {
		strbuf_release(&out);
		return -2;
	}
	json_t *v = r == 0 ? json_loads(out.buf, JSON_DECODE_ANY, NULL) : NULL;
	if (r == 0 && !json_is_object(v)) {
		strbuf_addf(err, "%s didn't return valid JSON: ", sc.path);
		add_repr(err, out.buf);
		json_decref(v);
		v = NULL;
	}
	strbuf_release(&out);
	if (!v)
		return -1;
	/* A null is a key not provided, as a key left out. */
	const char *key;
	json_t *value;
	void *tmp;
	json_object_foreach_safe(v, tmp, key, value)
	{
		if (json_is_null(value))
			json_object_del(v, key);
	}
	*facts = v;
	return 0;
}

static int info_each(const struct backend_set *s, struct arena *a, const struct backend *b, const char *dir,
		     const char *const *keys, json_t **facts, struct strbuf *log,
		     struct strbuf *err)
{
	size_t n = 0;
	while (keys[n])
		n++;
	struct script *runs = xcalloc(n ? n : 1, sizeof(*runs));
	for (size_t i = 0; i < n; i++) {
		const char *path = path_join(a, b->dir, keys[i]);
		struct stat st;
		if (lstat(path, &st) == 0)
			script_start(a, b, keys[i], dir, NULL, &runs[i]);
		else
			runs[i].start_errno = -1; /* not there: the key is not provided */
	}
	json_t *v = json_object();
	struct strbuf out = STRBUF_INIT, ignored = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (runs[i].start_errno == -1)
			continue;
		strbuf_reset(&out);
		int r = script_wait(s, &runs[i], &out, log, rc == 0 ? err : &ignored);
		if (r < 0 && rc == 0) {
			rc = r;
		} else if (r == 0) {
			while (out.len && out.buf[out.len - 1] == '\n')
				out.buf[--out.len] = '\0';
			json_t *text = json_stringn(out.buf, out.len);
			if (!text) {
				strbuf_addf(rc == 0 ? err : &ignored, "%s printed text that is not UTF-8",
					    runs[i].path);
				rc = -1;
			}
			json_object_set_new(v, keys[i], text);
		}
	}
	strbuf_release(&out);
	strbuf_release(&ignored);
	free(runs);
	if (rc != 0) {
		json_decref(v);
		return rc;
	}
	*facts = v;
	return 0;
}

int backend_info(const struct backend_set *s, const struct backend *b, const char *dir,
		 struct arena *a, const char *const *keys, json_t **facts, struct strbuf *log,
		 struct strbuf *err)
{
	if (b->builtin) {
		json_t *v = json_object();
		if (backend_builtin_info(b->builtin, dir, keys, v, err) != 0) {
			json_decref(v);
			return -1;
		}
		*facts = v;
		return 0;
	}
	struct stat st;
	bool single = lstat(path_join(a, b->dir, all_info_script), &st) == 0;
	return single ? info_all(s, a, b, dir, keys, facts, log, err)
		      : info_each(s, a, b, dir, keys, facts, log, err);
}
