/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template lexer: text and actions into tokens, with Go's trim markers
 * ("{{- " and " -}}"), comments, strings, numbers and keywords.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

struct lexer {
	const char *s;
	size_t len;
	size_t pos, start;
	unsigned line; /* line of start */
	int paren;
	struct tpl_tokens *toks;
};

void tpl_grow(void *v, size_t *cap, size_t need, size_t elem)
{
	void **p = v;
	size_t n = *cap ? *cap : 4;
	void *q;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		abort();
	*p = q;
	*cap = n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
	unsigned char u = (unsigned char)c;
	/* bytes of UTF-8 sequences count as letters, as Go's unicode.IsLetter would mostly */
	return u == '_' || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u >= 0x80;
}

static char peek_at(const struct lexer *lx, size_t i)
{
	return i < lx->len ? lx->s[i] : '\0';
}

static bool has_prefix_at(const struct lexer *lx, size_t i, const char *p)
{
	size_t n = strlen(p);
	return i <= lx->len && lx->len - i >= n && memcmp(lx->s + i, p, n) == 0;
}

/* Move start to pos, counting the lines passed. */
static void skip_to(struct lexer *lx, size_t pos)
{
	for (size_t i = lx->start; i < pos; i++)
		if (lx->s[i] == '\n')
			lx->line++;
	lx->start = pos;
	lx->pos = pos;
}

static struct tpl_token *push(struct lexer *lx, enum tpl_tok type, size_t pos, size_t end)
{
	struct tpl_tokens *t = lx->toks;
	struct tpl_token *tok;

	tpl_grow(&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	tok = &t->v[t->n++];
	*tok = (struct tpl_token){.type = type, .pos = pos, .len = end - pos, .text = lx->s + pos, .line = lx->line};
	return tok;
}

static void emit(struct lexer *lx, enum tpl_tok type)
{
	push(lx, type, lx->start, lx->pos);
	skip_to(lx, lx->pos);
}

/* Emit an error token; lexing stops. */
static void lex_error(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lex_error(struct lexer *lx, const char *fmt, ...)
{
	struct tpl_token *tok = push(lx, TPL_TOK_ERROR, lx->start, lx->start);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&tok->msg, fmt, ap) < 0)
		abort();
	va_end(ap);
}

/* Go's %#U of the character at i (one byte: non-ASCII bytes are shown as such). */
static void lex_error_char(struct lexer *lx, const char *what, size_t i)
{
	unsigned char c = (unsigned char)peek_at(lx, i);

	if (c > 0x20 && c < 0x7f)
		lex_error(lx, "%s U+%04X '%c'", what, c, c);
	else
		lex_error(lx, "%s U+%04X", what, c);
}

static bool at_right_delim(const struct lexer *lx, size_t i, bool *trim)
{
	if (is_space(peek_at(lx, i)) && peek_at(lx, i + 1) == '-' && has_prefix_at(lx, i + 2, "}}")) {
		*trim = true;
		return true;
	}
	*trim = false;
	return has_prefix_at(lx, i, "}}");
}

static bool at_terminator(const struct lexer *lx)
{
	char c = peek_at(lx, lx->pos);
	bool trim;

	if (lx->pos >= lx->len || is_space(c))
		return true;
	if (strchr(".,|:()", c))
		return true;
	return at_right_delim(lx, lx->pos, &trim);
}

static void skip_spaces_after(struct lexer *lx)
{
	size_t i = lx->pos;
	while (i < lx->len && is_space(lx->s[i]))
		i++;
	skip_to(lx, i);
}

static bool accept(struct lexer *lx, const char *set)
{
	if (lx->pos < lx->len && strchr(set, lx->s[lx->pos]) && lx->s[lx->pos] != '\0') {
		lx->pos++;
		return true;
	}
	return false;
}

static void accept_run(struct lexer *lx, const char *set)
{
	while (accept(lx, set))
		;
}

/* Go's scanNumber: sign, base prefix, digits with '_', fraction, exponent, 'i'. */
static bool scan_number(struct lexer *lx)
{
	const char *digits = "0123456789_";

	accept(lx, "+-");
	if (accept(lx, "0")) {
		if (accept(lx, "xX"))
			digits = "0123456789abcdefABCDEF_";
		else if (accept(lx, "oO"))
			digits = "01234567_";
		else if (accept(lx, "bB"))
			digits = "01_";
	}
	accept_run(lx, digits);
	if (accept(lx, "."))
		accept_run(lx, digits);
	if (strlen(digits) == 11 && accept(lx, "eE")) {
		accept(lx, "+-");
		accept_run(lx, "0123456789_");
	}
	if (strlen(digits) == 23 && accept(lx, "pP")) {
		accept(lx, "+-");
		accept_run(lx, "0123456789_");
	}
	accept(lx, "i");
	if (lx->pos < lx->len && is_alnum(lx->s[lx->pos])) {
		lx->pos++;
		return false;
	}
	return true;
}

/* A quoted string or character constant; the opening quote is at start. */
static bool lex_quote(struct lexer *lx, char quote, enum tpl_tok type)
{
	lx->pos = lx->start + 1;
	for (;;) {
		char c = peek_at(lx, lx->pos);
		if (lx->pos >= lx->len || c == '\n') {
			lex_error(lx, quote == '"' ? "unterminated quoted string" : "unterminated character constant");
			return false;
		}
		lx->pos++;
		if (c == '\\' && lx->pos < lx->len && lx->s[lx->pos] != '\n')
			lx->pos++;
		else if (c == quote)
			break;
	}
	emit(lx, type);
	return true;
}

static bool lex_raw(struct lexer *lx)
{
	const char *end = memchr(lx->s + lx->start + 1, '`', lx->len - lx->start - 1);

	if (!end) {
		lex_error(lx, "unterminated raw quoted string");
		return false;
	}
	lx->pos = (size_t)(end - lx->s) + 1;
	emit(lx, TPL_TOK_RAW_STRING);
	return true;
}

static const struct {
	const char *word;
	enum tpl_tok type;
} keywords[] = {
	{"block", TPL_TOK_BLOCK},   {"break", TPL_TOK_BREAK}, {"continue", TPL_TOK_CONTINUE},
	{"define", TPL_TOK_DEFINE}, {"else", TPL_TOK_ELSE},   {"end", TPL_TOK_END},
	{"if", TPL_TOK_IF},	    {"range", TPL_TOK_RANGE}, {"template", TPL_TOK_TEMPLATE},
	{"with", TPL_TOK_WITH},	    {"true", TPL_TOK_BOOL},   {"false", TPL_TOK_BOOL},
	{"nil", TPL_TOK_NIL},
};

/* Identifier, field (.Name) or variable ($name); start is at its first character. */
static bool lex_word(struct lexer *lx, enum tpl_tok type)
{
	size_t word = lx->pos;

	while (lx->pos < lx->len && is_alnum(lx->s[lx->pos]))
		lx->pos++;
	if (!at_terminator(lx)) {
		lex_error_char(lx, "bad character", lx->pos);
		return false;
	}
	if (type == TPL_TOK_FIELD && lx->pos == word)
		type = TPL_TOK_DOT;
	if (type == TPL_TOK_IDENT) {
		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strlen(keywords[i].word) == lx->pos - word &&
			    memcmp(keywords[i].word, lx->s + word, lx->pos - word) == 0)
				type = keywords[i].type;
	}
	emit(lx, type);
	return true;
}

/* Spaces inside an action; the space before " -}}" belongs to the delimiter. */
static void lex_space(struct lexer *lx)
{
	bool trim;

	while (lx->pos < lx->len && is_space(lx->s[lx->pos])) {
		if (at_right_delim(lx, lx->pos, &trim) && trim)
			break;
		lx->pos++;
	}
	if (lx->pos > lx->start)
		emit(lx, TPL_TOK_SPACE);
}

/* One token inside an action; false when the action ended or lexing stopped. */
static bool lex_action_token(struct lexer *lx)
{
	char c = lx->s[lx->pos];

	lx->pos++;
	switch (c) {
	case '=':
		emit(lx, TPL_TOK_ASSIGN);
		return true;
	case ':':
		if (!accept(lx, "=")) {
			lex_error(lx, "expected :=");
			return false;
		}
		emit(lx, TPL_TOK_DECLARE);
		return true;
	case '|':
		emit(lx, TPL_TOK_PIPE);
		return true;
	case ',':
		emit(lx, TPL_TOK_COMMA);
		return true;
	case '"':
		return lex_quote(lx, '"', TPL_TOK_STRING);
	case '\'':
		return lex_quote(lx, '\'', TPL_TOK_CHAR);
	case '`':
		return lex_raw(lx);
	case '$':
		return lex_word(lx, TPL_TOK_VAR);
	case '(':
		lx->paren++;
		emit(lx, TPL_TOK_LPAREN);
		return true;
	case ')':
		emit(lx, TPL_TOK_RPAREN);
		if (--lx->paren < 0) {
			/* after the token, as Go: the parser meets the stray ')' first */
			lex_error(lx, "unexpected right paren U+0029 ')'");
			return false;
		}
		return true;
	case '.':
		if (!(peek_at(lx, lx->pos) >= '0' && peek_at(lx, lx->pos) <= '9'))
			return lex_word(lx, TPL_TOK_FIELD);
		break;
	default:
		break;
	}
	if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
		lx->pos = lx->start;
		if (!scan_number(lx)) {
			lex_error(lx, "bad number syntax: \"%.*s\"", (int)(lx->pos - lx->start), lx->s + lx->start);
			return false;
		}
		emit(lx, TPL_TOK_NUMBER);
		return true;
	}
	if (is_alnum(c)) {
		lx->pos--;
		return lex_word(lx, TPL_TOK_IDENT);
	}
	if (c > 0x20 && c < 0x7f) {
		emit(lx, TPL_TOK_OTHER);
		return true;
	}
	lx->pos--;
	lex_error_char(lx, "unrecognized character in action:", lx->pos);
	return false;
}

/* Inside an action, from after the left delimiter; false when lexing stopped. */
static bool lex_action(struct lexer *lx)
{
	for (;;) {
		bool trim;

		if (at_right_delim(lx, lx->pos, &trim)) {
			if (lx->paren > 0) {
				lex_error(lx, "unclosed left paren");
				return false;
			}
			if (trim)
				skip_to(lx, lx->pos + 1); /* the space is part of " -}}" */
			lx->pos += trim ? 3 : 2;
			emit(lx, TPL_TOK_RIGHT);
			if (trim)
				skip_spaces_after(lx);
			return true;
		}
		if (lx->pos >= lx->len) {
			lex_error(lx, "unclosed action");
			return false;
		}
		if (is_space(lx->s[lx->pos])) {
			lex_space(lx);
			continue;
		}
		if (!lex_action_token(lx))
			return false;
	}
}

/* A comment, from after "{{" and its trim marker; false when lexing stopped. */
static bool lex_comment(struct lexer *lx)
{
	const char *end = memmem(lx->s + lx->pos + 2, lx->len - lx->pos - 2, "*/", 2);
	bool trim;

	if (!end) {
		lex_error(lx, "unclosed comment");
		return false;
	}
	lx->pos = (size_t)(end - lx->s) + 2;
	if (!at_right_delim(lx, lx->pos, &trim)) {
		lex_error(lx, "comment ends before closing delimiter");
		return false;
	}
	skip_to(lx, lx->pos + (trim ? 4 : 2));
	if (trim)
		skip_spaces_after(lx);
	return true;
}

void tpl_lex(const char *src, size_t len, struct tpl_tokens *toks)
{
	struct lexer lx = {.s = src, .len = len, .line = 1, .toks = toks};

	for (;;) {
		const char *left = lx.pos < len ? memmem(src + lx.pos, len - lx.pos, "{{", 2) : NULL;
		size_t x, end;
		bool trim;

		if (!left) {
			lx.pos = len;
			if (lx.pos > lx.start)
				emit(&lx, TPL_TOK_TEXT);
			push(&lx, TPL_TOK_EOF, len, len);
			return;
		}
		x = (size_t)(left - src);
		trim = peek_at(&lx, x + 2) == '-' && is_space(peek_at(&lx, x + 3));
		end = x;
		if (trim)
			while (end > lx.start && is_space(src[end - 1]))
				end--;
		if (end > lx.start) {
			lx.pos = end;
			emit(&lx, TPL_TOK_TEXT);
		}
		skip_to(&lx, x);
		lx.pos = x + (trim ? 4 : 2);
		if (has_prefix_at(&lx, lx.pos, "/*")) {
			if (!lex_comment(&lx))
				return;
			continue;
		}
		emit(&lx, TPL_TOK_LEFT);
		lx.paren = 0;
		if (!lex_action(&lx))
			return;
	}
}

void tpl_tokens_done(struct tpl_tokens *toks)
{
	for (size_t i = 0; i < toks->n; i++)
		free(toks->v[i].msg);
	free(toks->v);
	*toks = (struct tpl_tokens){0};
}

/* Go's %q of a short token text, or its first ten bytes and "...". */
static void quote_into(struct buf *b, const char *s, size_t n)
{
	bool cut = n > 10;

	buf_puts(b, "\"");
	for (size_t i = 0; i < (cut ? 10 : n); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_append(b, &s[i], 1);
	}
	buf_puts(b, cut ? "\"..." : "\"");
}

char *tpl_token_describe(const struct tpl_token *tok)
{
	struct buf b = {0};

	switch (tok->type) {
	case TPL_TOK_EOF:
		return xstrdup("EOF");
	case TPL_TOK_ERROR:
		return xstrdup(tok->msg);
	case TPL_TOK_BLOCK:
	case TPL_TOK_BREAK:
	case TPL_TOK_CONTINUE:
	case TPL_TOK_DEFINE:
	case TPL_TOK_ELSE:
	case TPL_TOK_END:
	case TPL_TOK_IF:
	case TPL_TOK_RANGE:
	case TPL_TOK_TEMPLATE:
	case TPL_TOK_WITH:
		return xasprintf("<%.*s>", (int)tok->len, tok->text);
	default:
		quote_into(&b, tok->text, tok->len);
		return buf_steal(&b);
	}
}
