/*
 * graph: the actions of a run and what each needs.  An action is one unit of
 * work (the fetch, build or install of a package; a part) of some kind.  A
 * kind is a small table registered by src/: what goes into an action's key
 * and how to run it.  graph/ knows kinds only through that table, and knows
 * nothing of minibuilds or recipes.
 *
 * An action's key (graph/graph.c) is the XXH3-128 of its named inputs, each
 * hashed on its own: the kind and its version, what the kind adds (options,
 * a source's identity, environment variables, the prefix), and the output
 * hash of each action it needs.  Naming each input is what lets explain say
 * which one changed.
 *
 * Memory: actions and their strings live in the graph's arena, freed at once
 * by graph_free.  The kind's data pointer stays the caller's.
 */
#ifndef MINIMERGE_GRAPH_H
#define MINIMERGE_GRAPH_H

#include "dag.h"

#include "../lib/arena.h"
#include "../lib/hash.h"
#include "../lib/spawn.h"
#include "../lib/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct graph;
struct graph_action;
struct graph_inputs;
struct graph_job;

struct graph_kind {
	const char *name;  /* the first word of its actions' identities */
	unsigned version;  /* bump it when what the kind does changes: every key changes */
	/* The output is the key itself, not something on disk that others
	 * read (a build directory): such an action runs only when an action
	 * that needs it has to run. */
	bool intermediate;
	/* Its inputs read what its run changes (a checkout's tree): they are
	 * read again after a successful run, and the key they make then is
	 * the one recorded and the action's output.  Not for an
	 * intermediate, whose output is promised before it runs. */
	bool inputs_after_run;
	/* It waits on the network, not the CPU (a download, a checkout): it
	 * runs in the slots of sched_options.network_jobs. */
	bool network;
	/* Adds the kind's inputs (NULL: none but the kind).  Any thread,
	 * several actions at once.  0, or -1 (reported). */
	int (*inputs)(struct graph_action *a, struct graph_inputs *in);
	/* The directory that is the action's output (an install prefix), or
	 * NULL.  It is hashed after a run, packed into the CAS, checked before a
	 * skip and restored from the CAS.  May be NULL. */
	const char *(*output_dir)(const struct graph_action *a);
	/* Whether an intermediate's work is still on disk (its build
	 * directory), so a dependent may use it.  May be NULL: always. */
	bool (*intact)(const struct graph_action *a);
	/* Does the work.  A worker thread; children's output goes to the job's
	 * log.  0, or -1 after graph_job_fail. */
	int (*run)(struct graph_action *a, struct graph_job *job);
	/* The action brings more of the graph (the parts of a package's
	 * buildout, as ninja's dyndep does): called on the main thread once its
	 * output is on disk (skipped or ran), before what needs it is decided.
	 * It may add actions, their needs, and needs from the actions that
	 * need it (none of which is decided yet) to the new ones: a call that
	 * adds no action adds no need.  Called again in a later run of the
	 * same graph, it adds nothing twice.  Not for an intermediate.  0,
	 * or -1 (reported): the action fails.  May be NULL. */
	int (*reveal)(struct graph_action *a, struct graph *g);
	/* What reveal adds, for a dry run that cannot know it yet ("the parts
	 * of its buildout"). */
	const char *reveals;
};

/* How an action ended up in this run. */
enum graph_state {
	GRAPH_PENDING,  /* not decided yet */
	GRAPH_SKIPPED,  /* same key and outputs intact: nothing to do */
	GRAPH_UNNEEDED, /* an intermediate no one had to run */
	GRAPH_RESTORED, /* its output came from the CAS */
	GRAPH_RAN,      /* it ran and succeeded */
	GRAPH_FAILED,   /* it ran and failed */
	GRAPH_BLOCKED,  /* something it needs failed or was not run */
	GRAPH_WOULD_RUN, /* dry run: it would run (or be restored) */
};

struct graph_action {
	const struct graph_kind *kind;
	const char *identity; /* "install dependencies/zlib-1.2.13": stable across runs */
	void *data;           /* the kind's */
	size_t node;          /* in the graph's dag; also the index in actions */
	bool forced;          /* run it even if nothing changed */
	size_t *after;        /* needs by graph_add_order: no inputs of its key */
	size_t nafter;

	/* Filled by the scheduler. */
	enum graph_state state;
	struct hash128 key, output;
	bool have_key;
	char *reason;      /* why it runs (explain's words), or NULL; malloc'd */
	/* Of an inputs_after_run action that ran: how its inputs then differ
	 * from its last record (explain's words; "as last time"); malloc'd. */
	char *reason_after_run;
	char *failure;     /* why it failed, or NULL; malloc'd */
	char *note;        /* what its run chose (graph_job_note), or NULL; malloc'd */
	char *log_path;    /* its log, if it ran; malloc'd */
	int64_t started_ns;
	uint64_t duration_ns;
	uint32_t slot;
};

struct graph {
	struct arena arena;
	struct dag dag; /* u needs v */
	struct graph_action **actions;
	size_t nactions, capactions;
};

#define GRAPH_INIT {ARENA_INIT, DAG_INIT, NULL, 0, 0}

/* A new action; identity is copied.  Returns it (owned by the graph). */
struct graph_action *graph_add_action(struct graph *g, const struct graph_kind *kind,
				      const char *identity, void *data);
/* a needs b: b runs first, and b's output is one of a's inputs. */
void graph_add_need(struct graph *g, struct graph_action *a, struct graph_action *b);
/* a runs after b, but b's output is no input of a (ninja's order-only
 * dependency): b's work is what a's run reads, its key is made of
 * something else (a package's install, after the fetch that brings its
 * parts, is the sum of those parts). */
void graph_add_order(struct graph *g, struct graph_action *a, struct graph_action *b);
/* Whether a's edge to node (one of its dag needs) came from graph_add_order:
 * node's output is no input of a. */
bool graph_only_after(const struct graph_action *a, size_t node);
void graph_free(struct graph *g);

/* For kinds' inputs(): one named input each.  name is "class:what"
 * ("option:configure_options", "env:CC") or a single word ("prefix");
 * explain words a change by its class. */
void graph_input_text(struct graph_inputs *in, const char *name, const char *text);
/* A value too big or too private to show: its hash, and a short text that
 * says what it is (may be NULL). */
void graph_input_hash(struct graph_inputs *in, const char *name, struct hash128 h,
		      const char *text);
/* A directory tree's hash (cache/tree.h); explain names the files that
 * changed if the tree's manifest was kept. */
void graph_input_tree(struct graph_inputs *in, const char *name, struct hash128 tree);

/* For kinds' run(). */
/* The action's log, opened (truncated) on first use: the child's stdout and
 * stderr.  -1 if it cannot be opened. */
int graph_job_log_fd(struct graph_job *job);
int graph_job_jobs(const struct graph_job *job);   /* the -j of the run */
/* Shows a command about to run: in the log, and on the terminal with -v. */
void graph_job_command(struct graph_job *job, const char *const *argv);
/* The log's descriptor, opened on first use; or -1 after graph_job_fail
 * ("cannot write its log: why"). */
int graph_job_open_log(struct graph_job *job);
/* Runs the child o describes (argv, cwd, envp, stdin: the caller's) with
 * its stderr, and its stdout unless out takes it, going to the log; shown
 * first as graph_job_command shows it when show is set.  0 when it exited
 * with 0; 1 when it did not (r says how: spawn_result_describe), the job
 * not failed; -1 after graph_job_fail when the log cannot be written. */
int graph_job_exec(struct graph_job *job, struct spawn_options *o, bool show, struct strbuf *out,
		   struct spawn_result *r);
/* Runs argv in cwd (NULL: the caller's) with envp (NULL: environ), its
 * output to the log, shown first as graph_job_command shows it.  0, or -1
 * after graph_job_fail ("make: exit status 2"). */
int graph_job_spawn(struct graph_job *job, const char *const *argv, const char *cwd,
		    char *const *envp);
/* Removes path and everything below it (nothing there is no error).  0,
 * or -1 after graph_job_fail ("cannot remove PATH: why", the path that
 * stayed). */
int graph_job_remove_tree(struct graph_job *job, const char *path);
/* A line for the user, shown whatever the options (buildout's "Installing
 * p."), and written to the log. */
void graph_job_say(struct graph_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A choice the run made that explain shows after it ("backend cmake
 * (score 20: has CMakeLists.txt)"), kept on the action and written to the
 * log.  The last call wins. */
void graph_job_note(struct graph_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Says why the run failed ("make: exit status 2"); the last call wins. */
void graph_job_fail(struct graph_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
