// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "pipeline/loss_warn.h"

void loss_warn_update(struct loss_warn *w, __u64 lost, __u64 now_ns,
		      FILE *out)
{
	if (lost > w->seen) {
		w->seen = lost;
		w->changed_ns = now_ns;
	}
	if (lost > w->said && (!w->losing || now_ns - w->said_ns >= LOSS_WARN_NS)) {
		fprintf(out, "hdrlog: losing events: %llu lost %s (ring buffer "
			"full), %llu in all; a larger --ringbuf-size, a filter or "
			"--sample lowers the rate\n",
			(unsigned long long)(lost - w->said),
			w->losing ? "since the last warning" : "in the last second",
			(unsigned long long)lost);
		w->said = lost;
		w->said_ns = now_ns;
		w->losing = true;
	} else if (w->losing && lost == w->said &&
		   now_ns - w->changed_ns >= LOSS_WARN_NS) {
		fprintf(out, "hdrlog: no event lost for %llu s (%llu in all)\n",
			LOSS_WARN_NS / 1000000000ULL, (unsigned long long)lost);
		w->losing = false;
	}
}
