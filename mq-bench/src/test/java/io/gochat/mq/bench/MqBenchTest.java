package io.gochat.mq.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the benchmark entry point with tiny sizes: every figure must be printed. Speed is not asserted. */
class MqBenchTest {
    static final List<String> FIGURES = Stream.of(
            List.of("producer_100b_library_msgs_per_sec", "producer_100b_raw_msgs_per_sec", "producer_100b_ratio"),
            usage("producer_100b", "library_send", "library_io", "raw_send", "raw_io"),
            List.of("producer_1k_library_msgs_per_sec", "producer_1k_raw_msgs_per_sec", "producer_1k_ratio"),
            usage("producer_1k", "library_send", "library_io", "raw_send", "raw_io"),
            List.of("producer_ratio",
                    "consumer_100b_library_msgs_per_sec", "consumer_100b_raw_msgs_per_sec", "consumer_100b_ratio"),
            usage("consumer_100b", "library_poll", "raw_poll"),
            List.of("consumer_1k_library_msgs_per_sec", "consumer_1k_raw_msgs_per_sec", "consumer_1k_ratio"),
            usage("consumer_1k", "library_poll", "raw_poll"),
            List.of("consumer_ratio",
                    "inmemory_msgs_per_sec", "inmemory_queue_msgs_per_sec", "inmemory_ratio",
                    "latency_rate_msgs_per_sec", "latency_library_p50_ms", "latency_raw_p50_ms",
                    "latency_library_p99_ms", "latency_raw_p99_ms", "latency_p99_ratio",
                    "slow_c1_msgs_per_sec", "slow_c64_msgs_per_sec", "slow_per_partition_msgs_per_sec",
                    "slow_parallel_consumer_msgs_per_sec", "slow_c64_speedup", "slow_vs_per_partition",
                    "slow_vs_parallel_consumer", "noop_c1_msgs_per_sec", "noop_c64_msgs_per_sec", "noop_c64_ratio",
                    "noop_c64_default_window_msgs_per_sec", "noop_c64_default_window_ratio",
                    "observability_producer_ratio", "observability_consumer_ratio",
                    "observability_producer_recording_ratio", "observability_consumer_recording_ratio"))
            .flatMap(List::stream).toList();

    /** The allocation and CPU lines of each of {@code threads} under {@code prefix}. */
    static List<String> usage(String prefix, String... threads) {
        return Stream.of(threads)
                .flatMap(t -> Stream.of(prefix + "_" + t + "_alloc_bytes_per_msg", prefix + "_" + t + "_cpu_ns_per_msg"))
                .toList();
    }

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MqBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("--quick measures every figure on the embedded broker and ends with one name=value line per figure")
    void quickRunPrintsEveryFigure() {
        Run run = run("--quick", "--pairs", "1");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        String[] lines = run.out().strip().split("\n");
        List<String> tail = List.of(lines).subList(lines.length - FIGURES.size(), lines.length);
        for (int i = 0; i < FIGURES.size(); i++) {
            assertThat(tail.get(i)).matches(FIGURES.get(i) + "=[0-9]+(\\.[0-9]+)?");
        }
        assertThat(run.out()).contains("== gochat MQ benchmarks", "figure", "producer 100 B, msg/s",
                "in-memory e2e vs ArrayBlockingQueue", "latency p99 @ 500 msg/s, ms",
                "1 ms handler: concurrency 64 vs 1, msg/s", "1 ms handler: c64 vs a raw consumer per partition",
                "1 ms handler: c64 vs Parallel Consumer (key, 64)", "no-op handler: concurrency 64 vs 1",
                "no-op handler: c64, default window, vs 1", "producer 100 B with observers vs without",
                "consumer 100 B with observers vs without", "producer 100 B with observers (recording) vs without",
                "consumer 100 B with observers (recording) vs without");
    }

    @Test
    @DisplayName("a bad option prints what was wrong and the usage, exits 2, and shows no stack trace")
    void badOption() {
        Run run = run("--only", "producer,everything");

        assertThat(run.exitCode()).isEqualTo(MqBench.EXIT_USAGE);
        assertThat(run.err())
                .startsWith("error: --only: expected some of producer,consumer,inmemory,latency,slow,noop,observability but was [everything]")
                .contains("Usage: bin/bench [options]")
                .doesNotContain("\tat ");
    }

    @Test
    @DisplayName("--help prints the usage and exits 0")
    void help() {
        Run run = run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: bin/bench [options]");
    }
}
