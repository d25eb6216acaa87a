// SPDX-License-Identifier: GPL-2.0
/*
 * v4l2l-consumer - test consumer: mmap streaming (default) or read(),
 * checks every frame for tearing (all pages must carry the same frame
 * number, see v4l2l-producer), and that sequence numbers and timestamps
 * increase. Optionally holds each frame for -H milliseconds.
 *
 * usage: v4l2l-consumer -d /dev/videoN [-r] [-n FRAMES] [-H MS] [-b BUFS]
 *                       [-t SECONDS]
 * Prints one JSON line with counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define STAMP_MAGIC 0x4c4f4f50u
#define PAGE 4096

static long frames_ok, torn, unstamped, seq_backwards, ts_backwards, gaps;
static long bytes_mismatch, first_stamp = -1, last_stamp = -1;
static long stamp_skips;

static void report(const char *error, int err)
{
	printf("{\"frames\":%ld,\"torn\":%ld,\"unstamped\":%ld,\"seqBackwards\":%ld,"
	       "\"tsBackwards\":%ld,\"seqGaps\":%ld,\"bytesMismatch\":%ld,"
	       "\"firstStamp\":%ld,\"lastStamp\":%ld,\"stampSkips\":%ld",
	       frames_ok, torn, unstamped, seq_backwards, ts_backwards, gaps,
	       bytes_mismatch, first_stamp, last_stamp, stamp_skips);
	if (error)
		printf(",\"error\":\"%s\",\"errno\":%d", error, err);
	printf("}\n");
	fflush(stdout);
}

static void die(const char *what)
{
	report(what, errno);
	exit(1);
}

static int dump_first = 1;

static void check_frame(const uint8_t *buf, size_t size)
{
	uint32_t head[3];
	long n = -1;
	size_t off;

	if (dump_first && getenv("V4L2L_DUMP")) {
		dump_first = 0;
		fprintf(stderr, "first bytes:");
		for (off = 0; off < 16 && off < size; off++)
			fprintf(stderr, " %02x", buf[off]);
		fprintf(stderr, " ... page1:");
		for (off = PAGE; off < PAGE + 16 && off < size; off++)
			fprintf(stderr, " %02x", buf[off]);
		fprintf(stderr, "\n");
	}

	for (off = 0; off + sizeof(head) <= size; off += PAGE) {
		memcpy(head, buf + off, sizeof(head));
		if (head[0] != STAMP_MAGIC || head[2] != off / PAGE) {
			unstamped++;
			return;
		}
		if (n < 0)
			n = head[1];
		else if (head[1] != (uint32_t)n) {
			torn++;
			return;
		}
	}
	if (last_stamp >= 0 && n != last_stamp + 1)
		stamp_skips++;
	if (first_stamp < 0)
		first_stamp = n;
	last_stamp = n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/video0";
	long want = 100, hold_ms = 0;
	unsigned int nbuf = 4, i;
	int use_read = 0, opt, fd, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	double deadline, limit = 30;
	struct v4l2_format fmt;
	void *maps[32];
	size_t lens[32];
	long last_seq = -1;
	double last_ts = -1;
	uint8_t *rbuf = NULL;

	while ((opt = getopt(argc, argv, "d:rn:H:b:t:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'r': use_read = 1; break;
		case 'n': want = atol(optarg); break;
		case 'H': hold_ms = atol(optarg); break;
		case 'b': nbuf = atoi(optarg); break;
		case 't': limit = atof(optarg); break;
		default: return 2;
		}
	}
	fd = open(dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		die("open");
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = type;
	if (ioctl(fd, VIDIOC_G_FMT, &fmt))
		die("G_FMT");
	deadline = now_s() + limit;

	if (use_read) {
		rbuf = malloc(fmt.fmt.pix.sizeimage);
		if (!rbuf)
			die("malloc");
	} else {
		struct v4l2_requestbuffers req = {
			.count = nbuf, .type = type, .memory = V4L2_MEMORY_MMAP,
		};

		if (ioctl(fd, VIDIOC_REQBUFS, &req))
			die("REQBUFS");
		nbuf = req.count;
		for (i = 0; i < nbuf; i++) {
			struct v4l2_buffer b = {
				.index = i, .type = type,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (ioctl(fd, VIDIOC_QUERYBUF, &b))
				die("QUERYBUF");
			lens[i] = b.length;
			maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED,
				       fd, b.m.offset);
			if (maps[i] == MAP_FAILED)
				die("mmap");
			if (ioctl(fd, VIDIOC_QBUF, &b))
				die("QBUF");
		}
		if (ioctl(fd, VIDIOC_STREAMON, &type))
			die("STREAMON");
	}

	while (frames_ok < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();

		if (left <= 0)
			die("timeout");
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0)
			die("poll");
		if (!(p.revents & POLLIN))
			continue;
		if (use_read) {
			ssize_t r = read(fd, rbuf, fmt.fmt.pix.sizeimage);

			if (r < 0) {
				if (errno == EAGAIN)
					continue;
				die("read");
			}
			if ((size_t)r != fmt.fmt.pix.sizeimage)
				bytes_mismatch++;
			check_frame(rbuf, r);
			frames_ok++;
		} else {
			struct v4l2_buffer b = {
				.type = type, .memory = V4L2_MEMORY_MMAP,
			};
			double ts;

			if (ioctl(fd, VIDIOC_DQBUF, &b)) {
				if (errno == EAGAIN)
					continue;
				die("DQBUF");
			}
			if (b.bytesused != fmt.fmt.pix.sizeimage)
				bytes_mismatch++;
			if (last_seq >= 0 && (long)b.sequence <= last_seq)
				seq_backwards++;
			if (last_seq >= 0 && (long)b.sequence > last_seq + 1)
				gaps += b.sequence - last_seq - 1;
			last_seq = b.sequence;
			ts = b.timestamp.tv_sec + b.timestamp.tv_usec / 1e6;
			if (ts < last_ts)
				ts_backwards++;
			last_ts = ts;
			if (hold_ms)
				usleep(hold_ms * 1000);
			check_frame(maps[b.index], b.bytesused);
			frames_ok++;
			if (ioctl(fd, VIDIOC_QBUF, &b))
				die("QBUF");
		}
	}
	(void)lens;
	report(NULL, 0);
	close(fd);
	return 0;
}
