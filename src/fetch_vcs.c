#include "fetch_vcs.h"

#include "fetch_home.h"
#include "minibuild.h"

#include "../lib/diag.h"
#include "../lib/file.h"
#include "../graph/graph.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The arguments of a command that are filled in when it runs, known by
 * their address. */
static const char URI[] = "<src_uri>";
/* The directory of a new checkout: a command that names it runs where
 * minimerge runs, the others run in the checkout. */
static const char DEST[] = "<dest>";
/* What the command is about: the revision to check out or to look up,
 * or what to remember. */
static const char VALUE[] = "<value>";
/* --branch scm_branch, two arguments, when scm_branch is set; else none. */
static const char BRANCH[] = "<--branch scm_branch>";

enum { MAX_ARGS = 10 };

/* A command: the tool's arguments, NULL-ended. */
typedef const char *vcs_command[MAX_ARGS];

struct vcs_tool {
	const char *type;             /* src_type */
	const char *dir;              /* its metadata, at the checkout's top */
	const char *program;          /* run as a child... */
	const char *fallback;         /* ...or this, when program is not on PATH */
	const char *a_source;         /* "a git source", for messages */
	bool paths;                   /* src_uri may be an absolute path */
	bool numbered;                /* scm_revision is a number */
	bool clone_moves;             /* clone checks out VALUE */
	const char *head;             /* what to check out when nothing is asked */
	const char *branch_prefix;    /* where a fetched scm_branch is; NULL: scm_branch
				       * has no meaning */
	const char *suffix;           /* makes a name a commit's */
	vcs_command clone;            /* into DEST */
	vcs_command pull;             /* what is new; none: move asks the remote */
	vcs_command move;             /* check out VALUE */
	vcs_command resolve;          /* the id of VALUE, if the checkout has it;
					 none: VALUE is an id */
	vcs_command current;          /* the id the checkout is at */
	/* What a move left in conflict, a line each, and which lines name a
	 * conflict; none: a move that conflicts fails (git, hg). */
	vcs_command conflicts;
	bool (*conflicted)(const char *line);
	/* The URL, where the tool keeps it; none: the file minimerge-wanted
	 * in dir, which holds it and what was asked, for every tool (a file
	 * read is no child to spawn on each fetch). */
	vcs_command url;
	/* Lines appended to files in the checkout to keep parts/ out of the
	 * tool's sight, as {path, text}. */
	const char *ignore[2][2];
};

/* svn status: C in the first (text), second (properties) or seventh
 * (tree) column. */
static bool svn_conflicted(const char *line)
{
	size_t n = strlen(line);
	return (n > 0 && line[0] == 'C') || (n > 1 && line[1] == 'C') || (n > 6 && line[6] == 'C');
}

/* bzr conflicts: every line is one. */
static bool any_line(const char *line)
{
	return *line != '\0';
}

static const struct vcs_tool tools[] = {
	{
		.type = "git",
		.dir = ".git",
		.program = "git",
		.a_source = "a git source",
		.paths = true,
		.head = "origin/HEAD",
		.branch_prefix = "origin/",
		.suffix = "^{commit}",
		.clone = {"clone", "--quiet", BRANCH, "--", URI, DEST},
		.pull = {"fetch", "--quiet", "--tags", "origin"},
		.move = {"checkout", "--quiet", "--detach", VALUE},
		.resolve = {"rev-parse", "--quiet", "--verify", VALUE},
		.current = {"rev-parse", "HEAD"},
		.url = {"config", "--get", "remote.origin.url"},
		.ignore = {{".git/info/exclude", "/parts/\n"}},
	},
	{
		.type = "hg",
		.dir = ".hg",
		.program = "hg",
		.a_source = "an hg source",
		.paths = true,
		.clone_moves = true,
		.head = "tip",
		.branch_prefix = "",
		.suffix = "",
		.clone = {"clone", "--quiet", "--updaterev", VALUE, "--", URI, DEST},
		.pull = {"pull", "--quiet", "--", URI},
		/* A local change that conflicts gets markers, not a merge tool
		 * that waits for someone. */
		.move = {"update", "--quiet", "--tool", "internal:merge", "--rev", VALUE},
		.resolve = {"log", "--rev", VALUE, "--template", "{node}"},
		.current = {"log", "--rev", ".", "--template", "{node}"},
		.ignore = {{".hg/minimerge-ignore", "syntax: regexp\n^parts(/|$)\n"},
			   {".hg/hgrc", "\n[ui]\nignore.minimerge = .hg/minimerge-ignore\n"}},
	},
	{
		.type = "svn",
		.dir = ".svn",
		.program = "svn",
		.a_source = "an svn source",
		.numbered = true,
		.clone_moves = true,
		.head = "HEAD",
		.suffix = "",
		.clone = {"checkout", "--quiet", "--non-interactive", "--revision", VALUE, "--", URI,
			  DEST},
		.move = {"update", "--quiet", "--non-interactive", "--revision", VALUE},
		.current = {"info", "--show-item", "revision"},
		.conflicts = {"status", "--quiet"},
		.conflicted = svn_conflicted,
	},
	{
		.type = "bzr",
		.dir = ".bzr",
		.program = "bzr",
		.fallback = "brz",
		.a_source = "a bzr source",
		.paths = true,
		.head = "last:1",
		.suffix = "",
		.clone = {"branch", "--quiet", "--", URI, DEST},
		.pull = {"pull", "--quiet", "--", URI},
		.move = {"update", "--quiet", "--revision", VALUE},
		.resolve = {"revision-info", "--revision", VALUE},
		.current = {"revision-info", "--tree"},
		.conflicts = {"conflicts"},
		.conflicted = any_line,
	},
};

static const struct vcs_tool *tool_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(type, tools[i].type))
			return &tools[i];
	return NULL;
}

const char *fetch_vcs_dir(const char *type)
{
	const struct vcs_tool *t = tool_of(type);
	return t ? t->dir : NULL;
}

int fetch_vcs_check(const struct minibuild *mb)
{
	const struct vcs_tool *t = tool_of(mb->src_type.value);
	const char *uri = mb->src_uri.value, *rev = mb->scm_revision.value;
	if (!path_is_url(uri) && !(t->paths && uri[0] == '/')) {
		diag_error(mb->path, mb->src_uri.line, "src_uri %s: %s is a URL (scheme://...)%s",
			   uri, t->a_source, t->paths ? " or an absolute path" : "");
		return -1;
	}
	if (mb->scm_branch.value && !t->branch_prefix) {
		diag_error(mb->path, mb->scm_branch.line,
			   "scm_branch has no meaning for %s: put the branch in src_uri", t->type);
		return -1;
	}
	if (rev && t->numbered && (!*rev || rev[strspn(rev, "0123456789")])) {
		diag_error(mb->path, mb->scm_revision.line,
			   "scm_revision = %s: %s revisions are numbers", rev, t->type);
		return -1;
	}
	return 0;
}

/* A fetch under way: its tool, and the program that runs it. */
struct vcs {
	const struct fetch_vcs *f;
	const struct vcs_tool *t;
	const char *program;
};

/* Runs the tool's command cmd in dir, value filled in; its output in the
 * log, or with out, its stdout in out instead.  0, or -1
 * with the reason in why. */
static int run(const struct vcs *v, const char *dir, const char *const *cmd, const char *value,
	       struct strbuf *out, struct strbuf *why)
{
	const char *argv[MAX_ARGS + 3] = {v->program};
	const char *cwd = dir;
	size_t n = 1;
	for (size_t i = 0; i < MAX_ARGS && cmd[i]; i++) {
		if (cmd[i] == URI) {
			argv[n++] = v->f->uri;
		} else if (cmd[i] == DEST) {
			argv[n++] = dir;
			cwd = NULL;
		} else if (cmd[i] == VALUE) {
			argv[n++] = value;
		} else if (cmd[i] == BRANCH) {
			if (v->f->branch) {
				argv[n++] = "--branch";
				argv[n++] = v->f->branch;
			}
		} else {
			argv[n++] = cmd[i];
		}
	}
	argv[n] = NULL;
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	o.cwd = cwd;
	struct spawn_result r;
	int rc = graph_job_exec(v->f->job, &o, !out, out, &r);
	if (rc < 0)
		strbuf_adds(why, "cannot write its log");
	if (rc > 0) {
		strbuf_addf(why, "%s %s: ", argv[0], argv[1]);
		spawn_result_describe(&r, argv[0], 0, why);
		if (!r.start_errno)
			strbuf_adds(why, " (see its log)");
	}
	return rc ? -1 : 0;
}

/* What the tool answers cmd in dir: the first line of its stdout, in out.
 * 0, or -1 if it fails (the question's answer is then "no"). */
static int ask(const struct vcs *v, const char *dir, const char *const *cmd, const char *value,
	       struct strbuf *out)
{
	struct strbuf ignored = STRBUF_INIT;
	int rc = run(v, dir, cmd, value, out, &ignored);
	strbuf_release(&ignored);
	size_t n = strcspn(out->buf, "\n");
	if (n < out->len)
		strbuf_setlen(out, n);
	return rc;
}

/* What to check out: scm_revision, else the fetched scm_branch, else the
 * tool's newest, as the tool names a commit. */
static void target(const struct vcs *v, struct strbuf *out)
{
	if (v->f->revision)
		strbuf_adds(out, v->f->revision);
	else if (v->f->branch && v->t->branch_prefix)
		strbuf_addf(out, "%s%s", v->t->branch_prefix, v->f->branch);
	else
		strbuf_adds(out, v->t->head);
	strbuf_adds(out, v->t->suffix);
}

/* The id of the commit value names, if the checkout in dir has it. */
static int resolve(const struct vcs *v, const char *dir, const char *value, struct strbuf *out)
{
	if (!v->t->resolve[0]) {
		strbuf_adds(out, value);
		return 0;
	}
	return ask(v, dir, v->t->resolve, value, out);
}

/* The tools that report a conflicting update by its output, not its exit
 * status (svn, bzr): 0, or -1 with the conflicts in why. */
static int check_conflicts(const struct vcs *v, const char *dir, struct strbuf *why)
{
	struct strbuf out = STRBUF_INIT;
	int rc = run(v, dir, v->t->conflicts, NULL, &out, why);
	size_t found = 0;
	for (char *line = out.buf; rc == 0 && line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (v->t->conflicted(line)) {
			if (!found++)
				strbuf_addf(why, "%s %s left conflicts in %s: ", v->program,
					    v->t->move[0], dir);
			else
				strbuf_adds(why, "; ");
			strbuf_adds(why, line);
		}
		line = end ? end + 1 : NULL;
	}
	strbuf_release(&out);
	return rc == 0 && !found ? 0 : -1;
}

/* Checks out what the minibuild asks for in dir (git: detached). */
static int check_out(const struct vcs *v, const char *dir, struct strbuf *why)
{
	struct strbuf want = STRBUF_INIT, ignored = STRBUF_INIT;
	target(v, &want);
	int rc = 0;
	if (!v->t->pull[0]) {
		if (v->f->offline) {
			strbuf_addf(why, "%s: moving the checkout in %s to %s needs the repository, "
					 "and offline",
				    v->f->uri, dir, want.buf);
			rc = -1;
		}
	} else if (resolve(v, dir, want.buf, &ignored) != 0 && !v->f->offline) {
		/* A commit not fetched yet (a revision newer than the clone,
		 * or not on its branch): the remote may have it. */
		rc = run(v, dir, v->t->pull, NULL, NULL, why);
	}
	if (rc == 0)
		rc = run(v, dir, v->t->move, want.buf, NULL, why);
	if (rc == 0 && v->t->conflicts[0])
		rc = check_conflicts(v, dir, why);
	strbuf_release(&want);
	strbuf_release(&ignored);
	return rc;
}

/* What the minibuild asks a checkout to be at: a changed scm_branch or
 * scm_revision moves the checkout, a local change does not. */
static void wanted(const struct fetch_vcs *f, struct strbuf *out)
{
	if (f->revision)
		strbuf_addf(out, "revision %s", f->revision);
	else if (f->branch)
		strbuf_addf(out, "branch %s", f->branch);
	else
		strbuf_adds(out, "the remote's HEAD");
}

static void state_path(const struct vcs *v, const char *dir, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s/minimerge-wanted", dir, v->t->dir);
}

/* What the checkout in dir is of (what = 0) or was asked to be at (1), as
 * the last fetch left it; empty when nothing says.  -1 when the tool
 * cannot say (git's config without the URL). */
static int recall(const struct vcs *v, const char *dir, int what, struct strbuf *out)
{
	if (what == 0 && v->t->url[0])
		return ask(v, dir, v->t->url, NULL, out);
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	int err;
	state_path(v, dir, &path);
	if (file_read(path.buf, &text, &err) == 0) {
		const char *line = text.buf;
		for (int i = 0; i < what && line; i++)
			if ((line = strchr(line, '\n')))
				line++;
		if (line)
			strbuf_add(out, line, strcspn(line, "\n"));
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return 0;
}

static int remember(const struct vcs *v, const char *dir, struct strbuf *why)
{
	struct strbuf w = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
	wanted(v->f, &w);
	int rc = 0;
	state_path(v, dir, &path);
	strbuf_addf(&text, "%s\n%s\n", v->f->uri, w.buf);
	int err = fs_write_atomic(path.buf, text.buf, text.len, 0);
	if (err) {
		strbuf_addf(why, "cannot write %s: %s", path.buf, strerror(err));
		rc = -1;
	}
	strbuf_release(&w);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

/* mkdir -p of the directory path is in.  0, or -1 with the reason in why. */
static int make_parent(const char *path, struct strbuf *why)
{
	struct arena a = ARENA_INIT;
	const char *dir = path_dirname(&a, path);
	int err = fs_mkdirs(dir, 0777);
	if (err)
		strbuf_addf(why, "cannot make %s: %s", dir, strerror(err));
	arena_free(&a);
	return err ? -1 : 0;
}

/* Keeps parts/ (builds and installs) out of the tool's sight, where it
 * keeps a list of what to ignore outside the tree: a checkout with it is
 * not dirty. */
static int ignore_parts(const struct vcs *v, const char *dir, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < 2 && v->t->ignore[i][0] && rc == 0; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, v->t->ignore[i][0]);
		rc = make_parent(path.buf, why);
		FILE *fp = rc == 0 ? fopen(path.buf, "a") : NULL;
		bool ok = fp && fputs(v->t->ignore[i][1], fp) != EOF;
		if (fp && fclose(fp) != 0)
			ok = false;
		if (rc == 0 && !ok) {
			strbuf_addf(why, "cannot write %s: %s", path.buf, strerror(errno));
			rc = -1;
		}
	}
	strbuf_release(&path);
	return rc;
}

static int clone_into(const struct vcs *v, const char *dir, struct strbuf *why)
{
	const struct fetch_vcs *f = v->f;
	if (f->offline) {
		strbuf_addf(why, "%s: no checkout in %s, and offline", f->uri, f->home);
		return -1;
	}
	struct strbuf want = STRBUF_INIT;
	target(v, &want);
	/* The directory the home is in (its category's): bzr does not make
	 * it. */
	int rc = make_parent(dir, why) == 0 ? run(v, dir, v->t->clone, want.buf, NULL, why) : -1;
	strbuf_release(&want);
	if (rc == 0 && f->revision && !v->t->clone_moves)
		rc = check_out(v, dir, why);
	if (rc == 0)
		rc = ignore_parts(v, dir, why);
	if (rc == 0)
		rc = remember(v, dir, why);
	return rc;
}

/* Where a checkout of another URL goes: HOME.old.YYYYMMDDHHMMSS. */
static void old_name(const char *home, struct strbuf *out)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	strbuf_addf(out, "%s.old.%s", home, stamp);
}

/* Whether the checkout is at the pinned scm_revision. */
static bool at_revision(const struct vcs *v)
{
	struct strbuf want = STRBUF_INIT, id = STRBUF_INIT, head = STRBUF_INIT;
	target(v, &want);
	bool at = ask(v, v->f->home, v->t->current, NULL, &head) == 0 &&
		  resolve(v, v->f->home, want.buf, &id) == 0 && !strcmp(head.buf, id.buf);
	strbuf_release(&want);
	strbuf_release(&id);
	strbuf_release(&head);
	return at;
}

int fetch_vcs(const struct fetch_vcs *f, struct strbuf *why)
{
	struct vcs v = {f, tool_of(f->type), NULL};
	if (!v.t) {
		strbuf_addf(why, "src_type = %s is not fetched by a VCS", f->type);
		return -1;
	}
	struct strbuf meta = STRBUF_INIT, tmp = STRBUF_INIT, url = STRBUF_INIT,
		      keep = STRBUF_INIT, ignored = STRBUF_INIT;
	v.program = v.t->program;
	if (v.t->fallback && spawn_find_program(v.t->program, NULL, &ignored) != 0)
		v.program = v.t->fallback;
	strbuf_addf(&meta, "%s/%s", f->home, v.t->dir);
	strbuf_addf(&tmp, "%s.unpack", f->home);
	int rc = -1;
	if (fetch_home_remove(tmp.buf, why) != 0)
		goto out;
	bool have = fs_is_dir(meta.buf, false);
	if (have && recall(&v, f->home, 0, &url) == 0 && strcmp(url.buf, f->uri)) {
		/* Another URL: a new checkout, the old one kept. */
		dprintf(graph_job_log_fd(f->job), "the checkout is of %s, not %s: checking out anew\n",
			url.len ? url.buf : "an unknown URL", f->uri);
		old_name(f->home, &keep);
		have = false;
	}
	if (!have) {
		rc = clone_into(&v, tmp.buf, why);
		if (rc == 0)
			rc = fetch_home_swap_in(tmp.buf, f->home, keep.len ? keep.buf : NULL, why);
		goto out;
	}
	if (f->update && !f->offline) {
		rc = v.t->pull[0] ? run(&v, f->home, v.t->pull, NULL, NULL, why) : 0;
		if (rc == 0)
			rc = check_out(&v, f->home, why);
		if (rc == 0)
			rc = remember(&v, f->home, why);
		goto out;
	}
	struct strbuf now = STRBUF_INIT, was = STRBUF_INIT;
	wanted(f, &now);
	recall(&v, f->home, 1, &was);
	bool moved = strcmp(now.buf, was.buf) != 0;
	strbuf_release(&now);
	strbuf_release(&was);
	if (moved) {
		rc = check_out(&v, f->home, why);
		if (rc == 0)
			rc = remember(&v, f->home, why);
		goto out;
	}
	/* Pinned: the checkout must be at the revision. */
	rc = f->revision && !at_revision(&v) ? check_out(&v, f->home, why) : 0;
out:
	fetch_home_remove(tmp.buf, &ignored);
	strbuf_release(&meta);
	strbuf_release(&tmp);
	strbuf_release(&url);
	strbuf_release(&keep);
	strbuf_release(&ignored);
	return rc;
}
