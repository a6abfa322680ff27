package io.gochat.mq.bench;

import java.io.PrintStream;
import java.util.Locale;

/** Prints one line per step while the benchmark runs, with the time since start. Thread-safe (PrintStream is). */
final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();

    Progress(PrintStream out) {
        this.out = out;
    }

    void note(String line) {
        out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, line);
        out.flush();
    }
}
