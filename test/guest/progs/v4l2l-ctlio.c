// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-ctlio - one raw ioctl on the control device, for tests that need
 * the exact errno (the CLI maps errors to exit codes): ADD with given
 * config fields, REMOVE, QUERY or ADD_CAPTURE. Prints one JSON line:
 * {"errno":N,...}; an open() failure prints {"errno":N,"stage":"open"}.
 * Exits 0 when the ioctl succeeded, 1 otherwise, 2 on usage errors.
 *
 * usage: v4l2l-ctlio [-c /dev/v4l2loopback] add [field=value...]
 *        v4l2l-ctlio [-c ...] remove NR | query NR | add-capture NR [CAPNR]
 *        v4l2l-ctlio open-loop NR MS [PAUSE_US]
 *        v4l2l-ctlio ctrl-loop NR MS [HOLD_US]
 * open-loop opens and closes /dev/videoNR for MS milliseconds, or until
 * 200 opens in a row failed (racing a REMOVE or rmmod), pausing PAUSE_US
 * microseconds after each close, and prints
 * {"opens":N,"failures":N,"lastErrno":N}. ctrl-loop does the same for
 * all of MS (a node that comes and goes), sets the timeout control (1 ms)
 * on every file it gets open and holds it HOLD_US microseconds before
 * closing it.
 * fields: output_nr capture_nr label min_width max_width min_height
 *         max_height max_buffers max_openers announce_all_caps
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "../../../kmod/include/uapi/linux/v4l2loopback.h"

static int usage(void)
{
	fprintf(stderr, "usage: v4l2l-ctlio [-c CTL] add [field=value...] | remove NR | query NR | add-capture NR [CAPNR] | open-loop NR MS [PAUSE_US] | ctrl-loop NR MS [HOLD_US]\n");
	return 2;
}

static int set_field(struct v4l2_loopback_config *c, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen;
	long v;

	if (!eq)
		return -1;
	klen = eq - kv;
	if (klen == 5 && !strncmp(kv, "label", 5)) {
		/* copied as is, up to 32 bytes, not necessarily terminated */
		size_t len = strlen(eq + 1);

		memcpy(c->card_label, eq + 1,
		       len < sizeof(c->card_label) ? len : sizeof(c->card_label));
		return 0;
	}
	v = strtol(eq + 1, NULL, 0);
#define FIELD(name)                                                  \
	if (klen == sizeof(#name) - 1 && !strncmp(kv, #name, klen)) { \
		c->name = v;                                         \
		return 0;                                            \
	}
	FIELD(output_nr)
	FIELD(capture_nr)
	FIELD(min_width)
	FIELD(max_width)
	FIELD(min_height)
	FIELD(max_height)
	FIELD(max_buffers)
	FIELD(max_openers)
	FIELD(announce_all_caps)
#undef FIELD
	return -1;
}

static void print_config(const struct v4l2_loopback_config *c)
{
	char label[sizeof(c->card_label) + 1];
	const char *s;

	memcpy(label, c->card_label, sizeof(c->card_label));
	label[sizeof(c->card_label)] = '\0';
	printf(",\"output_nr\":%d,\"capture_nr\":%d,\"label\":\"", c->output_nr,
	       c->capture_nr);
	for (s = label; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	printf("\",\"min_width\":%u,\"max_width\":%u,\"min_height\":%u,"
	       "\"max_height\":%u,\"max_buffers\":%d,\"max_openers\":%d,"
	       "\"announce_all_caps\":%d",
	       c->min_width, c->max_width, c->min_height, c->max_height,
	       c->max_buffers, c->max_openers, c->announce_all_caps);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int open_loop(int nr, long ms, long pause_us, int set_ctrl)
{
	double end = now_ms() + ms;
	long opens = 0, failures = 0, in_a_row = 0;
	int last = 0, fd;
	char path[32];

	snprintf(path, sizeof(path), "/dev/video%d", nr);
	while (now_ms() < end && (set_ctrl || in_a_row < 200)) {
		fd = open(path, O_RDWR | O_NONBLOCK);
		if (fd < 0) {
			failures++;
			in_a_row++;
			last = errno;
			continue;
		}
		opens++;
		in_a_row = 0;
		if (set_ctrl) {
			struct v4l2_control c = {
				.id = V4L2LOOPBACK_CID_TIMEOUT, .value = 1,
			};

			ioctl(fd, VIDIOC_S_CTRL, &c);
		}
		/* ctrl-loop: hold the file for PAUSE_US before closing it */
		if (set_ctrl && pause_us)
			usleep(pause_us);
		close(fd);
		if (!set_ctrl && pause_us)
			usleep(pause_us);
	}
	printf("{\"opens\":%ld,\"failures\":%ld,\"lastErrno\":%d}\n", opens,
	       failures, last);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ctlpath = "/dev/v4l2loopback";
	struct v4l2_loopback_config c;
	const char *cmd;
	int ctl, ret, i = 1;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		ctlpath = argv[2];
		i = 3;
	}
	if (i >= argc)
		return usage();
	cmd = argv[i++];
	if (!strcmp(cmd, "open-loop") && (i + 2 == argc || i + 3 == argc))
		return open_loop(atoi(argv[i]), atol(argv[i + 1]),
				 i + 3 == argc ? atol(argv[i + 2]) : 0, 0);
	if (!strcmp(cmd, "ctrl-loop") && (i + 2 == argc || i + 3 == argc))
		return open_loop(atoi(argv[i]), atol(argv[i + 1]),
				 i + 3 == argc ? atol(argv[i + 2]) : 0, 1);
	memset(&c, 0, sizeof(c));
	c.output_nr = -1;
	c.capture_nr = -1;
	c.announce_all_caps = -1;

	ctl = open(ctlpath, O_RDWR);
	if (ctl < 0) {
		printf("{\"errno\":%d,\"stage\":\"open\"}\n", errno);
		return 1;
	}
	if (!strcmp(cmd, "add")) {
		for (; i < argc; i++)
			if (set_field(&c, argv[i]))
				return usage();
		/* a capture_nr other than -1 asks for a split device */
		ret = ioctl(ctl, c.capture_nr == -1 ? V4L2LOOPBACK_CTL_ADD :
				 V4L2LOOPBACK_CTL_ADD_SPLIT, &c);
		if (ret < 0) {
			printf("{\"errno\":%d}\n", errno);
			return 1;
		}
		printf("{\"errno\":0,\"nr\":%d}\n", ret);
	} else if (!strcmp(cmd, "remove") && i + 1 == argc) {
		ret = ioctl(ctl, V4L2LOOPBACK_CTL_REMOVE, atoi(argv[i]));
		printf("{\"errno\":%d}\n", ret < 0 ? errno : 0);
		return ret < 0;
	} else if (!strcmp(cmd, "query") && i + 1 == argc) {
		c.output_nr = atoi(argv[i]);
		ret = ioctl(ctl, V4L2LOOPBACK_CTL_QUERY, &c);
		if (ret < 0) {
			printf("{\"errno\":%d}\n", errno);
			return 1;
		}
		printf("{\"errno\":0");
		print_config(&c);
		printf("}\n");
	} else if (!strcmp(cmd, "add-capture") && (i + 1 == argc || i + 2 == argc)) {
		c.output_nr = atoi(argv[i]);
		c.capture_nr = i + 2 == argc ? atoi(argv[i + 1]) : -1;
		ret = ioctl(ctl, V4L2LOOPBACK_CTL_ADD_CAPTURE, &c);
		if (ret < 0) {
			printf("{\"errno\":%d}\n", errno);
			return 1;
		}
		printf("{\"errno\":0,\"nr\":%d}\n", ret);
	} else {
		return usage();
	}
	return 0;
}
