/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template parser: tokens into the tree of template_internal.h, with Go's
 * checks (functions and variables must exist, break only inside range) and
 * Go's messages ("template: :1: unexpected EOF").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

/* Deeper nesting of actions and parentheses is refused: it bounds recursion. */
#define MAX_DEPTH 100

struct scope_var {
	const char *name;
	size_t len;
};

struct parser {
	const char *src;
	const struct tpl_tokens *toks;
	size_t i;
	struct scope_var *vars;
	size_t n_vars, cap_vars;
	unsigned depth;
	unsigned range_depth;
	struct berth_error **err;
};

static struct tpl_pipe *parse_pipeline(struct parser *p, const char *ctx, enum tpl_tok end);
static int parse_list(struct parser *p, struct tpl_list *list, enum tpl_tok *stop);
static void node_free(struct tpl_node *n);
static void pipe_free(struct tpl_pipe *pipe);

/* ---- freeing ---- */

static void arg_free(struct tpl_arg *a)
{
	if (!a)
		return;
	json_decref(a->value);
	free(a->name);
	pipe_free(a->pipe);
	strv_free(a->fields);
	free(a);
}

static void cmd_free(struct tpl_cmd *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_args; i++)
		arg_free(c->args[i]);
	free(c->args);
	free(c);
}

static void pipe_free(struct tpl_pipe *pipe)
{
	if (!pipe)
		return;
	strv_free(pipe->decl);
	for (size_t i = 0; i < pipe->n_cmds; i++)
		cmd_free(pipe->cmds[i]);
	free(pipe->cmds);
	free(pipe);
}

void tpl_list_free(struct tpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		node_free(l->v[i]);
	free(l->v);
	*l = (struct tpl_list){0};
}

static void node_free(struct tpl_node *n)
{
	if (!n)
		return;
	pipe_free(n->pipe);
	tpl_list_free(&n->list);
	tpl_list_free(&n->else_list);
	free(n);
}

/* ---- tokens and errors ---- */

static const struct tpl_token *peek(struct parser *p)
{
	return &p->toks->v[p->i];
}

static const struct tpl_token *next(struct parser *p)
{
	const struct tpl_token *t = &p->toks->v[p->i];

	/* the last token (EOF or an error) is never consumed */
	if (t->type != TPL_TOK_EOF && t->type != TPL_TOK_ERROR)
		p->i++;
	return t;
}

static const struct tpl_token *peek_non_space(struct parser *p)
{
	while (peek(p)->type == TPL_TOK_SPACE)
		p->i++;
	return peek(p);
}

static const struct tpl_token *next_non_space(struct parser *p)
{
	peek_non_space(p);
	return next(p);
}

static int perr(struct parser *p, const struct tpl_token *tok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, const struct tpl_token *tok, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	return berth_error_set(p->err, 0, "template: :%u: %s", tok->line, msg);
}

static int unexpected(struct parser *p, const struct tpl_token *tok, const char *ctx)
{
	_cleanup_free_ char *what = NULL;

	if (tok->type == TPL_TOK_ERROR)
		return perr(p, tok, "%s", tok->msg);
	what = tpl_token_describe(tok);
	return perr(p, tok, "unexpected %s in %s", what, ctx);
}

static int expect(struct parser *p, enum tpl_tok type, const char *ctx)
{
	const struct tpl_token *tok = next_non_space(p);

	if (tok->type != type)
		return unexpected(p, tok, ctx);
	return 0;
}

static void var_push(struct parser *p, const char *name, size_t len)
{
	tpl_grow(&p->vars, &p->cap_vars, p->n_vars + 1, sizeof(*p->vars));
	p->vars[p->n_vars++] = (struct scope_var){name, len};
}

static bool var_known(const struct parser *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->n_vars; i++)
		if (p->vars[i].len == len && memcmp(p->vars[i].name, name, len) == 0)
			return true;
	return false;
}

/* ---- operands ---- */

static struct tpl_arg *arg_new(enum tpl_arg_type type, const struct tpl_token *tok)
{
	struct tpl_arg *a = xcalloc(1, sizeof(*a));

	a->type = type;
	a->pos = tok->pos;
	a->end = tok->pos + tok->len;
	return a;
}

/* A literal token into a constant; -1 with the error set. */
static int term_literal(struct parser *p, const struct tpl_token *tok, struct tpl_arg *a)
{
	_cleanup_free_ char *msg = NULL;

	switch (tok->type) {
	case TPL_TOK_BOOL:
		a->value = json_boolean(tok->len == 4);
		return 0;
	case TPL_TOK_CHAR:
		if (tpl_lit_char(tok->text, tok->len, &a->value) < 0)
			return perr(p, tok, "malformed character constant: %.*s", (int)tok->len, tok->text);
		return 0;
	case TPL_TOK_NUMBER:
		if (tpl_lit_number(tok->text, tok->len, &a->value, &msg) < 0)
			return perr(p, tok, "%s", msg);
		return 0;
	default:
		if (tpl_lit_string(tok->text, tok->len, &a->value) < 0)
			return perr(p, tok, "invalid syntax");
		return 0;
	}
}

/* One term; NULL with *failed false when the next token starts none. */
static struct tpl_arg *parse_term(struct parser *p, bool *failed)
{
	size_t save = p->i;
	const struct tpl_token *tok = next_non_space(p);
	struct tpl_arg *a = NULL;
	const struct tpl_func *f;

	*failed = false;
	switch (tok->type) {
	case TPL_TOK_IDENT:
		f = tpl_func_lookup(tok->text, tok->len);
		if (!f) {
			perr(p, tok, "function \"%.*s\" not defined", (int)tok->len, tok->text);
			break;
		}
		a = arg_new(TPL_ARG_FUNC, tok);
		a->func = f;
		a->name = strndup(tok->text, tok->len);
		return a;
	case TPL_TOK_DOT:
		return arg_new(TPL_ARG_DOT, tok);
	case TPL_TOK_NIL:
		return arg_new(TPL_ARG_NIL, tok);
	case TPL_TOK_VAR:
		if (!var_known(p, tok->text, tok->len)) {
			perr(p, tok, "undefined variable \"%.*s\"", (int)tok->len, tok->text);
			break;
		}
		a = arg_new(TPL_ARG_VAR, tok);
		a->name = strndup(tok->text, tok->len);
		return a;
	case TPL_TOK_FIELD:
		a = arg_new(TPL_ARG_FIELD, tok);
		strv_push_take(&a->fields, strndup(tok->text + 1, tok->len - 1));
		return a;
	case TPL_TOK_BOOL:
	case TPL_TOK_CHAR:
	case TPL_TOK_NUMBER:
	case TPL_TOK_STRING:
	case TPL_TOK_RAW_STRING:
		a = arg_new(TPL_ARG_CONST, tok);
		if (term_literal(p, tok, a) == 0)
			return a;
		break;
	case TPL_TOK_LPAREN:
		if (++p->depth > MAX_DEPTH) {
			perr(p, tok, "max expression depth exceeded");
			break;
		}
		a = arg_new(TPL_ARG_PIPE, tok);
		a->pipe = parse_pipeline(p, "parenthesized pipeline", TPL_TOK_RPAREN);
		p->depth--;
		if (!a->pipe)
			break;
		a->end = p->toks->v[p->i - 1].pos + 1;
		return a;
	default:
		p->i = save;
		return NULL;
	}
	arg_free(a);
	*failed = true;
	return NULL;
}

/* Go's %q of a term's text (quotes and backslashes escaped). */
static char *go_quote(const char *s, size_t n)
{
	struct buf b = {0};

	buf_puts(&b, "\"");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, &s[i], 1);
	}
	buf_puts(&b, "\"");
	return buf_steal(&b);
}

/* A term and the fields that follow it without a space (.A.B, $x.A, (pipe).A). */
static struct tpl_arg *parse_operand(struct parser *p, bool *failed)
{
	struct tpl_arg *a = parse_term(p, failed);

	if (!a)
		return NULL;
	while (peek(p)->type == TPL_TOK_FIELD) {
		const struct tpl_token *tok = next(p);
		if (a->type == TPL_ARG_CONST || a->type == TPL_ARG_NIL || a->type == TPL_ARG_DOT) {
			_cleanup_free_ char *term = go_quote(p->src + a->pos, a->end - a->pos);
			perr(p, tok, "unexpected . after term %s", term);
			arg_free(a);
			*failed = true;
			return NULL;
		}
		strv_push_take(&a->fields, strndup(tok->text + 1, tok->len - 1));
		a->end = tok->pos + tok->len;
	}
	return a;
}

static struct tpl_cmd *parse_command(struct parser *p)
{
	struct tpl_cmd *c = xcalloc(1, sizeof(*c));
	size_t cap = 0;

	c->pos = peek_non_space(p)->pos;
	for (;;) {
		const struct tpl_token *tok;
		struct tpl_arg *a;
		bool failed;

		peek_non_space(p);
		a = parse_operand(p, &failed);
		if (failed)
			goto fail;
		if (a) {
			tpl_grow(&c->args, &cap, c->n_args + 1, sizeof(*c->args));
			c->args[c->n_args++] = a;
			c->end = a->end;
		}
		tok = next(p);
		if (tok->type == TPL_TOK_SPACE)
			continue;
		if (tok->type == TPL_TOK_RIGHT || tok->type == TPL_TOK_RPAREN) {
			p->i--;
		} else if (tok->type != TPL_TOK_PIPE) {
			unexpected(p, tok, "operand");
			goto fail;
		}
		if (c->n_args == 0) {
			perr(p, tok, "empty command");
			goto fail;
		}
		return c;
	}
fail:
	cmd_free(c);
	return NULL;
}

/* ---- pipelines ---- */

/* Declarations "$x :=", "$x =", "$i, $e :=" at the start of a pipeline; -1 on error. */
static int parse_decls(struct parser *p, struct tpl_pipe *pipe, const char *ctx)
{
	for (;;) {
		size_t save = p->i;
		const struct tpl_token *v, *nx;

		if (peek_non_space(p)->type != TPL_TOK_VAR)
			return 0;
		v = next(p);
		nx = peek_non_space(p);
		if (nx->type == TPL_TOK_ASSIGN || nx->type == TPL_TOK_DECLARE) {
			next(p);
			pipe->is_assign = nx->type == TPL_TOK_ASSIGN;
			strv_push_take(&pipe->decl, strndup(v->text, v->len));
			var_push(p, v->text, v->len);
			return 0;
		}
		if (nx->type != TPL_TOK_COMMA) {
			p->i = save;
			return 0;
		}
		next(p);
		strv_push_take(&pipe->decl, strndup(v->text, v->len));
		var_push(p, v->text, v->len);
		if (strcmp(ctx, "range") != 0 || strv_length(pipe->decl) >= 2)
			return perr(p, nx, "too many declarations in %s", ctx);
		nx = peek_non_space(p);
		if (nx->type != TPL_TOK_VAR && nx->type != TPL_TOK_RIGHT && nx->type != TPL_TOK_RPAREN)
			return perr(p, nx, "range can only initialize variables");
	}
}

static bool starts_operand(enum tpl_tok t)
{
	switch (t) {
	case TPL_TOK_BOOL:
	case TPL_TOK_CHAR:
	case TPL_TOK_DOT:
	case TPL_TOK_FIELD:
	case TPL_TOK_IDENT:
	case TPL_TOK_NUMBER:
	case TPL_TOK_NIL:
	case TPL_TOK_RAW_STRING:
	case TPL_TOK_STRING:
	case TPL_TOK_VAR:
	case TPL_TOK_LPAREN:
		return true;
	default:
		return false;
	}
}

static int check_pipeline(struct parser *p, struct tpl_pipe *pipe, const struct tpl_token *tok, const char *ctx)
{
	if (pipe->n_cmds == 0)
		return perr(p, tok, "missing value for %s", ctx);
	for (size_t i = 1; i < pipe->n_cmds; i++) {
		enum tpl_arg_type t = pipe->cmds[i]->args[0]->type;
		if (t == TPL_ARG_CONST || t == TPL_ARG_DOT || t == TPL_ARG_NIL)
			return perr(p, tok, "non executable command in pipeline stage %zu", i + 1);
	}
	return 0;
}

static struct tpl_pipe *parse_pipeline(struct parser *p, const char *ctx, enum tpl_tok end)
{
	struct tpl_pipe *pipe = xcalloc(1, sizeof(*pipe));
	size_t cap = 0;

	pipe->pos = peek_non_space(p)->pos;
	if (parse_decls(p, pipe, ctx) < 0)
		goto fail;
	for (;;) {
		const struct tpl_token *tok = next_non_space(p);
		struct tpl_cmd *c;

		if (tok->type == end) {
			if (check_pipeline(p, pipe, tok, ctx) < 0)
				goto fail;
			pipe->end = pipe->cmds[pipe->n_cmds - 1]->end;
			return pipe;
		}
		if (!starts_operand(tok->type)) {
			unexpected(p, tok, ctx);
			goto fail;
		}
		p->i--;
		c = parse_command(p);
		if (!c)
			goto fail;
		tpl_grow(&pipe->cmds, &cap, pipe->n_cmds + 1, sizeof(*pipe->cmds));
		pipe->cmds[pipe->n_cmds++] = c;
	}
fail:
	pipe_free(pipe);
	return NULL;
}

/* ---- lists and control structures ---- */

static struct tpl_node *list_add(struct tpl_list *l, enum tpl_node_type type, size_t pos)
{
	struct tpl_node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->pos = pos;
	tpl_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = n;
	return n;
}

static const char *control_name(enum tpl_node_type type)
{
	return type == TPL_NODE_IF ? "if" : type == TPL_NODE_WITH ? "with" : "range";
}

/* The rest of {{if}}, {{with}} or {{range}} after its keyword, up to and including {{end}}. */
static int parse_control(struct parser *p, struct tpl_node *n)
{
	const char *ctx = control_name(n->type);
	size_t saved_vars = p->n_vars;
	enum tpl_tok stop;
	int r = -1;

	if (++p->depth > MAX_DEPTH) {
		perr(p, peek(p), "max expression depth exceeded");
		goto out;
	}
	n->pipe = parse_pipeline(p, ctx, TPL_TOK_RIGHT);
	if (!n->pipe)
		goto out;
	p->range_depth += n->type == TPL_NODE_RANGE;
	r = parse_list(p, &n->list, &stop);
	p->range_depth -= n->type == TPL_NODE_RANGE;
	if (r < 0)
		goto out;
	r = -1;
	if (stop == TPL_TOK_EOF) {
		perr(p, peek(p), "unexpected EOF");
		goto out;
	}
	if (stop == TPL_TOK_ELSE) {
		const struct tpl_token *tok = peek_non_space(p);
		if ((n->type == TPL_NODE_IF && tok->type == TPL_TOK_IF) ||
		    (n->type == TPL_NODE_WITH && tok->type == TPL_TOK_WITH)) {
			/* {{else if x}} is {{else}}{{if x}}...{{end}} sharing one {{end}} */
			next(p);
			r = parse_control(p, list_add(&n->else_list, n->type, tok->pos));
			goto out;
		}
		if (tok->type == TPL_TOK_IF || tok->type == TPL_TOK_WITH) {
			/* Go reads {{else if}} as {{else}} and then meets "if" as text */
			unexpected(p, tok, "input");
			goto out;
		}
		if (expect(p, TPL_TOK_RIGHT, "else") < 0 || parse_list(p, &n->else_list, &stop) < 0)
			goto out;
		if (stop != TPL_TOK_END) {
			perr(p, peek(p), stop == TPL_TOK_EOF ? "unexpected EOF" : "expected end; found {{else}}");
			goto out;
		}
	}
	r = 0;
out:
	p->depth--;
	p->n_vars = saved_vars;
	return r;
}

/* One action after "{{"; *stop is set for {{end}} and {{else}} (else left at EOF). */
static int parse_action(struct parser *p, struct tpl_list *list, enum tpl_tok *stop)
{
	const struct tpl_token *tok = peek_non_space(p);
	struct tpl_node *n;

	switch (tok->type) {
	case TPL_TOK_END:
		next(p);
		*stop = TPL_TOK_END;
		return expect(p, TPL_TOK_RIGHT, "end");
	case TPL_TOK_ELSE:
		next(p);
		*stop = TPL_TOK_ELSE;
		return 0;
	case TPL_TOK_IF:
	case TPL_TOK_WITH:
	case TPL_TOK_RANGE:
		next(p);
		n = list_add(list,
			     tok->type == TPL_TOK_IF	 ? TPL_NODE_IF
			     : tok->type == TPL_TOK_WITH ? TPL_NODE_WITH
							 : TPL_NODE_RANGE,
			     tok->pos);
		return parse_control(p, n);
	case TPL_TOK_BREAK:
	case TPL_TOK_CONTINUE:
		next(p);
		if (p->range_depth == 0)
			return perr(p, tok, "{{%.*s}} outside {{range}}", (int)tok->len, tok->text);
		list_add(list, tok->type == TPL_TOK_BREAK ? TPL_NODE_BREAK : TPL_NODE_CONTINUE, tok->pos);
		return expect(p, TPL_TOK_RIGHT, tok->type == TPL_TOK_BREAK ? "break" : "continue");
	case TPL_TOK_DEFINE:
	case TPL_TOK_TEMPLATE:
	case TPL_TOK_BLOCK:
		return perr(p, tok, "'%.*s' actions are not supported", (int)tok->len, tok->text);
	default:
		n = list_add(list, TPL_NODE_ACTION, tok->pos);
		n->pipe = parse_pipeline(p, "command", TPL_TOK_RIGHT);
		if (!n->pipe)
			return -1;
		n->end = n->pipe->end;
		return 0;
	}
}

/* Nodes up to EOF, {{end}} or {{else}}; *stop tells which ended the list. */
static int parse_list(struct parser *p, struct tpl_list *list, enum tpl_tok *stop)
{
	for (;;) {
		const struct tpl_token *tok = next(p);
		struct tpl_node *n;

		*stop = TPL_TOK_EOF;
		switch (tok->type) {
		case TPL_TOK_EOF:
			return 0;
		case TPL_TOK_TEXT:
			n = list_add(list, TPL_NODE_TEXT, tok->pos);
			n->text = tok->text;
			n->text_len = tok->len;
			n->end = tok->pos + tok->len;
			break;
		case TPL_TOK_LEFT:
			if (parse_action(p, list, stop) < 0)
				return -1;
			if (*stop != TPL_TOK_EOF)
				return 0;
			break;
		default:
			return unexpected(p, tok, "input");
		}
	}
}

int eng_template_parse(const char *text, struct eng_template **ret, struct berth_error **err)
{
	struct tpl_tokens toks = {0};
	struct eng_template *t = xcalloc(1, sizeof(*t));
	struct parser p = {.toks = &toks, .err = err};

	enum tpl_tok stop;
	int r;

	t->len = strlen(text);
	t->src = xstrdup(text);
	p.src = t->src;
	tpl_lex(t->src, t->len, &toks);
	var_push(&p, "$", 1);
	r = parse_list(&p, &t->root, &stop);
	if (r == 0 && stop != TPL_TOK_EOF)
		r = perr(&p, &toks.v[p.i ? p.i - 1 : 0], "unexpected {{%s}}", stop == TPL_TOK_END ? "end" : "else");
	free(p.vars);
	tpl_tokens_done(&toks);
	if (r < 0) {
		eng_template_free(t);
		return -1;
	}
	*ret = t;
	return 0;
}

void eng_template_free(struct eng_template *t)
{
	if (!t)
		return;
	tpl_list_free(&t->root);
	free(t->src);
	free(t);
}
