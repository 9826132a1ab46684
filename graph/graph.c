#include "internal.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct graph_action *graph_add_action(struct graph *g, const struct graph_kind *kind,
				      const char *identity, void *data)
{
	struct graph_action *a = arena_alloc(&g->arena, sizeof(*a));
	a->kind = kind;
	a->identity = arena_strdup(&g->arena, identity);
	a->data = data;
	a->node = dag_add_node(&g->dag);
	if (g->nactions == g->capactions) {
		g->capactions = g->capactions ? 2 * g->capactions : 64;
		g->actions = xrealloc(g->actions, g->capactions * sizeof(*g->actions));
	}
	g->actions[g->nactions++] = a;
	return a;
}

void graph_add_need(struct graph *g, struct graph_action *a, struct graph_action *b)
{
	dag_add_edge(&g->dag, a->node, b->node);
}

void graph_add_order(struct graph *g, struct graph_action *a, struct graph_action *b)
{
	dag_add_edge(&g->dag, a->node, b->node);
	/* From the arena, twice as large each time the count reaches a power
	 * of two (the arena frees nothing before the graph goes). */
	if (!(a->nafter & (a->nafter - 1))) {
		size_t *after = arena_alloc(&g->arena, (2 * a->nafter + 1) * sizeof(*after));
		if (a->nafter)
			memcpy(after, a->after, a->nafter * sizeof(*after));
		a->after = after;
	}
	a->after[a->nafter++] = b->node;
}

bool graph_only_after(const struct graph_action *a, size_t node)
{
	for (size_t i = 0; i < a->nafter; i++)
		if (a->after[i] == node)
			return true;
	return false;
}

void graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->nactions; i++) {
		free(g->actions[i]->reason);
		free(g->actions[i]->reason_after_run);
		free(g->actions[i]->note);
		free(g->actions[i]->failure);
		free(g->actions[i]->log_path);
	}
	free(g->actions);
	dag_free(&g->dag);
	arena_free(&g->arena);
	*g = (struct graph)GRAPH_INIT;
}

static void input_add(struct graph_inputs *in, const char *name, enum record_input_type type,
		      struct hash128 h, const char *text)
{
	if (in->n == in->cap) {
		/* From the arena, like the strings: a build has two dozen
		 * inputs, and a malloc'd array per action grew the heap a page
		 * at a time. */
		size_t cap = in->cap ? 2 * in->cap : 32;
		struct record_input *items = arena_alloc(in->arena, cap * sizeof(*items));
		if (in->n)
			memcpy(items, in->items, in->n * sizeof(*items));
		in->items = items;
		in->cap = cap;
	}
	struct record_input *it = &in->items[in->n++];
	it->name = arena_strdup(in->arena, name);
	it->type = type;
	it->hash = h;
	it->text = arena_strdup(in->arena, text ? text : "");
}

void graph_input_text(struct graph_inputs *in, const char *name, const char *text)
{
	input_add(in, name, RECORD_INPUT_TEXT, hash_bytes(text, strlen(text)), text);
}

void graph_input_hash(struct graph_inputs *in, const char *name, struct hash128 h,
		      const char *text)
{
	input_add(in, name, RECORD_INPUT_HASH, h, text);
}

void graph_input_tree(struct graph_inputs *in, const char *name, struct hash128 tree)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(tree, hex);
	input_add(in, name, RECORD_INPUT_TREE, tree, hex);
}

int graph_inputs_own(struct graph_action *a, struct graph_inputs *in)
{
	char kind[64];
	snprintf(kind, sizeof(kind), "%s/%u", a->kind->name, a->kind->version);
	graph_input_text(in, "kind", kind);
	return a->kind->inputs ? a->kind->inputs(a, in) : 0;
}

void graph_inputs_needs(const struct graph_action *a, const struct graph *g,
			struct graph_inputs *in)
{
	const struct dag_node *n = &g->dag.nodes[a->node];
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < n->nneeds; i++) {
		const struct graph_action *b = g->actions[n->needs[i]];
		if (graph_only_after(a, n->needs[i]))
			continue;
		strbuf_reset(&name);
		strbuf_adds(&name, "need:");
		strbuf_adds(&name, b->identity);
		char hex[HASH_HEX_LEN + 1];
		hash_hex(b->output, hex);
		input_add(in, name.buf, RECORD_INPUT_HASH, b->output, hex);
	}
	strbuf_release(&name);
}

/* Inputs are few (a dozen or two) and the key is computed for every
 * action of every run: an insertion sort and one hash over a buffer on the
 * stack cost a tenth of qsort and a streamed hash. */
enum { KEY_INPUTS_ON_STACK = 64, KEY_BYTES_ON_STACK = 4096 };

struct hash128 graph_inputs_key(const struct graph_inputs *in)
{
	/* In name order: the key is the set of named inputs, whoever added
	 * them first. */
	const struct record_input *stack_sorted[KEY_INPUTS_ON_STACK];
	const struct record_input **sorted =
		in->n <= KEY_INPUTS_ON_STACK ? stack_sorted : xmalloc(in->n * sizeof(*sorted));
	for (size_t i = 0; i < in->n; i++) {
		const struct record_input *it = &in->items[i];
		size_t j = i;
		for (; j > 0 && strcmp(sorted[j - 1]->name, it->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = it;
	}
	/* Each input: its name and its NUL (so no two lists are the same
	 * bytes), its type, its hash. */
	char stack_bytes[KEY_BYTES_ON_STACK];
	struct strbuf heap = STRBUF_INIT;
	size_t len = 0;
	for (size_t i = 0; i < in->n; i++)
		len += strlen(sorted[i]->name) + 1 + 1 + 16;
	unsigned char *buf = (unsigned char *)stack_bytes;
	if (len > sizeof(stack_bytes)) {
		strbuf_grow(&heap, len);
		buf = (unsigned char *)heap.buf;
	}
	unsigned char *p = buf;
	for (size_t i = 0; i < in->n; i++) {
		const struct record_input *it = sorted[i];
		size_t nl = strlen(it->name) + 1;
		memcpy(p, it->name, nl);
		p += nl;
		*p++ = (unsigned char)it->type;
		hash_to_bytes(it->hash, p);
		p += 16;
	}
	struct hash128 key = {XXH3_128bits(buf, len)};
	strbuf_release(&heap);
	if (sorted != stack_sorted)
		free(sorted);
	return key;
}


int graph_job_log_fd(struct graph_job *job)
{
	/* Opened on first use: an action that runs no command leaves no log. */
	if (job->log_fd < 0 && job->action->log_path)
		job->log_fd = open(job->action->log_path,
				   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	return job->log_fd;
}

/* Text of the run's own (a command, a line) into the log. */
static void log_text(struct graph_job *job, const struct strbuf *sb)
{
	if (graph_job_log_fd(job) >= 0 && fs_write_all(job->log_fd, sb->buf, sb->len) != 0)
		diag_warning(job->action->log_path, 0, "cannot write the log");
}

int graph_job_jobs(const struct graph_job *job)
{
	return job->jobs;
}

/* Quoted as a POSIX shell would need it, so a shown command can be pasted. */
static void add_shell_word(struct strbuf *sb, const char *w)
{
	if (*w && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789-_./=:,+@%")]) {
		strbuf_adds(sb, w);
		return;
	}
	strbuf_addc(sb, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, *w);
	}
	strbuf_addc(sb, '\'');
}

void graph_job_command(struct graph_job *job, const char *const *argv)
{
	struct strbuf line = STRBUF_INIT;
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addc(&line, ' ');
		add_shell_word(&line, argv[i]);
	}
	if (job->observer && job->observer->command)
		job->observer->command(job->observer->ctx, job->action, line.buf);
	struct strbuf log = STRBUF_INIT;
	strbuf_addf(&log, "$ %s\n", line.buf);
	log_text(job, &log);
	strbuf_release(&log);
	strbuf_release(&line);
}

int graph_job_open_log(struct graph_job *job)
{
	int log = graph_job_log_fd(job);
	if (log < 0)
		graph_job_fail(job, "cannot write its log: %s", strerror(errno));
	return log;
}

int graph_job_exec(struct graph_job *job, struct spawn_options *o, bool show, struct strbuf *out,
		   struct spawn_result *r)
{
	int log = graph_job_open_log(job);
	if (log < 0)
		return -1;
	if (show)
		graph_job_command(job, o->argv);
	o->stdout_fd = log;
	o->stderr_fd = log;
	return (out ? spawn_capture(o, false, out, r) : spawn_run(o, r)) == 0 ? 0 : 1;
}

int graph_job_spawn(struct graph_job *job, const char *const *argv, const char *cwd,
		    char *const *envp)
{
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	o.cwd = cwd;
	o.envp = envp;
	struct spawn_result r;
	int rc = graph_job_exec(job, &o, true, NULL, &r);
	if (rc == 1) {
		struct strbuf why = STRBUF_INIT;
		spawn_result_describe(&r, argv[0], 0, &why);
		graph_job_fail(job, "%s: %s", argv[0], why.buf);
		strbuf_release(&why);
	}
	return rc ? -1 : 0;
}

int graph_job_remove_tree(struct graph_job *job, const char *path)
{
	char *failed = NULL;
	int err = fs_remove_tree(path, &failed);
	if (err)
		graph_job_fail(job, "cannot remove %s: %s", failed ? failed : path, strerror(err));
	free(failed);
	return err ? -1 : 0;
}

/* A line of the run's own in the log; sb gets its newline. */
static void log_line(struct graph_job *job, struct strbuf *sb)
{
	strbuf_addc(sb, '\n');
	log_text(job, sb);
}

void graph_job_say(struct graph_job *job, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (job->observer && job->observer->say)
		job->observer->say(job->observer->ctx, job->action, sb.buf);
	log_line(job, &sb);
	strbuf_release(&sb);
}

void graph_job_note(struct graph_job *job, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(job->action->note);
	job->action->note = xstrdup(sb.buf);
	log_line(job, &sb);
	strbuf_release(&sb);
}

void graph_job_fail(struct graph_job *job, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(job->failure);
	job->failure = strbuf_detach(&sb);
}
