package io.gochat.mq.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results: rows of the readable table, and the machine-readable {@code name=value} lines
 * printed last. Not thread-safe.
 */
final class Figures {
    private final List<String[]> rows = new ArrayList<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    /** A comparison row: library and baseline medians, the median ratio and every pair's ratio. */
    void row(String figure, double library, double baseline, double[] ratios, String target, Boolean met) {
        row(figure, library, baseline, Samples.median(ratios), ratios, target, met);
    }

    /** A comparison row whose ratio is given (a pooled figure), with every pair's ratio beside it. */
    void row(String figure, double library, double baseline, double ratio, double[] ratios, String target, Boolean met) {
        StringBuilder pairs = new StringBuilder();
        for (double r : ratios) {
            pairs.append(pairs.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", r));
        }
        rows.add(new String[] {figure, number(library), number(baseline),
                String.format(Locale.ROOT, "%.3f", ratio), pairs.toString(), target,
                met == null ? "" : met ? "yes" : "NO"});
    }

    /** A machine-readable figure. */
    void value(String name, double value) {
        values.put(name, Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.3f", value));
    }

    Map<String, String> values() {
        return values;
    }

    void print(PrintStream out) {
        String[] header = {"figure", "library", "baseline", "ratio", "ratio per pair", "target", "met"};
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        printRow(out, header, width);
        String[] rule = new String[header.length];
        for (int i = 0; i < rule.length; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        printRow(out, rule, width);
        for (String[] row : rows) {
            printRow(out, row, width);
        }
    }

    private static void printRow(PrintStream out, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            boolean numeric = i >= 1 && i <= 3;
            String cell = cells[i];
            String pad = " ".repeat(width[i] - cell.length());
            sb.append(numeric ? pad + cell : cell + pad).append(i < cells.length - 1 ? "  " : "");
        }
        out.println(sb.toString().stripTrailing());
    }

    private static String number(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
