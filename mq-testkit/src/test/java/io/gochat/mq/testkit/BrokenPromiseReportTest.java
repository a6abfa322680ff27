package io.gochat.mq.testkit;

import io.gochat.mq.testkit.TransportCompatibilityKit.Crash;
import io.gochat.mq.testkit.TransportCompatibilityKit.Observers;
import io.gochat.mq.testkit.TransportCompatibilityKit.RoundTrip;
import io.gochat.mq.testkit.TransportCompatibilityKit.TraceId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.TestAbortedException;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a failing contract test reads ({@link BrokenPromiseReport}): one contract test at a time runs
 * on the toy transport with a {@link Fault} that breaks it, and its failure must start with the
 * promise it names.
 */
class BrokenPromiseReportTest {

    @Test
    @DisplayName("a failed assertion reads: the broken promise, where it is checked, then what was seen")
    void assertionFailureStartsWithThePromise() {
        Throwable failure = onlyFailure(BrokenToySuite.run(Fault.NULL_AS_EMPTY.name(), Map.of(),
                BrokenToySuite.test(RoundTrip.class, "nullKeyArrivesAsNull")));

        List<String> lines = failure.getMessage().lines().toList();
        assertThat(lines.get(0)).as("first line")
                .isEqualTo("Contract: " + promise(RoundTrip.class, "nullKeyArrivesAsNull") + " — broken.");
        assertThat(lines.get(1)).as("second line")
                .isEqualTo("(group \"message round trip\", TransportCompatibilityKit.RoundTrip.nullKeyArrivesAsNull;"
                        + " see docs/contract.md)");
        assertThat(lines.get(2)).as("third line: AssertJ's description, not a blank line").contains("key sent as null");
        assertThat(failure).as("the report").isInstanceOf(AssertionError.class)
                .cause().as("its cause").isInstanceOf(AssertionError.class)
                .hasMessageNotContaining(BrokenPromiseReport.PREFIX);
        assertThat(failure.getStackTrace()).as("stack trace of the report")
                .isEqualTo(failure.getCause().getStackTrace());
    }

    @Test
    @DisplayName("an exception the test did not expect is reported after the promise, with its class name")
    void unexpectedExceptionStartsWithThePromise() {
        Throwable failure = onlyFailure(BrokenToySuite.run(Fault.OBSERVER_UNGUARDED.name(), Map.of(),
                BrokenToySuite.test(Observers.class, "throwingObserverBreaksNothing")));

        assertThat(failure.getMessage()).as("message")
                .startsWith("Contract: " + promise(Observers.class, "throwingObserverBreaksNothing") + " — broken.\n")
                .contains(IllegalStateException.class.getName() + ": observer bug");
        assertThat(failure.getCause()).as("cause").isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("a failure in a group's @BeforeEach names the promise of the test it stopped")
    void beforeEachFailureStartsWithThePromise() {
        Throwable failure = onlyFailure(BrokenToySuite.run("NONE", Map.of(BrokenToySuite.NO_OP_MDC_PARAMETER, "true"),
                BrokenToySuite.test(TraceId.class, "mdcBecomesHeader")));

        assertThat(failure.getMessage()).as("message")
                .startsWith("Contract: " + promise(TraceId.class, "mdcBecomesHeader") + " — broken.\n")
                .contains("no-op MDC", "logback-classic");
    }

    @Test
    @DisplayName("a test skipped by an assumption is still reported as skipped, with its own reason")
    void skippedTestIsNotTurnedIntoAFailure() {
        EngineExecutionResults results = BrokenToySuite.run("NONE", Map.of(BrokenToySuite.CAPABILITIES_PARAMETER, ""),
                BrokenToySuite.test(Crash.class, "crashBeforeCommitRedelivers"));

        results.testEvents().assertStatistics(stats -> stats.started(1).aborted(1).failed(0));
        Throwable reason = throwable(results.testEvents().aborted().list().get(0));
        assertThat(reason).as("why the test was skipped").isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("cannot inject Capability.CRASH")
                .hasMessageNotContaining(BrokenPromiseReport.PREFIX);
    }

    /** The failure of the one test {@code results} ran, which must have failed. */
    private static Throwable onlyFailure(EngineExecutionResults results) {
        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
        return throwable(results.testEvents().failed().list().get(0));
    }

    private static Throwable throwable(Event event) {
        return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    }

    /** The promise a contract test names: its {@code @DisplayName}. */
    private static String promise(Class<?> group, String method) {
        try {
            return group.getDeclaredMethod(method).getAnnotation(DisplayName.class).value();
        } catch (NoSuchMethodException e) {
            throw new AssertionError("no contract test " + group.getSimpleName() + "." + method, e);
        }
    }
}
