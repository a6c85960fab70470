/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template execution: walks the tree over a jansson document with Go's
 * semantics for fields, variables, pipelines, if/with/range and calls, and
 * Go's error shape ("template: :1:2: executing \"\" at <.A.B>: ...").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

enum { WALK_OK = 0, WALK_BREAK = 1, WALK_CONTINUE = 2 };

struct tpl_var {
	const char *name;
	json_t *value; /* owned; NULL for a missing value */
};

struct state {
	const struct eng_template *t;
	const struct tpl_limits *lim;
	struct buf *out;
	size_t out_start;
	struct tpl_var *vars;
	size_t n_vars, cap_vars;
	uint64_t steps;
	struct berth_error **err;
};

static int eval_pipeline(struct state *st, json_t *dot, const struct tpl_pipe *pipe, json_t **ret);
static int exec_list(struct state *st, json_t *dot, const struct tpl_list *list);

/* ---- errors ---- */

static int exec_error(struct state *st, size_t pos, size_t end, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int exec_error(struct state *st, size_t pos, size_t end, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	const char *src = st->t->src;
	unsigned line = 1;
	size_t col = pos;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (size_t i = 0; i < pos; i++)
		if (src[i] == '\n') {
			line++;
			col = pos - i - 1;
		}
	/* the context is the node's text */
	return berth_error_set(st->err, 0, "template: :%u:%zu: executing \"\" at <%.*s>: %s", line, col,
			       (int)(end - pos), src + pos, msg);
}

static int step(struct state *st, size_t pos, size_t end)
{
	if (++st->steps > st->lim->max_steps)
		return exec_error(st, pos, end, "template execution exceeds %llu steps",
				  (unsigned long long)st->lim->max_steps);
	return 0;
}

static int check_output(struct state *st, size_t pos, size_t end)
{
	if (st->out->len - st->out_start > st->lim->max_output)
		return exec_error(st, pos, end, "template output exceeds %zu bytes", st->lim->max_output);
	return 0;
}

/* ---- variables ---- */

static void var_push(struct state *st, const char *name, json_t *value)
{
	tpl_grow(&st->vars, &st->cap_vars, st->n_vars + 1, sizeof(*st->vars));
	st->vars[st->n_vars++] = (struct tpl_var){name, value};
}

static void var_pop(struct state *st, size_t mark)
{
	while (st->n_vars > mark)
		json_decref(st->vars[--st->n_vars].value);
}

static struct tpl_var *var_find(struct state *st, const char *name)
{
	for (size_t i = st->n_vars; i > 0; i--)
		if (strcmp(st->vars[i - 1].name, name) == 0)
			return &st->vars[i - 1];
	return NULL;
}

/* Replace a variable's value (value is a borrowed reference); -1 when it is unknown. */
static int var_set(struct state *st, const char *name, json_t *value, size_t pos, size_t end)
{
	struct tpl_var *v = var_find(st, name);

	if (!v)
		return exec_error(st, pos, end, "undefined variable: %s", name);
	json_decref(v->value);
	v->value = json_incref(value);
	return 0;
}

/* ---- fields ---- */

/* Go's evalField on a JSON receiver (consumed); *ret is a new reference or NULL. */
static int eval_field(struct state *st, json_t *recv, const char *name, bool has_args, const struct tpl_arg *a,
		      json_t **ret)
{
	int r = 0;

	*ret = NULL;
	if (!recv)
		return 0; /* a field of a missing value is missing too */
	if (json_is_null(recv))
		r = exec_error(st, a->pos, a->end, "nil pointer evaluating interface {}.%s", name);
	else if (!json_is_object(recv))
		r = exec_error(st, a->pos, a->end, "can't evaluate field %s in type %s", name, tpl_type_name(recv));
	else if (has_args)
		r = exec_error(st, a->pos, a->end, "%s is not a method but has arguments", name);
	else
		*ret = json_incref(json_object_get(recv, name));
	json_decref(recv);
	return r;
}

/* Apply a's field chain to recv (consumed); has_args concerns the last field. */
static int eval_fields(struct state *st, json_t *recv, const struct tpl_arg *a, bool has_args, json_t **ret)
{
	size_t n = strv_length(a->fields);

	if (n == 0) {
		*ret = recv;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *next;
		if (eval_field(st, recv, a->fields[i], has_args && i + 1 == n, a, &next) < 0)
			return -1;
		recv = next;
	}
	*ret = recv;
	return 0;
}

/* ---- calls ---- */

static int eval_arg(struct state *st, json_t *dot, const struct tpl_arg *a, json_t **ret);

static int call_error(struct state *st, const struct tpl_cmd *cmd, const struct tpl_arg *a, struct tpl_call *c)
{
	const struct tpl_arg *bad;

	if (c->arg_error && cmd && c->bad_arg >= 0 && (size_t)c->bad_arg + 1 < cmd->n_args) {
		/* Go blames the argument; a literal of the wrong type reads "expected string; found 1" */
		bad = cmd->args[c->bad_arg + 1];
		if (bad->type == TPL_ARG_CONST)
			return exec_error(st, bad->pos, bad->end, "expected %s; found %.*s", c->want_type,
					  (int)(bad->end - bad->pos), st->t->src + bad->pos);
		return exec_error(st, bad->pos, bad->end, "%s", c->msg);
	}
	if (c->arg_error)
		return exec_error(st, cmd ? cmd->pos : a->pos, cmd ? cmd->end : a->end, "%s", c->msg);
	return exec_error(st, cmd ? cmd->pos : a->pos, cmd ? cmd->end : a->end, "error calling %s: %s", c->name,
			  c->msg);
}

/* and/or: evaluate arguments in turn, stop at the first false (and) or true (or) one. */
static int call_logic(struct state *st, json_t *dot, const struct tpl_cmd *cmd, const struct tpl_func *f, json_t *final,
		      bool has_final, json_t **ret)
{
	size_t n = cmd ? cmd->n_args : 1;
	json_t *v = NULL;

	for (size_t i = 1; i < n; i++) {
		if (eval_arg(st, dot, cmd->args[i], &v) < 0)
			return -1;
		if (tpl_truth(v) != (f->kind == TPL_FUNC_AND) || (i + 1 == n && !has_final)) {
			*ret = v;
			return 0;
		}
		json_decref(v);
	}
	*ret = json_incref(final);
	return 0;
}

/*
 * Call the function of a (the first word of cmd, or an argument when cmd is
 * NULL) with cmd's other words and, when has_final, the previous command's value.
 */
static int call_func(struct state *st, json_t *dot, const struct tpl_arg *a, const struct tpl_cmd *cmd, json_t *final,
		     bool has_final, json_t **ret)
{
	const struct tpl_func *f = a->func;
	size_t n_words = cmd ? cmd->n_args - 1 : 0, n = n_words + has_final;
	struct tpl_call c = {.name = f->name, .lim = st->lim, .bad_arg = -1};
	json_t **args;
	int r = 0;

	if ((int)n < f->min_args || (f->max_args >= 0 && (int)n > f->max_args)) {
		if (f->max_args < 0)
			return exec_error(st, a->pos, a->end, "wrong number of args for %s: want at least %d got %zu",
					  f->name, f->min_args, n);
		return exec_error(st, a->pos, a->end, "wrong number of args for %s: want %d got %zu", f->name,
				  f->min_args, n);
	}
	if (f->kind != TPL_FUNC_PLAIN)
		return call_logic(st, dot, cmd, f, final, has_final, ret);
	args = xcalloc(n + 1, sizeof(*args));
	for (size_t i = 0; i < n_words && r == 0; i++)
		r = eval_arg(st, dot, cmd->args[i + 1], &args[i]);
	if (r == 0 && has_final)
		args[n_words] = json_incref(final);
	if (r == 0) {
		*ret = NULL;
		r = f->fn(&c, args, n, ret);
		if (r < 0)
			call_error(st, cmd, a, &c);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(args[i]);
	free(args);
	free(c.msg);
	return r;
}

/* An operand used as an argument (Go's evalArg for an interface{} parameter). */
static int eval_arg(struct state *st, json_t *dot, const struct tpl_arg *a, json_t **ret)
{
	struct tpl_var *var;
	json_t *v = NULL;

	switch (a->type) {
	case TPL_ARG_DOT:
		*ret = json_incref(dot);
		return 0;
	case TPL_ARG_NIL:
		*ret = json_null();
		return 0;
	case TPL_ARG_CONST:
		*ret = json_incref(a->value);
		return 0;
	case TPL_ARG_FIELD:
		return eval_fields(st, json_incref(dot), a, false, ret);
	case TPL_ARG_VAR:
		var = var_find(st, a->name);
		if (!var)
			return exec_error(st, a->pos, a->end, "undefined variable: %s", a->name);
		return eval_fields(st, json_incref(var->value), a, false, ret);
	case TPL_ARG_PIPE:
		if (eval_pipeline(st, dot, a->pipe, &v) < 0)
			return -1;
		return eval_fields(st, v, a, false, ret);
	case TPL_ARG_FUNC:
		if (call_func(st, dot, a, NULL, NULL, false, &v) < 0)
			return -1;
		return eval_fields(st, v, a, false, ret);
	}
	return -1;
}

static int eval_command(struct state *st, json_t *dot, const struct tpl_cmd *cmd, json_t *final, bool has_final,
			json_t **ret)
{
	const struct tpl_arg *first = cmd->args[0];
	bool has_args = cmd->n_args > 1 || has_final;
	struct tpl_var *var;
	json_t *v = NULL;

	if (step(st, cmd->pos, cmd->end) < 0)
		return -1;
	switch (first->type) {
	case TPL_ARG_FIELD:
		return eval_fields(st, json_incref(dot), first, has_args, ret);
	case TPL_ARG_VAR:
		if (has_args && !first->fields)
			break;
		var = var_find(st, first->name);
		if (!var)
			return exec_error(st, first->pos, first->end, "undefined variable: %s", first->name);
		return eval_fields(st, json_incref(var->value), first, has_args, ret);
	case TPL_ARG_PIPE:
		if (has_args && !first->fields)
			break;
		if (eval_pipeline(st, dot, first->pipe, &v) < 0)
			return -1;
		return eval_fields(st, v, first, has_args, ret);
	case TPL_ARG_FUNC:
		if (!first->fields)
			return call_func(st, dot, first, cmd, final, has_final, ret);
		if (call_func(st, dot, first, NULL, NULL, false, &v) < 0)
			return -1;
		return eval_fields(st, v, first, has_args, ret);
	case TPL_ARG_NIL:
		return exec_error(st, first->pos, first->end, "nil is not a command");
	default:
		if (has_args)
			break;
		return eval_arg(st, dot, first, ret);
	}
	return exec_error(st, first->pos, first->end, "can't give argument to non-function %.*s",
			  (int)(first->end - first->pos), st->t->src + first->pos);
}

/* The value of a pipeline's commands, without its declarations. */
static int eval_commands(struct state *st, json_t *dot, const struct tpl_pipe *pipe, json_t **ret)
{
	json_t *value = NULL;

	for (size_t i = 0; i < pipe->n_cmds; i++) {
		json_t *next = NULL;
		int r = eval_command(st, dot, pipe->cmds[i], value, i > 0, &next);
		json_decref(value);
		if (r < 0)
			return -1;
		value = next;
	}
	*ret = value;
	return 0;
}

/* A pipeline's value, declared ("$x :=") or assigned ("$x =") to its variables. */
static int eval_pipeline(struct state *st, json_t *dot, const struct tpl_pipe *pipe, json_t **ret)
{
	json_t *value = NULL;

	if (eval_commands(st, dot, pipe, &value) < 0)
		return -1;
	for (char **d = pipe->decl; d && *d; d++) {
		if (!pipe->is_assign) {
			var_push(st, *d, json_incref(value));
		} else if (var_set(st, *d, value, pipe->pos, pipe->end) < 0) {
			json_decref(value);
			return -1;
		}
	}
	*ret = value;
	return 0;
}

/* ---- nodes ---- */

static int exec_action(struct state *st, json_t *dot, const struct tpl_node *n)
{
	json_t *v = NULL;

	if (eval_pipeline(st, dot, n->pipe, &v) < 0)
		return -1;
	if (!n->pipe->decl) {
		if (v)
			tpl_print_value(st->out, v);
		else
			buf_puts(st->out, "<no value>");
	}
	json_decref(v);
	return check_output(st, n->pipe->pos, n->pipe->end);
}

static int exec_if_with(struct state *st, json_t *dot, const struct tpl_node *n)
{
	size_t mark = st->n_vars;
	json_t *v = NULL;
	int r;

	if (eval_pipeline(st, dot, n->pipe, &v) < 0)
		return -1;
	if (tpl_truth(v))
		r = exec_list(st, n->type == TPL_NODE_WITH ? v : dot, &n->list);
	else
		r = exec_list(st, dot, &n->else_list);
	var_pop(st, mark);
	json_decref(v);
	return r;
}

/* One pass of a range body with the loop variables set; returns a WALK_ code or -1. */
static int range_once(struct state *st, const struct tpl_node *n, size_t mark, json_t *index, json_t *elem)
{
	const struct tpl_pipe *pipe = n->pipe;
	size_t n_decl = strv_length(pipe->decl);
	int r;

	if (step(st, pipe->pos, pipe->end) < 0)
		return -1;
	if (pipe->is_assign) {
		if (n_decl == 2 && (var_set(st, pipe->decl[0], index, pipe->pos, pipe->end) < 0 ||
				    var_set(st, pipe->decl[1], elem, pipe->pos, pipe->end) < 0))
			return -1;
		if (n_decl == 1 && var_set(st, pipe->decl[0], elem, pipe->pos, pipe->end) < 0)
			return -1;
	} else if (n_decl > 0) {
		json_decref(st->vars[mark - 1].value);
		st->vars[mark - 1].value = json_incref(elem);
		if (n_decl == 2) {
			json_decref(st->vars[mark - 2].value);
			st->vars[mark - 2].value = json_incref(index);
		}
	}
	r = exec_list(st, elem, &n->list);
	var_pop(st, mark);
	return r;
}

/* Visit v's elements: arrays in order, objects by sorted key, integers 0..n-1. */
static int range_over(struct state *st, const struct tpl_node *n, size_t mark, json_t *v, size_t *count)
{
	int r = WALK_OK;

	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v) && (r == WALK_OK || r == WALK_CONTINUE); i++, (*count)++) {
			json_t *index = json_integer((json_int_t)i);
			r = range_once(st, n, mark, index, json_array_get(v, i));
			json_decref(index);
		}
	} else if (json_is_object(v)) {
		size_t nk;
		const char **keys = tpl_sorted_keys(v, &nk);

		for (size_t i = 0; i < nk && (r == WALK_OK || r == WALK_CONTINUE); i++, (*count)++) {
			json_t *key = tpl_string_new(keys[i], strlen(keys[i]));
			r = range_once(st, n, mark, key, json_object_get(v, keys[i]));
			json_decref(key);
		}
		free(keys);
	} else if (json_is_integer(v)) {
		if (strv_length(n->pipe->decl) > 1)
			return exec_error(st, n->pipe->cmds[0]->pos, n->pipe->end,
					  "can't use %lld to iterate over more than one variable",
					  (long long)json_integer_value(v));
		for (json_int_t i = 0; i < json_integer_value(v) && (r == WALK_OK || r == WALK_CONTINUE);
		     i++, (*count)++) {
			json_t *index = json_integer(i);
			r = range_once(st, n, mark, index, index);
			json_decref(index);
		}
	} else if (v && !json_is_null(v)) {
		struct buf b = {0};
		tpl_print_value(&b, v);
		r = exec_error(st, n->pipe->cmds[0]->pos, n->pipe->end, "range can't iterate over %s", b.data);
		buf_done(&b);
	}
	return r < 0 ? -1 : 0;
}

static int exec_range(struct state *st, json_t *dot, const struct tpl_node *n)
{
	size_t outer = st->n_vars, count = 0;
	json_t *v = NULL;
	int r = 0;

	if (eval_commands(st, dot, n->pipe, &v) < 0)
		return -1;
	if (!n->pipe->is_assign)
		for (char **d = n->pipe->decl; d && *d; d++)
			var_push(st, *d, NULL);
	r = range_over(st, n, st->n_vars, v, &count);
	if (r == 0 && count == 0)
		r = exec_list(st, dot, &n->else_list);
	var_pop(st, outer);
	json_decref(v);
	return r < 0 ? -1 : 0;
}

static int exec_node(struct state *st, json_t *dot, const struct tpl_node *n)
{
	if (step(st, n->pos, n->end > n->pos ? n->end : n->pos + 1) < 0)
		return -1;
	switch (n->type) {
	case TPL_NODE_TEXT:
		buf_append(st->out, n->text, n->text_len);
		return check_output(st, n->pos, n->pos);
	case TPL_NODE_ACTION:
		return exec_action(st, dot, n);
	case TPL_NODE_IF:
	case TPL_NODE_WITH:
		return exec_if_with(st, dot, n);
	case TPL_NODE_RANGE:
		return exec_range(st, dot, n);
	case TPL_NODE_BREAK:
		return WALK_BREAK;
	case TPL_NODE_CONTINUE:
		return WALK_CONTINUE;
	}
	return -1;
}

static int exec_list(struct state *st, json_t *dot, const struct tpl_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		int r = exec_node(st, dot, list->v[i]);
		if (r != WALK_OK)
			return r;
	}
	return WALK_OK;
}

int tpl_exec_limited(const struct eng_template *t, json_t *data, struct buf *out, const struct tpl_limits *lim,
		     struct berth_error **err)
{
	struct state st = {.t = t, .lim = lim, .out = out, .out_start = out->len, .err = err};
	int r;

	buf_append(out, "", 0);
	var_push(&st, "$", json_incref(data));
	r = exec_list(&st, data, &t->root);
	var_pop(&st, 0);
	free(st.vars);
	if (r < 0) {
		out->len = st.out_start;
		out->data[out->len] = '\0';
		return -1;
	}
	return 0;
}

int eng_template_exec(const struct eng_template *t, json_t *data, struct buf *out, struct berth_error **err)
{
	static const struct tpl_limits lim = {
		.max_output = 64u << 20,
		.max_string = 16u << 20,
		.max_steps = 10000000,
	};

	return tpl_exec_limited(t, data, out, &lim, err);
}
