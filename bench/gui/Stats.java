import java.util.Arrays;

/** Summary of a series of durations in nanoseconds: count, mean, p50, p99, max (as milliseconds). */
final class Stats {

    final int n;
    final double mean;
    final double p50;
    final double p99;
    final double max;

    Stats(long[] nanos, int count) {
        long[] a = Arrays.copyOf(nanos, count);
        Arrays.sort(a);
        n = count;
        double sum = 0;
        for (long v : a) {
            sum += v;
        }
        mean = count == 0 ? 0 : sum / count / 1e6;
        p50 = count == 0 ? 0 : a[count / 2] / 1e6;
        p99 = count == 0 ? 0 : a[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)] / 1e6;
        max = count == 0 ? 0 : a[count - 1] / 1e6;
    }

    /** Values above {@code ms} milliseconds. */
    static int over(long[] nanos, int count, double ms) {
        int k = 0;
        for (int i = 0; i < count; i++) {
            k += nanos[i] > ms * 1e6 ? 1 : 0;
        }
        return k;
    }

    @Override
    public String toString() {
        return String.format("n=%d mean %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms", n, mean, p50, p99, max);
    }
}
