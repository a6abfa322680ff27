package io.gochat.mq.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What some threads allocated and how much CPU they used over a stretch of a round, read from the
 * JVM's per-thread counters ({@code com.sun.management.ThreadMXBean}): the figures beside a ratio
 * that say where its cost is. Allocation is exact for the calling thread and accurate to a
 * thread-local allocation buffer for the others; CPU time is the operating system's, per thread.
 *
 * <p>{@link #start} reads the counters, {@link #perMessage} reads them again and divides the
 * difference. One instance per stretch; not thread-safe, any thread may read any thread's counters.
 */
final class ThreadCounters {
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private final long[] ids;
    private final long[] bytes;
    private final long[] cpu;

    private ThreadCounters(long[] ids) {
        this.ids = ids;
        this.bytes = THREADS.getThreadAllocatedBytes(ids);
        this.cpu = cpuNanos(ids);
    }

    /** Per-message usage of the threads of a stretch. Immutable. */
    static final class Usage {
        final double allocBytes;
        final double cpuNanos;

        Usage(double allocBytes, double cpuNanos) {
            this.allocBytes = allocBytes;
            this.cpuNanos = cpuNanos;
        }
    }

    /** Starts a stretch over {@code threads}, which must be alive until {@link #perMessage}. */
    static ThreadCounters start(Thread... threads) {
        long[] ids = new long[threads.length];
        for (int i = 0; i < threads.length; i++) {
            ids[i] = threads[i].getId();
        }
        return new ThreadCounters(ids);
    }

    /**
     * The bytes allocated and CPU nanoseconds used since {@link #start}, by all its threads
     * together, divided by {@code messages}.
     *
     * @throws IllegalStateException if one of the threads ended in between
     */
    Usage perMessage(long messages) {
        long[] bytesNow = THREADS.getThreadAllocatedBytes(ids);
        long[] cpuNow = cpuNanos(ids);
        long allocated = 0;
        long used = 0;
        for (int i = 0; i < ids.length; i++) {
            if (bytesNow[i] < 0 || cpuNow[i] < 0) {
                throw new IllegalStateException("thread " + ids[i] + " ended while its counters were read");
            }
            allocated += bytesNow[i] - bytes[i];
            used += cpuNow[i] - cpu[i];
        }
        return new Usage((double) allocated / messages, (double) used / messages);
    }

    /**
     * The live thread called {@code name}, e.g. a Kafka producer's I/O thread
     * ({@code kafka-producer-network-thread | <client.id>}).
     *
     * @throws IllegalStateException if there is none, or more than one
     */
    static Thread named(String name) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                found.add(t);
            }
        }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one live thread named [" + name + "] but found " + found.size());
        }
        return found.get(0);
    }

    /** The medians of the last {@code count} usages of {@code usages} (the measured rounds). */
    static Usage median(List<Usage> usages, int count) {
        List<Usage> measured = usages.subList(Math.max(0, usages.size() - count), usages.size());
        double[] alloc = new double[measured.size()];
        double[] cpuTimes = new double[measured.size()];
        for (int i = 0; i < alloc.length; i++) {
            alloc[i] = measured.get(i).allocBytes;
            cpuTimes[i] = measured.get(i).cpuNanos;
        }
        return new Usage(Samples.median(alloc), Samples.median(cpuTimes));
    }

    private static long[] cpuNanos(long[] ids) {
        long[] nanos = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            nanos[i] = THREADS.getThreadCpuTime(ids[i]);
        }
        return nanos;
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean)) {
            throw new IllegalStateException("this JVM (" + System.getProperty("java.vm.name")
                    + ") has no com.sun.management.ThreadMXBean: per-thread allocation cannot be measured");
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread allocation or CPU time");
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        threads.setThreadCpuTimeEnabled(true);
        return threads;
    }
}
