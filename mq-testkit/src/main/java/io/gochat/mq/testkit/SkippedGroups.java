package io.gochat.mq.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Lists the contract groups whose tests were skipped — a capability the fixture lacks, or no MDC
 * — in one WARN line of the {@link TransportCompatibilityKit} logger when the test class ends, so
 * that a run that passed is not mistaken for one that checked everything:
 *
 * <pre>
 * InMemoryCompatibilityTest: contract tests skipped: broker restart (1 test: inmemory fixture cannot inject Capability.BROKER_RESTART)
 * </pre>
 *
 * Registered on {@link TransportCompatibilityKit}; its {@code @Nested} groups inherit it.
 */
final class SkippedGroups implements TestWatcher, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(TransportCompatibilityKit.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SkippedGroups.class);

    /** The skipped tests of one group. */
    private static final class Skipped {
        int tests;
        String reason;
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        Class<?> group = context.getRequiredTestClass();
        DisplayName name = group.getAnnotation(DisplayName.class);
        String reason = String.valueOf(cause.getMessage()).replaceFirst("^Assumption failed: ", "");
        Map<String, Skipped> skipped = skipped(context);
        synchronized (skipped) {
            Skipped s = skipped.computeIfAbsent(name != null ? name.value() : group.getSimpleName(), k -> new Skipped());
            s.tests++;
            if (s.reason == null) {
                s.reason = reason;
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!isTestClass(context)) {
            return; // a @Nested group ended; the summary waits for the whole class
        }
        Map<String, Skipped> skipped = skipped(context);
        synchronized (skipped) {
            if (skipped.isEmpty()) {
                return;
            }
            String list = skipped.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue().tests + (e.getValue().tests == 1 ? " test: " : " tests: ")
                            + e.getValue().reason + ")")
                    .collect(Collectors.joining("; "));
            int tests = skipped.values().stream().mapToInt(s -> s.tests).sum();
            // the list in the message itself: a log pattern without key-values must still show it
            LOG.atWarn().setMessage("{}: contract tests skipped: {}")
                    .addArgument(context.getRequiredTestClass().getSimpleName()).addArgument(list)
                    .addKeyValue("skippedTests", tests).log();
        }
    }

    /** The skipped groups of the test class {@code context} belongs to, kept in that class's store. */
    @SuppressWarnings("unchecked")
    private static Map<String, Skipped> skipped(ExtensionContext context) {
        ExtensionContext testClass = context;
        while (!isTestClass(testClass)) {
            testClass = testClass.getParent().orElseThrow();
        }
        return testClass.getStore(NAMESPACE).getOrComputeIfAbsent("skipped", k -> new LinkedHashMap<String, Skipped>(),
                Map.class);
    }

    /** Whether {@code context} is that of the top-level test class (its parent is the engine). */
    private static boolean isTestClass(ExtensionContext context) {
        return context.getParent().flatMap(ExtensionContext::getParent).isEmpty();
    }
}
