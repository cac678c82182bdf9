/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The option table, shared by the parser (options.c) and --help (help.c). */
#ifndef HDRLOG_OPTIONS_H
#define HDRLOG_OPTIONS_H

#include <stddef.h>

#include "config/config.h"

enum section {
	SEC_CAPTURE, SEC_SELECTION, SEC_FLOWS, SEC_ANOMALIES, SEC_HTTP, SEC_OUTPUT,
	SEC_EXPORT, SEC_TUNING, SEC_GENERAL, SEC__MAX,
};

enum kind {
	K_FLAG,	   /* a bool set to true */
	K_UINT,	   /* an unsigned integer of the field's size, in [min, max] */
	K_SECONDS, /* seconds in [min, max], stored as nanoseconds (__u64) */
	K_SIZE,	   /* bytes with an optional k, M or G, in [min, max] */
	K_CHOICE,  /* one of choices, stored as its index (int-sized enum) */
	K_STRING,  /* a const char * to the argument */
	K_CUSTOM,  /* set() does it */
};

struct opt {
	const char *name; /* the long option */
	int short_name;	  /* 0: none */
	const char *arg;  /* the value's name in --help; NULL: no value */
	enum section sec;
	enum kind kind;
	size_t off, size; /* the field of struct config */
	unsigned long long min, max;
	const char *what;  /* for errors: "invalid WHAT 'value' (RANGE)" */
	const char *range; /* RANGE */
	const char *const *choices; /* K_CHOICE, NULL-terminated */
	int (*set)(struct config *c, const char *arg); /* K_CUSTOM */
	const char *help;
};

extern const struct opt options[];
extern const size_t n_options;

/* Prints --help: the options by section, with examples. Returns 1: the
 * run is done (the shape of struct opt's set()). */
int print_help(struct config *c, const char *arg);

#endif
