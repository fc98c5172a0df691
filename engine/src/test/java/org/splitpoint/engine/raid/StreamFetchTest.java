package org.splitpoint.engine.raid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which reads make streams, and what each stream fetches ahead (the read-ahead of a parity volume). */
class StreamFetchTest {

    private static final long KIB = 1 << 10;
    private static final long MIB = 1 << 20;

    @Test
    void aSequentialStreamFetchesAheadOfItsReadsAndCoversThem() {
        StreamFetch f = new StreamFetch(1L << 30);
        long fetched = 0;
        long req = 256 * KIB;
        assertThat(f.read(0, req).fetches()).as("one read is not a stream").isFalse();
        for (long at = req; at < 256 * MIB; at += req) {
            StreamFetch.Ahead a = f.read(at, at + req);
            assertThat(a.stream()).as("read at %d continues the stream", at).isTrue();
            if (a.fetches()) {
                assertThat(a.from()).as("fetches go on from where the last one ended").isEqualTo(Math.max(fetched, at + req));
                fetched = a.to();
            }
            assertThat(fetched).as("the next read at %d is fetched already", at + req).isGreaterThanOrEqualTo(at + 2 * req);
            assertThat(fetched - (at + req)).as("never more than MAX_AHEAD ahead").isLessThanOrEqualTo(StreamFetch.MAX_AHEAD);
        }
        assertThat(fetched).as("fetched to MAX_AHEAD past the last read, give or take a step")
                .isGreaterThan(256 * MIB + StreamFetch.MAX_AHEAD - StreamFetch.MAX_STEP);
    }

    @Test
    void theDistanceAheadGrowsWithTheStream() {
        StreamFetch f = new StreamFetch(1L << 30);
        f.read(0, 4 * KIB);
        StreamFetch.Ahead a = f.read(4 * KIB, 8 * KIB);
        assertThat(a.to() - 8 * KIB).as("two 4 KiB reads fetch a few requests ahead, not megabytes").isEqualTo(16 * KIB);
        long at = 8 * KIB;
        long farthest = 0;
        for (; at < 64 * MIB; at += 4 * KIB) {
            StreamFetch.Ahead b = f.read(at, at + 4 * KIB);
            if (b.fetches()) {
                farthest = b.to() - (at + 4 * KIB);
            }
        }
        assertThat(farthest).as("a long stream fetches up to MAX_AHEAD").isGreaterThan(StreamFetch.MAX_AHEAD - StreamFetch.MAX_STEP);
    }

    @Test
    void randomReadsFetchNothing() {
        StreamFetch f = new StreamFetch(64L << 30);
        java.util.Random r = new java.util.Random(3);
        long fetched = 0;
        for (int i = 0; i < 100_000; i++) {
            long at = (r.nextLong() & Long.MAX_VALUE) % (64L << 30) / 4096 * 4096;
            StreamFetch.Ahead a = f.read(at, at + 4096);
            fetched += a.to() - a.from();
        }
        // two random reads close by chance make a stream now and then: it fetches a few of its reads' size
        assertThat(fetched).as("bytes fetched for 100,000 random 4 KiB reads over 64 GiB").isLessThan(1L << 20);
    }

    @Test
    void requestsArrivingOutOfOrderStayOneStream() {
        StreamFetch f = new StreamFetch(1L << 30);
        long req = 256 * KIB;
        long[] order = {0, 2, 1, 3, 6, 4, 5, 7, 9, 8, 12, 10, 11, 13, 15, 14};
        f.read(0, req);
        for (int i = 1; i < order.length; i++) {
            long at = order[i] * req;
            assertThat(f.read(at, at + req).stream()).as("request %d", order[i]).isTrue();
        }
    }

    @Test
    void fourRegionsReadAtOnceAreFourStreamsAndStrayReadsDoNotBreakThem() {
        StreamFetch f = new StreamFetch(1L << 30);
        long req = 256 * KIB;
        long[] region = {0, 128 * MIB, 256 * MIB, 384 * MIB};
        long[] fetched = new long[4];
        for (int step = 0; step < 200; step++) {
            for (int r = 0; r < 4; r++) {
                long at = region[r] + step * req;
                StreamFetch.Ahead a = f.read(at, at + req);
                if (step > 0) {
                    assertThat(a.stream()).as("region %d step %d", r, step).isTrue();
                }
                if (a.fetches()) {
                    fetched[r] = a.to();
                }
                // a block-status request's 4 KiB head reads, one per MiB far ahead, between them
                long head = 512 * MIB + (step * 4 + r) * MIB;
                assertThat(f.read(head, head + 4 * KIB).stream()).isFalse();
            }
        }
        for (int r = 0; r < 4; r++) {
            assertThat(fetched[r]).as("region %d fetched ahead of its reads", r).isGreaterThan(region[r] + 200 * req);
        }
    }

    @Test
    void theFetchStopsAtTheEndOfTheVolume() {
        long size = 8 * MIB;
        StreamFetch f = new StreamFetch(size);
        long last = 0;
        for (long at = 0; at < size; at += MIB) {
            StreamFetch.Ahead a = f.read(at, at + MIB);
            if (a.fetches()) {
                assertThat(a.to()).isLessThanOrEqualTo(size);
                last = a.to();
            }
        }
        assertThat(last).isEqualTo(size);
    }
}
