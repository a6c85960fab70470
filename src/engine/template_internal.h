/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the pieces of the template engine: tokens (template_lex.c), the
 * syntax tree (template_parse.c), evaluation (template_exec.c), functions
 * (template_funcs.c) and Go-style value formatting (template_fmt.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/base.h"
#include "engine/template.h"

/* ---- tokens ---- */

enum tpl_tok {
	TPL_TOK_ERROR, /* text holds the message */
	TPL_TOK_EOF,
	TPL_TOK_TEXT,
	TPL_TOK_LEFT,  /* {{ */
	TPL_TOK_RIGHT, /* }} */
	TPL_TOK_SPACE,
	TPL_TOK_IDENT,
	TPL_TOK_FIELD, /* .Name */
	TPL_TOK_VAR,   /* $ or $name */
	TPL_TOK_DOT,
	TPL_TOK_NUMBER,
	TPL_TOK_CHAR, /* 'x' */
	TPL_TOK_STRING,
	TPL_TOK_RAW_STRING,
	TPL_TOK_BOOL,
	TPL_TOK_NIL,
	TPL_TOK_PIPE,
	TPL_TOK_LPAREN,
	TPL_TOK_RPAREN,
	TPL_TOK_DECLARE, /* := */
	TPL_TOK_ASSIGN,	 /* = */
	TPL_TOK_COMMA,
	TPL_TOK_OTHER, /* any other printable ASCII character inside an action */
	/* keywords */
	TPL_TOK_BLOCK,
	TPL_TOK_BREAK,
	TPL_TOK_CONTINUE,
	TPL_TOK_DEFINE,
	TPL_TOK_ELSE,
	TPL_TOK_END,
	TPL_TOK_IF,
	TPL_TOK_RANGE,
	TPL_TOK_TEMPLATE,
	TPL_TOK_WITH,
};

struct tpl_token {
	enum tpl_tok type;
	size_t pos; /* byte offset in the source */
	size_t len;
	const char *text; /* into the source; for TPL_TOK_ERROR a static message copy in msg */
	char *msg;	  /* owned, error tokens only */
	unsigned line;
};

struct tpl_tokens {
	struct tpl_token *v;
	size_t n, cap;
};

/* Lex all of src into toks; the last token is EOF or ERROR. Never fails otherwise. */
void tpl_lex(const char *src, size_t len, struct tpl_tokens *toks);
void tpl_tokens_done(struct tpl_tokens *toks);
/* Go's rendering of a token in messages: "EOF", "<end>", "\"}\"". Caller frees. */
char *tpl_token_describe(const struct tpl_token *tok);

/* ---- syntax tree ---- */

enum tpl_arg_type {
	TPL_ARG_DOT,
	TPL_ARG_NIL,
	TPL_ARG_CONST, /* bool, number or string literal, in value */
	TPL_ARG_FIELD, /* fields applied to dot */
	TPL_ARG_VAR,   /* variable name, then fields */
	TPL_ARG_FUNC,  /* function identifier */
	TPL_ARG_PIPE,  /* parenthesised pipeline, then fields */
};

struct tpl_pipe;
struct tpl_func;

struct tpl_arg {
	enum tpl_arg_type type;
	size_t pos, end;
	json_t *value;		     /* TPL_ARG_CONST */
	char *name;		     /* TPL_ARG_VAR: "$x"; TPL_ARG_FUNC: "printf" */
	const struct tpl_func *func; /* TPL_ARG_FUNC */
	struct tpl_pipe *pipe;	     /* TPL_ARG_PIPE */
	char **fields;		     /* NULL-terminated field chain, may be NULL */
};

struct tpl_cmd {
	size_t pos, end;
	struct tpl_arg **args;
	size_t n_args;
};

struct tpl_pipe {
	size_t pos, end;
	bool is_assign; /* "=" rather than ":=" */
	char **decl;	/* NULL-terminated variable names, may be NULL */
	struct tpl_cmd **cmds;
	size_t n_cmds;
};

enum tpl_node_type {
	TPL_NODE_TEXT,
	TPL_NODE_ACTION,
	TPL_NODE_IF,
	TPL_NODE_WITH,
	TPL_NODE_RANGE,
	TPL_NODE_BREAK,
	TPL_NODE_CONTINUE,
};

struct tpl_node;

struct tpl_list {
	struct tpl_node **v;
	size_t n, cap;
};

struct tpl_node {
	enum tpl_node_type type;
	size_t pos, end;
	const char *text; /* TPL_NODE_TEXT, into eng_template.src */
	size_t text_len;
	struct tpl_pipe *pipe; /* ACTION, IF, WITH, RANGE */
	struct tpl_list list;
	struct tpl_list else_list;
};

struct eng_template {
	char *src;
	size_t len;
	struct tpl_list root;
};

void tpl_list_free(struct tpl_list *l);

/* Grow an array *v of elem-sized items so that it holds at least need items. */
void tpl_grow(void *v, size_t *cap, size_t need, size_t elem);

/* ---- execution ---- */

struct tpl_limits {
	size_t max_output;  /* bytes appended to the output */
	size_t max_string;  /* bytes in one string built by a function */
	uint64_t max_steps; /* nodes, commands and range iterations evaluated */
};

/* eng_template_exec with explicit limits (the fuzz target uses small ones). */
int tpl_exec_limited(const struct eng_template *t, json_t *data, struct buf *out, const struct tpl_limits *lim,
		     struct berth_error **err);

/* What a function sees of a call: for its messages and limits. */
struct tpl_call {
	const char *name;
	const struct tpl_limits *lim;
	char *msg;	       /* set by tpl_call_fail: the reason a call failed */
	bool arg_error;	       /* msg is about an argument's type, not "error calling" */
	int bad_arg;	       /* with arg_error: index of the argument, -1 when unknown */
	const char *want_type; /* with arg_error: the type the function wanted */
};

/* Record that an argument has the wrong type ("wrong type for value; ..."); returns -1. */
int tpl_call_arg_fail(struct tpl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why a call failed ("index out of range: 5"); returns -1. */
int tpl_call_fail(struct tpl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A function: args are new references, NULL for a missing value (Go's
 * invalid reflect.Value); *ret receives a new reference or NULL. Returns -1
 * after tpl_call_fail.
 */
typedef int (*tpl_func_fn)(struct tpl_call *c, json_t **args, size_t n, json_t **ret);

enum tpl_func_kind {
	TPL_FUNC_PLAIN,
	TPL_FUNC_AND, /* short-circuit: evaluated by the executor */
	TPL_FUNC_OR,
};

struct tpl_func {
	const char *name;
	int min_args, max_args; /* max_args < 0: variadic */
	tpl_func_fn fn;
	enum tpl_func_kind kind;
};

const struct tpl_func *tpl_func_lookup(const char *name, size_t len);

/* A string parameter (args[i]); -1 after tpl_call_arg_fail. */
int tpl_arg_string(struct tpl_call *c, json_t **args, size_t i, const char **s, size_t *n);
/* An int parameter: an integer, or a real with an integral value. */
int tpl_arg_int(struct tpl_call *c, json_t **args, size_t i, long long *ret);
/* Hand b over as a string result (b is emptied); fails past the string limit. */
int tpl_ret_buf(struct tpl_call *c, struct buf *b, json_t **ret);

/* docker's functions (template_docker.c) */
int tpl_fn_json(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_split(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_join(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_title(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_lower(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_upper(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_pad(struct tpl_call *c, json_t **a, size_t n, json_t **ret);
int tpl_fn_truncate(struct tpl_call *c, json_t **a, size_t n, json_t **ret);

/* ---- values (template_fmt.c) ---- */

/* Go's truth of a value: false, 0, "", nil, missing, empty array/object are false. */
bool tpl_truth(const json_t *v);
/* Go's type name of a value in messages: string, int, float64, bool, []interface {}... */
const char *tpl_type_name(const json_t *v);
/* Object keys in Go's map order (sorted); caller frees the array, not the keys. */
const char **tpl_sorted_keys(const json_t *obj, size_t *ret_n);
/* Append v as Go's fmt prints it with %v (missing prints "<nil>"). */
void tpl_print_value(struct buf *b, const json_t *v);
/* Shortest representation of d as Go's %v (strconv 'g', -1) or json ('f'/'e' at 1e21) prints it. */
void tpl_format_float(struct buf *b, double d, bool json_style);
/* Append v marshalled as docker's json function does. */
void tpl_json_marshal(struct buf *b, const json_t *v);
/* Go's fmt.Sprintf over template values; -1 when b would grow past limit bytes. */
int tpl_sprintf(struct buf *b, size_t limit, const char *fmt, size_t fmt_len, json_t **args, size_t n);
/* A new JSON string holding exactly len bytes (no UTF-8 check). */
json_t *tpl_string_new(const char *s, size_t len);

/* ---- literals (template_lit.c) ---- */

/* Decode one UTF-8 sequence of s; returns its length, 0 when invalid. */
size_t tpl_utf8_decode(const char *s, size_t n, uint32_t *ret);
/* Append r as UTF-8 (U+FFFD for a value that is no character). */
void tpl_utf8_encode(struct buf *b, uint32_t r);
/* An interpreted ("...") or raw (`...`) string literal, quotes included; -1 on bad syntax. */
int tpl_lit_string(const char *s, size_t n, json_t **ret);
/* A character constant ('x'), quotes included, as its code point; -1 on bad syntax. */
int tpl_lit_char(const char *s, size_t n, json_t **ret);
/* A number literal: an integer when it is one, else a real; -1 with *ret_msg (caller frees). */
int tpl_lit_number(const char *s, size_t n, json_t **ret, char **ret_msg);
