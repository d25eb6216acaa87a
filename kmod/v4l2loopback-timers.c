// SPDX-License-Identifier: GPL-2.0
/* Sustain_framerate repeats and the timeout image / null frame. */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>

#include "v4l2loopback-core.h"

static u64 v4l2l_period_ns(struct v4l2l_dev *dev)
{
	u64 ns = div_u64((u64)dev->timeperframe.numerator * NSEC_PER_SEC,
			 dev->timeperframe.denominator);

	return max_t(u64, ns, NSEC_PER_MSEC);
}

/* the timeout image if it fits the format, else a black null frame */
static void v4l2l_deliver_timeout_frame(struct v4l2l_dev *dev)
{
	struct v4l2l_frame *img = &dev->timeout_image;
	struct v4l2l_frame *null = &dev->null_frame;

	if (img->valid && v4l2l_pix_equal(&img->fmt, &dev->fmt)) {
		v4l2l_deliver(dev, img->data, img->used);
		return;
	}
	if (v4l2l_is_compressed(dev->fmt.pixelformat)) {
		/* no null frame exists for a compressed format */
		dev->last_delivery_ns = ktime_get_ns();
		return;
	}
	if (!null->valid || !v4l2l_pix_equal(&null->fmt, &dev->fmt)) {
		if (v4l2l_frame_reserve(dev, null, dev->fmt.sizeimage)) {
			dev->last_delivery_ns = ktime_get_ns();
			return;
		}
		v4l2l_fill_black(&dev->fmt, null->data);
		null->used = dev->fmt.sizeimage;
		null->fmt = dev->fmt;
		null->valid = true;
	}
	v4l2l_deliver(dev, null->data, null->used);
}

/*
 * Sends whatever is due now and arms the work for the next due time.
 * timeout: once no real frame came for timeout ms (counted from the last
 * frame, or from the first consumer's STREAMON if there never was one), the
 * timeout image (or a null frame) is sent at the nominal rate until a
 * producer sends again; it wins over sustain_framerate.
 * sustain_framerate: the last frame is repeated when no new one came for
 * 1.5 frame periods, then every period. Each repeat is a new frame for
 * the consumers (fresh sequence number and timestamp).
 */
static void v4l2l_timers_run(struct v4l2l_dev *dev)
{
	u32 timeout_ms = READ_ONCE(dev->timeout_ms);
	bool sustain = READ_ONCE(dev->sustain_framerate);
	struct v4l2l_frame *last = &dev->last_frame;
	u64 now = ktime_get_ns();
	u64 period = v4l2l_period_ns(dev);
	u64 next = U64_MAX;

	lockdep_assert_held(&dev->lock);
	if (dev->dying || !dev->num_consumers)
		return;

	if (timeout_ms) {
		/*
		 * From the last real frame, so that a consumer starting after
		 * the producer left gets the timeout image right away (not a
		 * sustain repeat first); from the first consumer's STREAMON
		 * while no producer has ever sent a frame.
		 */
		u64 since = dev->last_frame_ns ?: dev->consumers_since_ns;
		u64 due = since + (u64)timeout_ms * NSEC_PER_MSEC;

		if (now >= due) {
			if (!dev->timed_out)
				dprintk(dev, 1, "producer timed out\n");
			dev->timed_out = true;
			if (now >= max(due, dev->last_delivery_ns + period))
				v4l2l_deliver_timeout_frame(dev);
			due = dev->last_delivery_ns + period;
		}
		next = due;
	} else {
		dev->timed_out = false;
	}

	if (!dev->timed_out && sustain && last->valid &&
	    v4l2l_pix_equal(&last->fmt, &dev->fmt)) {
		u64 due = dev->last_delivery_ns +
			  (dev->last_was_repeat ? period : period * 3 / 2);

		if (now >= due) {
			v4l2l_deliver(dev, last->data, last->used);
			dev->last_was_repeat = true;
			due = dev->last_delivery_ns + period;
		}
		next = min(next, due);
	}

	if (next != U64_MAX) {
		now = ktime_get_ns();
		mod_delayed_work(v4l2l_system_wq, &dev->repeat_work,
				 next > now ?
				 max(nsecs_to_jiffies(next - now), 1UL) : 1);
	}
}

static void v4l2l_repeat_work(struct work_struct *work)
{
	struct v4l2l_dev *dev = container_of(to_delayed_work(work),
					     struct v4l2l_dev, repeat_work);

	mutex_lock(&dev->lock);
	v4l2l_timers_run(dev);
	mutex_unlock(&dev->lock);
}

void v4l2l_timers_init(struct v4l2l_dev *dev)
{
	INIT_DELAYED_WORK(&dev->repeat_work, v4l2l_repeat_work);
}

/*
 * Something changed (frame, control, consumer, producer left): let the
 * work re-evaluate. Safe with or without the device mutex held.
 */
void v4l2l_timers_kick(struct v4l2l_dev *dev)
{
	if (READ_ONCE(dev->dying))
		return;
	if (!READ_ONCE(dev->timeout_ms) && !READ_ONCE(dev->sustain_framerate))
		return;
	mod_delayed_work(v4l2l_system_wq, &dev->repeat_work, 0);
}

/* the device is dying: no new kicks get through */
void v4l2l_timers_stop(struct v4l2l_dev *dev)
{
	cancel_delayed_work_sync(&dev->repeat_work);
}
